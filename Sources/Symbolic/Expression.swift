/// A symbolic expression: the representation in which the verifier states theorems, derives
/// their first-order conditions and proves the identities their proofs rest on.
///
/// The tree is a plain value. Constructing it (with the operators below or the static
/// builders) does no simplification beyond flattening nested sums and products; the canonical
/// form is `simplified()`. Differentiation is `derivative(withRespectTo:)`, numeric
/// evaluation `evaluate(_:)`, rendering `rendered(_:)`.
///
/// What the cases mean:
/// - `number`: an exact rational; `constant`: π.
/// - `symbol`: a variable with optional indices (ρⱼ, a_{l,j}, x_{i,2}).
/// - `sum`, `product`: n-ary, order-insensitive in the canonical form.
/// - `power(base, exponent)`: exponents are usually rational numbers (ρ^{2/L} has the exponent
///   2·L⁻¹, a product); a difference a − b is the sum a + (−1)·b, a quotient a/b the product
///   a·b^{−1}.
/// - `function(f, x)`: an elementary function of one argument.
/// - `opaque(g, x)`: an unspecified differentiable function (the loss ℓ), whose derivative is
///   the opaque function of the next order (ℓ′, ℓ″, …).
/// - `inverse(f, x)`: f⁻¹(x) for a strictly monotone f given as a body in a bound variable;
///   differentiated by the inverse-function rule (f⁻¹)′(x) = 1/f′(f⁻¹(x)).
/// - `integral`: ∫_{lower}^{upper} integrand d(variable), differentiated by the fundamental
///   theorem of calculus (Leibniz's rule when the integrand depends on the variable too).
/// - `indexedSum`: Σⱼ body over a named index of unspecified range (how statements read:
///   Σⱼ (1/p)|ρⱼ|^p); `expandingSum(over:)` makes it concrete.
public indirect enum Expr: Hashable, Sendable {
  case number(Rational)
  case constant(MathConstant)
  case symbol(Symbol)
  case sum([Expr])
  case product([Expr])
  case power(Expr, Expr)
  case function(ElementaryFunction, Expr)
  case opaque(OpaqueFunction, Expr)
  case inverse(ImplicitInverse, Expr)
  case integral(Integral)
  case indexedSum(IndexedSum)
}

extension Expr {
  /// Hashes the tree to a bounded depth (`==` stays the synthesized structural equality,
  /// and equal trees hash equally because the walk is deterministic). The synthesized hash
  /// visits every node, so the simplifier's dictionaries keyed by sub-expressions cost
  /// O(size) per lookup at every level, O(size²) over a tree; bounded, a lookup costs
  /// O(breadth³) and the rare collisions are resolved by `==`.
  public func hash(into hasher: inout Hasher) { hashBounded(into: &hasher, depth: 3) }

  private func hashBounded(into h: inout Hasher, depth: Int) {
    func children(_ xs: [Expr]) {
      h.combine(xs.count)
      guard depth > 0 else { return }
      for x in xs { x.hashBounded(into: &h, depth: depth - 1) }
    }
    switch self {
    case .number(let r): h.combine(0); h.combine(r)
    case .constant(let c): h.combine(1); h.combine(c)
    case .symbol(let s): h.combine(2); h.combine(s)
    case .sum(let xs): h.combine(3); children(xs)
    case .product(let xs): h.combine(4); children(xs)
    case .power(let b, let e): h.combine(5); children([b, e])
    case .function(let f, let x): h.combine(6); h.combine(f); children([x])
    case .opaque(let g, let x): h.combine(7); h.combine(g); children([x])
    case .inverse(let f, let x): h.combine(8); h.combine(f); children([x])
    case .integral(let i): h.combine(9); h.combine(i.variable); children([i.integrand, i.lower, i.upper])
    case .indexedSum(let s): h.combine(10); h.combine(s.index); children([s.body])
    }
  }
}

/// Named mathematical constants.
public enum MathConstant: String, Hashable, Sendable, CaseIterable {
  case pi = "π"
}

