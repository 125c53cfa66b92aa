import LinearAlgebra

/// The verdict of `Expr.decideZero(options:)` on "is this expression identically 0?".
public enum ZeroDecision: Sendable, Equatable {
  /// Identically 0 wherever it is defined, by an exact computation; `method` names it and the
  /// rewrites it used.
  case proved(method: String)
  /// Not identically 0: at `point` the value is `value`, and |value| > `bound`, where `bound`
  /// is `refutationFactor` times a running floating-point error estimate of the evaluation
  /// (heuristic, not interval arithmetic). An empty point means the expression simplified
  /// to the nonzero number `value` (then `bound` is 0).
  case refuted(point: [Symbol: Double], value: Double, bound: Double)
  /// Neither: no exact proof, and no sample point where the value clearly exceeds its
  /// rounding error.
  case undecided(reason: String)

  public var isProved: Bool {
    if case .proved = self { return true }
    return false
  }

  public var isRefuted: Bool {
    if case .refuted = self { return true }
    return false
  }
}

/// Options of `Expr.decideZero(options:)`.
public struct ZeroTestOptions: Sendable {
  /// Seed of the sample points (the same seed gives the same points).
  public var seed: UInt64
  /// Number of random points of the numeric fallback.
  public var samples: Int
  /// Range of every symbol without an entry in `ranges`.
  public var defaultRange: ClosedRange<Double>
  /// Per-symbol sampling ranges. They are also the identity's stated range: a symbol whose
  /// range lies inside an implicit inverse's domain may serve as its witness (the identity
  /// is then claimed, and proved, on that range only).
  public var ranges: [Symbol: ClosedRange<Double>]
  /// If true, each sampled value gets a random sign (symbols range over ±range).
  public var symmetric: Bool
  /// A point refutes when |value| > refutationFactor × (error estimate).
  public var refutationFactor: Double
  /// How deeply implicit-inverse witnesses may recurse into further zero tests.
  public var witnessDepth: Int
  /// The exact method gives up on a polynomial with more terms than this.
  public var maxPolynomialTerms: Int

  public init(seed: UInt64 = 0x5EED_0F_2E80, samples: Int = 12, defaultRange: ClosedRange<Double> = 0.1...2.0,
              ranges: [Symbol: ClosedRange<Double>] = [:], symmetric: Bool = false, refutationFactor: Double = 1e3,
              witnessDepth: Int = 2, maxPolynomialTerms: Int = 200_000) {
    self.seed = seed
    self.samples = samples
    self.defaultRange = defaultRange
    self.ranges = ranges
    self.symmetric = symmetric
    self.refutationFactor = refutationFactor
    self.witnessDepth = witnessDepth
    self.maxPolynomialTerms = maxPolynomialTerms
  }
}

extension Expr {
  /// Decides whether the expression is identically 0 (as a function of its free symbols,
  /// wherever it is defined).
  ///
  /// **Exact method.** The simplified expression is brought to a rational-function normal
  /// form N·Π Fᵢ^{kᵢ} over *atoms* — symbols, π, and canonical non-rational subexpressions
  /// (elementary, opaque and inverse function applications, integrals, powers with a
  /// symbolic exponent, radicals), the arguments of atoms multiplied out so that
  /// sin((y + z)·t) and sin(y·t + z·t) are one atom — where N is a sparse Laurent polynomial (monomials map atoms to
  /// integer exponents, coefficients are exact `Rational`s) and the Fᵢ are normalized
  /// polynomials kept factored (sums use the least common multiple of the factor maps, no
  /// gcds). It is proved 0 iff N, reduced modulo the algebraic relations of the atoms, is the
  /// zero polynomial and no denominator factor reduces to 0. The rewrites, each an identity
  /// (assumptions in brackets):
  /// - sinh, cosh, tanh, sech in terms of exp: sinh a = (eᵃ − e⁻ᵃ)/2, cosh a = (eᵃ + e⁻ᵃ)/2,
  ///   tanh a = (e²ᵃ − 1)/(e²ᵃ + 1), sech a = 2/(eᵃ + e⁻ᵃ);
  /// - exp splitting [real arguments]: exp(Σ cᵢtᵢ) = Π exp(tᵢ/mᵢ)^{cᵢmᵢ}, where mᵢ is the
  ///   least common denominator of all coefficients of tᵢ in exponentials of the expression,
  ///   so every e^{kθ} is a power of the one atom w = e^{θ/m} > 0;
  /// - log(c·Π wᵢ^{kᵢ}) = log c + Σ kᵢ·tᵢ/mᵢ for exp-atoms wᵢ and c > 0 [real arguments];
  /// - arcsinh u = log(u + (u² + 1)^{1/2}), used when the log then collapses as above;
  /// - non-integer powers P^{p/q} of a Laurent polynomial: the positive rational content is
  ///   pulled out (exactly, or as prime radicals 2^{1/2}, … with 2^{1/2}·3^{1/2} = 6^{1/2}),
  ///   and so are whole q-th powers of nonnegative atoms (of any atom, and the sign, for odd
  ///   q [real odd roots]); if the rest is R^q for a polynomial R, the result is R^p when
  ///   (R^q)^{1/q} = R: q odd [real odd roots], or R ≥ 0 because its terms are (positive
  ///   coefficients, atoms nonnegative or to even powers) or because R is itself a square;
  ///   otherwise P^{1/q} becomes an atom a with the relation a^q = P (so (4z²+1)^{1/2} and
  ///   2(z²+1/4)^{1/2} are the same 2a). Before this, negative powers of relation atoms in
  ///   P are moved into the denominator (a⁻¹ = a^{q−1}/P_a) and high powers reduced, so the
  ///   radicand is canonical. A base N·Π F^m is split into N^k·Π (F^m)^k only where
  ///   F^m > 0 is known (F with nonnegative terms, or m even); a factor of unknown sign
  ///   with m > 0 is multiplied into N [real semantics];
  /// - x^{n+s} = x^n·x^s for an integer n, x^{ks} = (x^s)^k for an integer k (symbolic s);
  /// - cos u is an atom with the relation cos²u = 1 − sin²u; tan = sin/cos, sec = 1/cos;
  /// - implicit inverses: f⁻¹(y) = t when f(t) − y is proved 0 recursively (depth
  ///   `witnessDepth`) for a subexpression t of y in f's domain — sound because f is strictly
  ///   monotone on its domain, hence injective, so f(t) = y has no other solution there.
  ///
  /// **Numeric fallback.** Otherwise the expression is evaluated at `samples` seeded random
  /// points with a running error estimate (forward error analysis: each operation adds its
  /// rounding and propagates its operands' errors through the derivative). A point with
  /// |value| > `refutationFactor` × estimate refutes; points outside the domain (log of a
  /// negative number, an inverse without a solution, …) are skipped. When the exact method
  /// got as far as a nonzero numerator, the normal form is evaluated at the same points too
  /// (from the atoms' values): it has the expression's value without its cancellations, so
  /// 10⁻¹⁸·sinh x + cosh x − cosh x is refuted although its direct evaluation is lost in
  /// rounding. If every point vanishes to within its estimate, the answer is `.undecided`.
  ///
  /// Soundness: `.proved` rests only on the exact rewrites (identities for real values of
  /// the symbols, where the expression is defined); `.refuted` on floating-point evaluation
  /// with a heuristic (not interval) error bound and a default safety factor of 10³.
  ///
  /// - Complexity: the exact method costs the size of the expanded numerator (products of
  ///   sums are multiplied out; at most `maxPolynomialTerms` terms, else it gives up), e.g.
  ///   a few ms for a 3×3 Cayley orthogonality identity; the fallback costs `samples`
  ///   evaluations, O(nodes) each (implicit inverses and integrals cost a root search or a
  ///   quadrature each).
  public func decideZero(options: ZeroTestOptions = .init()) -> ZeroDecision {
    let exactReason: String
    let normalForm: ZeroTestEngine.NormalForm?
    switch ZeroTestEngine.exactDecision(self, depth: 0, options: options) {
    case .proved(let method): return .proved(method: method)
    case .nonzeroConstant(let r): return .refuted(point: [:], value: r.doubleValue, bound: 0)
    case .unknown(let reason, let form):
      exactReason = reason
      normalForm = form
    }
    let symbols = freeSymbols.sorted()
    var rng = ZeroTestRandom(seed: options.seed)
    var tested = 0, skipped = 0
    var largest = 0.0, largestError = 0.0
    for _ in 0..<max(options.samples, 0) {
      var point: [Symbol: Double] = [:]
      for s in symbols {
        let range = options.ranges[s] ?? options.defaultRange
        var x = range.lowerBound + (range.upperBound - range.lowerBound) * rng.uniform()
        if options.symmetric && rng.next() & 1 == 1 { x = -x }
        point[s] = x
      }
      guard let (value, error) = try? numericValueForZeroTest(self, at: point), value.isFinite, error.isFinite
      else {
        skipped += 1
        continue
      }
      tested += 1
      let bound = options.refutationFactor * error
      if Swift.abs(value) > bound { return .refuted(point: point, value: value, bound: bound) }
      // The normal form has the same value without the expression's cancellations
      // (e.g. 10⁻¹⁸·sinh x + cosh x − cosh x).
      if let nf = normalForm, let (v, err) = nf.engine.numericValue(nf.form, dividedBy: nf.multiplier, at: point),
         Swift.abs(v) > options.refutationFactor * err {
        return .refuted(point: point, value: v, bound: options.refutationFactor * err)
      }
      largest = max(largest, Swift.abs(value))
      largestError = max(largestError, error)
    }
    if tested == 0 {
      return .undecided(reason: "no exact proof (\(exactReason)), and the expression cannot be evaluated at any of \(skipped)"
        + " sample points (outside its domain, or not numeric, like opaque functions)")
    }
    return .undecided(reason: "vanishes at \(tested) random points to within \(largest) (error estimate \(largestError))"
      + (skipped > 0 ? ", \(skipped) points outside the domain" : "") + ", but no exact proof (\(exactReason))")
  }
}

