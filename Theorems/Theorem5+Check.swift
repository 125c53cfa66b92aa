import GradientFlow
import LinearAlgebra
import Optimization
import PropertyChecking

/// One Theorem 5 instance: FC network, data, the initialization shape W̄ₗ (last layer 0) and
/// the decreasing scales α at which the flow is run.
public struct Theorem5Case: Sendable {
  public var seed: UInt64
  public var network: TensorNetwork
  public var inputs: Matrix
  public var targets: [Double]
  /// W̄ₗ flattened per layer; the last layer is 0.
  public var shape: [[Double]]
  public var scales: [Double]
  /// A wrong claim (`--against l1`): the α → 0 limit is the minimum-ℓ1 interpolant.
  public var claimsL1 = false
  /// The run's budgets (`--max-seconds`, `--max-steps`).
  public var budget = FlowBudget()
  /// Solver caps and integrator settings (internal: the tests' way to inject failures).
  var limits = NumericalLimits()
}

/// A case's verdict and evidence.
public struct Theorem5Result: Sendable {
  public var seed: UInt64
  public var architecture: String
  public var depth: Int
  public var n: Int
  public var d: Int
  public var verdict: Verdict
  public var reason: String
  public var hypotheses: [HypothesisCheck]
  public var scales: [Double]
  /// ‖β^∞(α) − β_min‖/‖β_min‖ for each scale (nil where the flow did not interpolate).
  public var distances: [Double?]
  /// The fitted exponent r of distance ∝ α^r (least squares in log–log).
  public var rate: Double?
  public var steps: [Int]
  public var minimumNorm: [Double]
  /// With `--against l1`: ‖β_ℓ1 − β_min‖/‖β_min‖, the gap between the claimed and the true limit.
  public var claimedGap: Double?
}

/// How a Theorem 5 sweep draws its cases.
public struct Theorem5SweepConfiguration: Sendable {
  public var depths: [Int] = [2, 3]
  public var widths: [Int]?
  public var cases = 4
  public var seed: UInt64 = 1
  public var scales: [Double] = [0.5, 0.2, 0.1, 0.05]
  /// `--against l1`: check the wrong claim that the limit is the minimum-ℓ1 interpolant.
  public var claimsL1 = false
  /// The run's budgets (`--max-seconds`, `--max-steps`), handed to every case.
  public var budget = FlowBudget()
  public init() {}

  public func seed(ofCase i: Int) -> UInt64 {
    i == 0 ? seed : SeededGenerator.caseSeed(base: seed, index: i) & ((1 << 53) - 1)
  }

  /// Case i: n ∈ [2, 4] Gaussian points in ℝᵈ, d ∈ [5, 8], targets y = Xβ* for a Gaussian
  /// β*; an FC network of depth L with hidden widths in 2…4 (or `widths`); W̄ₗ with
  /// N(0, 1/fan-in) entries and the last layer 0 (spec §2.6's "last layer zero" row).
  public func makeCase(_ i: Int) -> Theorem5Case {
    let depth = depths[i % depths.count]
    var rng = SeededGenerator(seed: seed(ofCase: i))
    let n = rng.integer(in: 2...4), d = rng.integer(in: 5...8)
    let x = Matrix(rows: n, columns: d) { _, _ in rng.gaussian() }
    let beta = rng.gaussianVector(d)
    let hidden = widths ?? (0..<(depth - 1)).map { _ in rng.integer(in: 2...4) }
    let network = TensorNetwork(.fullyConnected(widths: hidden), inputDimension: d)
    let fanIn = [d] + hidden
    var shape = network.layerSizes.enumerated().map { l, k in
      rng.gaussianVector(k, standardDeviation: 1 / Double(fanIn[l]).squareRoot())
    }
    shape[shape.count - 1] = [Double](repeating: 0, count: shape[shape.count - 1].count)
    return Theorem5Case(seed: seed(ofCase: i), network: network, inputs: x, targets: x * beta, shape: shape,
                        scales: scales, claimsL1: claimsL1, budget: budget)
  }
}

extension Theorem5 {
  public struct Thresholds: Sendable {
    /// Each flow must interpolate to this relative residual (the distances compared are
    /// ≥ 1e-4, so 1e-10 leaves them unaffected).
    public var residual = 1e-9
    /// A fitted exponent r > this for "holds" (spec §2.6: roughly linear in α, r ≈ 1).
    public var minimumRate = 0.0
    /// The wrong ℓ1 claim is refuted when the trend to β_min holds and the claimed limit is
    /// at least this many times farther from β_min than the flow's limit at the smallest α.
    public var refutationFactor = 10.0
    public var decidedFraction = 0.75
    public init() {}
  }

