import LinearAlgebra
import Testing
@testable import Symbolic

/// `Identity.check()` and `GradientFlowModel`, on claims small enough to read.
@Suite("Identity checking")
struct IdentityCheckTests {
  let x = Symbol("x"), y = Symbol("y")
  var X: Expr { .symbol(x) }
  var Y: Expr { .symbol(y) }

  @Test("a true polynomial identity is proved (real zero test: expanded numerator 0)")
  func provedPolynomial() {
    let r = Identity(name: "square of a sum", lhs: (X + Y).toThe(2), rhs: X.toThe(2) + 2 * X * Y + Y.toThe(2),
                     numericCheck: NumericCheck()).check()
    #expect(r.status == .proved, "\(r.summary)")
    #expect(r.point == nil)
  }

  @Test("a false polynomial identity is refuted at a point where the sides differ")
  func refutedPolynomial() throws {
    let identity = Identity(name: "freshman's dream", lhs: (X + Y).toThe(2), rhs: X.toThe(2) + Y.toThe(2),
                            numericCheck: NumericCheck())
    let r = identity.check()
    #expect(r.status == .refuted, "\(r.summary)")
    let point = try #require(r.point)
    let gap = try identity.lhs.evaluate(point) - identity.rhs.evaluate(point)
    // (x + y)² − x² − y² = 2xy: non-zero exactly when neither coordinate is 0.
    #expect(Swift.abs(gap) > 1e-9, "difference \(gap) at \(point)")
    expectClose(gap, 2 * point[x]! * point[y]!, relative: 1e-12)
  }

  @Test("an integral identity: proved, or checked numerically (no antiderivatives in the engine)")
  func integralIdentity() {
    let s = Symbol("s")
    let lhs = Expr.integral(Integral(Expr.sech(.symbol(s)).toThe(2), s, from: 0, to: X))
    let r = Identity(name: "∫ sech² = tanh", lhs: lhs, rhs: .tanh(X),
                     numericCheck: NumericCheck(ranges: [x: -3...3], count: 8)).check()
    #expect(r.status == .proved || r.status == .checked, "\(r.summary)")
    if r.status == .checked {
      #expect(r.detail.contains("8 random points"), "\(r.detail)")
      #expect((r.largestSampledDifference ?? 1) <= 1e-12)
    }
  }

  @Test("no numeric fallback and no exact decision: undecided, never checked")
  func undecidedWithoutFallback() {
    let s = Symbol("s")
    let lhs = Expr.integral(Integral(Expr.sech(.symbol(s)).toThe(2), s, from: 0, to: X))
    let r = Identity(name: "∫ sech² = tanh, no fallback", lhs: lhs, rhs: .tanh(X)).check()
    #expect(r.status == .proved || r.status == .undecided, "\(r.summary)")
  }

  @Test("the tolerance is absolute + relative·max(|a|, |b|), symmetric")
  func tolerance() {
    let t = NumericTolerance(absolute: 1e-9, relative: 1e-6, justification: "test")
    #expect(t.bound(2, -3) == 1e-9 + 3e-6)
    #expect(t.bound(-3, 2) == t.bound(2, -3))
  }

  /// 𝓛 = ℓ(y·a·b) + ℓ(a): the velocity is −∇𝓛 by central differences of the loss itself
  /// (h = 1e-6: truncation ~h²·|𝓛‴| ≈ 1e-12, rounding ~ε|𝓛|/h ≈ 1e-10), and
  /// timeDerivative(C) = ∇C·θ̇.
  @Test("velocity is −∇𝓛 and timeDerivative is ∇C · θ̇, against finite differences")
  func gradientFlowModel() throws {
    let a = Symbol("a"), b = Symbol("b"), label = Symbol("y")
    let ell = OpaqueFunction("ℓ")
    let model = GradientFlowModel(
      parameters: [a, b],
      loss: .opaque(ell, .symbol(label) * .symbol(a) * .symbol(b)) + .opaque(ell, .symbol(a)))
    let functions = NumericCheck.exponentialLoss()
    let point: [Symbol: Double] = [a: 0.7, b: -0.4, label: 1]
    let h = 1e-6
    var fdVelocity: [Double] = []
    for p in model.parameters {
      var plus = point, minus = point
      plus[p]! += h
      minus[p]! -= h
      fdVelocity.append(-(try model.loss.evaluate(EvaluationContext(plus, functions: functions))
        - model.loss.evaluate(EvaluationContext(minus, functions: functions))) / (2 * h))
    }
    for (k, v) in model.velocity.enumerated() {
      expectClose(try v.evaluate(EvaluationContext(point, functions: functions)), fdVelocity[k], relative: 1e-8,
                  "θ̇ of \(model.parameters[k])")
    }
    let c = Expr.symbol(a).toThe(2) * .symbol(b)
    let expected = 2 * 0.7 * -0.4 * fdVelocity[0] + 0.7 * 0.7 * fdVelocity[1]
    expectClose(try model.timeDerivative(of: c).evaluate(EvaluationContext(point, functions: functions)), expected,
                relative: 1e-8, "dC/dt")
    // A quantity free of the parameters has dC/dt = 0 identically (an empty sum).
    #expect(model.timeDerivative(of: .symbol(label)).isZero)
  }
}
