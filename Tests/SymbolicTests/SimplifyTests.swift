import PropertyChecking
import Testing
@testable import Symbolic

private let x = Expr.variable("x"), y = Expr.variable("y"), z = Expr.variable("z")
private let L = Expr.variable("L"), ρ = Expr.variable("ρ"), θ = Expr.variable("θ")

/// Simplifies, recording an issue (and returning nil) if it throws.
private func canonical(_ e: Expr, sourceLocation: SourceLocation = #_sourceLocation) -> Expr? {
  do {
    return try e.simplified()
  } catch {
    Issue.record("simplification threw \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// Whether `body` throws `SymbolicError.overflow`.
private func throwsOverflow(_ body: () throws(SymbolicError) -> Expr) -> Bool {
  do {
    _ = try body()
    return false
  } catch {
    if case .overflow = error { return true }
    return false
  }
}

@Suite("Simplification: canonical form")
struct SimplifyTests {
  @Test("idempotent on random expressions")
  func idempotent() {
    let outcome = checkProperty("simplified ∘ simplified = simplified", seed: 0x51A7, cases: 250,
                                generator: RandomExpressions.generator(depth: 4)) { e in
      guard let once = try? e.simplified() else { return .discard("simplification threw") }
      guard let twice = try? once.simplified() else { return .fail("re-simplifying \(once) threw") }
      return once == twice ? .pass : .fail("simplified once: \(once)\ntwice: \(twice)")
    }
    #expect(outcome.passed, "\(outcome)")
  }

  @Test("preserves the value at random points")
  func preservesValue() {
    let outcome = checkProperty("value(simplified e) = value(e)", seed: 0xFACE, cases: 250,
                                generator: RandomExpressions.generator(depth: 4)) { e in
      guard let s = try? e.simplified() else { return .discard("simplification threw") }
      var rng = SeededGenerator(seed: UInt64(truncatingIfNeeded: e.nodeCount) &* 0x9E37_79B9)
      var compared = 0
      for _ in 0..<3 {
        let point = RandomExpressions.point(&rng)
        guard let (a, ea) = try? numericValueForZeroTest(e, at: point),
              let (b, eb) = try? numericValueForZeroTest(s, at: point),
              a.isFinite, b.isFinite, Swift.abs(a) < 1e12
        else { continue }
        compared += 1
        let tolerance = 1e-9 * Swift.max(Swift.abs(a), Swift.abs(b), 1e-300) + 1e3 * (ea + eb)
        if Swift.abs(a - b) > tolerance {
          return .fail("at \(point): \(a) (original) vs \(b) (simplified \(s)), tolerance \(tolerance)")
        }
      }
      return compared > 0 ? .pass : .discard("no finite value")
    }
    #expect(outcome.passed, "\(outcome)")
  }

  @Test("like terms and equal bases are collected")
  func collection() throws {
    #expect(canonical(3 * x + 2 * x) == .product([5, x]))
    #expect(canonical(x + y - x) == y)
    #expect(canonical(x * x) == .power(x, 2))
    #expect(canonical(x * x.toThe(2) * y * x.toThe(-3)) == y)
    #expect(canonical(L * L.toThe(-1)) == 1)
    #expect(canonical(0 * x * Expr.exp(y)) == 0)
    #expect(canonical(x.toThe(.fraction(1, 2)) * x.toThe(.fraction(1, 2))) == x)
    // cosh(θ)^{L−1} · cosh(θ)^{−(L−2)} = cosh θ
    #expect(canonical(Expr.cosh(θ).toThe(L - 1) * Expr.cosh(θ).toThe(-(L - 2))) == .cosh(θ))
    // (1/p)·p·|ρ|^{p−1} with p = 2L⁻¹
    let p = 2 * L.toThe(-1)
    let expected = canonical(Expr.abs(ρ).toThe(p - 1))
    #expect(canonical(1 / p * p * Expr.abs(ρ).toThe(p - 1)) == expected)
    #expect(expected == .power(.abs(ρ), .sum([-1, .product([2, .power(L, -1)])])))
    // sech^{L−2}·cosh^{L−1}·sinh = cosh·sinh (symbolic L; cosh > 0)
    let lhs = Expr.sech(θ).toThe(L - 2) * Expr.cosh(θ).toThe(L - 1) * Expr.sinh(θ)
    #expect(canonical(lhs) == canonical(Expr.cosh(θ) * Expr.sinh(θ)))
  }

  @Test("a total, deterministic order: numbers first, then bases")
  func ordering() {
    #expect(canonical(y + x) == canonical(x + y))
    #expect(canonical(x * 3) == .product([3, x]))
    #expect(canonical(y * x.toThe(2) * x) == .product([.power(x, 3), y]))
    #expect(canonical(x.toThe(2) + 1 + x) == .sum([1, x, .power(x, 2)]))
    #expect(canonical(-(x - y)) == .sum([.product([-1, x]), y]))
  }

  @Test("powers of numbers are exact")
  func numberPowers() {
    #expect(canonical(Expr(2).toThe(.fraction(3, 2))) == .product([2, .power(2, .fraction(1, 2))]))
    #expect(canonical(Expr(8).toThe(.fraction(2, 3))) == 4)
    #expect(canonical(Expr(-8).toThe(.fraction(1, 3))) == -2)
    #expect(canonical(Expr.fraction(9, 4).toThe(.fraction(-1, 2))) == .fraction(2, 3))
    #expect(canonical(Expr(8).toThe(.fraction(1, 2))) == .product([2, .power(2, .fraction(1, 2))]))
    #expect(canonical(Expr(4).toThe(.fraction(1, 4))) == .power(2, .fraction(1, 2)))
    #expect(canonical(Expr.fraction(1, 2).toThe(.fraction(1, 2)) * Expr(2).toThe(.fraction(1, 2))) == 1)
    #expect(canonical(Expr(2).toThe(-2)) == .fraction(1, 4))
    #expect(canonical(Expr(0).toThe(3)) == 0)
    #expect(throws: SymbolicError.self) { try Expr(0).toThe(-1).simplified() }
  }

  @Test("powers of expressions: integer exponents distribute, real semantics otherwise")
  func expressionPowers() {
    #expect(canonical(x.toThe(0)) == 1)
    #expect(canonical(x.toThe(1)) == x)
    #expect(canonical(x.toThe(2).toThe(3)) == .power(x, 6))
    #expect(canonical(x.toThe(.fraction(1, 2)).toThe(2)) == x)
    // (x²)^{1/2} is |x|, not x: kept.
    #expect(canonical(x.toThe(2).toThe(.fraction(1, 2))) == .power(.power(x, 2), .fraction(1, 2)))
    #expect(canonical((x * y).toThe(2)) == .product([.power(x, 2), .power(y, 2)]))
    #expect(canonical((4 * y).toThe(.fraction(1, 2))) == .product([2, .power(y, .fraction(1, 2))]))
    #expect(canonical((-4 * y).toThe(.fraction(1, 2))) == .product([2, .power(.product([-1, y]), .fraction(1, 2))]))
    #expect(canonical((Expr.cosh(x).toThe(2) * y).toThe(.fraction(1, 2))) == .product([.power(y, .fraction(1, 2)), .cosh(x)]))
    #expect(canonical(Expr.exp(x).toThe(L)) == .exp(.product([L, x])))
    #expect(canonical(Expr.exp(x).toThe(2)) == .power(.exp(x), 2))
  }

  @Test("elementary functions: exact values, inverse pairs, parity")
  func functions() {
    #expect(canonical(.exp(0)) == 1)
    #expect(canonical(.log(1)) == 0)
    #expect(canonical(.cosh(0)) == 1)
    #expect(canonical(.cos(0)) == 1)
    let odd: [(Expr) -> Expr] = [Expr.sinh, Expr.tanh, Expr.arcsinh, Expr.arctan, Expr.sin, Expr.tan]
    for f in odd { #expect(canonical(f(0)) == 0) }
    #expect(canonical(.abs(.fraction(-3, 2))) == .fraction(3, 2))
    #expect(canonical(.sign(-5)) == -1)
    #expect(canonical(.conjugate(.fraction(1, 3))) == .fraction(1, 3))
    #expect(canonical(.log(.exp(x + y))) == x + y)
    #expect(canonical(.exp(.log(x))) == x)
    #expect(canonical(.tan(.arctan(x))) == x)
    #expect(canonical(.sinh(.arcsinh(x))) == x)
    let onePlusX2 = Expr.sum([1, .power(x, 2)])
    #expect(canonical(.cosh(.arcsinh(x))) == .power(onePlusX2, .fraction(1, 2)))
    #expect(canonical(.cos(.arctan(x))) == .power(onePlusX2, .fraction(-1, 2)))
    #expect(canonical(.sin(.arctan(x))) == .product([x, .power(onePlusX2, .fraction(-1, 2))]))
    #expect(canonical(.sech(x)) == .power(.cosh(x), -1))
    #expect(canonical(.sec(x)) == .power(.cos(x), -1))
    #expect(canonical(.sinh(-x)) == .product([-1, .sinh(x)]))
    #expect(canonical(.sinh(1 - x)) == .sinh(1 - x))
    #expect(canonical(.sinh(x - 1)) == .product([-1, .sinh(1 - x)]))
    #expect(canonical(.cosh(-2 * x)) == .cosh(.product([2, x])))
    #expect(canonical(.abs(-x)) == .abs(x))
    #expect(canonical(.abs(.abs(x))) == .abs(x))
    #expect(canonical(.sign(.sign(x))) == .sign(x))
    #expect(canonical(.conjugate(.conjugate(x))) == x)
    #expect(canonical(.abs(.exp(x))) == .exp(x))
  }

  @Test("implicit inverses, bodies and integrals")
  func binders() {
    let t = Symbol("t")
    let f = ImplicitInverse(name: "f", variable: t, body: .symbol(t) + Expr.symbol(t).toThe(3))
    #expect(canonical(.inverse(f, y.toThe(3) + y)) == y)
    #expect(canonical(.inverse(f, 2)) == .inverse(f, 2))
    // On (0, ∞) the witness must be known positive.
    let g = ImplicitInverse(name: "g", variable: t, body: Expr.symbol(t).toThe(2), domain: OpenInterval(0, .infinity))
    #expect(canonical(.inverse(g, y.toThe(2))) == .inverse(g, .power(y, 2)))
    #expect(canonical(.inverse(g, Expr.exp(y).toThe(2))) == .exp(y))
    // Bodies are simplified.
    let h = ImplicitInverse(name: "h", variable: t, body: .symbol(t) + .symbol(t))
    var hs = h
    hs.body = .product([2, .symbol(t)])
    #expect(canonical(.inverse(h, .sinh(y))) == .inverse(hs, .sinh(y)))
    let s = Symbol("s")
    #expect(canonical(.integral(Integral(.symbol(s) * .symbol(s), s, from: x, to: x))) == 0)
    #expect(canonical(.integral(Integral(.symbol(s) * .symbol(s), s, from: 0, to: x)))
      == .integral(Integral(.power(.symbol(s), 2), s, from: 0, to: x)))
  }

  @Test("overflow is reported, never wrapped")
  func overflow() {
    let big = Expr.number(Rational(integer: Int.max))
    #expect(throwsOverflow { () throws(SymbolicError) -> Expr in try (big + 1).simplified() })
    #expect(throwsOverflow { () throws(SymbolicError) -> Expr in try (big * 2 * x).simplified() })
    #expect(throwsOverflow { () throws(SymbolicError) -> Expr in try Expr(3).toThe(64).simplified() })
    #expect(throwsOverflow { () throws(SymbolicError) -> Expr in
      try (Expr.fraction(1, Int.max) + .fraction(1, Int.max - 1)).simplified()
    })
    #expect(throwsOverflow { () throws(SymbolicError) -> Expr in
      try (big * x + big * x).simplified()
    })
  }

  @Test("expansion distributes products and integer powers of sums")
  func expansion() throws {
    let a = Expr.variable("a"), b = Expr.variable("b")
    #expect(try (a + b).toThe(2).expanded() == canonical(a.toThe(2) + 2 * a * b + b.toThe(2)))
    #expect(try ((x + 1) * (x - 1)).expanded() == canonical(x.toThe(2) - 1))
    #expect(try (x + y + z).toThe(3).expanded().children.count == 10)
    #expect(try (a + b).toThe(-1).expanded() == .power(a + b, -1))
    #expect(try Expr.exp((x + 1).toThe(2)).expanded() == .exp(canonical(1 + 2 * x + x.toThe(2))!))
    #expect(try (2 * (x + y) - 2 * x).expanded() == .product([2, y]))
    let e = ((x + 1) * (y - 2)).toThe(2) * (x - y)
    let once = try e.expanded()
    #expect(try once.expanded() == once)
  }
}
