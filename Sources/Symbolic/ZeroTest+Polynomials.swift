import LinearAlgebra

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
