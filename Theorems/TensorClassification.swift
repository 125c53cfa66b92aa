import Certification
import GradientFlow
import LinearAlgebra
import Optimization
import PropertyChecking

/// One classification instance on a general linear tensor network (Theorems 1 and 3).
public struct TensorClassificationCase: Sendable {
  public var seed: UInt64
  public var network: TensorNetwork
  public var data: ClassificationData
  /// vₗ for each layer (FC: vec(Wₗ) row-major).
  public var initialLayers: [[Double]]
  public var loss: ClassificationLoss
  /// The largest log(1/Loss) checkpoint.
  public var horizon: Double
  /// The run's budgets (`--max-seconds`, `--max-steps`).
  public var budget = FlowBudget()
  /// Solver caps and integrator settings (internal: the tests' way to inject failures).
  var limits = NumericalLimits()

  public init(seed: UInt64, network: TensorNetwork, data: ClassificationData, initialLayers: [[Double]],
              loss: ClassificationLoss, horizon: Double) {
    self.seed = seed
    self.network = network
    self.data = data
    self.initialLayers = initialLayers
    self.loss = loss
    self.horizon = horizon
  }

  /// "fc widths [3, 2]", "conv filters [3, 2]", "diagonal", "tensor".
  public var architectureName: String { TensorClassificationCase.name(of: network) }

  static func name(of network: TensorNetwork) -> String {
    switch network.architecture {
    case .fullyConnected(let widths): "fc widths \(widths)"
    case .convolutional(let filters): filters.allSatisfy { $0 == network.inputDimension } ? "conv full-length" : "conv filters \(filters)"
    case .diagonal: "diagonal"
    case .tensor: "tensor"
    }
  }
}

/// The evidence at one checkpoint of a tensor-network flow.
public struct TensorCheckpointEvidence: Sendable {
  public var logInverseLoss: Double
  /// Lyu–Li ε (relative) and δ at Θ̄ = Θ/γ^{1/L} (spec §4.8 c).
  public var lyuLiEpsilon: Double
  public var lyuLiDelta: Double
  /// The singular-vector-tuple residual maxₗ ‖gₗ − s v̂ₗ‖/|s| of 𝓜(u) with u = Σλᵢyᵢxᵢ
  /// (spec §2.2); nil when the scale s is not positive.
  public var tupleResidual: Double?
  /// maxₗ |‖vₗ‖² − mean| / mean (→ 0: the limit has equal layer norms, spec §2.1).
  public var equalNormResidual: Double
  /// ‖β̂ − ŵ_SVM/‖ŵ_SVM‖‖.
  public var svmAngle: Double
  /// The ℓ2-SVM stationarity residual of β (spec §4.8 a).
  public var svmStationarity: Double?
  /// FC only: maxₗ σ₂(Wₗ)/σ₁(Wₗ) and the smallest alignment of adjacent singular vectors.
  public var maxRankOneRatio: Double?
  public var minAlignment: Double?
  public var conservationDrift: Double
  public var acceptedSteps: Int
}

/// A case's verdict with its evidence.
public struct TensorCaseResult: Sendable {
  public var seed: UInt64
  public var architecture: String
  public var depth: Int
  public var n: Int
  public var d: Int
  public var verdict: Verdict
  public var reason: String
  public var hypotheses: [HypothesisCheck]
  public var checkpoints: [TensorCheckpointEvidence]
  /// The final unit β.
  public var direction: [Double]
  /// The unit β at each checkpoint.
  public var directions: [[Double]]
  /// The unit SVM direction ŵ/‖ŵ‖ (independent solver: NNLS on the dual).
  public var svmDirection: [Double]
  /// Fitted decay rates r of residual ∝ log(1/Loss)^{−r} over the late checkpoints.
  public var rates: [String: Double]
  /// With a wrong claim (`--against-norm`): the claimed problem's KKT residual at the
  /// certified limit.
  public var claimedResidual: Double?
  public var steps: Int
}

