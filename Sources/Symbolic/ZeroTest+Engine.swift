import LinearAlgebra

// MARK: - The exact engine

/// Builds the rational-function normal form (see `Expr.decideZero`). One engine per zero
/// test; not shared between threads.
final class ZeroTestEngine {
  enum AtomKey: Hashable {
    /// A canonical subexpression.
    case expr(Expr)
    /// P^{1/q} for a polynomial P over earlier atoms.
    case radical(ZPoly, Int)
  }

  struct Atom {
    var key: AtomKey
    /// ≥ 0 wherever defined, for real symbols.
    var nonnegative: Bool
    /// a^order = value (value over atoms of smaller index).
    var relation: (order: Int, value: ZPoly)?
    /// a = exp(expArgument).
    var expArgument: Expr?
  }

  enum Outcome {
    case proved(String)
    case nonzeroConstant(Rational)
    /// Not proved; with the normal form if one was computed (it is evaluated at the sample
    /// points too, where it does not suffer the expression's cancellations).
    case unknown(String, NormalForm?)
  }

  /// An expression's normal form and the engine that knows its atoms: the expression
  /// equals `form` (numerator reduced modulo the relations) divided by `multiplier`.
  struct NormalForm {
    let engine: ZeroTestEngine
    let form: ZRatFun
    let multiplier: ZMonomial
  }

  var atoms: [Atom] = []
  var atomIndex: [AtomKey: Int] = [:]
  /// t ↦ m: exponentials of multiples of t use the atom exp(t/m).
  var expScale: [Expr: Int] = [:]
  var rewrites: Set<String> = []
  var expandedArguments: [Expr: Expr] = [:]
  /// Whether some atom has a relation (else the reductions are the identity).
  var hasRelations = false
  let depth: Int
  let options: ZeroTestOptions
  var limit: Int { options.maxPolynomialTerms }

  init(depth: Int, options: ZeroTestOptions) {
    self.depth = depth
    self.options = options
  }

  /// The exact part of `decideZero`.
  static func exactDecision(_ e: Expr, depth: Int, options: ZeroTestOptions) -> Outcome {
    let s: Expr
    do { s = try e.simplified() } catch { return .unknown("simplification failed: \(error)", nil) }
    if s.isZero { return .proved("simplification") }
    if let r = s.rationalValue { return .nonzeroConstant(r) }
    let engine = ZeroTestEngine(depth: depth, options: options)
    do {
      engine.scanExponentials(s)
      let rf = try engine.convert(s)
      var multiplier = ZMonomial.one
      let n = try engine.reduce(rf.poly, multiplier: &multiplier)
      let normalForm = NormalForm(engine: engine, form: ZRatFun(poly: n, factors: rf.factors), multiplier: multiplier)
      if !n.isZero { return .unknown("the normal form's numerator has \(n.terms.count) terms", normalForm) }
      for (f, k) in rf.factors where k < 0 {
        if try engine.reduce(f).isZero { return .unknown("a denominator vanishes identically", nil) }
      }
      let used = engine.rewrites.sorted()
      return .proved("rational-function normal form over \(engine.atoms.count) atoms"
        + (used.isEmpty ? "" : " (" + used.joined(separator: ", ") + ")"))
    } catch {
      return .unknown("exact normal form failed: \(error)", nil)
    }
  }

  // MARK: Atoms

  func atom(_ key: AtomKey, nonnegative: Bool, relation: (order: Int, value: ZPoly)? = nil,
            expArgument: Expr? = nil) -> Int {
    if let i = atomIndex[key] { return i }
    if relation != nil { hasRelations = true }
    atoms.append(Atom(key: key, nonnegative: nonnegative, relation: relation, expArgument: expArgument))
    atomIndex[key] = atoms.count - 1
    return atoms.count - 1
  }

  /// ≥ 0 wherever defined (real symbols): positive expressions, |·|, and rational powers
  /// with an even root order or an even numerator (x^{1/2}, x^{2/3}).
  static func isNonnegative(_ e: Expr) -> Bool {
    if Simplifier.isPositive(e) { return true }
    switch e {
    case .function(.abs, _): return true
    case .power(_, .number(let r)): return r.denominator % 2 == 0 || r.numerator % 2 == 0
    default: return false
    }
  }

  /// The argument in expanded canonical form (products of sums multiplied out), so that
  /// f((y + z)·t) and f(y·t + z·t) are one atom; the simplified form when the expansion
  /// would exceed 500 terms.
  func canonicalArgument(_ u: Expr) -> Expr {
    if let c = expandedArguments[u] { return c }
    let c = (try? Simplifier.expand(u, termLimit: 500)) ?? u
    expandedArguments[u] = c
    return c
  }

