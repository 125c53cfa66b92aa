import LinearAlgebra
import PropertyChecking
import Testing
@testable import Symbolic

/// Central difference (f(x+h) − f(x−h))/2h: truncation error h²·|f‴|/6, rounding error
/// ~ε|f|/h; with h = 1e-5 both are ≲ 1e-9 for the O(1) functions and points used here, so
/// agreement is asserted to a relative 1e-7.
func centralDifference(_ e: Expr, _ s: Symbol, at values: [Symbol: Double], h: Double = 1e-5,
                       functions: [String: @Sendable (Double) -> Double] = [:]) throws -> Double
{
  var plus = values, minus = values
  plus[s]! += h
  minus[s]! -= h
  return (try e.evaluate(EvaluationContext(plus, functions: functions))
    - e.evaluate(EvaluationContext(minus, functions: functions))) / (2 * h)
}

func expectClose(_ a: Double, _ b: Double, relative: Double = 1e-7, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation)
{
  #expect(Swift.abs(a - b) <= relative * max(1, Swift.abs(a), Swift.abs(b)), "\(what): \(a) vs \(b)",
          sourceLocation: sourceLocation)
}

@Suite("Differentiation")
struct DerivativeTests {
  let x = Symbol("x"), y = Symbol("y")
  var X: Expr { .symbol(x) }
  var Y: Expr { .symbol(y) }

  @Test("every elementary function's rule against a central difference",
        arguments: ElementaryFunction.allCases.filter { $0 != .sign && $0 != .conjugate })
  func elementaryRules(_ f: ElementaryFunction) throws {
    // Argument u = x·y + 1/2 keeps log, abs and arcsinh away from their singular points.
    let e = Expr.function(f, X * Y + .fraction(1, 2))
    let d = e.derivative(withRespectTo: x)
    for point in [(0.3, 0.7), (-0.2, 1.1), (0.9, -0.4)] {
      let values = [x: point.0, y: point.1]
      expectClose(try d.evaluate(values), try centralDifference(e, x, at: values), "\(f)")
    }
  }

  @Test("powers with constant and variable exponents, products, quotients")
  func algebraicRules() throws {
    let cases: [Expr] = [
      X.toThe(.fraction(5, 3)) * Y,
      (X * X + 1).toThe(.fraction(-1, 2)),
      X.toThe(Y),
      (X + Y) / (1 + X * X),
      .exp(X * Y) * .sin(X) - X.toThe(3),
    ]
    for e in cases {
      let d = e.derivative(withRespectTo: x)
      let values = [x: 0.8, y: 1.3]
      expectClose(try d.evaluate(values), try centralDifference(e, x, at: values))
    }
  }

  @Test("the implicit inverse by the inverse-function rule; the integral by Leibniz")
  func inverseAndIntegral() throws {
    let t = Symbol("t")
    // f(t) = t³ + t, strictly increasing; (f⁻¹)′(z) = 1/(3t² + 1) at t = f⁻¹(z).
    let f = ImplicitInverse(name: "f", variable: t, body: Expr.symbol(t).toThe(3) + .symbol(t))
    let e = Expr.inverse(f, X)
    let d = e.derivative(withRespectTo: x)
    let root = try e.evaluate([x: 2.0])
    expectClose(root, 1, relative: 1e-14, "f⁻¹(2) = 1")
    expectClose(try d.evaluate([x: 2.0]), 0.25, relative: 1e-12, "(f⁻¹)′(2) = 1/4")
    // G(θ) = ∫₀^θ sech(s)^{y} ds: ∂G/∂θ = sech(θ)^y; ∂G/∂y by differentiating under ∫.
    let s = Symbol("s")
    let g = Expr.integral(Integral(Expr.sech(.symbol(s)).toThe(Y), s, from: 0, to: X))
    let values = [x: 0.7, y: 2.0]
    expectClose(try g.evaluate(values), Elementary.tanh(0.7), relative: 1e-13, "∫ sech² = tanh")
    expectClose(try g.derivative(withRespectTo: x).evaluate(values), 1 / Elementary.cosh(0.7) / Elementary.cosh(0.7),
                relative: 1e-13)
    expectClose(try g.derivative(withRespectTo: y).evaluate(values), try centralDifference(g, y, at: values))
  }

