import LinearAlgebra

extension ZeroTestEngine {
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
