/// The canonical form of expressions: `simplified()` and `expanded()`.
///
/// `simplified()` rewrites bottom-up: the children are simplified first, then the node is
/// rebuilt by one of the canonical constructors `Simplifier.sum`, `.product`, `.power`,
/// `.function`, each of which maps canonical children to a canonical node. Every rule is an
/// identity of real analysis; the ones that hold only under an assumption are marked
/// **(real)** — valid when every symbol takes real values (the verifier's setting; `conjugate`
/// is then the identity). The canonical form is idempotent: `simplified(simplified(e))` is
/// structurally equal to `simplified(e)`, because every constructor is a projection (fed its
/// own output's children, it returns the same node).
///
/// Arithmetic on numbers is exact (`Rational`); an operation that leaves the range of `Int`
/// throws `SymbolicError.overflow` and is never wrapped.
///
/// The rules:
/// - Sums: nested sums are flattened, numbers folded, like terms collected (3x + 2x → 5x: a
///   term is `c·rest` with the rational coefficient c as the first factor of a product),
///   zero terms dropped, the numeric constant first and the other terms in the canonical
///   order of their `rest`; a one-term sum is its term.
/// - Products: flattened, numbers folded into one leading coefficient, equal bases collected
///   (x·x → x², x^a·x^b → x^{a+b}, with the exponent a simplified sum, so L·L⁻¹ → 1),
///   1-factors dropped, 0·x → 0, a coefficient times a single sum distributed
///   (−(x − y) → y − x), the factors sorted by (base, exponent).
/// - Powers: x⁰ → 1, x¹ → x, 1^x → 1, 0^{positive} → 0 (0^{negative} throws
///   `divisionByZero`); number^integer exactly; r^{p/q} exactly when r has an exact q-th root,
///   otherwise the integer part of the exponent is split off (2^{3/2} → 2·2^{1/2}), a
///   q-th-power factor is pulled out of an integer base (8^{1/2} → 2·2^{1/2}), a positive
///   fraction base is written with its integer parts (1/2)^{1/2} → (1/2)·2^{1/2}, and a base
///   that is a d-th power lowers the root order (4^{1/4} → 2^{1/2});
///   (x^a)^k → x^{ak} for an integer k; (a·b)^k → a^k·b^k for an integer k; for any other
///   exponent e: (x^a)^e → x^{ae} when x is positive **(real)**, exp(a)^e → exp(a·e)
///   **(real)**, and positive factors are pulled out of a product base, (4y)^{1/2} →
///   2·y^{1/2} and (cosh²θ·y)^{1/2} → cosh θ·y^{1/2} **(real)**. (x²)^{1/2} stays: it is |x|.
/// - Functions: sech x → cosh(x)⁻¹, sec x → cos(x)⁻¹; values at 0 (exp, cosh, cos → 1;
///   sinh, tanh, arcsinh, arctan, sin, tan → 0; log 1 → 0); abs, sign and conjugate of
///   numbers and π; log(exp x) → x **(real)**, exp(log x) → x (where log x is defined);
///   tan(arctan x) → x, sinh(arcsinh x) → x, cosh(arcsinh x) → (1+x²)^{1/2},
///   tanh(arcsinh x) → x(1+x²)^{−1/2}, cos(arctan x) → (1+x²)^{−1/2},
///   sin(arctan x) → x(1+x²)^{−1/2}; odd functions (sinh, tanh, arcsinh, arctan, sin, tan,
///   sign) pull out a −1, even ones (cosh, cos, abs) drop it; abs(abs x) → abs x,
///   sign(sign x) → sign x, conjugate(conjugate x) → x; abs and sign of a positive
///   expression **(real)**.
/// - Implicit inverses f⁻¹(y) → t when simplified(f.body[variable := t]) equals y for a
///   subexpression t of y that lies in f's domain (f is strictly monotone, hence injective,
///   so t is the only solution in the domain); the body is simplified too.
/// - Integrals: the integrand and the limits are simplified; equal limits give 0.
///
/// "Positive" (`Simplifier.isPositive`) means provably > 0 for real symbols: positive numbers,
/// π, exp(·), cosh(·), powers of positive bases, and sums and products of positive terms.
extension Expr {
  /// The canonical form (see the file's documentation for the rules).
  ///
  /// - Throws: `SymbolicError.overflow` when exact rational arithmetic leaves `Int`,
  ///   `divisionByZero` for 0 to a negative power.
  /// - Complexity: one bottom-up pass; each node costs O(k log k) in its number k of
  ///   children (sorting, hashing of subtrees), so roughly O(n log n · depth) for a tree of
  ///   n nodes. Implicit inverses additionally try up to 64 witness candidates, each one
  ///   simplification of the body.
  public func simplified() throws(SymbolicError) -> Expr {
    try Simplifier.simplify(self)
  }

