import LinearAlgebra

/// The residual of Soudry et al.'s characterisation of gradient descent on a linear model
/// with an exponentially-tailed loss on separable data (spec §4.1):
///
///     w(t) = ŵ·log t + ρ(t),   ŵ = argmin{‖w‖ : yᵢxᵢᵀw ≥ 1},   ‖ρ(t)‖ bounded
///
/// (for almost every dataset; in degenerate cases ρ can grow like log log t). Consequently the
/// direction error e(t) = ‖w/‖w‖ − ŵ/‖ŵ‖‖ is O(1/log t), so e(t)·log t stays bounded.
///
/// Physical time is astronomically large (the loss decays like 1/t), so checkpoints are given
/// by log t directly. From checkpoints (log tₖ, w(tₖ)) this reports ρₖ = wₖ − ŵ·log tₖ, ‖ρₖ‖,
/// eₖ and eₖ·log tₖ, and the fitted growth exponents of ‖ρ‖ and e·log t against log t:
/// the exponent r of ‖ρₖ‖ ≈ C·(log tₖ)^r by least squares on (log log t, log ‖ρ‖) (via
/// ``fittedDecayRate(logInverseLosses:distances:floor:)`` with the sign flipped). Bounded
/// ρ gives r ≈ 0 (r → 0 as ρ converges); ρ ∝ √log t gives r ≈ ½; log log t growth gives
/// r ≈ 1/log log t, small but positive.
///
/// Cancellation: ρₖ = wₖ − ŵ log tₖ loses about log₁₀(‖ŵ‖ log tₖ/‖ρₖ‖) digits; at log t = 10⁶
/// and ‖ρ‖ = O(1) the absolute error is still about 10⁻¹⁰.
public struct SoudryResidual: Sendable {
  /// log tₖ.
  public var logTimes: [Double]
  /// ρₖ = wₖ − ŵ·log tₖ.
  public var residuals: [[Double]]
  /// ‖ρₖ‖.
  public var residualNorms: [Double]
  /// eₖ = ‖wₖ/‖wₖ‖ − ŵ/‖ŵ‖‖.
  public var directionErrors: [Double]
  /// eₖ·log tₖ.
  public var scaledDirectionErrors: [Double]
  /// r with ‖ρ‖ ≈ C (log t)^r; nil with fewer than two checkpoints with log t > 1 and
  /// ‖ρ‖ > 10⁻¹³ (e.g. ρ ≡ 0, which is bounded).
  public var residualGrowthExponent: Double?
  /// The same fit for e·log t.
  public var scaledErrorGrowthExponent: Double?

  /// maxₖ ‖ρₖ‖.
  public var maxResidualNorm: Double { residualNorms.max() ?? 0 }

  /// Whether ρ looks bounded over the checkpoints: fitted growth exponent of ‖ρ‖ at most
  /// `exponentTolerance` (a nil exponent, i.e. ρ ≈ 0, counts as bounded). Boundedness is an
  /// asymptotic statement: a finite run can only show that growth, if any, is slower than
  /// (log t)^tolerance.
  public func looksBounded(exponentTolerance: Double = 0.1) -> Bool {
    (residualGrowthExponent ?? 0) <= exponentTolerance
  }
}

/// Soudry's residual over checkpoints (spec §4.1; see ``SoudryResidual``).
///
/// - Parameters:
///   - weights: w(tₖ), one vector per checkpoint.
///   - logTimes: log tₖ (increasing; the growth fits use only log t > 1).
///   - svmSolution: ŵ at unit margin (e.g. `hardMarginSVM(z).w`), not normalised.
/// - Precondition: one log-time per checkpoint; every w has ŵ's length.
/// - Complexity: O(K·d) for K checkpoints.
public func soudryResidual(weights: [[Double]], logTimes: [Double], svmSolution: [Double]) -> SoudryResidual {
  precondition(weights.count == logTimes.count, "\(weights.count) checkpoints but \(logTimes.count) log-times")
  for (k, w) in weights.enumerated() {
    precondition(w.count == svmSolution.count, "checkpoint \(k) has \(w.count) entries, ŵ has \(svmSolution.count)")
  }
  let unitSVM = svmSolution.normalized
  var residuals: [[Double]] = [], norms: [Double] = [], errors: [Double] = [], scaled: [Double] = []
  for (w, g) in zip(weights, logTimes) {
    var rho = w
    rho.addScaled(svmSolution, by: -g)
    residuals.append(rho)
    norms.append(rho.norm2)
    let e = w.normalized.subtracting(unitSVM).norm2
    errors.append(e)
    scaled.append(e * g)
  }
  let growth = fittedDecayRate(logInverseLosses: logTimes, distances: norms).map { -$0 }
  let errorGrowth = fittedDecayRate(logInverseLosses: logTimes, distances: scaled).map { -$0 }
  return SoudryResidual(logTimes: logTimes, residuals: residuals, residualNorms: norms, directionErrors: errors,
                        scaledDirectionErrors: scaled, residualGrowthExponent: growth,
                        scaledErrorGrowthExponent: errorGrowth)
}
