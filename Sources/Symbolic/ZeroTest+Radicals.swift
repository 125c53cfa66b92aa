import LinearAlgebra

extension ZeroTestEngine {
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

}