  /// The canonical form with products distributed over sums and nonnegative integer powers
  /// of sums expanded ((a + b)² → a² + 2ab + b²), also inside function arguments; negative
  /// and non-integer powers of sums are kept. The result is simplified.
  ///
  /// - Complexity: proportional to the size of the expanded result (which can be
  ///   exponential in the input: (x₁ + … + x_n)^k has C(n+k−1, k) terms); like terms are
  ///   collected after each multiplication, so intermediate results do not repeat them.
  public func expanded() throws(SymbolicError) -> Expr {
    try Simplifier.expand(self)
  }
}

/// The canonical constructors and the canonical order behind `Expr.simplified()`.
enum Simplifier {
  // MARK: - Canonical order

  /// The rank of a node kind in the structural order: numbers first.
  static func rank(_ e: Expr) -> Int {
    switch e {
    case .number: 0
    case .constant: 1
    case .symbol: 2
    case .power: 3
    case .product: 4
    case .sum: 5
    case .function: 6
    case .opaque: 7
    case .inverse: 8
    default: 9
    }
  }

  @inline(__always) static func cmp<T: Comparable>(_ a: T, _ b: T) -> Int {
    a < b ? -1 : (a == b ? 0 : 1)
  }

  /// A total structural order on expressions (−1, 0, 1): by kind, then payload, then
  /// children lexicographically. 0 exactly for equal trees.
  /// - Complexity: O(size of the common prefix of the two trees).
  static func compare(_ a: Expr, _ b: Expr) -> Int {
    let ra = rank(a), rb = rank(b)
    if ra != rb { return ra < rb ? -1 : 1 }
    switch (a, b) {
    case (.number(let x), .number(let y)): return cmp(x, y)
    case (.constant(let x), .constant(let y)): return cmp(x.rawValue, y.rawValue)
    case (.symbol(let x), .symbol(let y)): return cmp(x, y)
    case (.sum(let xs), .sum(let ys)), (.product(let xs), .product(let ys)): return compareLists(xs, ys)
    case (.power(let b1, let e1), .power(let b2, let e2)):
      let c = compare(b1, b2)
      return c != 0 ? c : compare(e1, e2)
    case (.function(let f, let x), .function(let g, let y)):
      let c = cmp(f.rawValue, g.rawValue)
      return c != 0 ? c : compare(x, y)
    case (.opaque(let f, let x), .opaque(let g, let y)):
      if f.name != g.name { return cmp(f.name, g.name) }
      if f.order != g.order { return cmp(f.order, g.order) }
      return compare(x, y)
    case (.inverse(let f, let x), .inverse(let g, let y)):
      if f.name != g.name { return cmp(f.name, g.name) }
      if f.variable != g.variable { return cmp(f.variable, g.variable) }
      if f.domain.lower != g.domain.lower { return cmp(f.domain.lower, g.domain.lower) }
      if f.domain.upper != g.domain.upper { return cmp(f.domain.upper, g.domain.upper) }
      let c = compare(f.body, g.body)
      return c != 0 ? c : compare(x, y)
    default:
      // Integrals (and node kinds added later): children, then the variable / description.
      let c = compareLists(a.children, b.children)
      if c != 0 { return c }
      if case .integral(let i) = a, case .integral(let j) = b { return cmp(i.variable, j.variable) }
      return a == b ? 0 : cmp(String(describing: a), String(describing: b))
    }
  }