// MARK: - Pseudo-random points

/// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): the sample points of the numeric fallback.
struct ZeroTestRandom {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
  }

  /// Uniform in [0, 1).
  mutating func uniform() -> Double { Double(next() &>> 11) * 0x1p-53 }
}

// MARK: - Sparse Laurent polynomials

/// A Laurent monomial Π a^{eₐ}: atom indices with nonzero integer exponents, stored as
/// alternating (atom, exponent) pairs sorted by atom.
struct ZMonomial: Hashable {
  var pairs: [Int]

  static let one = ZMonomial(pairs: [])

  static func atom(_ a: Int, _ e: Int) -> ZMonomial { e == 0 ? .one : ZMonomial(pairs: [a, e]) }

  var isOne: Bool { pairs.isEmpty }

  func exponent(of a: Int) -> Int {
    var i = 0
    while i < pairs.count {
      if pairs[i] == a { return pairs[i + 1] }
      if pairs[i] > a { return 0 }
      i += 2
    }
    return 0
  }

  /// The product (merge of the sorted pairs). - Complexity: O(length of both).
  func times(_ o: ZMonomial) -> ZMonomial {
    if o.pairs.isEmpty { return self }
    if pairs.isEmpty { return o }
    var out: [Int] = []
    out.reserveCapacity(pairs.count + o.pairs.count)
    var i = 0, j = 0
    while i < pairs.count && j < o.pairs.count {
      let a = pairs[i], b = o.pairs[j]
      if a < b {
        out.append(a); out.append(pairs[i + 1]); i += 2
      } else if b < a {
        out.append(b); out.append(o.pairs[j + 1]); j += 2
      } else {
        let e = pairs[i + 1] + o.pairs[j + 1]
        if e != 0 { out.append(a); out.append(e) }
        i += 2; j += 2
      }
    }
    if i < pairs.count { out.append(contentsOf: pairs[i...]) }
    if j < o.pairs.count { out.append(contentsOf: o.pairs[j...]) }
    return ZMonomial(pairs: out)
  }

  func power(_ k: Int) throws(SymbolicError) -> ZMonomial {
    if k == 0 { return .one }
    var out = pairs
    var i = 1
    while i < out.count {
      let m = out[i].multipliedReportingOverflow(by: k)
      if m.overflow { throw .overflow("monomial exponent \(out[i]) · \(k)") }
      out[i] = m.partialValue
      i += 2
    }
    return ZMonomial(pairs: out)
  }

  /// The monomial with the exponent of `a` set to e.
  func setting(_ a: Int, to e: Int) -> ZMonomial {
    var out: [Int] = []
    out.reserveCapacity(pairs.count + 2)
    var placed = false
    var i = 0
    while i < pairs.count {
      if !placed && pairs[i] >= a {
        if e != 0 { out.append(a); out.append(e) }
        placed = true
        if pairs[i] == a { i += 2; continue }
      }
      out.append(pairs[i]); out.append(pairs[i + 1])
      i += 2
    }
    if !placed && e != 0 { out.append(a); out.append(e) }
    return ZMonomial(pairs: out)
  }

