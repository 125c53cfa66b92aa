import Certification
import GradientFlow
import LinearAlgebra
import Optimization
import PropertyChecking

/// The architectures of a Theorem 1 sweep.
public enum TensorArchitectureKind: String, CaseIterable, Sendable {
  case fullyConnected = "fc"
  case convolutional = "conv"
  case diagonal
}

/// How a Theorem 1 or Theorem 3 sweep draws its cases.
public struct TensorSweepConfiguration: Sendable {
  public var architectures: [TensorArchitectureKind] = [.fullyConnected]
  public var depths: [Int] = [2, 3, 4]
  /// FC hidden widths (or conv filter sizes) for every case; nil: drawn per case in 1…5
  /// (FC) or 2…d−1 (conv).
  public var widths: [Int]?
  public var cases = 6
  public var seed: UInt64 = 1
  public var loss = ClassificationLoss.exponential
  public var initScale = 0.1
  public var horizon = 1e4
  /// Theorem 3: the claim checked (the theorem's SVM, or a wrong one).
  public var claim = Theorem3.Claim.theorem
  /// Theorem 1 with `--against-norm P` (P ∈ {1, 2}): the claim that β̂ → the ℓ_P max margin.
  public var claimedNorm: Double?
  /// A given network (e.g. a user-supplied tensor, `--tensor FILE`) used for every case.
  public var customNetwork: TensorNetwork?
  /// Given data (`--data FILE`) used for every case; the cases then differ only in their
  /// initialization.
  public var customData: ClassificationData?
  /// The run's budgets (`--max-seconds`, `--max-steps`), handed to every case.
  public var budget = FlowBudget()
  public init() {}

  /// Architecture and depth of case i: architectures cycle fastest, then depths.
  public func shape(ofCase i: Int) -> (TensorArchitectureKind, Int) {
    (architectures[i % architectures.count], depths[(i / architectures.count) % depths.count])
  }

  public func seed(ofCase i: Int) -> UInt64 {
    i == 0 ? seed : SeededGenerator.caseSeed(base: seed, index: i) & ((1 << 53) - 1)
  }

  /// Case i: data n ∈ [5, 10] Gaussian points in ℝᵈ, d ∈ [3, 6], labelled by a sparse
  /// separator with margin ≥ 0.1 (as Theorem 2's L ≥ 3 family), the network, and layers
  /// drawn i.i.d. N(0, σ²).
  public func makeCase(_ i: Int) -> TensorClassificationCase {
    let (kind, depth) = shape(ofCase: i)
    var c = TensorSweepConfiguration.makeCase(seed: seed(ofCase: i), kind: kind, depth: depth, widths: widths,
                                              loss: loss, initScale: initScale, horizon: horizon,
                                              dimension: customData?.dimension ?? customNetwork?.inputDimension)
    c.budget = budget
    if let data = customData { c.data = data }
    if let network = customNetwork {
      var rng = SeededGenerator(seed: seed(ofCase: i) ^ 0x7E45_0A)
      c.network = network
      c.initialLayers = network.layerSizes.map { rng.gaussianVector($0, standardDeviation: initScale) }
    }
    return c
  }

  public static func makeCase(seed: UInt64, kind: TensorArchitectureKind, depth: Int, widths: [Int]?,
                              loss: ClassificationLoss, initScale: Double, horizon: Double,
                              dimension: Int? = nil) -> TensorClassificationCase {
    var rng = SeededGenerator(seed: seed)
    let n = rng.integer(in: 5...10), drawn = rng.integer(in: 3...6)
    // Given filter sizes need d ≥ the longest filter (a drawn d below it would trap).
    let longestFilter = kind == .convolutional ? (widths?.max() ?? 0) : 0
    let d = dimension ?? max(drawn, longestFilter)
    let data = Theorem2.separableData(n: n, d: d, sparsity: rng.integer(in: 1...d), margin: 0.1, using: &rng)
    let architecture: TensorNetwork.Architecture
    switch kind {
    case .fullyConnected:
      architecture = .fullyConnected(widths: widths ?? (0..<(depth - 1)).map { _ in rng.integer(in: 1...5) })
    case .convolutional:
      architecture = .convolutional(filterSizes: widths ?? (0..<depth).map { _ in rng.integer(in: 2...max(2, d - 1)) })
    case .diagonal:
      architecture = .diagonal(depth: depth)
    }
    let network = TensorNetwork(architecture, inputDimension: d)
    let layers = network.layerSizes.map { rng.gaussianVector($0, standardDeviation: initScale) }
    return TensorClassificationCase(seed: seed, network: network, data: data, initialLayers: layers, loss: loss,
                                    horizon: horizon)
  }
}

