/// Placeholder until the renderer lands.
public enum RenderStyle: Sendable { case unicode, latex }
extension Expr {
  public func rendered(_ style: RenderStyle = .unicode) -> String { debugKey }
}