  @Test("opaque functions differentiate to the next order")
  func opaque() throws {
    let ell = OpaqueFunction("ℓ")
    let e = Expr.opaque(ell, X * Y)
    let d = e.derivative(withRespectTo: x)
    let fns: [String: @Sendable (Double) -> Double] = ["ℓ": { Elementary.exp(-$0) }, "ℓ′": { -Elementary.exp(-$0) }]
    let values = [x: 0.4, y: 1.5]
    expectClose(try d.evaluate(EvaluationContext(values, functions: fns)),
                try centralDifference(e, x, at: values, functions: fns))
    #expect(throws: SymbolicError.self) { try d.evaluate(values) }
  }

  @Test("Wirtinger: 2∂/∂z̄ of a real function is its (x, y)-gradient as a complex number")
  func wirtinger() throws {
    let z = Symbol("z"), p = Symbol("p")
    let Z = Expr.symbol(z)
    // f = (1/p)|z|^p: gradient |z|^{p−2} z.
    let f = Expr.abs(Z).toThe(.symbol(p)) / .symbol(p)
    let grad = 2 * f.wirtingerDerivative(withRespectTo: z, conjugate: true)
    let w = Complex(0.6, -0.8 * 1.5)
    let value = try grad.evaluate(complex: [z: w, p: Complex(0.5, 0)])
    // Finite differences in x and y of f(x + iy).
    func fValue(_ c: Complex) throws -> Double { try f.evaluate(complex: [z: c, p: Complex(0.5, 0)]).re }
    let h = 1e-6
    let gx = (try fValue(Complex(w.re + h, w.im)) - fValue(Complex(w.re - h, w.im))) / (2 * h)
    let gy = (try fValue(Complex(w.re, w.im + h)) - fValue(Complex(w.re, w.im - h))) / (2 * h)
    expectClose(value.re, gx, "∂f/∂x")
    expectClose(value.im, gy, "∂f/∂y")
    // ∂z̄/∂z = 0 and ∂z̄/∂z̄ = 1; ∂z/∂z̄ = 0.
    #expect(try Expr.conjugate(Z).wirtingerDerivative(withRespectTo: z, conjugate: false).evaluate(complex: [:]).re == 0)
    #expect(try Expr.conjugate(Z).wirtingerDerivative(withRespectTo: z, conjugate: true).evaluate(complex: [:]).re == 1)
  }
}

@Suite("Numeric evaluation")
struct EvaluationTests {
  @Test("domain errors are reported, compiled closures give NaN")
  func domains() throws {
    let x = Symbol("x")
    #expect(throws: SymbolicError.self) { try Expr.log(.symbol(x)).evaluate([x: -1]) }
    #expect(throws: SymbolicError.self) { try Expr.symbol(x).toThe(.fraction(1, 2)).evaluate([x: -1]) }
    #expect(throws: SymbolicError.self) { try Expr.symbol(x).evaluate([:]) }
    expectClose(try Expr.symbol(x).toThe(.fraction(1, 3)).evaluate([x: -8]), -2, relative: 1e-15, "real cube root")
    let c = try CompiledExpression(.log(.symbol(x)) + Expr.symbol(x).toThe(2), variables: [x])
    expectClose(c([2]), Elementary.log(2) + 4, relative: 1e-15)
    #expect(c([-1]).isNaN)
    #expect(throws: SymbolicError.self) { try CompiledExpression(.symbol(Symbol("y")), variables: [x]) }
  }

  @Test("adaptive quadrature reaches its tolerance on smooth and peaked integrands")
  func quadrature() throws {
    let s = Symbol("s"), x = Symbol("x")
    let atanIntegral = Expr.integral(Integral((1 + Expr.symbol(s).toThe(2)).toThe(-1), s, from: 0, to: .symbol(x)))
    expectClose(try atanIntegral.evaluate([x: 50]), Elementary.atan(50), relative: 1e-13)
    let peaked = Expr.integral(Integral((Expr.fraction(1, 10_000) + Expr.symbol(s).toThe(2)).toThe(-1), s, from: -1, to: 1))
    expectClose(try peaked.evaluate([:]), 2 * 100 * Elementary.atan(100), relative: 1e-12)
  }
}