/// A variable: a name (Unicode, e.g. "ρ", "α", "v") and indices, e.g. ρⱼ, a_{l,j} or v_{2,1}.
public struct Symbol: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var name: String
  public var indices: [SymbolIndex]

  public init(_ name: String, _ indices: SymbolIndex...) {
    self.name = name
    self.indices = indices
  }

  public init(_ name: String, indices: [SymbolIndex]) {
    self.name = name
    self.indices = indices
  }

  /// "ρ", "ρ[j]", "a[1,2]": a plain-text key used for ordering and in error messages.
  public var description: String {
    indices.isEmpty ? name : name + "[" + indices.map(\.description).joined(separator: ",") + "]"
  }

  public static func < (lhs: Symbol, rhs: Symbol) -> Bool {
    if lhs.name != rhs.name { return lhs.name < rhs.name }
    return lhs.indices.lexicographicallyPrecedes(rhs.indices)
  }
}

/// An index of a symbol: a concrete position (1, 2, …) or a named one (i, j, l).
public enum SymbolIndex: Hashable, Sendable, Comparable, CustomStringConvertible,
  ExpressibleByIntegerLiteral, ExpressibleByStringLiteral
{
  case number(Int)
  case name(String)

  public init(integerLiteral value: Int) { self = .number(value) }
  public init(stringLiteral value: String) { self = .name(value) }

  public var description: String {
    switch self {
    case .number(let k): "\(k)"
    case .name(let s): s
    }
  }

  public static func < (lhs: SymbolIndex, rhs: SymbolIndex) -> Bool {
    switch (lhs, rhs) {
    case (.number(let a), .number(let b)): a < b
    case (.name(let a), .name(let b)): a < b
    case (.number, .name): true
    case (.name, .number): false
    }
  }
}

/// The elementary functions the theorems need. Each has a derivative rule
/// (`Expr.derivative(withRespectTo:)`) and a numeric value (`evaluate`).
public enum ElementaryFunction: String, Hashable, Sendable, CaseIterable {
  case exp, log
  case sin, cos, tan, sec, arctan
  case sinh, cosh, tanh, sech, arcsinh
  /// |x|; for a complex argument the modulus (z z̄)^{1/2}.
  case abs
  /// sign(x) ∈ {−1, 0, 1}; its derivative is 0 away from 0.
  case sign
  /// Complex conjugation z̄ (the identity on real values).
  case conjugate
}

/// An unspecified differentiable function of one argument, e.g. the loss ℓ; `order` counts
/// derivatives (ℓ′ has order 1).
public struct OpaqueFunction: Hashable, Sendable {
  public var name: String
  public var order: Int

  public init(_ name: String, order: Int = 0) {
    self.name = name
    self.order = order
  }

  public var derivative: OpaqueFunction { OpaqueFunction(name, order: order + 1) }
}

/// The inverse of a strictly monotone function f, given as `body` = f(variable).
///
/// `name` is how f reads ("h_L", "F_L"); f⁻¹(x) renders as name⁻¹(x). Numeric evaluation
/// solves f(t) = x for t in the open interval `domain` (bisection safeguarded Newton); the
/// derivative is 1/f′(f⁻¹(x)) with f′ obtained by differentiating `body`.
public struct ImplicitInverse: Hashable, Sendable {
  public var name: String
  public var variable: Symbol
  public var body: Expr
  /// The open interval on which f is strictly monotone and which contains f⁻¹ of every
  /// argument (use ±infinity for ℝ).
  public var domain: OpenInterval

  public init(name: String, variable: Symbol, body: Expr, domain: OpenInterval = .realLine) {
    self.name = name
    self.variable = variable
    self.body = body
    self.domain = domain
  }
}

/// An open interval (lower, upper) of the real line, possibly unbounded.
public struct OpenInterval: Hashable, Sendable {
  public var lower: Double
  public var upper: Double

  public init(_ lower: Double, _ upper: Double) {
    precondition(lower < upper, "an open interval needs lower < upper")
    self.lower = lower
    self.upper = upper
  }

  public static let realLine = OpenInterval(-.infinity, .infinity)

  public func contains(_ x: Double) -> Bool { x > lower && x < upper }
}

/// ∫_{lower}^{upper} integrand d(variable). The variable is bound: it does not occur free
/// in the integral.
public struct Integral: Hashable, Sendable {
  public var variable: Symbol
  public var integrand: Expr
  public var lower: Expr
  public var upper: Expr

  public init(_ integrand: Expr, _ variable: Symbol, from lower: Expr, to upper: Expr) {
    self.variable = variable
    self.integrand = integrand
    self.lower = lower
    self.upper = upper
  }
}