  /// A total order (lexicographic on the pairs), used only to pick leading coefficients.
  static func precedes(_ a: ZMonomial, _ b: ZMonomial) -> Bool { a.pairs.lexicographicallyPrecedes(b.pairs) }
}

/// A sparse Laurent polynomial over atoms with exact rational coefficients (no zero
/// coefficients are stored).
struct ZPoly: Hashable {
  var terms: [ZMonomial: Rational]

  static let zero = ZPoly(terms: [:])
  static let one = ZPoly(terms: [.one: .one])

  static func constant(_ r: Rational) -> ZPoly { r.isZero ? .zero : ZPoly(terms: [.one: r]) }
  static func monomial(_ m: ZMonomial, _ c: Rational = .one) -> ZPoly { c.isZero ? .zero : ZPoly(terms: [m: c]) }

  var isZero: Bool { terms.isEmpty }

  /// The value if the polynomial is a constant.
  var constantValue: Rational? {
    if terms.isEmpty { return .zero }
    if terms.count == 1, let c = terms[.one] { return c }
    return nil
  }

  mutating func add(_ m: ZMonomial, _ c: Rational) throws(SymbolicError) {
    if c.isZero { return }
    if let old = terms[m] {
      let s = try old.adding(c)
      terms[m] = s.isZero ? nil : s
    } else {
      terms[m] = c
    }
  }

  mutating func add(_ p: ZPoly) throws(SymbolicError) {
    for (m, c) in p.terms { try add(m, c) }
  }

  func negated() throws(SymbolicError) -> ZPoly {
    var out = terms
    for (m, c) in terms { out[m] = try c.negated() }
    return ZPoly(terms: out)
  }

  func scaled(_ c: Rational, _ mono: ZMonomial = .one) throws(SymbolicError) -> ZPoly {
    if c.isZero { return .zero }
    var out: [ZMonomial: Rational] = [:]
    out.reserveCapacity(terms.count)
    for (m, d) in terms { out[m.times(mono)] = try d.multiplied(by: c) }
    return ZPoly(terms: out)
  }

  /// The product, giving up (`unsupported`) beyond `limit` terms.
  /// - Complexity: O(|self|·|o|) monomial merges and rational products.
  func times(_ o: ZPoly, limit: Int) throws(SymbolicError) -> ZPoly {
    if isZero || o.isZero { return .zero }
    if o.terms.count == 1, let (m, c) = o.terms.first { return try scaled(c, m) }
    if terms.count == 1, let (m, c) = terms.first { return try o.scaled(c, m) }
    var out = ZPoly.zero
    out.terms.reserveCapacity(Swift.min(limit, terms.count * o.terms.count))
    for (m1, c1) in terms {
      for (m2, c2) in o.terms { try out.add(m1.times(m2), c1.multiplied(by: c2)) }
      if out.terms.count > limit { throw .unsupported("a polynomial of more than \(limit) terms") }
    }
    return out
  }

  /// Atoms occurring in the polynomial.
  var atoms: Set<Int> {
    var s: Set<Int> = []
    for m in terms.keys {
      var i = 0
      while i < m.pairs.count { s.insert(m.pairs[i]); i += 2 }
    }
    return s
  }
}

/// poly · Π factorᵏ: a rational function with its non-monomial factors kept apart. The
/// factors are normalized polynomials (`ZeroTestEngine.normalize`: no monomial content,
/// leading coefficient 1, not constant) with nonzero integer exponents.
struct ZRatFun {
  var poly: ZPoly
  var factors: [ZPoly: Int]

  static let zero = ZRatFun(poly: .zero, factors: [:])
  static let one = ZRatFun(poly: .one, factors: [:])

  static func constant(_ r: Rational) -> ZRatFun { ZRatFun(poly: .constant(r), factors: [:]) }
  static func monomial(_ m: ZMonomial, _ c: Rational = .one) -> ZRatFun { ZRatFun(poly: .monomial(m, c), factors: [:]) }