  static func compareLists(_ xs: [Expr], _ ys: [Expr]) -> Int {
    for (x, y) in zip(xs, ys) {
      let c = compare(x, y)
      if c != 0 { return c }
    }
    return cmp(xs.count, ys.count)
  }

  /// (base, exponent) of a factor: x^e ↦ (x, e), anything else ↦ (itself, 1).
  static func baseAndExponent(_ e: Expr) -> (base: Expr, exponent: Expr) {
    if case .power(let b, let x) = e { return (b, x) }
    return (e, .one)
  }

  /// The order of factors in a product and of terms (by their non-numeric part) in a sum:
  /// lexicographic in (base, exponent, the whole tree) with the structural order, so that
  /// x, x², x³, y, … appear in that order. A total order (the last key is the tree itself).
  static func compareFactors(_ a: Expr, _ b: Expr) -> Int {
    let (ba, ea) = baseAndExponent(a), (bb, eb) = baseAndExponent(b)
    var c = compare(ba, bb)
    if c != 0 { return c }
    c = compare(ea, eb)
    if c != 0 { return c }
    return compare(a, b)
  }

  // MARK: - Predicates

  /// Provably > 0 for real values of the symbols (see the file documentation).
  static func isPositive(_ e: Expr) -> Bool {
    switch e {
    case .number(let r): return r > .zero
    case .constant: return true
    case .function(.exp, _), .function(.cosh, _): return true
    case .power(let b, _): return isPositive(b)
    case .product(let xs), .sum(let xs): return xs.allSatisfy(isPositive)
    default: return false
    }
  }

  /// A canonical expression that reads as negative: a negative number, a product with a
  /// negative coefficient, or a sum whose first term is such. Negating it (`negate`) gives
  /// one that is not, which is what the parity rules of odd and even functions rely on.
  static func isNegativeForm(_ e: Expr) -> Bool {
    switch e {
    case .number(let r): return r.isNegative
    case .product(let xs): return xs.first?.rationalValue?.isNegative ?? false
    case .sum(let xs): return xs.first.map(isNegativeForm) ?? false
    default: return false
    }
  }

  /// −e in canonical form.
  static func negate(_ e: Expr) throws(SymbolicError) -> Expr {
    try product([.number(.minusOne), e])
  }

  /// (c, rest) with term = c·rest, c the rational coefficient (1 if none).
  static func splitCoefficient(_ t: Expr) -> (Rational, Expr) {
    if case .product(let fs) = t, let c = fs.first?.rationalValue {
      return (c, fs.count == 2 ? fs[1] : .product(Array(fs.dropFirst())))
    }
    return (.one, t)
  }

  /// c·rest in canonical form, for a canonical non-numeric `rest` without coefficient.
  static func term(_ c: Rational, _ rest: Expr) -> Expr {
    if c == .one { return rest }
    if case .product(let fs) = rest { return .product([.number(c)] + fs) }
    return .product([.number(c), rest])
  }

  // MARK: - Simplification

  static func simplify(_ e: Expr) throws(SymbolicError) -> Expr {
    switch e {
    case .number, .constant, .symbol:
      return e
    case .sum(let xs):
      return try sum(simplifyAll(xs))
    case .product(let xs):
      return try product(simplifyAll(xs))
    case .power(let b, let x):
      return try power(simplify(b), simplify(x))
    case .function(let f, let x):
      return try function(f, simplify(x))
    case .opaque(let g, let x):
      return .opaque(g, try simplify(x))
    case .inverse(var f, let x):
      f.body = try simplify(f.body)
      return try inverse(f, simplify(x))
    case .integral(var i):
      i.integrand = try simplify(i.integrand)
      i.lower = try simplify(i.lower)
      i.upper = try simplify(i.upper)
      return i.lower == i.upper ? .zero : .integral(i)
    case .indexedSum(var s):
      // Σⱼ 0 = 0; otherwise the body in canonical form (the range is unspecified, so a
      // constant body stays a sum).
      s.body = try simplify(s.body)
      if s.body.isZero { return .zero }
      // Σⱼ c·t = c·Σⱼ t for a number c.
      if case .product(let factors) = s.body, let c = factors.first?.rationalValue {
        s.body = try product(Array(factors.dropFirst()))
        return try product([.number(c), .indexedSum(s)])
      }
      return .indexedSum(s)
    }
  }

