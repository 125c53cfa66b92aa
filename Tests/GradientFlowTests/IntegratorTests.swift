import LinearAlgebra
import Testing

@testable import GradientFlow

@Suite("ROS34PW2 coefficients")
struct IntegratorCoefficientTests {
  /// Rosenbrock order conditions up to order 3 (Hairer & Wanner, *Solving ODEs II*, §IV.7,
  /// Table 7.1) with αᵢ = Σⱼαᵢⱼ, βᵢⱼ = αᵢⱼ + γᵢⱼ, βᵢ = Σ_{j<i}βᵢⱼ.
  @Test("published table satisfies the order conditions (3 and embedded 2)")
  func orderConditions() {
    let s = ROS34PW2.stages
    let g = ROS34PW2.gamma
    let alpha = ROS34PW2.alpha
    let gam = ROS34PW2.gammaMatrix
    func beta(_ i: Int, _ j: Int) -> Double { alpha[i * s + j] + gam[i * s + j] }
    let alphaSum = (0..<s).map { i in (0..<i).reduce(0) { $0 + alpha[i * s + $1] } }
    let betaSum = (0..<s).map { i in (0..<i).reduce(0) { $0 + beta(i, $1) } }
    for (name, weights, order) in [("b", ROS34PW2.b, 3), ("b̂", ROS34PW2.bHat, 2)] {
      var residuals = [weights.reduce(0, +) - 1]
      residuals.append((0..<s).reduce(0) { $0 + weights[$1] * betaSum[$1] } - (0.5 - g))
      if order >= 3 {
        residuals.append(
          (0..<s).reduce(0) { $0 + weights[$1] * alphaSum[$1] * alphaSum[$1] } - 1.0 / 3)
        let nested = (0..<s).reduce(0.0) { acc, i in
          acc + weights[i] * (0..<i).reduce(0) { $0 + beta(i, $1) * betaSum[$1] }
        }
        residuals.append(nested - (1.0 / 6 - g + g * g))
      }
      let worst = residuals.map(abs).max() ?? 0
      #expect(worst < 1e-15, "order conditions for \(name): residuals \(residuals)")
    }
    // Stiffly accurate: bᵢ = α₄ᵢ + γ₄ᵢ; in transformed form mⱼ = a₄ⱼ (j < 4), m₄ = 1.
    let t = ROS34PW2.tableau
    for j in 0..<s {
      #expect(abs(ROS34PW2.b[j] - beta(s - 1, j)) < 1e-15)
      #expect(abs(t.m[j] - (j < s - 1 ? t.a[(s - 1) * s + j] : 1)) < 1e-13, "m[\(j)] = \(t.m[j])")
    }
  }

  @Test("L-stable at infinity: one step with hλ = −1e12 annihilates the solution")
  func stabilityAtInfinity() throws {
    var system = IntegratorTestProblems.linear(1e12)
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-12))
    var state = [1.0]
    var time = 0.0
    _ = try integrator.takeFixedStep(&system, time: &time, state: &state, stepSize: 1)
    print("R(−1e12) ≈ \(state[0])")
    #expect(abs(state[0]) < 1e-10)
  }
}

