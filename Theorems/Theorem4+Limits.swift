import LinearAlgebra
import GradientFlow
import Optimization
import Regularizers

/// One scale of an α-sweep: the flow's limit and its distances to the two limit problems.
public struct AlphaTrendPoint: Sendable {
  public var alpha: Double
  /// ‖ρ_GF(α) − ρ_ℓ1‖/‖ρ_ℓ1‖, ρ_ℓ1 = argmin Σ ηⱼ^{−(L−2)}|ρⱼ| s.t. Bρ = y (α → 0).
  public var distanceToL1: Double
  /// ‖ρ_GF(α) − ρ_ℓ2‖/‖ρ_ℓ2‖, ρ_ℓ2 = argmin Σ ρⱼ²/ηⱼ^{2(L−1)} s.t. Bρ = y (α → ∞).
  public var distanceToL2: Double
  public var steps: Int
}

/// The α → 0 and α → ∞ limits of Theorem 4 (spec §2.5, "Limits") as trends of the flow's
/// limits across scales.
public struct AlphaTrendResult: Sendable {
  public var verdict: Verdict
  public var reason: String
  public var points: [AlphaTrendPoint]
  /// Fitted exponent r of distance-to-ℓ1 ∝ α^r on the small-α side (L ≥ 3), or of
  /// distance ∝ log(1/α)^{−r} (L = 2, the logarithmic rate).
  public var smallScaleRate: Double?
  /// Fitted exponent r of distance-to-ℓ2 ∝ α^{−r} on the large-α side.
  public var largeScaleRate: Double?
}

extension Theorem4 {
  /// Runs the flow at each α (first L−1 layers α η, last 0) and measures the limits'
  /// distances to the weighted ℓ1 (LP) and weighted ℓ2 (closed form) interpolants. Holds when
  /// every flow interpolates, distance-to-ℓ1 falls monotonically as α decreases over
  /// `smallAlphas` with a fitted rate > 0, and distance-to-ℓ2 falls monotonically as α
  /// grows over `largeAlphas` with a rate > 0; otherwise inconclusive (these are limits:
  /// a finite sweep can support them, not refute them).
  /// - Parameter budget: the run's budgets (`--max-seconds`, `--max-steps`), for every flow.
  public static func alphaTrend(network: LinearNetwork, inputs: Matrix, targets: [Double], shape: [Double],
                                smallAlphas: [Double], largeAlphas: [Double],
                                budget: FlowBudget = FlowBudget()) -> AlphaTrendResult {
    let L = network.depth
    let b = network.transformedInputs(inputs)
    let l1 = minimumWeightedL1Interpolant(b: b, y: targets, weights: WeightedRegularizer.weightedL1Weights(depth: L, shape: shape))
    let l2 = try? minimumWeightedL2Interpolant(b: b, y: targets,
                                               weights: shape.map { Elementary.pow($0, 2 * Double(L - 1)) })
    guard l1.status == .optimal, let l2 else {
      return AlphaTrendResult(verdict: .inconclusive, reason: "a limit interpolant could not be computed", points: [])
    }
    var points: [AlphaTrendPoint] = []
    for alpha in smallAlphas.appending(contentsOf: largeAlphas) {
      let c = Theorem4Case(seed: 0, network: network, inputs: inputs, targets: targets, alpha: alpha, shape: shape)
      var options = RegressionOptions()
      options.tolerances = IntegratorTolerances(relative: 1e-10, absolute: 1e-13)
      let t = integrateRegressionFlow(network: network, inputs: inputs, targets: targets,
                                      initialState: c.initialState, options: budget.applied(to: options))
      if t.failure != nil {
        return AlphaTrendResult(verdict: .inconclusive, reason: "α = \(short(alpha)): the flow did not interpolate: \(describe(t.stop, budget: budget))",
                                points: points)
      }
      points.append(AlphaTrendPoint(
        alpha: alpha,
        distanceToL1: t.transformed.subtracting(l1.rho).norm2 / max(l1.rho.norm2, .leastNormalMagnitude),
        distanceToL2: t.transformed.subtracting(l2.rho).norm2 / max(l2.rho.norm2, .leastNormalMagnitude),
        steps: t.statistics.acceptedSteps))
    }
    let small = Array(points.prefix(smallAlphas.count)).sorted { $0.alpha > $1.alpha }  // α decreasing
    let large = Array(points.suffix(largeAlphas.count)).sorted { $0.alpha < $1.alpha }  // α increasing
    func monotone(_ v: [Double]) -> Bool { zip(v, v.dropFirst()).allSatisfy { $1 < $0 } }
    // Small side: L ≥ 3, distance ∝ α^r; L = 2, distance ∝ log(1/α)^{−r}.
    let smallX = small.map { L == 2 ? -Elementary.log(-Elementary.log($0.alpha)) : Elementary.log($0.alpha) }
    let smallRate = slope(smallX, small.map { Elementary.log($0.distanceToL1) })
    let largeRate = slope(large.map { Elementary.log($0.alpha) }, large.map { Elementary.log($0.distanceToL2) }).map { -$0 }
    let smallOK = monotone(small.map(\.distanceToL1)) && (smallRate ?? 0) > 0
    let largeOK = monotone(large.map(\.distanceToL2)) && (largeRate ?? 0) > 0
    let rates = "α → 0: distance to the weighted ℓ1 interpolant \(small.map { short($0.distanceToL1) }.joined(separator: " → ")) (rate \(smallRate.map(short) ?? "—")\(L == 2 ? " in log(1/α)" : " in α")); α → ∞: distance to the weighted ℓ2 interpolant \(large.map { short($0.distanceToL2) }.joined(separator: " → ")) (rate \(largeRate.map(short) ?? "—"))"
    return AlphaTrendResult(verdict: smallOK && largeOK ? .holds : .inconclusive,
                            reason: (smallOK && largeOK ? "" : "not monotone with positive rates: ") + rates,
                            points: points, smallScaleRate: smallRate, largeScaleRate: largeRate)
  }

  /// Least-squares slope of y against x (nil with fewer than two points).
  static func slope(_ x: [Double], _ y: [Double]) -> Double? {
    guard x.count >= 2 else { return nil }
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0
    for k in x.indices { sxy += (x[k] - mx) * (y[k] - my); sxx += (x[k] - mx) * (x[k] - mx) }
    return sxx > 0 ? sxy / sxx : nil
  }
}