  static func simplifyAll(_ xs: [Expr]) throws(SymbolicError) -> [Expr] {
    var out: [Expr] = []
    out.reserveCapacity(xs.count)
    for x in xs { out.append(try simplify(x)) }
    return out
  }

  /// The canonical sum of canonical terms.
  static func sum(_ terms: [Expr]) throws(SymbolicError) -> Expr {
    var constant = Rational.zero
    var coefficients: [Expr: Rational] = [:]
    var work = terms
    var i = 0
    while i < work.count {
      let t = work[i]
      i += 1
      switch t {
      case .sum(let inner): work.append(contentsOf: inner)
      case .number(let r): constant = try constant.adding(r)
      default:
        let (c, rest) = splitCoefficient(t)
        if let old = coefficients[rest] { coefficients[rest] = try old.adding(c) } else { coefficients[rest] = c }
      }
    }
    var pairs: [(rest: Expr, c: Rational)] = []
    pairs.reserveCapacity(coefficients.count)
    for (rest, c) in coefficients where !c.isZero { pairs.append((rest, c)) }
    pairs.sort { compareFactors($0.rest, $1.rest) < 0 }
    var out: [Expr] = []
    out.reserveCapacity(pairs.count + 1)
    if !constant.isZero { out.append(.number(constant)) }
    for p in pairs { out.append(term(p.c, p.rest)) }
    return out.isEmpty ? .zero : out.count == 1 ? out[0] : .sum(out)
  }

  /// The canonical product of canonical factors.
  static func product(_ factors: [Expr]) throws(SymbolicError) -> Expr {
    var coefficient = Rational.one
    var pending = factors
    var result: [Expr] = []
    for _ in 0..<64 {
      var exponents: [Expr: [Expr]] = [:]
      var single: [Expr: Expr] = [:]
      var bases: [Expr] = []
      var work = pending
      var i = 0
      while i < work.count {
        let f = work[i]
        i += 1
        switch f {
        case .number(let r): coefficient = try coefficient.multiplied(by: r)
        case .product(let inner): work.append(contentsOf: inner)
        default:
          let (b, x) = baseAndExponent(f)
          if exponents[b] == nil {
            bases.append(b)
            exponents[b] = [x]
            single[b] = f
          } else {
            exponents[b]!.append(x)
          }
        }
      }
      if coefficient.isZero { return .zero }
      var next: [Expr] = []
      next.reserveCapacity(bases.count)
      var unstable = false
      for b in bases {
        let xs = exponents[b]!
        if xs.count == 1 {
          next.append(single[b]!)
          continue
        }
        let p = try power(b, sum(xs))
        switch p {
        case .number, .product: unstable = true
        default: if baseAndExponent(p).base != b { unstable = true }
        }
        next.append(p)
      }
      result = next
      if !unstable { break }
      pending = next
    }
    if coefficient.isZero { return .zero }
    if result.count == 1, coefficient != .one, case .sum(let ts) = result[0] {
      var distributed: [Expr] = []
      distributed.reserveCapacity(ts.count)
      for t in ts { distributed.append(try product([.number(coefficient), t])) }
      return try sum(distributed)
    }
    result.sort { compareFactors($0, $1) < 0 }
    if coefficient == .one {
      return result.isEmpty ? .one : result.count == 1 ? result[0] : .product(result)
    }
    return result.isEmpty ? .number(coefficient) : .product([.number(coefficient)] + result)
  }