@Suite("Implicit inverses")
struct ImplicitInverseTests {
  @Test("roots of t³ + t = z and of τ/(1 − τ²)² = z on (−1, 1) to a few ulps")
  func roots() throws {
    let t = Symbol("t"), z = Symbol("z"), T = Expr.symbol(t)
    let cubic = Expr.inverse(ImplicitInverse(name: "c", variable: t, body: T.toThe(3) + T), .symbol(z))
    for value in [2.0, -10.0, 1e-8, 1e6] {
      let r = try cubic.evaluate([z: value])
      #expect(Swift.abs(r * r * r + r - value) <= 4e-16 * Swift.abs(value) * 3, "cubic at \(value): \(r)")
    }
    let h4 = Expr.inverse(ImplicitInverse(name: "h", variable: t, body: T / (1 - T.toThe(2)).toThe(2),
                                          domain: OpenInterval(-1, 1)), .symbol(z))
    for value in [0.5, -3.0, 1e4] {
      let r = try h4.evaluate([z: value])
      let back = r / ((1 - r * r) * (1 - r * r))
      #expect(Swift.abs(back - value) <= 1e-9 * Swift.abs(value), "h₄ at \(value): \(r)")
    }
  }
}

@Suite("Differentiation: random expressions")
struct DerivativePropertyTests {
  /// ∂e/∂x against a Richardson-extrapolated central difference, (4D(h/2) − D(h))/3 with
  /// D(h) = (e(x+h) − e(x−h))/2h and h = 1e-3: truncation O(h⁴·|e⁽⁵⁾|) ≈ 1e-12 for the
  /// moderate functions generated, rounding ≈ 4ε|e|/h ≈ 1e-12·|e|. Asserted to
  /// 1e-6·max(1, |∂e|, |e|); points where |e| > 1e6 (nested exponentials) are discarded.
  @Test("the symbolic derivative (raw and simplified) equals finite differences")
  func againstFiniteDifferences() {
    let x = RandomExpressions.symbols[0]
    let outcome = checkProperty("∂e/∂x = finite difference", seed: 0xD1FF, cases: 300,
                                generator: RandomExpressions.generator(depth: 3)) { e in
      let raw = e.derivative(withRespectTo: x)
      guard let simplified = try? raw.simplified() else { return .discard("simplification overflowed") }
      var rng = SeededGenerator(seed: 0xD1FF ^ UInt64(e.nodeCount))
      var compared = 0
      for _ in 0..<3 {
        let point = RandomExpressions.point(&rng)
        func value(_ dx: Double) -> Double? {
          var p = point
          p[x]! += dx
          return try? e.evaluate(p)
        }
        let h = 1e-3
        guard let f0 = try? e.evaluate(point), Swift.abs(f0) <= 1e6,
              let a = value(h), let b = value(-h), let c = value(h / 2), let d = value(-h / 2),
              let symbolic = try? raw.evaluate(point), let symbolic2 = try? simplified.evaluate(point)
        else { continue }
        let dh = (a - b) / (2 * h), dh2 = (c - d) / h
        let fd = (4 * dh2 - dh) / 3
        let scale = Swift.max(1, Swift.abs(symbolic), Swift.abs(f0))
        if Swift.abs(symbolic - fd) > 1e-6 * scale {
          return .fail("∂/∂x \(e) = \(raw.rendered()) gives \(symbolic), finite difference \(fd) at \(point)")
        }
        if Swift.abs(symbolic2 - symbolic) > 1e-9 * scale {
          return .fail("simplified derivative \(simplified.rendered()) gives \(symbolic2) ≠ \(symbolic)")
        }
        compared += 1
      }
      return compared > 0 ? .pass : .discard("no evaluable point")
    }
    #expect(outcome.passed, "\(outcome)")
  }
}