  /// The atom of a canonical subexpression (its arguments in `canonicalArgument` form; if
  /// that form simplifies to something else, its normal form instead).
  func atomRF(_ original: Expr) throws(SymbolicError) -> ZRatFun {
    // Inverses inside an atom's arguments are resolved by their witnesses first, so that
    // arctan(c⁻¹(cosh²θ sinh θ)) and arctan(sinh θ) are one atom.
    let e = containsInverse(original) ? resolvingInverses(original) : original
    if e != original { return try convert(e) }
    var key = e
    switch e {
    case .function(let f, let u):
      let v = canonicalArgument(u)
      if v != u {
        let rebuilt = try Simplifier.function(f, v)
        guard case .function(let g, _) = rebuilt, g == f else { return try convert(rebuilt) }
        key = rebuilt
      }
    case .power(let b, let x):
      let b2 = canonicalArgument(b), x2 = canonicalArgument(x)
      if b2 != b || x2 != x {
        let rebuilt = try Simplifier.power(b2, x2)
        guard case .power = rebuilt else { return try convert(rebuilt) }
        key = rebuilt
      }
    case .opaque(let g, let u):
      key = .opaque(g, canonicalArgument(u))
    case .inverse(let f, let y):
      key = .inverse(f, canonicalArgument(y))
    default:
      break
    }
    var argument: Expr? = nil
    if case .function(.exp, let a) = key { argument = a }
    return .monomial(.atom(atom(.expr(key), nonnegative: ZeroTestEngine.isNonnegative(key), expArgument: argument), 1))
  }

  /// A polynomial whose every term is ≥ 0 (positive coefficient, each atom nonnegative or
  /// to an even power).
  func isNonnegative(_ p: ZPoly) -> Bool {
    for (m, c) in p.terms {
      if !(c > .zero) { return false }
      var i = 0
      while i < m.pairs.count {
        if m.pairs[i + 1] % 2 != 0 && !atoms[m.pairs[i]].nonnegative { return false }
        i += 2
      }
    }
    return true
  }

  // MARK: Rational-function arithmetic

  /// P = c·μ·P̂ with μ the monomial content (per atom the least exponent, 0 for an atom
  /// missing from some term), P̂ with leading coefficient 1. P ≠ 0.
  func normalize(_ p: ZPoly) throws(SymbolicError) -> (c: Rational, mu: ZMonomial, hat: ZPoly) {
    var least: [Int: Int] = [:], count: [Int: Int] = [:]
    for m in p.terms.keys {
      var i = 0
      while i < m.pairs.count {
        let a = m.pairs[i], e = m.pairs[i + 1]
        least[a] = Swift.min(least[a] ?? e, e)
        count[a, default: 0] += 1
        i += 2
      }
    }
    var muPairs: [Int] = []
    for a in least.keys.sorted() {
      let e = count[a] == p.terms.count ? least[a]! : Swift.min(0, least[a]!)
      if e != 0 { muPairs.append(a); muPairs.append(e) }
    }
    let mu = ZMonomial(pairs: muPairs)
    let inverse = try mu.power(-1)
    var shifted: [ZMonomial: Rational] = [:]
    shifted.reserveCapacity(p.terms.count)
    var lead: ZMonomial? = nil
    for (m, c) in p.terms {
      let m2 = m.times(inverse)
      shifted[m2] = c
      if lead == nil || ZMonomial.precedes(lead!, m2) { lead = m2 }
    }
    let c = shifted[lead!]!
    let scale = try c.reciprocal()
    var hat: [ZMonomial: Rational] = [:]
    hat.reserveCapacity(shifted.count)
    for (m, d) in shifted { hat[m] = try d.multiplied(by: scale) }
    return (c, mu, ZPoly(terms: hat))
  }

  func mul(_ a: ZRatFun, _ b: ZRatFun) throws(SymbolicError) -> ZRatFun {
    if a.poly.isZero || b.poly.isZero { return .zero }
    var factors = a.factors
    for (f, k) in b.factors {
      let s = (factors[f] ?? 0) + k
      factors[f] = s == 0 ? nil : s
    }
    return ZRatFun(poly: try a.poly.times(b.poly, limit: limit), factors: factors)
  }

  func inverse(_ a: ZRatFun) throws(SymbolicError) -> ZRatFun {
    guard !a.poly.isZero else { throw .divisionByZero("1/0 in a rational normal form") }
    let (c, mu, hat) = try normalize(reduce(a.poly, clearingNegativePowers: false))
    var factors: [ZPoly: Int] = [:]
    for (f, k) in a.factors { factors[f] = -k }
    if hat.constantValue == nil {
      let s = (factors[hat] ?? 0) - 1
      factors[hat] = s == 0 ? nil : s
    }
    return ZRatFun(poly: .monomial(try mu.power(-1), try c.reciprocal()), factors: factors)
  }

  func power(_ a: ZRatFun, _ k: Int) throws(SymbolicError) -> ZRatFun {
    if k == 0 { return .one }
    if k == 1 { return a }
    if k < 0 {
      guard k != .min else { throw .overflow("power \(k)") }
      return try power(inverse(a), -k)
    }
    if a.poly.isZero { return .zero }
    var factors: [ZPoly: Int] = [:]
    for (f, e) in a.factors {
      let m = e.multipliedReportingOverflow(by: k)
      if m.overflow { throw .overflow("factor exponent \(e) · \(k)") }
      factors[f] = m.partialValue
    }
    if a.poly.terms.count == 1, let (m, c) = a.poly.terms.first {
      return ZRatFun(poly: .monomial(try m.power(k), try c.power(k)), factors: factors)
    }
    // Keep the power of a non-monomial factored: (c·μ·P̂)^k = c^k μ^k · P̂^k.
    let (c, mu, hat) = try normalize(reduce(a.poly, clearingNegativePowers: false))
    factors[hat, default: 0] += k
    return ZRatFun(poly: .monomial(try mu.power(k), try c.power(k)), factors: factors)
  }