  /// The canonical power b^x of a canonical base and exponent.
  static func power(_ b: Expr, _ x: Expr) throws(SymbolicError) -> Expr {
    if x.isZero { return .one }
    if x.isOne { return b }
    if case .number(let r) = b {
      if r == .one { return .one }
      if r.isZero {
        if let k = x.rationalValue {
          if k.isNegative { throw .divisionByZero("0^(\(k))") }
          return .zero
        }
        return .power(b, x)
      }
      if let k = x.rationalValue { return try numberPower(r, k) }
      return .power(b, x)
    }
    if let k = x.rationalValue, k.isInteger {
      switch b {
      case .power(let c, let a):
        return try power(c, product([a, x]))
      case .product(let fs):
        var parts: [Expr] = []
        parts.reserveCapacity(fs.count)
        for f in fs { parts.append(try power(f, x)) }
        return try product(parts)
      default:
        return .power(b, x)
      }
    }
    // A non-integer exponent (rational or symbolic).
    switch b {
    case .power(let c, let a) where isPositive(c):
      return try power(c, product([a, x]))
    case .function(.exp, let a):
      return try function(.exp, product([a, x]))
    case .product(let fs):
      var pulled: [Expr] = []
      var kept: [Expr] = []
      for f in fs {
        if case .number(let r) = f {
          if r.isNegative {
            kept.append(.number(.minusOne))
            if r != .minusOne { pulled.append(.number(try r.negated())) }
          } else {
            pulled.append(f)
          }
        } else if isPositive(f) {
          pulled.append(f)
        } else {
          kept.append(f)
        }
      }
      if pulled.isEmpty { return .power(b, x) }
      var parts: [Expr] = []
      for f in pulled { parts.append(try power(f, x)) }
      parts.append(try power(product(kept), x))
      return try product(parts)
    default:
      return .power(b, x)
    }
  }

  /// r^k for rationals r ∉ {0, 1} (see the power rules in the file documentation).
  static func numberPower(_ r: Rational, _ k: Rational) throws(SymbolicError) -> Expr {
    if k.isInteger { return .number(try r.power(k.numerator)) }
    let p = k.numerator, q = k.denominator
    if let root = r.exactRoot(q) { return .number(try root.power(p)) }
    // Split off the integer part: k = n + f with 0 < f < 1.
    let n = p >= 0 ? p / q : -((-p + q - 1) / q)
    let f = try k.subtracting(Rational(integer: n))
    if r.isNegative {
      let fractional = Expr.power(.number(r), .number(f))
      return n == 0 ? fractional : try product([.number(try r.power(n)), fractional])
    }
    if !r.isInteger {
      // (a/b)^k = a^k · b^{−k} for a, b > 0.
      let a = Rational(integer: r.numerator), d = Rational(integer: r.denominator)
      var parts: [Expr] = []
      if a != .one { parts.append(try numberPower(a, k)) }
      parts.append(try numberPower(d, k.negated()))
      return try product(parts)
    }
    // A positive integer r ≥ 2. A d-th power lowers the root order: (s^d)^{p/q} = s^{dp/q}.
    var d = q - 1
    while d >= 2 {
      if q % d == 0, let s = r.exactRoot(d) {
        return try numberPower(s, k.multiplied(by: Rational(integer: d)))
      }
      d -= 1
    }
    // Pull out q-th powers of small primes: r = s^q·t → r^{p/q} = s^p·t^{p/q}.
    var s = 1, t = r.numerator
    var prime = 2
    while prime <= 1000 {
      guard let pq = integerPower(prime, q), pq <= t else { break }
      while t % pq == 0 {
        t /= pq
        s *= prime
      }
      prime += prime == 2 ? 1 : 2
    }
    if s > 1 {
      return try product([.number(try Rational(integer: s).power(p)), numberPower(Rational(integer: t), k)])
    }
    let fractional = Expr.power(.number(r), .number(f))
    return n == 0 ? fractional : try product([.number(try r.power(n)), fractional])
  }

  /// b^e for small positive integers, nil on overflow.
  static func integerPower(_ b: Int, _ e: Int) -> Int? {
    var result = 1
    for _ in 0..<e {
      let m = result.multipliedReportingOverflow(by: b)
      if m.overflow { return nil }
      result = m.partialValue
    }
    return result
  }

  static let oddFunctions: Set<ElementaryFunction> = [.sinh, .tanh, .arcsinh, .arctan, .sin, .tan, .sign]
  static let evenFunctions: Set<ElementaryFunction> = [.cosh, .cos, .abs]