  /// poly·Π F^k multiplied out, for factors with positive exponents only.
  func expandedPolynomial(_ engine: ZeroTestEngine) throws(SymbolicError) -> ZPoly {
    var p = poly
    for (f, k) in factors {
      precondition(k > 0, "expandedPolynomial needs positive factor exponents")
      for _ in 0..<k { p = try p.times(f, limit: engine.limit) }
    }
    return p
  }
}

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

  // MARK: Radicals

  /// floor(a / b) for b > 0.
  static func floorDivision(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

  /// The prime factorization by trial division up to 10⁴; a remaining cofactor is listed
  /// as if it were prime.
  static func factorInteger(_ n: Int) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    var m = n
    var p = 2
    while p <= 10_000 && p * p <= m {
      var e = 0
      while m % p == 0 { m /= p; e += 1 }
      if e > 0 { out.append((p, e)) }
      p += p == 2 ? 1 : 2
    }
    if m > 1 { out.append((m, 1)) }
    return out
  }

  /// c^k for a rational c > 0 and a non-integer k = p/q: a rational times a monomial in
  /// prime radicals π^{1/q} (relation a^q = π).
  func numberRadical(_ c: Rational, _ k: Rational) throws(SymbolicError) -> ZRatFun {
    if c == .one { return .one }
    if let root = c.exactRoot(k.denominator) { return .constant(try root.power(k.numerator)) }
    let q = k.denominator, p = k.numerator
    var coefficient = Rational.one
    var mono = ZMonomial.one
    let parts = ZeroTestEngine.factorInteger(c.numerator).map { ($0.0, $0.1) }
      + ZeroTestEngine.factorInteger(c.denominator).map { ($0.0, -$0.1) }
    for (prime, e) in parts {
      let total = e.multipliedReportingOverflow(by: p)
      if total.overflow { throw .overflow("radical exponent \(e) · \(p)") }
      let j = ZeroTestEngine.floorDivision(total.partialValue, q)
      let r = total.partialValue - j * q
      coefficient = try coefficient.multiplied(by: Rational(integer: prime).power(j))
      if r > 0 {
        let a = atom(.radical(.constant(Rational(integer: prime)), q), nonnegative: true,
                     relation: (q, .constant(Rational(integer: prime))))
        mono = mono.times(.atom(a, r))
      }
    }
    rewrites.insert("radical normalization")
    return .monomial(mono, coefficient)
  }

  /// P^k for a Laurent polynomial P and a non-integer rational k = p/q.
  func radicalPower(_ p: ZPoly, _ k: Rational) throws(SymbolicError) -> ZRatFun {
    if p.isZero {
      if k > .zero { return .zero }
      throw .divisionByZero("0^(\(k))")
    }
    let q = k.denominator, pk = k.numerator
    let reduced = try reduce(p, clearingNegativePowers: false)
    if reduced.isZero {
      if k > .zero { return .zero }
      throw .divisionByZero("0^(\(k))")
    }
    var (c, mu, inside) = try normalize(reduced)
    var sign = Rational.one
    if c.isNegative {
      // Real roots: (−P)^{p/q} = (−1)^p·P^{p/q} for odd q; for even q the sign stays inside.
      if q % 2 == 1 {
        if pk % 2 != 0 { sign = .minusOne }
      } else {
        inside = try inside.negated()
      }
      c = try c.negated()
    }
    var result = try mul(.constant(sign), numberRadical(c, k))
    var kept = ZMonomial.one, pulled = ZMonomial.one
    var i = 0
    while i < mu.pairs.count {
      let a = mu.pairs[i], e = mu.pairs[i + 1]
      if atoms[a].nonnegative || q % 2 == 1 {
        // (a^{jq})^{1/q} = a^j for a ≥ 0, and for every real a when q is odd.
        let j = ZeroTestEngine.floorDivision(e, q)
        pulled = pulled.times(.atom(a, j * pk))
        kept = kept.times(.atom(a, e - j * q))
      } else {
        kept = kept.times(.atom(a, e))
      }
      i += 2
    }
    result = try mul(result, .monomial(pulled))
    if !kept.isOne { inside = try inside.scaled(.one, kept) }
    if inside.constantValue == .one { return result }
    // (R^q)^{1/q} = R when q is odd (real roots) or R ≥ 0 (nonnegative terms, or R = S²).
    if inside.terms.count <= 400, let root = try exactRoot(inside, q), try rootIsExact(root, q) {
      rewrites.insert("exact root")
      return try mul(result, power(ZRatFun(poly: root, factors: [:]), pk))
    }
    let a = atom(.radical(inside, q), nonnegative: q % 2 == 0, relation: (q, inside))
    rewrites.insert("radical normalization")
    return try mul(result, .monomial(.atom(a, pk)))
  }

  /// Whether (R^q)^{1/q} = R: q odd (real roots), or R ≥ 0 (nonnegative terms, or R = S²).
  func rootIsExact(_ root: ZPoly, _ q: Int) throws(SymbolicError) -> Bool {
    if q % 2 == 1 || isNonnegative(root) { return true }
    guard root.terms.count <= 400 else { return false }
    return try exactRoot(root, 2) != nil
  }

  /// R with R^q = P and a positive leading coefficient, or nil. Shifts P to an ordinary
  /// polynomial, then finds R's terms one at a time in lexicographic order: the leading
  /// term of P − R^q determines the next term of R as LT/(q·LT(R)^{q−1}).
  /// - Complexity: O(terms of R) iterations, each one power R^q.
  func exactRoot(_ p: ZPoly, _ q: Int) throws(SymbolicError) -> ZPoly? {
    let vars = p.atoms.sorted()
    let n = vars.count
    var position: [Int: Int] = [:]
    for (i, a) in vars.enumerated() { position[a] = i }
    var shift = [Int](repeating: 0, count: n)
    for m in p.terms.keys {
      var i = 0
      while i < m.pairs.count {
        let slot = position[m.pairs[i]]!
        let e = m.pairs[i + 1]
        if e < 0 { shift[slot] = Swift.max(shift[slot], (-e + q - 1) / q) }
        i += 2
      }
    }
    typealias Dense = [[Int]: Rational]
    var target: Dense = [:]
    for (m, c) in p.terms {
      var v = [Int](repeating: 0, count: n)
      for s in 0..<n { v[s] = shift[s] * q }
      var i = 0
      while i < m.pairs.count { v[position[m.pairs[i]]!] += m.pairs[i + 1]; i += 2 }
      target[v] = c
    }
    func lead(_ d: Dense) -> [Int]? {
      var best: [Int]? = nil
      for v in d.keys where best == nil || best!.lexicographicallyPrecedes(v) { best = v }
      return best
    }
    func multiply(_ a: Dense, _ b: Dense) throws(SymbolicError) -> Dense {
      var out: Dense = [:]
      for (u, c) in a {
        for (v, d) in b {
          var w = u
          for s in 0..<n { w[s] += v[s] }
          let x = try (out[w] ?? .zero).adding(c.multiplied(by: d))
          out[w] = x.isZero ? nil : x
        }
      }
      return out
    }
    guard let top = lead(target), top.allSatisfy({ $0 % q == 0 }), let c0 = target[top]!.exactRoot(q), c0 > .zero
    else { return nil }
    let r0 = top.map { $0 / q }
    var root: Dense = [r0: c0]
    var last = r0
    // q·c0^{q−1} and the exponent of LT(R)^{q−1}.
    let divisor = try Rational(integer: q).multiplied(by: c0.power(q - 1))
    let shiftLead = r0.map { $0 * (q - 1) }
    for _ in 0..<(4 * p.terms.count + 16) {
      var powerOfRoot: Dense = [[Int](repeating: 0, count: n): .one]
      for _ in 0..<q {
        powerOfRoot = try multiply(powerOfRoot, root)
        if powerOfRoot.count > 4 * limit { return nil }
      }
      var difference = target
      for (v, c) in powerOfRoot {
        let x = try (difference[v] ?? .zero).subtracting(c)
        difference[v] = x.isZero ? nil : x
      }
      guard let lt = lead(difference) else {
        // Shift back: R = R′ / Π a^{shift}.
        var out = ZPoly.zero
        for (v, c) in root {
          var pairs: [Int] = []
          for s in 0..<n where v[s] - shift[s] != 0 { pairs.append(vars[s]); pairs.append(v[s] - shift[s]) }
          try out.add(ZMonomial(pairs: pairs), c)
        }
        return out
      }
      var next = lt
      for s in 0..<n {
        next[s] -= shiftLead[s]
        if next[s] < 0 { return nil }
      }
      guard next.lexicographicallyPrecedes(last) else { return nil }
      root[next] = try difference[lt]!.divided(by: divisor)
      last = next
    }
    return nil
  }

  // MARK: Conversion

  /// The normal form of a canonical (simplified) expression.
  func convert(_ e: Expr) throws(SymbolicError) -> ZRatFun {
    switch e {
    case .number(let r):
      return .constant(r)
    case .sum(let ts):
      var parts: [ZRatFun] = []
      parts.reserveCapacity(ts.count)
      for t in ts { parts.append(try convert(t)) }
      return try sum(parts)
    case .product(let fs):
      var acc = ZRatFun.one
      for f in fs {
        acc = try mul(acc, convert(f))
        if acc.poly.isZero { return .zero }
      }
      return acc
    case .power(let b, let x):
      return try convertPower(e, b, x)
    case .function(let f, let x):
      return try convertFunction(e, f, x)
    case .inverse(let f, let y):
      return try convertInverse(e, f, y)
    default:
      return try atomRF(e)  // symbols, π, opaque functions, integrals
    }
  }

  func convertPower(_ e: Expr, _ b: Expr, _ x: Expr) throws(SymbolicError) -> ZRatFun {
    if let k = x.rationalValue {
      if k.isInteger {
        guard Swift.abs(k.numerator) <= 1_000_000 else { throw .unsupported("the exponent \(k) is too large") }
        return try power(convert(b), k.numerator)
      }
      let base = try canonicalize(convert(b))
      // (N·Π F^m)^k = N^k·Π (F^m)^k when every F^m > 0: F ≥ 0 gives F^{mk}; an even m
      // gives |F|^{mk} = F^{mk} for an even integer mk, else the radical of F^{|m|}
      // multiplied out. A factor of unknown sign (odd m) is multiplied into N if m > 0.
      var numerator = base.poly
      var separate: [ZRatFun] = []
      for (f, m) in base.factors {
        let mk = try Rational(integer: m).multiplied(by: k)
        let factor = ZRatFun(poly: f, factors: [:])
        if isNonnegative(f) || (m % 2 == 0 && mk.isInteger && mk.numerator % 2 == 0) {
          separate.append(mk.isInteger ? try power(factor, mk.numerator) : try radicalPower(f, mk))
        } else if m > 0 {
          numerator = try numerator.times(power(factor, m).expandedPolynomial(self), limit: limit)
        } else if m % 2 == 0 {
          separate.append(try radicalPower(power(factor, -m).expandedPolynomial(self), k.negated()))
        } else {
          return try atomRF(e)
        }
      }
      var result = try radicalPower(numerator, k)
      for part in separate { result = try mul(result, part) }
      return result
    }
    // A symbolic exponent: x = n + f + rest with an integer n and 0 ≤ f < 1.
    var constant = Rational.zero
    var rest: [Expr] = []
    for (c, t) in ZeroTestEngine.linearTerms(canonicalArgument(x)) {
      if t == .one { constant = try constant.adding(c) } else { rest.append(Simplifier.term(c, t)) }
    }
    var result = ZRatFun.one
    let n = ZeroTestEngine.floorDivision(constant.numerator, constant.denominator)
    if n != 0 {
      guard Swift.abs(n) <= 1_000_000 else { throw .unsupported("the exponent \(constant) is too large") }
      rewrites.insert("power splitting")
      result = try power(convert(b), n)
      constant = try constant.subtracting(Rational(integer: n))
    }
    if !constant.isZero {
      if Simplifier.isPositive(b) {
        result = try mul(result, convert(Simplifier.power(b, .number(constant))))
      } else {
        rest.append(.number(constant))
      }
    }
    let exponent = try Simplifier.sum(rest)
    // Integer content: x^{k·s} = (x^s)^k.
    var g = 0
    let terms = ZeroTestEngine.linearTerms(exponent)
    for (c, _) in terms {
      guard c.isInteger else { g = 0; break }
      g = Int(Rational.gcd(UInt(g), c.numerator.magnitude))
    }
    if g == 0 { g = 1 }
    if let first = terms.first, first.0.isNegative { g = -g }
    let s = g == 1 ? exponent : try Simplifier.product([.number(try Rational(1, g)), exponent])
    let atomExpr = try Simplifier.power(b, s)
    let base: ZRatFun
    if case .power(let b2, let s2) = atomExpr, b2 == b, s2 == s {
      base = try atomRF(atomExpr)
    } else {
      base = try convert(atomExpr)
    }
    return try mul(result, power(base, g))
  }

  func convertFunction(_ e: Expr, _ f: ElementaryFunction, _ x: Expr) throws(SymbolicError) -> ZRatFun {
    switch f {
    case .exp:
      return try exponential(x)
    case .sinh, .cosh, .tanh, .sech:
      rewrites.insert("hyperbolic → exp")
      let w = try exponential(x)
      let wInverse = try inverse(w)
      switch f {
      case .sinh: return try mul(sum([w, mul(.constant(.minusOne), wInverse)]), .constant(.half))
      case .cosh: return try mul(sum([w, wInverse]), .constant(.half))
      case .tanh: return try mul(sum([w, mul(.constant(.minusOne), wInverse)]), inverse(sum([w, wInverse])))
      default: return try mul(.constant(Rational(integer: 2)), inverse(sum([w, wInverse])))
      }
    case .log:
      if let v = try collapsedLog(convert(x)) {
        rewrites.insert("log of exponentials")
        return v
      }
      return try atomRF(e)
    case .arcsinh:
      // arcsinh u = log(u + (u² + 1)^{1/2}), kept only if the log collapses.
      do {
        let v = try Simplifier.sum([x, Simplifier.power(Simplifier.sum([.one, Simplifier.power(x, Expr(2))]), .number(.half))])
        if let r = try collapsedLog(convert(v)) {
          rewrites.insert("arcsinh → log")
          return r
        }
      } catch {
        // fall through to the atom
      }
      return try atomRF(e)
    case .cos:
      // cos v = cos(−v): choose the sign of the argument for which sin v is an atom.
      var v = canonicalArgument(x)
      if Simplifier.isNegativeForm(v) { v = try Simplifier.negate(v) }
      let cosine = try Simplifier.function(.cos, v), sine = try Simplifier.function(.sin, v)
      guard case .function(.cos, _) = cosine, case .function(.sin, _) = sine else { return try atomRF(e) }
      let s = atom(.expr(sine), nonnegative: false)
      var value = ZPoly.one
      try value.add(.atom(s, 2), .minusOne)
      rewrites.insert("cos² = 1 − sin²")
      return .monomial(.atom(atom(.expr(cosine), nonnegative: false, relation: (2, value)), 1))
    case .tan, .sec:
      let cosine = try Simplifier.function(.cos, x)
      let c = try inverse(convert(cosine))
      if f == .sec { return c }
      return try mul(convert(Simplifier.function(.sin, x)), c)
    default:
      return try atomRF(e)
    }
  }

  /// Whether t is a symbol whose stated range (`ZeroTestOptions.ranges`) lies inside the
  /// open interval.
  func assumedInDomain(_ t: Expr, _ domain: OpenInterval) -> Bool {
    guard case .symbol(let s) = t, let r = options.ranges[s] else { return false }
    return domain.contains(r.lowerBound) && domain.contains(r.upperBound)
  }

  func containsInverse(_ e: Expr) -> Bool {
    if case .inverse = e { return true }
    return e.children.contains(where: containsInverse)
  }

  /// `e` with every implicit inverse f⁻¹(y) whose witness t is proved (f(t) − y ≡ 0, t in
  /// f's domain; see `convertInverse`) replaced by t, innermost first. The inverse at the
  /// top of `e` itself is kept (its own conversion tries the witnesses).
  func resolvingInverses(_ e: Expr, top: Bool = true) -> Expr {
    switch e {
    case .number, .constant, .symbol:
      return e
    case .sum(let xs): return .sum(xs.map { resolvingInverses($0, top: false) })
    case .product(let xs): return .product(xs.map { resolvingInverses($0, top: false) })
    case .power(let b, let x): return .power(resolvingInverses(b, top: false), resolvingInverses(x, top: false))
    case .function(let f, let u): return .function(f, resolvingInverses(u, top: false))
    case .opaque(let g, let u): return .opaque(g, resolvingInverses(u, top: false))
    case .integral, .indexedSum: return e
    case .inverse(let f, let y):
      let y2 = resolvingInverses(y, top: false)
      if !top, depth < options.witnessDepth, let t = witness(f, y2) {
        rewrites.insert("implicit-inverse witness")
        return t
      }
      return .inverse(f, y2)
    }
  }

  /// A subexpression t of y in f's domain with f(t) − y proved identically 0.
  func witness(_ f: ImplicitInverse, _ y: Expr) -> Expr? {
    for t in Simplifier.witnessCandidates(y, excluding: f.variable, limit: 24) where Simplifier.liesInDomain(t, f.domain) || assumedInDomain(t, f.domain) {
      let difference = Expr.sum([f.body.substituting(f.variable, with: t), .product([.number(.minusOne), y])])
      if case .proved = ZeroTestEngine.exactDecision(difference, depth: depth + 1, options: options) { return t }
    }
    return nil
  }

  func convertInverse(_ e: Expr, _ f: ImplicitInverse, _ y: Expr) throws(SymbolicError) -> ZRatFun {
    if depth < options.witnessDepth {
      for t in Simplifier.witnessCandidates(y, excluding: f.variable, limit: 24) where Simplifier.liesInDomain(t, f.domain) || assumedInDomain(t, f.domain) {
        let difference = Expr.sum([f.body.substituting(f.variable, with: t), .product([.number(.minusOne), y])])
        if case .proved = ZeroTestEngine.exactDecision(difference, depth: depth + 1, options: options) {
          rewrites.insert("implicit-inverse witness")
          return try convert(t)
        }
      }
    }
    return try atomRF(e)
  }

  // MARK: Numeric value of a normal form

  /// The value of poly·Π F^k at a point, from the atoms' values (each atom evaluated as an
  /// expression, radicals as real roots), with a forward error estimate; nil where an atom
  /// cannot be evaluated, or an atom or factor is indistinguishable from 0.
  func numericValue(_ rf: ZRatFun, dividedBy multiplier: ZMonomial = .one,
                    at point: [Symbol: Double]) -> (value: Double, error: Double)? {
    let u = ZeroTestEvaluator.u
    var cache: [Int: (Double, Double)?] = [:]
    func atomValue(_ i: Int) -> (Double, Double)? {
      if let known = cache[i] { return known }
      var result: (Double, Double)? = nil
      switch atoms[i].key {
      case .expr(let e):
        if let (v, err) = try? numericValueForZeroTest(e, at: point), v.isFinite, err.isFinite { result = (v, err) }
      case .radical(let p, let q):
        if let (pv, pe) = polynomialValue(p), pv != 0, !(pv < 0 && q % 2 == 0) {
          let r = Elementary.pow(Swift.abs(pv), 1 / Double(q))
          let v = pv < 0 ? -r : r
          result = (v, Swift.abs(v / (Double(q) * pv)) * pe + 2 * u * r)
        }
      }
      cache[i] = result
      return result
    }
    func polynomialValue(_ p: ZPoly) -> (Double, Double)? {
      var total = 0.0, error = 0.0
      for (m, c) in p.terms {
        var term = c.doubleValue, relative = 2 * u
        var i = 0
        while i < m.pairs.count {
          guard let (v, ve) = atomValue(m.pairs[i]), Swift.abs(v) > ve else { return nil }
          let e = Double(m.pairs[i + 1])
          term *= Elementary.pow(v, e)
          relative += Swift.abs(e) * (ve / Swift.abs(v) + 2 * u)
          i += 2
        }
        total += term
        error += Swift.abs(term) * relative + u * Swift.abs(total)
      }
      return (total, error)
    }
    guard var (value, error) = polynomialValue(rf.poly) else { return nil }
    if !multiplier.isOne {
      guard let (mv, me) = polynomialValue(.monomial(multiplier)), mv != 0 else { return nil }
      value /= mv
      error = error / Swift.abs(mv) + Swift.abs(value) * (me / Swift.abs(mv) + 2 * u)
    }
    for (f, k) in rf.factors {
      guard let (fv, fe) = polynomialValue(f), Swift.abs(fv) > fe else { return nil }
      let scale = Elementary.pow(fv, Double(k))
      error = Swift.abs(scale) * (error + Swift.abs(value) * Swift.abs(Double(k)) * (fe / Swift.abs(fv) + 2 * u))
      value *= scale
    }
    guard value.isFinite, error.isFinite else { return nil }
    return (value, error)
  }

  // MARK: Reduction modulo the atoms' relations

  /// N reduced modulo aᵢ^{qᵢ} = Pᵢ, latest atom first (Pᵢ involves earlier atoms only):
  /// negative powers of aᵢ are cleared by multiplying with a power of aᵢ^{qᵢ} (nonzero where
  /// N is defined), then every aᵢ^e with e ≥ qᵢ becomes aᵢ^{e mod qᵢ}·Pᵢ^{⌊e/qᵢ⌋}. The result
  /// is 0 only if N is 0 (an identity of the atoms).
  ///
  /// With `clearingNegativePowers: false` negative powers are kept, and the result equals N
  /// (used to canonicalize radicands and denominator factors).
  func reduce(_ n: ZPoly, clearingNegativePowers: Bool = true) throws(SymbolicError) -> ZPoly {
    var multiplier = ZMonomial.one
    return try reduce(n, clearingNegativePowers: clearingNegativePowers, multiplier: &multiplier)
  }

  /// `reduce`, also returning the monomial N was multiplied by to clear negative powers.
  func reduce(_ n: ZPoly, clearingNegativePowers: Bool = true, multiplier: inout ZMonomial) throws(SymbolicError) -> ZPoly {
    guard hasRelations else { return n }
    var p = n
    for a in atoms.indices.reversed() {
      guard let (q, value) = atoms[a].relation, !p.isZero else { continue }
      var low = 0, high = 0
      for m in p.terms.keys {
        let e = m.exponent(of: a)
        low = Swift.min(low, e)
        high = Swift.max(high, e)
      }
      if (low >= 0 || !clearingNegativePowers) && high < q { continue }
      if low < 0 && clearingNegativePowers {
        let shift = ZMonomial.atom(a, ((-low + q - 1) / q) * q)
        p = try p.scaled(.one, shift)
        multiplier = multiplier.times(shift)
      }
      p = try reducingHighPowers(p, of: a, q, value)
    }
    return p
  }

  /// a^e with e ≥ q replaced by a^{e mod q}·value^{⌊e/q⌋} (the value is unchanged).
  func reducingHighPowers(_ p: ZPoly, of a: Int, _ q: Int, _ value: ZPoly) throws(SymbolicError) -> ZPoly {
    var powers: [ZPoly] = [.one]
    var out = ZPoly.zero
    for (m, c) in p.terms {
      let e = m.exponent(of: a)
      if e < q {
        try out.add(m, c)
        continue
      }
      let j = e / q
      while powers.count <= j { powers.append(try powers.last!.times(value, limit: limit)) }
      try out.add(powers[j].scaled(c, m.setting(a, to: e - j * q)))
      if out.terms.count > limit { throw .unsupported("a polynomial of more than \(limit) terms") }
    }
    return out
  }

  /// The same value with every relation atom's exponent in [0, q): a negative power a^{−e}
  /// becomes a^{qk−e}·P^{−k} (P = a^q moves into the factor map), high powers are reduced.
  /// Makes radicands canonical: (a⁻² + …) and ((1 + y²)⁻¹ + …) for a = (1 + y²)^{1/2} agree.
  func canonicalize(_ rf: ZRatFun) throws(SymbolicError) -> ZRatFun {
    guard hasRelations, !rf.poly.isZero else { return rf }
    var result = rf
    for a in atoms.indices.reversed() {
      guard let (q, value) = atoms[a].relation else { continue }
      var low = 0, high = 0
      for m in result.poly.terms.keys {
        let e = m.exponent(of: a)
        low = Swift.min(low, e)
        high = Swift.max(high, e)
      }
      if low < 0 {
        let k = (-low + q - 1) / q
        result.poly = try result.poly.scaled(.one, .atom(a, k * q))
        result = try mul(result, power(ZRatFun(poly: value, factors: [:]), -k))
        high += k * q
      }
      if high >= q { result.poly = try reducingHighPowers(result.poly, of: a, q, value) }
    }
    return result
  }
}