  public static func check(_ c: Theorem5Case, thresholds: Thresholds = Thresholds()) -> Theorem5Result {
    let n = c.inputs.rows, d = c.inputs.columns
    var r = Theorem5Result(seed: c.seed, architecture: TensorClassificationCase.name(of: c.network), depth: c.network.depth,
                           n: n, d: d, verdict: .inconclusive, reason: "", hypotheses: [], scales: c.scales,
                           distances: [], rate: nil, steps: [], minimumNorm: [], claimedGap: nil)
    let hyp = statement.hypotheses
    let rank = leastSquares(c.inputs, c.targets)
    let fullRank = n < d && rank.rank == n
    r.hypotheses.append(HypothesisCheck(name: hyp[0].name, statement: hyp[0].statement, met: fullRank,
                                        detail: "n = \(n), d = \(d), rank X = \(rank.rank) (pivoted QR)"))
    r.hypotheses.append(HypothesisCheck(name: hyp[1].name, statement: hyp[1].statement, met: true,
                                        detail: "Wₗ(0) = α W̄ₗ, w_L(0) = 0, α ∈ {\(c.scales.map(short).joined(separator: ", "))}"))
    guard fullRank else {
      r.verdict = .hypothesisNotMet
      r.reason = "X must have full row rank n < d"
      return r
    }
    let betaMin = rank.x
    r.minimumNorm = betaMin
    var options = RegressionOptions()
    options.residualTolerance = thresholds.residual
    options.tolerances = IntegratorTolerances(relative: 1e-8, absolute: 1e-11)
    options = c.limits.applied(to: c.budget.applied(to: options))
    var firstFailure: String?
    for alpha in c.scales {
      let start = c.shape.map { $0.scaled(by: alpha) }
      let run = integrateTensorRegressionFlow(network: c.network, inputs: c.inputs, targets: c.targets,
                                              initialLayers: start, options: options)
      if run.failure != nil && firstFailure == nil { firstFailure = "α = \(short(alpha)): \(describe(run.stop, budget: c.budget))" }
      r.steps.append(run.steps)
      r.distances.append(run.failure == nil
        ? run.coefficients.subtracting(betaMin).norm2 / max(betaMin.norm2, .leastNormalMagnitude) : nil)
    }
    let pairs = zip(c.scales, r.distances).compactMap { a, dist in dist.map { (a, $0) } }
    let table = zip(c.scales, r.distances).map { "α = \(short($0)): \($1.map(short) ?? "no interpolation")" }
      .joined(separator: ", ")
    guard pairs.count == c.scales.count else {
      r.reason = "the flow did not interpolate at every scale (\(table))" + (firstFailure.map { "; \($0)" } ?? "")
      return r
    }
    // Fitted exponent: least squares of log(distance) on log(α).
    let lx = pairs.map { Elementary.log($0.0) }, ly = pairs.map { Elementary.log(max($0.1, 1e-300)) }
    let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
    let sxy = zip(lx, ly).map { ($0 - mx) * ($1 - my) }.reduce(0, +), sxx = lx.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
    let rate = sxx > 0 ? sxy / sxx : 0
    r.rate = rate
    let decreasing = zip(pairs.dropFirst(), pairs).allSatisfy { $0.0.1 < $0.1.1 }
    if c.claimsL1 {
      // The claim: β^∞(α) → argmin ‖β‖₁ s.t. Xβ = y (LP). Refuted when the flow's limits
      // are certified to approach β_min (monotone, rate > 0) and β_ℓ1 is far from β_min.
      let l1 = minimumWeightedL1Interpolant(b: c.inputs, y: c.targets, weights: Array(repeating: 1, count: d))
      guard l1.status == .optimal else {
        r.reason = "the minimum-ℓ1 interpolant LP did not finish (\(l1.status)), so the ℓ1 claim cannot be judged (\(table))"
        return r
      }
      let gap = l1.rho.subtracting(betaMin).norm2 / max(betaMin.norm2, .leastNormalMagnitude)
      r.claimedGap = gap
      let last = pairs.last!.1
      if decreasing && rate > thresholds.minimumRate && gap >= thresholds.refutationFactor * last {
        r.verdict = .refuted
        r.reason = "the limits approach the minimum-ℓ2 interpolant as α → 0 (\(table); distance ∝ α^\(short(rate))), which is \(short(gap)) (relative) from the minimum-ℓ1 interpolant: the ℓ1 claim is false"
      } else if gap < thresholds.refutationFactor * last {
        r.reason = "the minimum-ℓ1 and minimum-ℓ2 interpolants are too close (\(short(gap))) to tell apart at these scales (\(table))"
      } else {
        r.reason = "the trend to the minimum-ℓ2 interpolant is not established (\(table)), so the ℓ1 claim is not judged"
      }
      return r
    }
    if decreasing && rate > thresholds.minimumRate {
      r.verdict = .holds
      r.reason = "the distance to the minimum-ℓ2 interpolant falls with α (\(table); fitted distance ∝ α^\(short(rate))); at a finite α the limit is not exactly the minimum-norm interpolant"
    } else {
      r.reason = "the distance does not fall monotonically with α (\(table); fitted exponent \(short(rate)))"
    }
    return r
  }

  /// Runs the sweep's cases on all cores (results in case order); `caseIndices` runs only
  /// those cases (a shard's slice; nil: all), each as it is in the whole sweep.
  public static func runSweep(_ configuration: Theorem5SweepConfiguration, thresholds: Thresholds = Thresholds(),
                              caseIndices: [Int]? = nil,
                              progress: (@Sendable (Int, Int) -> Void)? = nil)
    -> (verdict: Verdict, reason: String, cases: [Theorem5Result])
  {
    let cases = (caseIndices ?? Array(0..<configuration.cases)).map(configuration.makeCase)
    let results = parallelMap(cases, progress: progress) { check($0, thresholds: thresholds) }
    let (verdict, reason) = combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
    return (verdict, reason, results)
  }
}
