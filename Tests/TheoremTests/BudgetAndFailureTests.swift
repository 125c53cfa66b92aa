import GradientFlow
import LinearAlgebra
import Optimization
import PropertyChecking
import Testing
@testable import Theorems

/// Budgets and numerical failures end in `inconclusive` with the cause and what would decide
/// it (issue 8, items 2 and 3). Paths that do not occur on well-posed inputs are injected
/// through the checks' internal `NumericalLimits` (a tiny pivot, NNLS or Newton budget, a tiny
/// clock budget, tolerances the arithmetic cannot meet) or a budget that is already spent.
@Suite("Budgets and numerical failures are inconclusive, with the reason")
struct BudgetAndFailureTests {
  /// What a budget-cut case must say.
  enum Cut: String, CaseIterable, CustomTestStringConvertible {
    case steps, time
    var testDescription: String { rawValue }

    /// Two accepted steps per flow, or a deadline that has passed (set from "3 s").
    var budget: FlowBudget {
      switch self {
      case .steps: FlowBudget(maxSteps: 2)
      case .time: FlowBudget(deadline: ContinuousClock.now.advanced(by: .seconds(-1)), seconds: 3)
      }
    }

    /// The cause and the remedy, as the reports word them.
    var phrases: [String] {
      switch self {
      case .steps: ["step budget of 2 accepted steps exhausted", "rerun with a larger --max-steps"]
      case .time: ["time budget of 3 s (--max-seconds) exhausted", "rerun with a larger --max-seconds"]
      }
    }

    func expectCut(_ verdict: Verdict, _ reason: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
      #expect(verdict == .inconclusive, "\(what): \(verdict) — \(reason)", sourceLocation: sourceLocation)
      for p in phrases { #expect(reason.contains(p), "\(what): '\(p)' missing from: \(reason)", sourceLocation: sourceLocation) }
    }
  }

  // MARK: - Budgets, every theorem

  @Test("Theorem 2", arguments: Cut.allCases)
  func theorem2(cut: Cut) {
    var config = Theorem2SweepConfiguration()
    config.budget = cut.budget
    let c = Theorem2.generateCase(seed: 1, kind: .diagonal, depth: 2, configuration: config)
    let r = Theorem2.check(c)
    cut.expectCut(r.verdict, r.reason, "theorem 2")
  }

  @Test("Theorems 1 and 3", arguments: Cut.allCases)
  func tensorTheorems(cut: Cut) {
    var config = TensorSweepConfiguration()
    config.budget = cut.budget
    let c = config.makeCase(0)
    let one = Theorem1.check(c), three = Theorem3.check(c)
    cut.expectCut(one.verdict, one.reason, "theorem 1")
    cut.expectCut(three.verdict, three.reason, "theorem 3")
    let claimed = Theorem1.check(c, claimedNorm: 1)
    cut.expectCut(claimed.verdict, claimed.reason, "theorem 1 --against-norm 1")
  }

  @Test("Theorem 4, its general initialization and its α-sweep", arguments: Cut.allCases)
  func theorem4(cut: Cut) {
    var config = Theorem4SweepConfiguration()
    config.budget = cut.budget
    let c = Theorem4.generateCase(seed: 1, kind: .diagonal, depth: 2, configuration: config)
    let r = Theorem4.check(c)
    cut.expectCut(r.verdict, r.reason, "theorem 4")
    config.generalInitialization = true
    let g = Theorem4.check(Theorem4.generateCase(seed: 1, kind: .diagonal, depth: 2, configuration: config))
    cut.expectCut(g.verdict, g.reason, "theorem 4 --general-init")
    let trend = Theorem4.alphaTrend(network: c.network, inputs: c.inputs, targets: c.targets, shape: c.shape,
                                    smallAlphas: [0.1], largeAlphas: [10], budget: cut.budget)
    cut.expectCut(trend.verdict, trend.reason, "theorem 4 --alpha-sweep")
  }

