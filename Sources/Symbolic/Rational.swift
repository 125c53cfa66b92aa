import LinearAlgebra

/// An exact rational number n/d with machine-integer parts, kept in lowest terms with d > 0.
///
/// Arithmetic never wraps: every operation that could leave the range of `Int` is a throwing
/// method that reports `SymbolicError.overflow` with the operation that overflowed. There are
/// deliberately no `+`/`*` operators, so a caller cannot reach a trapping path by accident.
///
/// - Complexity: each operation is O(log max(|n|, d)) for the gcd.
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The numerator, carrying the sign.
  public let numerator: Int
  /// The denominator, always positive.
  public let denominator: Int

  /// n/d in lowest terms. Throws `divisionByZero` for d = 0 and `overflow` when normalizing
  /// the sign would negate `Int.min`.
  public init(_ numerator: Int, _ denominator: Int = 1) throws(SymbolicError) {
    guard denominator != 0 else { throw .divisionByZero("\(numerator)/0") }
    var n = numerator, d = denominator
    if d < 0 {
      guard n != .min, d != .min else { throw .overflow("normalizing the sign of \(n)/\(d)") }
      n = -n; d = -d
    }
    let g = Rational.gcd(n.magnitude, UInt(d))
    self.numerator = n / Int(g)
    self.denominator = d / Int(g)
  }

  /// An integer (cannot fail).
  public init(integer: Int) {
    numerator = integer
    denominator = 1
  }

  private init(unchecked n: Int, _ d: Int) {
    numerator = n
    denominator = d
  }

  public static let zero = Rational(integer: 0)
  public static let one = Rational(integer: 1)
  public static let minusOne = Rational(integer: -1)
  public static let half = Rational(unchecked: 1, 2)

  public var isZero: Bool { numerator == 0 }
  public var isInteger: Bool { denominator == 1 }
  public var isNegative: Bool { numerator < 0 }
  public var doubleValue: Double { Double(numerator) / Double(denominator) }

  public var description: String {
    denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
  }

  static func gcd(_ a: UInt, _ b: UInt) -> UInt {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a == 0 ? 1 : a
  }

  private static func checked(_ r: (partialValue: Int, overflow: Bool), _ what: @autoclosure () -> String)
    throws(SymbolicError) -> Int
  {
    if r.overflow { throw .overflow(what()) }
    return r.partialValue
  }

  /// a/b + c/d = (a·(L/b) + c·(L/d)) / L with L = lcm(b, d), so that sums of fractions with
  /// a common denominator do not square it.
  public func adding(_ other: Rational) throws(SymbolicError) -> Rational {
    let what = "\(self) + \(other)"
    let g = Int(Rational.gcd(UInt(denominator), UInt(other.denominator)))
    let l = try Rational.checked((denominator / g).multipliedReportingOverflow(by: other.denominator), what)
    let a = try Rational.checked(numerator.multipliedReportingOverflow(by: l / denominator), what)
    let c = try Rational.checked(other.numerator.multipliedReportingOverflow(by: l / other.denominator), what)
    let n = try Rational.checked(a.addingReportingOverflow(c), what)
    return try Rational(n, l)
  }

  public func negated() throws(SymbolicError) -> Rational {
    guard numerator != .min else { throw .overflow("−(\(self))") }
    return Rational(unchecked: -numerator, denominator)
  }

  public func subtracting(_ other: Rational) throws(SymbolicError) -> Rational {
    try adding(other.negated())
  }

  /// (a/b)(c/d) with cross-cancellation first: (a/g₁)(c/g₂) / ((b/g₂)(d/g₁)).
  public func multiplied(by other: Rational) throws(SymbolicError) -> Rational {
    let what = "\(self) · \(other)"
    let g1 = Int(Rational.gcd(numerator.magnitude, UInt(other.denominator)))
    let g2 = Int(Rational.gcd(other.numerator.magnitude, UInt(denominator)))
    let n = try Rational.checked((numerator / g1).multipliedReportingOverflow(by: other.numerator / g2), what)
    let d = try Rational.checked((denominator / g2).multipliedReportingOverflow(by: other.denominator / g1), what)
    return try Rational(n, d)
  }

  public func reciprocal() throws(SymbolicError) -> Rational {
    guard numerator != 0 else { throw .divisionByZero("1/0") }
    return try Rational(denominator, numerator)
  }

  public func divided(by other: Rational) throws(SymbolicError) -> Rational {
    try multiplied(by: other.reciprocal())
  }

  /// self^k for an integer k (negative k through the reciprocal), by repeated squaring.
  public func power(_ k: Int) throws(SymbolicError) -> Rational {
    if k < 0 {
      guard k != .min else { throw .overflow("(\(self))^\(k)") }
      return try reciprocal().power(-k)
    }
    var result = Rational.one, base = self, e = k
    while e > 0 {
      if e & 1 == 1 { result = try result.multiplied(by: base) }
      e >>= 1
      if e > 0 { base = try base.multiplied(by: base) }
    }
    return result
  }

  /// The exact k-th root if self is the k-th power of a rational (k ≥ 1), else nil. Negative
  /// numbers have a real root only for odd k.
  public func exactRoot(_ k: Int) -> Rational? {
    precondition(k >= 1, "root order must be positive")
    if k == 1 { return self }
    if numerator < 0 && k % 2 == 0 { return nil }
    guard let n = Rational.integerRoot(numerator.magnitude, k), let d = Rational.integerRoot(UInt(denominator), k)
    else { return nil }
    return Rational(unchecked: numerator < 0 ? -Int(n) : Int(n), Int(d))
  }

  /// The exact integer k-th root of m, or nil.
  static func integerRoot(_ m: UInt, _ k: Int) -> UInt? {
    if m < 2 { return m }
    var guess = UInt(Double(m).squareRoot())
    if k != 2 {
      guess = UInt(Elementary.exp2(Elementary.log2(Double(m)) / Double(k)).rounded())
    }
    for candidate in [guess &- 1, guess, guess &+ 1] where candidate > 0 {
      var p: UInt = 1
      var overflow = false
      for _ in 0..<k {
        let r = p.multipliedReportingOverflow(by: candidate)
        if r.overflow { overflow = true; break }
        p = r.partialValue
      }
      if !overflow && p == m { return candidate }
    }
    return nil
  }

  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    // Compare a/b < c/d as a·d < c·b in double-width arithmetic (cannot overflow).
    let l = lhs.numerator.multipliedFullWidth(by: rhs.denominator)
    let r = rhs.numerator.multipliedFullWidth(by: lhs.denominator)
    return (l.high, l.low) < (r.high, r.low)
  }
}

/// Errors of symbolic computation: what failed and on which operands.
public enum SymbolicError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Exact rational arithmetic left the range of `Int` (64-bit); the operation is named.
  case overflow(String)
  case divisionByZero(String)
  /// A numeric evaluation met a symbol with no value, a value outside a function's domain, or
  /// a non-finite result.
  case evaluation(String)
  /// An expression outside what an operation supports (e.g. a non-polynomial in a
  /// polynomial normal form).
  case unsupported(String)
  /// Text that does not parse, with the offset of the problem.
  case parse(String, offset: Int)

  public var description: String {
    switch self {
    case .overflow(let s): "exact rational arithmetic overflowed 64-bit integers in \(s)"
    case .divisionByZero(let s): "division by zero in \(s)"
    case .evaluation(let s): "cannot evaluate: \(s)"
    case .unsupported(let s): "unsupported: \(s)"
    case .parse(let s, let offset): "parse error at offset \(offset): \(s)"
    }
  }
}