@Suite("Rosenbrock integrator")
struct IntegratorTests {
  /// Global error at t = 2 of the Hopf problem with n fixed steps.
  func fixedStepError(_ system: DenseJacobianSystem, steps n: Int) throws -> Double {
    var system = system
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1, absolute: 1))
    var state = IntegratorTestProblems.hopfStart
    var time = 0.0
    for _ in 0..<n {
      _ = try integrator.takeFixedStep(&system, time: &time, state: &state, stepSize: 2 / Double(n))
    }
    return maxAbsoluteError(state, IntegratorTestProblems.hopfExact(2))
  }

  @Test(
    "order 3 with fixed steps, for the exact and for approximate Jacobians (W-method)",
    arguments: [
      ("exact J", 1.0, false), ("0.9·J", 0.9, false), ("J = 0", 0.0, false),
      ("J at r = 0", 1.0, true),
    ])
  func convergenceOrder(_ name: String, scale: Double, dropNonlinear: Bool) throws {
    let system = IntegratorTestProblems.hopf(
      jacobianScale: scale, dropNonlinearJacobian: dropNonlinear)
    let errors = try [32, 64, 128, 256].map { try fixedStepError(system, steps: $0) }
    let orders = (0..<3).map { Elementary.log(errors[$0] / errors[$0 + 1]) / Elementary.log(2) }
    print("\(name): errors \(errors), observed orders \(orders)")
    for p in orders { #expect(abs(p - 3) < 0.25, "\(name): observed order \(p), errors \(errors)") }
  }

  @Test("y' = −λy to t = 10 for λ = 1e0…1e8: step counts do not grow with the stiffness")
  func linearStiffness() throws {
    var counts: [Int] = []
    for lambda in [1e0, 1e2, 1e4, 1e6, 1e8] {
      var system = IntegratorTestProblems.linear(lambda)
      var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-10))
      var state = [1.0]
      try integrate(&system, &integrator, state: &state, from: 0, to: 10)
      let s = integrator.statistics
      let exact = Elementary.exp(-10 * lambda)
      print(
        "λ = \(lambda): accepted \(s.acceptedSteps), rejected \(s.rejectedSteps), f \(s.evaluations), "
          + "solves \(s.solves), y(10) = \(state[0]) (exact \(exact))")
      #expect(
        abs(state[0] - exact) <= 1e-4 * exact + 1e-9,
        "λ = \(lambda): y(10) = \(state[0]), exact \(exact)")
      counts.append(s.acceptedSteps + s.rejectedSteps)
    }
    // The transient e^(−λt) costs the same number of steps in the scaled time λt for every
    // λ; once |y| < atol the steps grow geometrically to the end. (λ = 1 is still in its
    // transient at t = 10, hence fewer steps.) An explicit method would need ≳ 10λ steps.
    let stiff = counts.dropFirst()
    let (fewest, most) = (stiff.min() ?? 0, stiff.max() ?? 0)
    #expect(Double(most) <= 1.05 * Double(fewest), "attempted steps per λ: \(counts)")
    #expect((counts.max() ?? 0) < 600, "attempted steps per λ: \(counts)")
  }

  @Test("Robertson to t = 1e5 and 1e11 against reference values")
  func robertson() throws {
    var system = IntegratorTestProblems.robertson()
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-14))
    var state = [1.0, 0, 0]
    try integrate(&system, &integrator, state: &state, from: 0, to: 1e5)
    let error5 = maxRelativeError(state, IntegratorTestProblems.robertsonAt1e5)
    print("Robertson t = 1e5: \(state), max relative error \(error5), \(integrator.statistics)")
    #expect(error5 < 1e-4)
    try integrate(&system, &integrator, state: &state, from: 1e5, to: 1e11)
    let error11 = maxRelativeError(state, IntegratorTestProblems.robertsonAt1e11)
    print("Robertson t = 1e11: \(state), max relative error \(error11), \(integrator.statistics)")
    #expect(error11 < 1e-4)
    #expect(integrator.statistics.acceptedSteps + integrator.statistics.rejectedSteps < 2000)
  }

  @Test("Van der Pol μ = 1000 over one period with a bounded number of steps")
  func vanDerPol() throws {
    var system = IntegratorTestProblems.vanDerPol()
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-8))
    var state = [2.0, 0]
    var time = 0.0
    var lowest = state[0]
    while time < 2000 {
      _ = try integrator.advance(&system, time: &time, state: &state, limit: 2000)
      lowest = min(lowest, state[0])
    }
    let error =
      abs(state[0] - IntegratorTestProblems.vanDerPolAt2000[0])
      / IntegratorTestProblems.vanDerPolAt2000[0]
    print("Van der Pol t = 2000: \(state), relative error in y₁ \(error), \(integrator.statistics)")
    #expect(lowest < -1.9, "the trajectory should reach the lower branch, lowest y₁ = \(lowest)")
    #expect(error < 1e-4)
    #expect(integrator.statistics.acceptedSteps + integrator.statistics.rejectedSteps < 4000)
  }

  @Test("the error decreases as the tolerance tightens")
  func toleranceProportionality() throws {
    var previous = Double.infinity
    for tolerance in [1e-3, 1e-5, 1e-7, 1e-9] {
      var system = IntegratorTestProblems.hopf()
      var integrator = RosenbrockIntegrator(
        tolerances: .init(relative: tolerance, absolute: tolerance))
      var state = IntegratorTestProblems.hopfStart
      try integrate(&system, &integrator, state: &state, from: 0, to: 5)
      let error = maxAbsoluteError(state, IntegratorTestProblems.hopfExact(5))
      print(
        "tolerance \(tolerance): error \(error), accepted \(integrator.statistics.acceptedSteps)")
      #expect(error < previous, "tolerance \(tolerance): error \(error) not below \(previous)")
      #expect(error < 100 * tolerance)
      previous = error
    }
  }

  @Test(
    "approximate Jacobians still converge on a stiff problem (W-method)",
    arguments: ["0.9·J", "J without the slow reaction", "J without ∂f/∂y₃", "finite differences"])
  func approximateJacobian(_ variant: String) throws {
    var system =
      switch variant {
      case "0.9·J": IntegratorTestProblems.robertson(jacobianScale: 0.9)
      case "J without the slow reaction": IntegratorTestProblems.robertson(dropSlowTerms: true)
      case "J without ∂f/∂y₃": IntegratorTestProblems.robertson(dropThirdColumn: true)
      default: DenseJacobianSystem(dimension: 3, vectorField: IntegratorTestProblems.robertsonField)
      }
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-14))
    var state = [1.0, 0, 0]
    try integrate(&system, &integrator, state: &state, from: 0, to: 1e5)
    let error = maxRelativeError(state, IntegratorTestProblems.robertsonAt1e5)
    print("Robertson with \(variant): max relative error \(error), \(integrator.statistics)")
    #expect(error < 1e-4)
    // Convergence is kept; the price of a cruder J is more steps (700 with the exact J).
    #expect(integrator.statistics.acceptedSteps + integrator.statistics.rejectedSteps < 5000)
  }

  /// Forward differences with δⱼ = √ε·max(|yⱼ|, 1) are accurate to O(√ε) relative on a
  /// well-scaled problem. (On a badly scaled one, such as Robertson's y₂ ~ 1e-5, δ is large
  /// relative to yⱼ and the error grows to ~1e-4: the W-method absorbs that, see above.)
  @Test("finite-difference Jacobian matches the analytic one")
  func finiteDifferenceJacobian() throws {
    var analytic = IntegratorTestProblems.hopf()
    var differenced = DenseJacobianSystem(
      dimension: 2, vectorField: IntegratorTestProblems.hopfField)
    let y = [0.6, -0.3]
    var f = [0.0, 0]
    analytic.evaluate(y, into: &f)
    try analytic.prepareSolves(at: y, derivative: f, shift: 2)
    try differenced.prepareSolves(at: y, derivative: f, shift: 2)
    var x = [1.0, -2]
    var z = x
    try analytic.solveShifted(&x)
    try differenced.solveShifted(&z)
    #expect(maxRelativeError(z, x) < 1e-7, "analytic \(x), differenced \(z)")
    #expect(differenced.vectorFieldEvaluations == 2 && differenced.jacobianEvaluations == 1)
  }

  @Test("dense shifted solve pivots, and reports a singular matrix")
  func denseSolve() throws {
    // J with a zero leading entry of shift·I − J at shift 0: needs a row exchange.
    let a = Matrix([[0, 2, 1, 0], [1, 1, 0, 3], [4, 0, 1, 1], [0, 1, 5, 2]])
    var system = DenseJacobianSystem(
      dimension: 4, vectorField: { y, dy in dy = a * y }, jacobian: { _, j in j = a })
    try system.prepareSolves(at: [0, 0, 0, 0], derivative: [0, 0, 0, 0], shift: 0)
    let b = [1.0, 2, 3, 4]
    var x = b
    try system.solveShifted(&x)
    let residual = maxAbsoluteError((-1.0) * (a * x), b)
    #expect(residual < 1e-13, "residual \(residual)")
    var identity = DenseJacobianSystem(
      dimension: 2, vectorField: { y, dy in dy = y }, jacobian: { _, j in j = .identity(2) })
    #expect(throws: DenseJacobianSystem.FactorizationError.singular(column: 0)) {
      try identity.prepareSolves(at: [1, 1], derivative: [1, 1], shift: 1)
    }
  }

  @Test("finite-time blow-up y' = y² throws stepSizeUnderflow near t = 1")
  func blowUp() {
    var system = IntegratorTestProblems.blowUp()
    var integrator = RosenbrockIntegrator(tolerances: .init(relative: 1e-6, absolute: 1e-6))
    var state = [1.0]
    let error = #expect(throws: IntegratorError.self) {
      try integrate(&system, &integrator, state: &state, from: 0, to: 2)
    }
    print("blow-up: \(String(describing: error)), y = \(state[0]), \(integrator.statistics)")
    guard case .stepSizeUnderflow(let time, let step)? = error else {
      Issue.record("expected stepSizeUnderflow, got \(String(describing: error))")
      return
    }
    // The linearly implicit steps stay finite through the pole, so the run may end just
    // past t = 1, within the tolerance: the underflow, not the exact pole, is the signal.
    #expect(abs(time - 1) < 1e-2, "time \(time)")
    #expect(step < 1e-14 * max(abs(time), 1))
  }

  @Test("solves that throw are rejections, and repeated failures end in solveFailed")
  func failingSolves() throws {
    var flaky = FailingSystem(inner: IntegratorTestProblems.linear(1), failures: 3)
    var integrator = RosenbrockIntegrator(
      tolerances: .init(relative: 1e-3, absolute: 1e-6), initialStep: 0.1)
    var state = [1.0]
    var time = 0.0
    let step = try integrator.advance(&flaky, time: &time, state: &state, limit: 10)
    print("flaky: step \(step), \(integrator.statistics)")
    #expect(integrator.statistics.rejectedSteps == 3)
    #expect(integrator.statistics.acceptedSteps == 1)
    #expect(abs(step - 0.1 / 8) < 1e-15)

    var broken = FailingSystem(inner: IntegratorTestProblems.linear(1), failures: nil)
    var failing = RosenbrockIntegrator(
      tolerances: .init(relative: 1e-6, absolute: 1e-10), initialStep: 0.1)
    state = [1.0]
    time = 0
    #expect(throws: IntegratorError.solveFailed(time: 0)) {
      _ = try failing.advance(&broken, time: &time, state: &state, limit: 10)
    }
    #expect(
      failing.statistics.rejectedSteps == RosenbrockIntegrator.maximumConsecutiveSolveFailures)
    #expect(failing.statistics.preparations == RosenbrockIntegrator.maximumConsecutiveSolveFailures)
    #expect(failing.statistics.acceptedSteps == 0)
    #expect(state == [1.0] && time == 0)
  }

  @Test("maxStep bounds every step, and the last step lands exactly on the limit")
  func maxStepAndLimit() throws {
    var system = IntegratorTestProblems.hopf()
    var integrator = RosenbrockIntegrator(
      tolerances: .init(relative: 1e-3, absolute: 1e-3), maxStep: 0.3)
    var state = IntegratorTestProblems.hopfStart
    var time = 0.0
    var largest = 0.0
    while time < 3.05 {
      largest = max(
        largest, try integrator.advance(&system, time: &time, state: &state, limit: 3.05))
    }
    #expect(largest <= 0.3)
    #expect(time == 3.05)
  }
}