  @Test("Theorem 5", arguments: Cut.allCases)
  func theorem5(cut: Cut) {
    var config = Theorem5SweepConfiguration()
    config.budget = cut.budget
    let r = Theorem5.check(config.makeCase(0))
    cut.expectCut(r.verdict, r.reason, "theorem 5")
  }

  @Test("woodworth2020 and azulay2021", arguments: Cut.allCases)
  func neighbours(cut: Cut) {
    let (x, y) = NeighbourTheorem.randomData(seed: 5)
    for theorem in NeighbourTheorem.allCases {
      let r = theorem.check(inputs: x, targets: y, depth: 2, alpha: 0.5, shape: 0.2, budget: cut.budget)
      cut.expectCut(r.verdict, r.reason, theorem.rawValue)
    }
  }

  @Test("soudry2018 and gunasekar2018", arguments: Cut.allCases)
  func linearModelAndContrast(cut: Cut) {
    let s = Soudry2018.check(seed: 1, budget: cut.budget)
    cut.expectCut(s.verdict, s.reason, "soudry2018")
    let g = Gunasekar2018.check(seed: 1, depth: 2, horizon: 100, budget: cut.budget)
    #expect(g.verdict == .inconclusive, "\(g.reason)")
    for part in [g.fullyConnected, g.fullyConnectedSwapped] { cut.expectCut(part.verdict, part.reason, "gunasekar2018 FC") }
    for part in [g.convolutional, g.convolutionalSwapped] { cut.expectCut(part.verdict, part.reason, "gunasekar2018 conv") }
    let swapped = Gunasekar2018.check(seed: 1, depth: 2, horizon: 100, swapped: true, budget: cut.budget)
    #expect(swapped.verdict == .inconclusive, "a cut case refutes nothing: \(swapped.reason)")
  }

  // MARK: - Numerical failures

  /// A Theorem-2 case (diagonal, depth 2, default seed) with the given limits.
  func theorem2Case(_ limits: NumericalLimits) -> Theorem2Case {
    var c = Theorem2.generateCase(seed: 1, kind: .diagonal, depth: 2, configuration: Theorem2SweepConfiguration())
    c.limits = limits
    return c
  }

  @Test("step-size collapse: tolerances the arithmetic cannot meet stop the integrator, and the case says so")
  func stepSizeCollapse() {
    var limits = NumericalLimits()
    limits.tolerances = IntegratorTolerances(relative: 1e-300, absolute: 1e-300)
    let r = Theorem2.check(theorem2Case(limits))
    #expect(r.verdict == .inconclusive, "\(r.reason)")
    #expect(r.reason.contains("integrator failure: the step size collapsed") && r.reason.contains("different scale"),
            "\(r.reason)")
    var c4 = Theorem4.generateCase(seed: 2, kind: .diagonal, depth: 3, configuration: Theorem4SweepConfiguration())
    c4.limits = limits
    let r4 = Theorem4.check(c4)
    #expect(r4.verdict == .inconclusive && r4.reason.contains("the step size collapsed"), "\(r4.reason)")
  }

  @Test("overflow: regression data of size 1e200 make the field infinite; the case asks for rescaled data")
  func overflow() {
    let x = Matrix(rows: 2, columns: 4, storage: [1e200, 2e200, 3, 4, 1, 0, 1e200, 2])
    let c = Theorem4Case(seed: 1, network: .diagonal(dimension: 4, depth: 2), inputs: x, targets: [5e200, 1],
                         alpha: 0.5, shape: [1, 1, 1, 1])
    let r = Theorem4.check(c)
    #expect(r.verdict == .inconclusive, "\(r.reason)")
    #expect(r.reason.contains("not finite") && r.reason.contains("rescale the data"), "\(r.reason)")
  }