  /// (1 + a²)^k for the arctan/arcsinh compositions.
  static func onePlusSquare(_ a: Expr, _ k: Rational) throws(SymbolicError) -> Expr {
    try power(sum([.one, power(a, Expr(2))]), .number(k))
  }

  /// The canonical f(x) of a canonical argument.
  static func function(_ f: ElementaryFunction, _ x: Expr) throws(SymbolicError) -> Expr {
    switch f {
    case .sech: return try power(function(.cosh, x), Expr(-1))
    case .sec: return try power(function(.cos, x), Expr(-1))
    default: break
    }
    if case .number(let r) = x {
      switch f {
      case .abs: return .number(r.isNegative ? try r.negated() : r)
      case .sign: return Expr(r.isZero ? 0 : r.isNegative ? -1 : 1)
      case .conjugate: return x
      case .log where r == .one: return .zero
      case .exp, .cosh, .cos:
        if r.isZero { return .one }
      case .sinh, .tanh, .arcsinh, .arctan, .sin, .tan:
        if r.isZero { return .zero }
      default: break
      }
    }
    if case .constant = x {
      switch f {
      case .abs, .conjugate: return x
      case .sign: return .one
      default: break
      }
    }
    switch (f, x) {
    case (.log, .function(.exp, let a)): return a
    case (.exp, .function(.log, let a)): return a
    case (.tan, .function(.arctan, let a)): return a
    case (.sinh, .function(.arcsinh, let a)): return a
    case (.cosh, .function(.arcsinh, let a)): return try onePlusSquare(a, .half)
    case (.tanh, .function(.arcsinh, let a)): return try product([a, onePlusSquare(a, Rational(-1, 2))])
    case (.cos, .function(.arctan, let a)): return try onePlusSquare(a, Rational(-1, 2))
    case (.sin, .function(.arctan, let a)): return try product([a, onePlusSquare(a, Rational(-1, 2))])
    case (.abs, .function(.abs, _)), (.sign, .function(.sign, _)): return x
    case (.conjugate, .function(.conjugate, let a)): return a
    default: break
    }
    if f == .abs && isPositive(x) { return x }
    if f == .sign && isPositive(x) { return .one }
    if isNegativeForm(x) {
      if oddFunctions.contains(f) { return try negate(function(f, negate(x))) }
      if evenFunctions.contains(f) { return try function(f, negate(x)) }
    }
    return .function(f, x)
  }

  // MARK: - Implicit inverses

  /// Whether t is known to lie in `domain`: any t for ℝ, a number inside it, a positive t
  /// for a domain containing (0, ∞).
  static func liesInDomain(_ t: Expr, _ domain: OpenInterval) -> Bool {
    if domain == .realLine { return true }
    if let r = t.rationalValue { return domain.contains(r.doubleValue) }
    // Ranges of bounded functions of a real argument: tanh ∈ (−1, 1), arctan ∈ (−π/2, π/2).
    if case .function(.tanh, _) = t { return domain.lower <= -1 && domain.upper >= 1 }
    if case .function(.arctan, _) = t { return domain.lower <= -Double.pi / 2 && domain.upper >= Double.pi / 2 }
    return domain.lower <= 0 && domain.upper == .infinity && isPositive(t)
  }

  /// Distinct subexpressions of e (pre-order, e first), at most `limit`, none containing
  /// `excluded` (the bound variable) and none a number.
  static func witnessCandidates(_ e: Expr, excluding excluded: Symbol, limit: Int) -> [Expr] {
    var seen: Set<Expr> = []
    var out: [Expr] = []
    var stack = [e]
    var hyperbolicArguments: [Expr] = []
    while let t = stack.popLast(), out.count < limit {
      if seen.contains(t) { continue }
      seen.insert(t)
      if t.rationalValue == nil && !t.contains(excluded) { out.append(t) }
      if case .function(let f, let u) = t, [.sinh, .cosh, .tanh, .sech].contains(f), !hyperbolicArguments.contains(u) {
        hyperbolicArguments.append(u)
      }
      stack.append(contentsOf: t.children.reversed())
    }
    // Also the hyperbolic functions of the arguments met (the root of τ/(1 − τ²)² = cosh³θ sinh θ
    // is tanh θ, which is not a subexpression). Any candidate is verified, so extra ones
    // cost time, never soundness.
    for u in hyperbolicArguments where !u.contains(excluded) {
      for f in [ElementaryFunction.tanh, .sinh, .cosh] where out.count < limit + 6 {
        let c = Expr.function(f, u)
        if !seen.contains(c) { seen.insert(c); out.append(c) }
      }
    }
    return out
  }

