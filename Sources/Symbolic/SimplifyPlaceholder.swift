extension Expr {
  /// Placeholder until the canonical simplifier lands (returns the tree unchanged).
  public func simplified() throws(SymbolicError) -> Expr { self }
}
