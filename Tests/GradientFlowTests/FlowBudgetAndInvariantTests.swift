import LinearAlgebra
import Testing

@testable import GradientFlow

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The trajectory drivers under budgets, failures and their self-checks (issue 8).
@Suite("Flow budgets, failures and invariants")
struct FlowBudgetAndInvariantTests {
  /// A depth-2 diagonal network on four separable points in ℝ².
  static func classification(_ configure: (inout TrajectoryOptions) -> Void) -> ClassificationTrajectory {
    let x = Matrix(rows: 4, columns: 2, storage: [1, 0.2, 0.9, -0.4, -1, 0.1, -0.8, -0.5])
    let data = ClassificationData(inputs: x, labels: [1, 1, -1, -1])
    var options = TrajectoryOptions(checkpoints: TrajectoryOptions.halfDecades(upTo: 1e3))
    configure(&options)
    return integrateClassificationFlow(network: .diagonal(dimension: 2, depth: 2), data: data, loss: .exponential,
                                       initialState: [0.1, -0.2, 0.15, 0.05], options: options)
  }

  /// A depth-2 diagonal network on two points in ℝ⁴, from a(0) = (0.3, 0).
  static func regression(_ configure: (inout RegressionOptions) -> Void) -> RegressionTrajectory {
    let x = Matrix(rows: 2, columns: 4, storage: [1, 2, 0.5, -1, 0, 1, 1, 2])
    var options = RegressionOptions()
    options.tolerances = IntegratorTolerances(relative: 1e-8, absolute: 1e-11)
    configure(&options)
    var state = [Double](repeating: 0, count: 8)
    for j in 0..<4 { state[2 * j] = 0.3 }
    return integrateRegressionFlow(network: .diagonal(dimension: 4, depth: 2), inputs: x, targets: [1, -2],
                                   initialState: state, options: options)
  }

  @Test("the step budget and a spent deadline stop the classification flow, with log(1/Loss) reached")
  func classificationBudgets() {
    #expect(Self.classification { _ in }.stop == .completed)
    #expect(Self.classification { $0 = FlowBudget(maxSteps: 3).applied(to: $0) }.stop == .stepBudget(steps: 3))
    let past = FlowBudget(deadline: ContinuousClock.now.advanced(by: .seconds(-1)), seconds: 1)
    let cut = Self.classification { $0 = past.applied(to: $0) }
    guard case .timeBudget(let g) = cut.stop else {
      Issue.record("expected the time budget, got \(cut.stop)")
      return
    }
    #expect(cut.statistics.acceptedSteps == 0 && g == cut.finalObservation.logInverseLoss)
  }

  @Test("the step budget, a spent deadline and an unmeetable tolerance stop the regression flow, typed and worded")
  func regressionBudgets() {
    #expect(Self.regression { _ in }.stop == .converged)
    let stepped = Self.regression { $0 = FlowBudget(maxSteps: 3).applied(to: $0) }
    guard case .stepBudget(3, _) = stepped.stop else {
      Issue.record("expected the step budget, got \(stepped.stop)")
      return
    }
    #expect(stepped.failure?.contains("rerun with a larger --max-steps") == true, "\(stepped.failure ?? "")")
    let timed = Self.regression { $0.deadline = ContinuousClock.now.advanced(by: .seconds(-1)) }
    guard case .timeBudget(0, _) = timed.stop else {
      Issue.record("expected the time budget, got \(timed.stop)")
      return
    }
    #expect(timed.failure?.contains("rerun with a larger --max-seconds") == true)
    let collapsed = Self.regression { $0.tolerances = IntegratorTolerances(relative: 1e-300, absolute: 1e-300) }
    guard case .integratorFailure(.stepSizeUnderflow) = collapsed.stop else {
      Issue.record("expected a step-size underflow, got \(collapsed.stop)")
      return
    }
    #expect(collapsed.failure?.contains("the step size collapsed") == true)
  }

  @Test("an unmeetable tolerance stops the classification flow with the cause in words")
  func classificationCollapse() {
    let r = Self.classification { $0.tolerances = IntegratorTolerances(relative: 1e-300, absolute: 1e-300) }
    guard case .integratorFailure(let why) = r.stop else {
      Issue.record("expected an integrator failure, got \(r.stop)")
      return
    }
    #expect(why.contains("the step size collapsed") && why.contains("would decide"), "\(why)")
  }