// MARK: - Numeric evaluation with an error estimate

/// The value of `e` at `point` and a running estimate of its floating-point error (forward
/// analysis: rounding of every operation, ≈ 2 ulp for library functions, propagated through
/// the operations' derivatives). Real semantics as in the rest of the module: a negative base
/// to a non-integer power needs an odd root order, log needs a positive argument; implicit
/// inverses are solved by bisection on their domain, integrals by composite Gauss–Legendre.
/// Throws `SymbolicError.evaluation` outside the domain or for opaque functions.
/// - Complexity: O(nodes), times the root search (≈ 100 body evaluations) or quadrature (120
///   integrand evaluations) per inverse or integral node.
func numericValueForZeroTest(_ e: Expr, at point: [Symbol: Double]) throws(SymbolicError) -> (value: Double, error: Double) {
  try ZeroTestEvaluator(values: point).evaluate(e)
}

struct ZeroTestEvaluator {
  var values: [Symbol: Double]
  static let u = 0x1p-53

  func evaluate(_ e: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let u = ZeroTestEvaluator.u
    switch e {
    case .number(let r):
      let v = r.doubleValue
      let exact = r.isInteger && r.numerator.magnitude <= (1 << 53)
      return (v, exact ? 0 : 2 * u * Swift.abs(v))
    case .constant:
      return (Double.pi, u * Double.pi)
    case .symbol(let s):
      guard let v = values[s] else { throw .evaluation("no value for the symbol \(s)") }
      return (v, 0)
    case .sum(let xs):
      var v = 0.0, err = 0.0
      for x in xs {
        let (a, ea) = try evaluate(x)
        v += a
        err += ea + u * Swift.abs(v)
      }
      return (v, err)
    case .product(let xs):
      var v = 1.0, err = 0.0
      for x in xs {
        let (a, ea) = try evaluate(x)
        let next = v * a
        err = Swift.abs(a) * err + Swift.abs(v) * ea + err * ea + u * Swift.abs(next)
        v = next
      }
      return (v, err)
    case .power(let b, let x):
      return try evaluatePower(b, x)
    case .function(let f, let x):
      let (a, ea) = try evaluate(x)
      let (v, d) = try ZeroTestEvaluator.apply(f, a, ea)
      let err = d * ea + 2 * u * Swift.abs(v)
      guard v.isFinite else { throw .evaluation("\(f.rawValue)(\(a)) is not finite") }
      return (v, err)
    case .opaque(let g, _):
      throw .evaluation("the opaque function \(g.name) has no value")
    case .inverse(let f, let y):
      return try solve(f, y)
    default:
      if case .integral(let i) = e { return try integrate(i) }
      throw .evaluation("an expression node the zero test cannot evaluate")
    }
  }