/// Σ_{index} body, the index ranging over an unspecified set (1…m in the statements). The
/// index is bound: symbols indexed by it inside `body` refer to the summation variable.
public struct IndexedSum: Hashable, Sendable {
  public var index: String
  public var body: Expr

  public init(_ index: String, _ body: Expr) {
    self.index = index
    self.body = body
  }
}

// MARK: - Building expressions

extension Expr: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self = .number(Rational(integer: value)) }
}

extension Expr {
  /// The integer k.
  public init(_ k: Int) { self = .number(Rational(integer: k)) }

  /// The exact fraction n/d (d ≠ 0; traps otherwise, like integer division).
  public static func fraction(_ n: Int, _ d: Int) -> Expr {
    do { return .number(try Rational(n, d)) } catch { preconditionFailure("\(error)") }
  }

  /// The symbol named `name` with the given indices.
  public static func variable(_ name: String, _ indices: SymbolIndex...) -> Expr {
    .symbol(Symbol(name, indices: indices))
  }

  public static let zero: Expr = 0
  public static let one: Expr = 1
  public static let pi: Expr = .constant(.pi)

  public static func exp(_ x: Expr) -> Expr { .function(.exp, x) }
  public static func log(_ x: Expr) -> Expr { .function(.log, x) }
  public static func sin(_ x: Expr) -> Expr { .function(.sin, x) }
  public static func cos(_ x: Expr) -> Expr { .function(.cos, x) }
  public static func tan(_ x: Expr) -> Expr { .function(.tan, x) }
  public static func sec(_ x: Expr) -> Expr { .function(.sec, x) }
  public static func arctan(_ x: Expr) -> Expr { .function(.arctan, x) }
  public static func sinh(_ x: Expr) -> Expr { .function(.sinh, x) }
  public static func cosh(_ x: Expr) -> Expr { .function(.cosh, x) }
  public static func tanh(_ x: Expr) -> Expr { .function(.tanh, x) }
  public static func sech(_ x: Expr) -> Expr { .function(.sech, x) }
  public static func arcsinh(_ x: Expr) -> Expr { .function(.arcsinh, x) }
  public static func abs(_ x: Expr) -> Expr { .function(.abs, x) }
  public static func sign(_ x: Expr) -> Expr { .function(.sign, x) }
  public static func conjugate(_ x: Expr) -> Expr { .function(.conjugate, x) }
  public static func sqrt(_ x: Expr) -> Expr { .power(x, .fraction(1, 2)) }

  /// x^k for an integer k.
  public func toThe(_ k: Int) -> Expr { .power(self, Expr(k)) }
  /// x^e.
  public func toThe(_ e: Expr) -> Expr { .power(self, e) }

  /// Σ_{k ∈ range} term(k), expanded (the verifier's identities use concrete sizes).
  public static func sum<S: Sequence>(over indices: S, _ term: (S.Element) -> Expr) -> Expr {
    .sum(indices.map(term)).flattenedOnce
  }

  /// Π_{k ∈ range} factor(k), expanded.
  public static func product<S: Sequence>(over indices: S, _ factor: (S.Element) -> Expr) -> Expr {
    .product(indices.map(factor)).flattenedOnce
  }

  public static func + (lhs: Expr, rhs: Expr) -> Expr { .sum([lhs, rhs]).flattenedOnce }
  public static func - (lhs: Expr, rhs: Expr) -> Expr { .sum([lhs, -rhs]).flattenedOnce }
  public static prefix func - (x: Expr) -> Expr {
    if case .number(let r) = x, let n = try? r.negated() { return .number(n) }
    return .product([-1, x]).flattenedOnce
  }
  public static func * (lhs: Expr, rhs: Expr) -> Expr { .product([lhs, rhs]).flattenedOnce }
  public static func / (lhs: Expr, rhs: Expr) -> Expr {
    if case .number(let r) = rhs, let inv = try? r.reciprocal() { return .product([lhs, .number(inv)]).flattenedOnce }
    return .product([lhs, .power(rhs, -1)]).flattenedOnce
  }
  public static func += (lhs: inout Expr, rhs: Expr) { lhs = lhs + rhs }
  public static func *= (lhs: inout Expr, rhs: Expr) { lhs = lhs * rhs }