  /// The sum over the least common multiple of the factor maps: each factor gets the least
  /// exponent among the terms and the terms are multiplied by the remaining powers.
  func sum(_ parts: [ZRatFun]) throws(SymbolicError) -> ZRatFun {
    let terms = parts.filter { !$0.poly.isZero }
    if terms.isEmpty { return .zero }
    if terms.count == 1 { return terms[0] }
    var least: [ZPoly: Int] = [:]
    for t in terms {
      for (f, k) in t.factors { least[f] = Swift.min(least[f] ?? 0, k) }
    }
    for t in terms {
      for f in least.keys where t.factors[f] == nil { least[f] = Swift.min(least[f]!, 0) }
    }
    var cache: [ZPoly: [ZPoly]] = [:]
    func factorPower(_ f: ZPoly, _ j: Int) throws(SymbolicError) -> ZPoly {
      var list = cache[f] ?? [.one]
      while list.count <= j { list.append(try list.last!.times(f, limit: limit)) }
      cache[f] = list
      return list[j]
    }
    var total = ZPoly.zero
    for t in terms {
      var p = t.poly
      for (f, m) in least {
        let j = (t.factors[f] ?? 0) - m
        if j > 0 { p = try p.times(factorPower(f, j), limit: limit) }
      }
      try total.add(p)
      if total.terms.count > limit { throw .unsupported("a polynomial of more than \(limit) terms") }
    }
    if total.isZero { return .zero }
    return ZRatFun(poly: total, factors: least.filter { $0.value != 0 })
  }

  // MARK: Exponentials

  static let exponentialFunctions: Set<ElementaryFunction> = [.exp, .sinh, .cosh, .tanh, .sech]

  /// (c, t) with a = Σ c·t (t = 1 for the constant term).
  static func linearTerms(_ a: Expr) -> [(Rational, Expr)] {
    let ts: [Expr]
    if case .sum(let xs) = a { ts = xs } else { ts = [a] }
    return ts.map { t in t.rationalValue.map { ($0, Expr.one) } ?? Simplifier.splitCoefficient(t) }
  }

  /// Records, for every t, the common denominator of its coefficients in exponentials.
  func scanExponentials(_ e: Expr) {
    if case .function(let f, let a) = e, ZeroTestEngine.exponentialFunctions.contains(f) {
      for (c, t) in ZeroTestEngine.linearTerms(canonicalArgument(a)) {
        let old = expScale[t] ?? 1
        let g = Int(Rational.gcd(UInt(old), UInt(c.denominator)))
        let l = (old / g).multipliedReportingOverflow(by: c.denominator)
        if !l.overflow { expScale[t] = l.partialValue }
      }
    }
    for child in e.children { scanExponentials(child) }
  }

  /// exp(a) as a monomial in exp-atoms.
  func exponential(_ a: Expr) throws(SymbolicError) -> ZRatFun {
    var result = ZRatFun.one
    let terms = ZeroTestEngine.linearTerms(canonicalArgument(a))
    if terms.count > 1 || terms.first.map({ $0.0 != .one }) == true { rewrites.insert("exp splitting") }
    for (c, t) in terms {
      var argument = try Simplifier.product([.number(c), t])
      var k = 1
      if let m = expScale[t], case let km = try c.multiplied(by: Rational(integer: m)), km.isInteger {
        argument = try Simplifier.product([.number(try Rational(1, m)), t])
        k = km.numerator
      }
      let e = try Simplifier.function(.exp, argument)
      let base: ZRatFun
      if case .function(.exp, _) = e {
        base = .monomial(.atom(atom(.expr(e), nonnegative: true, expArgument: argument), 1))
      } else {
        base = try convert(e)
      }
      result = try mul(result, power(base, k))
    }
    return result
  }

  /// log u when u is c·Π wᵢ^{kᵢ} with exp-atoms wᵢ and c > 0: log c + Σ kᵢ·argᵢ.
  func collapsedLog(_ u: ZRatFun) throws(SymbolicError) -> ZRatFun? {
    guard u.factors.isEmpty, u.poly.terms.count == 1, let (m, c) = u.poly.terms.first, c > .zero, !m.isOne
    else { return nil }
    var parts: [Expr] = []
    var i = 0
    while i < m.pairs.count {
      guard let argument = atoms[m.pairs[i]].expArgument else { return nil }
      parts.append(try Simplifier.product([Expr(m.pairs[i + 1]), argument]))
      i += 2
    }
    let result = try convert(Simplifier.sum(parts))
    return c == .one ? result : try sum([result, atomRF(.function(.log, .number(c)))])
  }

}