/// A sweep's results and verdict.
public struct TensorSweepResult: Sendable {
  public var theorem: String
  public var verdict: Verdict
  public var reason: String
  public var cases: [TensorCaseResult]
}

extension Theorem1 {
  /// Thresholds, printed with every report.
  public struct Thresholds: Sendable {
    /// The Lyu–Li ε and the singular-vector-tuple residual at the last checkpoint must be at
    /// most this and falling. Both converge like the direction, O(1/log(1/Loss)) at worst
    /// (spec §2.2, §6): at the default horizon 10⁴ a few ×10⁻³; 0.05 leaves room for the
    /// slower cases while excluding directions that are not near a KKT point (an
    /// unconverged direction gives ε ≈ 0.9, spec §4.8 c with one active point).
    public var residualBound = 0.05
    /// Below this the residuals are at integration accuracy: no trend needed.
    public var residualFloor = 1e-7
    public var decidedFraction = 0.75
    public init() {}
  }

  /// Checks one case: the flow, then the Lyu–Li and tuple residuals across checkpoints.
  /// With `claimedNorm` P ∈ {1, 2}, the claim checked instead is that β̂ converges to the ℓ_P
  /// max-margin direction of β (true for FC networks with P = 2, false for a diagonal
  /// network of depth 2, whose limit is the ℓ1 one): refuted when the flow is certified to
  /// converge (the theorem's residuals hold) and the claimed direction is farther than
  /// 0.05 + 3× the travel left, extrapolated from the last decade's movement m at the
  /// fitted rate r of ε: remaining ≤ m/(1 − 10^{−r}) (geometric series over decades).
  public static func check(_ c: TensorClassificationCase, claimedNorm: Double? = nil,
                           thresholds: Thresholds = Thresholds()) -> TensorCaseResult {
    var (r, _, decided) = TensorClassificationEvidence.run(c, statement: statement, needsSVM: false)
    guard !decided else { return r }
    let eps = r.checkpoints.map(\.lyuLiEpsilon), tuple = r.checkpoints.map { $0.tupleResidual ?? .infinity }
    r.rates["epsilon"] = TensorClassificationEvidence.rate(r.checkpoints) { $0.lyuLiEpsilon }
    r.rates["tuple"] = TensorClassificationEvidence.rate(r.checkpoints) { $0.tupleResidual }
    let evidence = TensorClassificationEvidence.trend("Lyu–Li ε", eps, rate: r.rates["epsilon"]) + "; "
      + TensorClassificationEvidence.trend("tuple residual", tuple, rate: r.rates["tuple"])
    guard r.hypotheses.allSatisfy(\.met), let lastEps = eps.last, let lastTuple = tuple.last else {
      r.verdict = .inconclusive
      r.reason += "Loss did not fall below ℓ(0) within the budget; \(evidence)"
      return r
    }
    let epsOK = lastEps <= thresholds.residualFloor
      || (lastEps <= thresholds.residualBound && Theorem2.isFalling(eps, floor: thresholds.residualFloor))
    let tupleOK = lastTuple <= thresholds.residualFloor
      || (lastTuple <= thresholds.residualBound && Theorem2.isFalling(tuple, floor: thresholds.residualFloor))
    r.verdict = epsOK && tupleOK ? .holds : .inconclusive
    r.reason += epsOK && tupleOK
      ? "the direction is an approximate KKT point of the Lyu–Li problem and a singular-vector tuple of 𝓜(u): \(evidence)"
      : "the residuals are not yet below \(thresholds.residualBound) and falling: \(evidence)"
    guard let p = claimedNorm else { return r }
    // The wrong-claim mode.
    let z = c.data.signedInputs
    let optimum: [Double]
    if p == 1 {
      let lp = l1MaxMargin(z, maxIterations: c.limits.lpPivots)
      guard lp.status == .optimal else {
        r.verdict = .inconclusive
        r.reason = lpUndecided(lp.status, pivots: lp.program.iterations, "the ℓ1 max margin") + "; " + r.reason
        return r
      }
      optimum = lp.beta
    } else {
      let svm = hardMarginSVM(z, maxIterations: c.limits.nnlsIterations)
      guard svm.status == .optimal else {
        r.verdict = .inconclusive
        r.reason = svmUndecided(svm) + "; " + r.reason
        return r
      }
      optimum = svm.w
    }
    let claimed = optimum.normalized
    let distance = r.direction.subtracting(claimed).norm2
    r.claimedResidual = distance
    let trajectoryDirections = r.checkpoints.count >= 3 ? r.directions.suffix(3) : []
    guard epsOK && tupleOK, trajectoryDirections.count == 3 else {
      r.verdict = .inconclusive
      r.reason = "the flow's limit is not certified, so the ℓ_\(formatExponent(p)) claim is not judged; " + r.reason
      return r
    }
    let movement = trajectoryDirections.last!.subtracting(trajectoryDirections.first!).norm2
    let rate = max(r.rates["epsilon"] ?? 0.1, 0.1)
    let remaining = movement / (1 - Elementary.pow(10, -rate))
    if distance >= 0.05 + 3 * remaining {
      r.verdict = .refuted
      r.reason = "the flow converges (\(evidence)) to a direction at distance \(short(distance)) from the ℓ_\(formatExponent(p)) max-margin direction, with at most \(short(remaining)) of travel left (last decade's movement \(short(movement)), rate \(short(rate))): the claim is false"
    } else if distance <= 0.05 {
      r.verdict = .holds
      r.reason = "the direction is within \(short(distance)) of the ℓ_\(formatExponent(p)) max-margin direction: \(evidence)"
    } else {
      r.verdict = .inconclusive
      r.reason = "distance \(short(distance)) to the ℓ_\(formatExponent(p)) max-margin direction, travel left up to \(short(remaining)): neither certified"
    }
    return r
  }