  /// Nested sums (products) spliced into the outer one; a one-term sum is its term and an
  /// empty sum (product) is 0 (1). No other rewriting.
  public var flattenedOnce: Expr {
    switch self {
    case .sum(let terms):
      let flat = terms.flatMap { t -> [Expr] in if case .sum(let inner) = t { inner } else { [t] } }
      return flat.isEmpty ? .zero : flat.count == 1 ? flat[0] : .sum(flat)
    case .product(let factors):
      let flat = factors.flatMap { f -> [Expr] in if case .product(let inner) = f { inner } else { [f] } }
      return flat.isEmpty ? .one : flat.count == 1 ? flat[0] : .product(flat)
    default:
      return self
    }
  }
}

// MARK: - Structure

extension Expr {
  /// The rational value if this is a number.
  public var rationalValue: Rational? {
    if case .number(let r) = self { return r }
    return nil
  }

  public var isZero: Bool { rationalValue?.isZero ?? false }
  public var isOne: Bool { rationalValue == .one }

  /// The immediate subexpressions (the body of an implicit inverse and the integrand of an
  /// integral are included: they are expressions in their bound variable).
  public var children: [Expr] {
    switch self {
    case .number, .constant, .symbol: []
    case .sum(let xs), .product(let xs): xs
    case .power(let b, let e): [b, e]
    case .function(_, let x), .opaque(_, let x): [x]
    case .inverse(let f, let x): [f.body, x]
    case .integral(let i): [i.integrand, i.lower, i.upper]
    case .indexedSum(let s): [s.body]
    }
  }

  /// The symbols that occur free (bound variables of integrals and inverses excluded).
  public var freeSymbols: Set<Symbol> {
    switch self {
    case .number, .constant: []
    case .symbol(let s): [s]
    case .sum(let xs), .product(let xs): xs.reduce(into: Set()) { $0.formUnion($1.freeSymbols) }
    case .power(let b, let e): b.freeSymbols.union(e.freeSymbols)
    case .function(_, let x), .opaque(_, let x): x.freeSymbols
    case .inverse(let f, let x): f.body.freeSymbols.subtracting([f.variable]).union(x.freeSymbols)
    case .integral(let i):
      i.integrand.freeSymbols.subtracting([i.variable]).union(i.lower.freeSymbols).union(i.upper.freeSymbols)
    case .indexedSum(let s): s.body.freeSymbols.filter { !$0.indices.contains(.name(s.index)) }
    }
  }

  /// Whether `s` occurs free.
  public func contains(_ s: Symbol) -> Bool { freeSymbols.contains(s) }

  /// The number of nodes of the tree (a size measure for tests and limits).
  public var nodeCount: Int { 1 + children.reduce(0) { $0 + $1.nodeCount } }

  /// Replaces free occurrences of symbols by expressions, simultaneously. Bound variables
  /// are not replaced (the caller must not substitute an expression containing a bound
  /// variable's symbol into its scope; the verifier's bound names are distinct).
  public func substituting(_ map: [Symbol: Expr]) -> Expr {
    if map.isEmpty { return self }
    switch self {
    case .number, .constant: return self
    case .symbol(let s): return map[s] ?? self
    case .sum(let xs): return Expr.sum(xs.map { $0.substituting(map) }).flattenedOnce
    case .product(let xs): return Expr.product(xs.map { $0.substituting(map) }).flattenedOnce
    case .power(let b, let e): return .power(b.substituting(map), e.substituting(map))
    case .function(let f, let x): return .function(f, x.substituting(map))
    case .opaque(let g, let x): return .opaque(g, x.substituting(map))
    case .inverse(let f, let x):
      var inner = map
      inner[f.variable] = nil
      var g = f
      g.body = f.body.substituting(inner)
      return .inverse(g, x.substituting(map))
    case .integral(var i):
      var inner = map
      inner[i.variable] = nil
      i.integrand = i.integrand.substituting(inner)
      i.lower = i.lower.substituting(map)
      i.upper = i.upper.substituting(map)
      return .integral(i)
    case .indexedSum(var s):
      s.body = s.body.substituting(map.filter { !$0.key.indices.contains(.name(s.index)) })
      return .indexedSum(s)
    }
  }