  /// f⁻¹(y) → t if simplified(f(t)) == y for a candidate t in f's domain.
  static func inverse(_ f: ImplicitInverse, _ y: Expr) throws(SymbolicError) -> Expr {
    for t in witnessCandidates(y, excluding: f.variable, limit: 64) where liesInDomain(t, f.domain) {
      do {
        if try simplify(f.body.substituting(f.variable, with: t)) == y { return t }
      } catch {
        continue
      }
    }
    return .inverse(f, y)
  }

  // MARK: - Expansion

  /// `expanded()`, giving up with `unsupported` when a distributed product would have more
  /// than `termLimit` terms.
  static func expand(_ e: Expr, termLimit: Int = .max) throws(SymbolicError) -> Expr {
    var current = try expandOnce(simplify(e), termLimit)
    for _ in 0..<16 {
      let next = try expandOnce(current, termLimit)
      if next == current { return current }
      current = next
    }
    return current
  }

  /// One bottom-up distribution pass over a canonical expression.
  static func expandOnce(_ e: Expr, _ limit: Int) throws(SymbolicError) -> Expr {
    switch e {
    case .number, .constant, .symbol:
      return e
    case .sum(let ts):
      var out: [Expr] = []
      for t in ts { out.append(try expandOnce(t, limit)) }
      return try sum(out)
    case .product(let fs):
      var out: [Expr] = []
      for f in fs { out.append(try expandOnce(f, limit)) }
      return try distribute(out, limit)
    case .power(let b, let x):
      let base = try expandOnce(b, limit), exponent = try expandOnce(x, limit)
      if case .sum = base, let k = exponent.rationalValue, k.isInteger, k.numerator > 0 {
        return try distribute(Array(repeating: base, count: k.numerator), limit)
      }
      return try power(base, exponent)
    case .function(let f, let x):
      return try function(f, expandOnce(x, limit))
    case .opaque(let g, let x):
      return .opaque(g, try expandOnce(x, limit))
    case .inverse(var f, let x):
      f.body = try expandOnce(f.body, limit)
      return try inverse(f, expandOnce(x, limit))
    default:
      if case .integral(var i) = e {
        i.integrand = try expandOnce(i.integrand, limit)
        i.lower = try expandOnce(i.lower, limit)
        i.upper = try expandOnce(i.upper, limit)
        return i.lower == i.upper ? .zero : .integral(i)
      }
      return e
    }
  }

  /// The product of canonical factors with every sum multiplied out; like terms are
  /// collected after each factor.
  static func distribute(_ factors: [Expr], _ limit: Int) throws(SymbolicError) -> Expr {
    var terms: [Expr] = [.one]
    for f in factors {
      var next: [Expr] = []
      if case .sum(let ts) = f {
        let size = terms.count.multipliedReportingOverflow(by: ts.count)
        guard !size.overflow, size.partialValue <= limit else {
          throw .unsupported("an expansion of more than \(limit) terms")
        }
        next.reserveCapacity(terms.count * ts.count)
        for a in terms {
          for t in ts { next.append(try product([a, t])) }
        }
      } else {
        next.reserveCapacity(terms.count)
        for a in terms { next.append(try product([a, f])) }
      }
      let collected = try sum(next)
      if case .sum(let ts) = collected { terms = ts } else { terms = [collected] }
    }
    return try sum(terms)
  }
}

extension Expr {
  /// The canonical form, or the expression unchanged when exact rational arithmetic would
  /// overflow (the two are equal as functions, so callers that only display or evaluate the
  /// result lose nothing but tidiness).
  public var simplifiedOrUnchanged: Expr { (try? simplified()) ?? self }
}