  @Test("a checkpoint never reached: the clock budget runs out; the case names the horizon and the scale")
  func clockBudget() {
    var limits = NumericalLimits()
    limits.maxClock = 1e-3
    let r = Theorem2.check(theorem2Case(limits))
    #expect(r.verdict == .inconclusive, "\(r.reason)")
    #expect(r.reason.contains("checkpoint never reached") && r.reason.contains("--horizon")
              && r.reason.contains("--init-scale"), "\(r.reason)")
  }

  @Test("LP pivot budget: separability undecided is inconclusive, not 'hypothesis not met'")
  func lpIterationCap() {
    var limits = NumericalLimits()
    limits.lpPivots = 1
    let r = Theorem2.check(theorem2Case(limits))
    #expect(r.verdict == .inconclusive, "\(r.reason)")
    #expect(r.reason.contains("separability LP did not finish") && r.reason.contains("different scale"), "\(r.reason)")
    var t = TensorSweepConfiguration().makeCase(0)
    t.limits = limits
    let three = Theorem3.check(t)
    #expect(three.verdict == .inconclusive && three.reason.contains("separability LP did not finish"), "\(three.reason)")
    let s = Soudry2018.check(seed: 1, horizon: 100, initScale: 0.1, claimedNorm: nil, thresholds: .init(),
                             budget: FlowBudget(), limits: limits)
    #expect(s.verdict == .inconclusive && s.reason.contains("separability LP did not finish"), "\(s.reason)")
  }

  @Test("NNLS not converging: an uncertified SVM makes Theorem 3 and soudry2018 inconclusive")
  func nnlsCap() {
    var limits = NumericalLimits()
    limits.nnlsIterations = 0
    var t = TensorSweepConfiguration().makeCase(0)
    t.limits = limits
    let three = Theorem3.check(t)
    #expect(three.verdict == .inconclusive, "\(three.reason)")
    #expect(three.reason.contains("NNLS") && three.reason.contains("iteration cap")
              && three.reason.contains("would decide"), "\(three.reason)")
    let one = Theorem1.check(t, claimedNorm: 2)
    #expect(one.verdict == .inconclusive && one.reason.contains("NNLS"), "theorem 1 --against-norm 2: \(one.reason)")
    let s = Soudry2018.check(seed: 1, horizon: 100, initScale: 0.1, claimedNorm: nil, thresholds: .init(),
                             budget: FlowBudget(), limits: limits)
    #expect(s.verdict == .inconclusive && s.reason.contains("NNLS"), "\(s.reason)")
  }

  @Test("Newton not converging: no certificate from the KKT polish (Theorem 2), no prediction (Theorem 4)")
  func newtonCap() {
    var limits = NumericalLimits()
    limits.newtonIterations = 0
    let r = Theorem2.check(theorem2Case(limits))
    #expect(r.verdict == .inconclusive, "\(r.reason)")
    #expect(r.reason.contains("no KKT point certified") && r.reason.contains("Newton") && r.reason.contains("--horizon"),
            "\(r.reason)")
    limits.dualNewtonIterations = 0
    var c4 = Theorem4.generateCase(seed: 1, kind: .diagonal, depth: 2, configuration: Theorem4SweepConfiguration())
    c4.limits = limits
    let r4 = Theorem4.check(c4)
    #expect(r4.verdict == .inconclusive, "\(r4.reason)")
    #expect(r4.reason.contains("Newton's method on the convex dual") && r4.reason.contains("did not converge")
              && r4.reason.contains("would decide"), "\(r4.reason)")
  }

  @Test("separable data of size 1e150 or 1e-150 are separable (the LP once said otherwise)", arguments: [1e150, 1e-150])
  func extremeScaleSeparability(scale: Double) {
    var c = theorem2Case(NumericalLimits())
    c.data = ClassificationData(inputs: scale * c.data.inputs, labels: c.data.labels)
    c.horizon = 100
    c.budget = FlowBudget(maxSteps: 2_000)  // the verdict is not the point: the hypothesis is
    let r = Theorem2.check(c)
    #expect(r.hypotheses.first { $0.name == "separable" }?.met == true, "\(r.hypotheses.map(\.detail))")
    #expect(r.verdict != .hypothesisNotMet && r.verdict != .refuted, "\(r.verdict): \(r.reason)")
  }
}