  /// Runs the sweep's cases on all cores (results in case order); `caseIndices` runs only
  /// those cases (a shard's slice; nil: all), each as it is in the whole sweep.
  public static func runSweep(_ configuration: TensorSweepConfiguration, thresholds: Thresholds = Thresholds(),
                              caseIndices: [Int]? = nil,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) -> TensorSweepResult
  {
    let cases = (caseIndices ?? Array(0..<configuration.cases)).map(configuration.makeCase)
    let claimed = configuration.claimedNorm
    let results = parallelMap(cases, progress: progress) { check($0, claimedNorm: claimed, thresholds: thresholds) }
    let (verdict, reason) = combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
    return TensorSweepResult(theorem: "1", verdict: verdict, reason: reason, cases: results)
  }
}

extension Theorem3 {
  /// What the FC trajectories are checked against.
  public enum Claim: Sendable, Equatable {
    /// The theorem: the ℓ2 max margin (SVM) direction.
    case theorem
    /// A wrong claim: the ℓ_p max margin of β in the input space (`--against-norm p`).
    case inputNorm(Double)
    /// A wrong claim: the ℓ_p max margin of the DFT coefficients of β (what a full-length
    /// convolutional network of depth L does with p = 2/L; Gunasekar et al. 2018).
    case fourierNorm(Double)
  }

  public struct Thresholds: Sendable {
    /// ‖β̂ − ŵ_SVM‖ at the last checkpoint, falling, for "holds": the direction converges like
    /// 1/log(1/Loss) (Soudry et al., spec §4.1; spec §2.4's figures 7e-2 → 1e-4), so 0.05 at
    /// the default horizon 10⁴ leaves a wide margin.
    public var angleBound = 0.05
    public var angleFloor = 1e-7
    /// A wrong claim is refuted when its KKT residual at the certified limit ŵ_SVM is at
    /// least this (ŵ is computed to ~1e-12 by NNLS, so 1e-6 is 10⁶ × its precision).
    public var refutationResidual = 1e-6
    public var decidedFraction = 0.75
    public init() {}
  }