  @Test("a budget keeps the earlier of two deadlines and replaces the step budget")
  func applied() {
    let soon = ContinuousClock.now.advanced(by: .seconds(1)), later = soon.advanced(by: .seconds(5))
    var options = RegressionOptions()
    options.deadline = soon
    let o = FlowBudget(maxSteps: 7, deadline: later).applied(to: options)
    #expect(o.deadline == soon && o.maxSteps == 7)
    #expect(FlowBudget().applied(to: options).maxSteps == RegressionOptions().maxSteps)
    #expect(FlowBudget(seconds: 5, from: soon).deadline == soon.advanced(by: .seconds(5)))
  }

  // MARK: - Invariants (VERIFIER_INVARIANTS=1)

  /// A 1-D system whose "log(1/Loss)" −y falls as the state climbs: gradient ascent, which
  /// the invariant check must catch.
  static func ascent() -> (DenseJacobianSystem, TrajectoryOptions) {
    let system = DenseJacobianSystem(dimension: 1, vectorField: { _, dy in dy[0] = 1 }, jacobian: { _, j in j[0, 0] = 0 })
    var options = TrajectoryOptions(checkpoints: [10])
    options.maxSteps = 500
    return (system, options)
  }

  static func runAscent() -> TrajectoryStop {
    var (system, options) = ascent()
    return integrateToCheckpoints(&system, initialState: [0], options: options, logLossAtZero: 0,
                                  observe: { $0[0] }, logLoss: { $0 }, logClockRate: { _, _ in 0 },
                                  record: { _, _, _, _, _ in }).stop
  }

  static func runRisingResidual() -> RegressionStop {
    var system = DenseJacobianSystem(dimension: 1, vectorField: { _, dy in dy[0] = 1 }, jacobian: { _, j in j[0, 0] = 0 })
    var options = RegressionOptions()
    options.maxSteps = 100  // steps grow fivefold each: far below overflow
    return integrateToInterpolation(&system, initialState: [0], options: options,
                                    relativeResidual: { 1 + abs($0[0]) }, sample: { $0 }).stop
  }

  @Test("with the flag on, log(1/Loss) falling along accepted steps traps")
  func ascentTraps() async {
    await #expect(processExitsWith: .failure) {
      setenv("VERIFIER_INVARIANTS", "1", 1)
      _ = FlowBudgetAndInvariantTests.runAscent()
    }
  }

  @Test("with the flag off, the same run ends normally at its budget (the checks change nothing)")
  func ascentWithoutFlag() async {
    await #expect(processExitsWith: .success) {
      unsetenv("VERIFIER_INVARIANTS")
      let stop = FlowBudgetAndInvariantTests.runAscent()
      guard case .clockBudget = stop else { exit(3) }
    }
  }

  @Test("with the flag on, a residual rising along accepted steps traps; off, the run ends at its budget")
  func risingResidual() async {
    await #expect(processExitsWith: .failure) {
      setenv("VERIFIER_INVARIANTS", "1", 1)
      _ = FlowBudgetAndInvariantTests.runRisingResidual()
    }
    await #expect(processExitsWith: .success) {
      unsetenv("VERIFIER_INVARIANTS")
      guard case .stepBudget(100, _) = FlowBudgetAndInvariantTests.runRisingResidual() else { exit(3) }
    }
  }

  @Test("a conservation drift beyond its bound traps; a non-finite state traps")
  func conservationAndFiniteness() async {
    await #expect(processExitsWith: .failure) {
      FlowInvariants.checkConservation(drift: 1e-3, steps: 10, dimension: 4,
                                       tolerances: IntegratorTolerances(relative: 1e-10, absolute: 1e-13), scale: 1, "test")
    }
    await #expect(processExitsWith: .failure) { FlowInvariants.checkFinite([0, .nan], step: 1, "test") }
    // Within the bounds nothing happens.
    FlowInvariants.checkConservation(drift: 1e-9, steps: 10, dimension: 4,
                                     tolerances: IntegratorTolerances(relative: 1e-10, absolute: 1e-13), scale: 1, "test")
    FlowInvariants.checkClassificationStep(state: [1, 2], before: 10, after: 10 - 1e-6, relativeTolerance: 1e-6, step: 1)
  }

  @Test("the invariants hold along real flows (the suite runs with VERIFIER_INVARIANTS=1)")
  func realFlowsPass() {
    // With the flag on these runs check every accepted step and checkpoint; with it off
    // they are ordinary runs. Either way they complete.
    #expect(Self.classification { _ in }.stop == .completed)
    #expect(Self.regression { _ in }.stop == .converged)
  }
}