  func evaluatePower(_ b: Expr, _ x: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let u = ZeroTestEvaluator.u
    let (bv, be) = try evaluate(b)
    if let r = x.rationalValue {
      let k = r.doubleValue
      if r.isInteger {
        if bv == 0 && r.isNegative { throw .evaluation("0 to a negative power") }
        let v = Elementary.pow(bv, k)
        let d = bv == 0 ? (r == .one ? 1.0 : 0.0) : Swift.abs(k * v / bv)
        return (v, d * be + 2 * u * Swift.abs(v))
      }
      if bv == 0 {
        if r.isNegative { throw .evaluation("0 to a negative power") }
        return (0, Elementary.pow(be, k))
      }
      var v: Double
      if bv < 0 {
        guard r.denominator % 2 == 1 else { throw .evaluation("negative base \(bv) to the power \(r)") }
        v = Elementary.pow(-bv, k)
        if r.numerator % 2 != 0 { v = -v }
      } else {
        v = Elementary.pow(bv, k)
      }
      return (v, Swift.abs(k * v / bv) * be + 2 * u * Swift.abs(v))
    }
    let (xv, xe) = try evaluate(x)
    if bv > 0 {
      let v = Elementary.pow(bv, xv)
      return (v, Swift.abs(xv * v / bv) * be + Swift.abs(v * Elementary.log(bv)) * xe + 2 * u * Swift.abs(v))
    }
    if bv == 0 {
      guard xv > 0 else { throw .evaluation("0 to the power \(xv)") }
      return (0, Elementary.pow(be, xv))
    }
    guard xv == xv.rounded(), xe == 0 else { throw .evaluation("negative base \(bv) to the power \(xv)") }
    let v = Elementary.pow(bv, xv)
    return (v, Swift.abs(xv * v / bv) * be + 2 * u * Swift.abs(v))
  }