  /// Checks one FC case: β̂ against the independent SVM, the SVM stationarity residual, and
  /// the layers' rank-one alignment across checkpoints.
  public static func check(_ c: TensorClassificationCase, claim: Claim = .theorem,
                           thresholds: Thresholds = Thresholds()) -> TensorCaseResult {
    var (r, svm, decided) = TensorClassificationEvidence.run(c, statement: statement)
    guard !decided, let svm else { return r }
    let angles = r.checkpoints.map(\.svmAngle)
    let ratios = r.checkpoints.compactMap(\.maxRankOneRatio)
    r.rates["angle"] = TensorClassificationEvidence.rate(r.checkpoints) { $0.svmAngle }
    r.rates["rankOne"] = TensorClassificationEvidence.rate(r.checkpoints) { $0.maxRankOneRatio }
    var evidence = TensorClassificationEvidence.trend("‖β̂ − ŵ_SVM‖", angles, rate: r.rates["angle"])
    if !ratios.isEmpty { evidence += "; " + TensorClassificationEvidence.trend("max σ₂/σ₁", ratios, rate: r.rates["rankOne"]) }
    guard r.hypotheses.allSatisfy(\.met), let last = angles.last else {
      r.verdict = .inconclusive
      r.reason += "Loss did not fall below ℓ(0) within the budget; \(evidence)"
      return r
    }
    let converges = last <= thresholds.angleFloor
      || (last <= thresholds.angleBound && Theorem2.isFalling(angles, floor: thresholds.angleFloor))
    let aligns = ratios.isEmpty || Theorem2.isFalling(ratios, floor: 1e-9)
    switch claim {
    case .theorem:
      r.verdict = converges && aligns ? .holds : .inconclusive
      r.reason += converges && aligns
        ? "β̂ converges to the SVM direction and the layers align: \(evidence)"
        : "not yet within \(thresholds.angleBound) of the SVM direction and falling, or not aligning: \(evidence)"
    case .inputNorm(let p), .fourierNorm(let p):
      let problem: MaxMarginProblem
      let point: [Double]
      if case .fourierNorm = claim {
        let conv = LinearNetwork.convolutional(dimension: c.data.dimension, depth: max(1, c.network.depth))
        problem = MaxMarginProblem(marginMatrix: conv.marginMatrix(c.data), space: conv.space, exponent: p)
        point = (try? LUFactorization(conv.linearMap).solve(svm.w)) ?? svm.w
      } else {
        problem = MaxMarginProblem(marginMatrix: c.data.signedInputs, space: .real(c.data.dimension), exponent: p)
        point = svm.w
      }
      let residual = problem.kktResidual(at: point)?.total ?? .infinity
      r.claimedResidual = residual
      let what = claimDescription(claim)
      if converges && residual >= thresholds.refutationResidual {
        r.verdict = .refuted
        r.reason += "the flow converges to the SVM direction (\(evidence)), which is not a KKT point of \(what) (KKT residual \(short(residual)) at ŵ_SVM)"
      } else if converges {
        r.verdict = .holds
        r.reason += "the SVM direction also satisfies the KKT conditions of \(what) (residual \(short(residual)))"
      } else {
        r.verdict = .inconclusive
        r.reason += "the flow has not come close enough to the SVM direction to judge \(what): \(evidence)"
      }
    }
    return r
  }

  static func claimDescription(_ claim: Claim) -> String {
    switch claim {
    case .theorem: "the ℓ2 max-margin problem"
    case .inputNorm(let p): "the ℓ_\(formatExponent(p)) max-margin problem of β"
    case .fourierNorm(let p): "the ℓ_\(formatExponent(p)) max-margin problem of the DFT coefficients of β"
    }
  }

  /// Runs the sweep's cases on all cores (results in case order); `caseIndices` runs only
  /// those cases (a shard's slice; nil: all), each as it is in the whole sweep.
  public static func runSweep(_ configuration: TensorSweepConfiguration, thresholds: Thresholds = Thresholds(),
                              caseIndices: [Int]? = nil,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) -> TensorSweepResult
  {
    let cases = (caseIndices ?? Array(0..<configuration.cases)).map(configuration.makeCase)
    let results = parallelMap(cases, progress: progress) { check($0, claim: configuration.claim, thresholds: thresholds) }
    let (verdict, reason) = combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
    return TensorSweepResult(theorem: "3", verdict: verdict, reason: reason, cases: results)
  }
}