  /// Replaces the named index by `value` in every symbol (free occurrences only: an inner
  /// sum over the same name keeps its own).
  public func substitutingIndex(_ name: String, with value: SymbolIndex) -> Expr {
    switch self {
    case .number, .constant: return self
    case .symbol(var s):
      s.indices = s.indices.map { $0 == .name(name) ? value : $0 }
      return .symbol(s)
    case .sum(let xs): return Expr.sum(xs.map { $0.substitutingIndex(name, with: value) }).flattenedOnce
    case .product(let xs): return Expr.product(xs.map { $0.substitutingIndex(name, with: value) }).flattenedOnce
    case .power(let b, let e): return .power(b.substitutingIndex(name, with: value), e.substitutingIndex(name, with: value))
    case .function(let f, let x): return .function(f, x.substitutingIndex(name, with: value))
    case .opaque(let g, let x): return .opaque(g, x.substitutingIndex(name, with: value))
    case .inverse(var f, let x):
      f.body = f.body.substitutingIndex(name, with: value)
      return .inverse(f, x.substitutingIndex(name, with: value))
    case .integral(var i):
      i.integrand = i.integrand.substitutingIndex(name, with: value)
      i.lower = i.lower.substitutingIndex(name, with: value)
      i.upper = i.upper.substitutingIndex(name, with: value)
      return .integral(i)
    case .indexedSum(var s):
      if s.index == name { return self }
      s.body = s.body.substitutingIndex(name, with: value)
      return .indexedSum(s)
    }
  }

  /// Every Σ over `index` replaced by the explicit sum over `values` (other sums kept).
  public func expandingSum(over index: String, _ values: [SymbolIndex]) -> Expr {
    switch self {
    case .indexedSum(let s) where s.index == index:
      let body = s.body.expandingSum(over: index, values)
      return Expr.sum(values.map { body.substitutingIndex(index, with: $0) }).flattenedOnce
    case .number, .constant, .symbol: return self
    case .sum(let xs): return Expr.sum(xs.map { $0.expandingSum(over: index, values) }).flattenedOnce
    case .product(let xs): return Expr.product(xs.map { $0.expandingSum(over: index, values) }).flattenedOnce
    case .power(let b, let e): return .power(b.expandingSum(over: index, values), e.expandingSum(over: index, values))
    case .function(let f, let x): return .function(f, x.expandingSum(over: index, values))
    case .opaque(let g, let x): return .opaque(g, x.expandingSum(over: index, values))
    case .inverse(let f, let x): return .inverse(f, x.expandingSum(over: index, values))
    case .integral(var i):
      i.integrand = i.integrand.expandingSum(over: index, values)
      return .integral(i)
    case .indexedSum(var s):
      s.body = s.body.expandingSum(over: index, values)
      return .indexedSum(s)
    }
  }

  /// Σ_{index} body.
  public static func sum(over index: String, _ body: Expr) -> Expr { .indexedSum(IndexedSum(index, body)) }

  /// Replaces one symbol.
  public func substituting(_ s: Symbol, with e: Expr) -> Expr { substituting([s: e]) }
}

extension Expr {
  /// Every application g(u) of the opaque function named `name` (order 0) replaced by
  /// `definition(u)`: how a statement's named function (q_L) is unfolded into its
  /// definition (∫₀^u h_L⁻¹) before differentiating.
  public func replacingOpaque(_ name: String, with definition: (Expr) -> Expr) -> Expr {
    switch self {
    case .opaque(let g, let u) where g.name == name && g.order == 0:
      return definition(u.replacingOpaque(name, with: definition))
    case .number, .constant, .symbol: return self
    case .sum(let xs): return Expr.sum(xs.map { $0.replacingOpaque(name, with: definition) }).flattenedOnce
    case .product(let xs): return Expr.product(xs.map { $0.replacingOpaque(name, with: definition) }).flattenedOnce
    case .power(let b, let e):
      return .power(b.replacingOpaque(name, with: definition), e.replacingOpaque(name, with: definition))
    case .function(let f, let x): return .function(f, x.replacingOpaque(name, with: definition))
    case .opaque(let g, let x): return .opaque(g, x.replacingOpaque(name, with: definition))
    case .inverse(var f, let x):
      f.body = f.body.replacingOpaque(name, with: definition)
      return .inverse(f, x.replacingOpaque(name, with: definition))
    case .integral(var i):
      i.integrand = i.integrand.replacingOpaque(name, with: definition)
      i.lower = i.lower.replacingOpaque(name, with: definition)
      i.upper = i.upper.replacingOpaque(name, with: definition)
      return .integral(i)
    case .indexedSum(var s):
      s.body = s.body.replacingOpaque(name, with: definition)
      return .indexedSum(s)
    }
  }
}