  /// f(a) and |f′(a)| (for error propagation).
  static func apply(_ f: ElementaryFunction, _ a: Double, _ ea: Double) throws(SymbolicError) -> (Double, Double) {
    switch f {
    case .exp:
      let v = Elementary.exp(a)
      return (v, v)
    case .log:
      guard a > 0 else { throw .evaluation("log(\(a))") }
      return (Elementary.log(a), 1 / a)
    case .sin: return (Elementary.sin(a), Swift.abs(Elementary.cos(a)) + ea)
    case .cos: return (Elementary.cos(a), Swift.abs(Elementary.sin(a)) + ea)
    case .tan:
      let v = Elementary.tan(a)
      return (v, 1 + v * v)
    case .sec:
      let v = 1 / Elementary.cos(a)
      return (v, Swift.abs(v * Elementary.tan(a)))
    case .arctan: return (Elementary.atan(a), 1 / (1 + a * a))
    case .sinh: return (Elementary.sinh(a), Elementary.cosh(a))
    case .cosh: return (Elementary.cosh(a), Swift.abs(Elementary.sinh(a)) + ea * Elementary.cosh(a))
    case .tanh:
      let v = Elementary.tanh(a)
      return (v, 1 - v * v)
    case .sech:
      let v = 1 / Elementary.cosh(a)
      return (v, Swift.abs(v * Elementary.tanh(a)))
    case .arcsinh: return (Elementary.asinh(a), 1 / (1 + a * a).squareRoot())
    case .abs: return (Swift.abs(a), 1)
    case .sign:
      guard Swift.abs(a) > ea else { throw .evaluation("sign of a value indistinguishable from 0") }
      return (a > 0 ? 1 : a < 0 ? -1 : 0, 0)
    case .conjugate: return (a, 1)
    }
  }