enum TensorClassificationEvidence {
  /// Runs the flow and gathers per-checkpoint evidence. The result is already final
  /// (`decided`) when the case cannot be judged: a hypothesis fails before integration
  /// (non-separable data), a solver did not finish (the separability LP, the SVM's NNLS), or
  /// the flow stopped short of the horizon (a budget, the integrator) — inconclusive then,
  /// with the reason and the evidence gathered so far.
  /// - Parameter needsSVM: whether the verdict rests on ŵ_SVM (Theorem 3); Theorem 1 only
  ///   reports the distance to it.
  static func run(_ c: TensorClassificationCase, statement: TheoremStatement, needsSVM: Bool = true)
    -> (result: TensorCaseResult, svm: SVMResult?, decided: Bool)
  {
    let network = c.network, L = network.depth
    let z = c.data.signedInputs
    var result = TensorCaseResult(
      seed: c.seed, architecture: c.architectureName, depth: L, n: c.data.count, d: c.data.dimension,
      verdict: .inconclusive, reason: "", hypotheses: [], checkpoints: [], direction: [], directions: [], svmDirection: [],
      rates: [:], claimedResidual: nil, steps: 0)
    let hyp = statement.hypotheses
    if let h = hyp.first(where: { $0.name == "linear tensor network" }) {
      result.hypotheses.append(HypothesisCheck(name: h.name, statement: h.statement, met: true,
                                               detail: "by construction (\(c.architectureName))"))
    }
    let sep = separabilityMargin(z, maxIterations: c.limits.lpPivots)
    let separable = hyp.first { $0.name == "separable" }!
    result.hypotheses.append(HypothesisCheck(
      name: separable.name, statement: separable.statement, met: sep.isSeparable,
      detail: sep.status != .optimal ? "not decided: the LP stopped (\(sep.status))"
        : sep.isSeparable ? "LP margin t* = \(short(sep.margin)) > 0"
        : "LP margin t* = \(short(sep.margin)) ≤ 0: no separator exists (Gordan witness ‖Zᵀλ‖₁ = \(short(sep.witnessNorm1)))"))
    guard sep.status == .optimal else {
      result.reason = separabilityUndecided(sep)
      return (result, nil, true)
    }
    guard sep.isSeparable else {
      result.verdict = .hypothesisNotMet
      result.reason = "the data are not linearly separable at double precision (LP margin t* = \(short(sep.margin)) ≤ its resolution \(short(sep.tolerance)); a margin below that would need log(1/Loss) beyond 1e12 to show), so Loss cannot fall below ℓ(0)"
      return (result, nil, true)
    }
    let svm = hardMarginSVM(z, maxIterations: c.limits.nnlsIterations)
    result.svmDirection = svm.w.normalized
    guard svm.status == .optimal || !needsSVM else {
      result.reason = svmUndecided(svm)
      return (result, nil, true)
    }

    let options = c.limits.applied(to: c.budget.applied(to: TrajectoryOptions(checkpoints: TrajectoryOptions.halfDecades(upTo: c.horizon))))
    let trajectory = integrateTensorClassificationFlow(network: network, data: c.data, loss: c.loss,
                                                       initialLayers: c.initialLayers, options: options)
    let below = hyp.first { $0.name == "loss below ℓ(0)" }!
    result.hypotheses.append(HypothesisCheck(
      name: below.name, statement: below.statement, met: trajectory.lossBelowInitial != nil,
      detail: trajectory.lossBelowInitial.map { "reached at clock s = \(short($0.clock)) (step \($0.step))" }
        ?? "not reached within the budget"))
    let flow = TensorClassificationFlow(network: network, data: c.data, loss: c.loss)
    let isFC: Bool = { if case .fullyConnected = network.architecture { true } else { false } }()
    for cp in trajectory.checkpoints {
      let state = network.flatten(cp.layers)
      let grads = flow.marginGradients(state)
      let one = theoremOneResidual(parameters: state, layerSizes: network.layerSizes, margins: cp.margins,
                                   marginGradients: grads, z: z) { u, unit in network.contractions(u, layers: unit) }
      let beta = cp.coefficients
      result.directions.append(beta.normalized)
      let svmResidual = svmStationarityResidual(z: z, direction: beta, svm: svm)
      var alignment: FullyConnectedAlignment?
      if isFC, L >= 2 { alignment = try? fullyConnectedAlignment(layers: network.fcMatrices(cp.layers), svmDirection: svm.w) }
      result.checkpoints.append(TensorCheckpointEvidence(
        logInverseLoss: cp.logInverseLoss,
        lyuLiEpsilon: one?.kkt.epsilon ?? .infinity, lyuLiDelta: one?.kkt.delta ?? .infinity,
        tupleResidual: one?.tuple.flatMap { $0.scaleIsPositive ? $0.residual : nil },
        equalNormResidual: equalNormResidual(layers: cp.layers) ?? .infinity,
        svmAngle: beta.normalized.subtracting(result.svmDirection).norm2,
        svmStationarity: svmResidual?.stationarity,
        maxRankOneRatio: alignment?.maxRankOneRatio, minAlignment: alignment?.minAlignment,
        conservationDrift: cp.conservationDrift, acceptedSteps: cp.statistics.acceptedSteps))
    }
    result.direction = trajectory.finalObservation.coefficients.normalized
    result.steps = trajectory.statistics.acceptedSteps
    if case .completed = trajectory.stop {} else {
      // Evidence short of the horizon decides nothing: the thresholds are set for it.
      result.verdict = .inconclusive
      result.reason = "the flow stopped early: " + describe(
        trajectory.stop, budget: c.budget, reached: trajectory.finalObservation.logInverseLoss, horizon: c.horizon)
      return (result, svm, true)
    }
    return (result, svm, false)
  }

  /// The fitted decay rate of a late series (nil with fewer than 3 finite points).
  static func rate(_ cps: [TensorCheckpointEvidence], _ value: (TensorCheckpointEvidence) -> Double?) -> Double? {
    let pairs = cps.compactMap { cp in value(cp).map { (cp.logInverseLoss, $0) } }.filter { $0.1.isFinite }
    guard pairs.count >= 3 else { return nil }
    return fittedDecayRate(logInverseLosses: pairs.map(\.0), distances: pairs.map(\.1))
  }

  /// "ε 0.9 → 0.03 → 2.1e-3 (rate 0.71)".
  static func trend(_ name: String, _ values: [Double], rate: Double?) -> String {
    let shown = values.suffix(4).map(short).joined(separator: " → ")
    return "\(name) \(shown)" + (rate.map { " (rate \(short($0)))" } ?? "")
  }
}