  /// f⁻¹(y): bisection for body(t) = y over the domain, parametrized by s ∈ ℝ.
  func solve(_ f: ImplicitInverse, _ y: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let (yv, ye) = try evaluate(y)
    let lower = f.domain.lower, upper = f.domain.upper
    func location(_ s: Double) -> Double {
      switch (lower.isFinite, upper.isFinite) {
      case (true, true): return lower + (upper - lower) / (1 + Elementary.exp(-s))
      case (true, false): return lower + Elementary.exp(s)
      case (false, true): return upper - Elementary.exp(s)
      case (false, false): return s
      }
    }
    var inner = self
    func body(_ t: Double) throws(SymbolicError) -> (value: Double, error: Double) {
      inner.values[f.variable] = t
      return try inner.evaluate(f.body)
    }
    let maxS = lower.isFinite || upper.isFinite ? 700.0 : 0x1p60
    var a = -1.0, b = 1.0
    var ga = try body(location(a)).value - yv, gb = try body(location(b)).value - yv
    while ga.sign == gb.sign && ga != 0 && gb != 0 {
      guard b < maxS else { throw .evaluation("\(f.name)⁻¹(\(yv)): no solution in the domain") }
      a *= 2; b *= 2
      ga = try body(location(a)).value - yv
      gb = try body(location(b)).value - yv
    }
    if ga == 0 { b = a } else if gb == 0 { a = b }
    for _ in 0..<2000 {
      let m = a + (b - a) / 2
      if m <= a || m >= b { break }
      let gm = try body(location(m)).value - yv
      if gm == 0 { a = m; b = m; break }
      if gm.sign == ga.sign { a = m; ga = gm } else { b = m }
    }
    let t = location(a + (b - a) / 2)
    let width = Swift.abs(location(b) - location(a))
    let (_, bodyError) = try body(t)
    let h = 1e-6 * Swift.max(1, Swift.abs(t))
    let tp = Swift.min(t + h, location(b) + h), tm = Swift.max(t - h, location(a) - h)
    var slope = 0.0
    if f.domain.contains(tp) && f.domain.contains(tm), tp > tm {
      slope = Swift.abs((try body(tp).value - body(tm).value) / (tp - tm))
    }
    let propagated = slope > 0 ? (ye + bodyError) / slope : 0
    return (t, propagated + width + 4 * ZeroTestEvaluator.u * Swift.abs(t))
  }

  static let gaussNodes: [Double] = [
    0, -0.538_469_310_105_683_1, 0.538_469_310_105_683_1, -0.906_179_845_938_664_0, 0.906_179_845_938_664_0,
  ]
  static let gaussWeights: [Double] = [
    0.568_888_888_888_888_9, 0.478_628_670_499_366_5, 0.478_628_670_499_366_5,
    0.236_926_885_056_189_1, 0.236_926_885_056_189_1,
  ]

  /// Composite 5-point Gauss–Legendre on 8 and 16 panels; the error estimate is their
  /// difference plus the rounding of the integrand values and the limits' errors.
  func integrate(_ i: Integral) throws(SymbolicError) -> (value: Double, error: Double) {
    let (a, ea) = try evaluate(i.lower), (b, eb) = try evaluate(i.upper)
    var inner = self
    func integrand(_ t: Double) throws(SymbolicError) -> (value: Double, error: Double) {
      inner.values[i.variable] = t
      return try inner.evaluate(i.integrand)
    }
    func rule(_ panels: Int) throws(SymbolicError) -> (value: Double, error: Double) {
      let h = (b - a) / Double(panels)
      var total = 0.0, err = 0.0
      for p in 0..<panels {
        let mid = a + (Double(p) + 0.5) * h
        for (x, w) in zip(ZeroTestEvaluator.gaussNodes, ZeroTestEvaluator.gaussWeights) {
          let (v, ev) = try integrand(mid + 0.5 * h * x)
          total += 0.5 * h * w * v
          err += Swift.abs(0.5 * h * w) * (ev + 2 * ZeroTestEvaluator.u * Swift.abs(v)) + ZeroTestEvaluator.u * Swift.abs(total)
        }
      }
      return (total, err)
    }
    let coarse = try rule(8), fine = try rule(16)
    let fa = try integrand(a).value, fb = try integrand(b).value
    return (fine.value, 10 * Swift.abs(fine.value - coarse.value) + fine.error + Swift.abs(fa) * ea + Swift.abs(fb) * eb)
  }
}
