import LinearAlgebra
import GradientFlow

/// Tolerances of the KKT residual at a flow direction (spec §4.8 b). Reported with every
/// verdict.
public struct KKTTolerances: Sendable, Equatable {
  /// τ_act: point i is active when its unit-margin-scaled margin is ≤ 1 + τ_act. The flow
  /// equalizes support margins at a rate ∝ 1/log(1/Loss), so 1e-3 separates them from
  /// non-support points (whose excess margin stays O(1)) from log(1/Loss) ≈ 10³ on.
  public var active = 1e-3
  /// τ_supp: group g is in the support when |ρ̃_g| > τ_supp · maxₕ |ρ̃ₕ|.
  public var support = 1e-4
  public init() {}
}

/// The KKT residuals of a direction ρ for `MaxMarginProblem` (spec §4.8 b):
/// 1. ρ̃ = ρ / minᵢ(Aρ)ᵢ;  2. support P and active set A by the tolerances;
/// 3. λ = argmin_{λ ≥ 0} ‖∇_P(ρ̃) − (A_Aᵀλ)_P‖ (NNLS), r_stat = that minimum / ‖∇_P‖;
/// 4. complementary slackness maxᵢ λᵢ(m̃ᵢ − 1); 5. off-support condition (p = 1:
/// maxₕ ‖(Aᵀλ)ₕ‖/multₕ − 1 ≤ 0; p > 1: ‖(Aᵀλ)_off‖); 6. the per-mode relation
/// (Aᵀλ)_g·ρ̃_g = mult_g|ρ̃_g|^p, reported as the smallest ratio over the support (→ 1).
public struct KKTResidual: Sendable {
  public var stationarity: Double
  public var complementarySlackness: Double
  public var offSupport: Double?
  public var perModeRelation: Double
  public var support: [Int]
  public var active: [Int]
  public var multipliers: [Double]
  /// The unit-margin-scaled direction ρ̃.
  public var scaled: [Double]

  /// The number reported as `kktResidual`: max(r_stat, complementary slackness,
  /// off-support violation⁺).
  public var total: Double { max(stationarity, complementarySlackness, max(offSupport ?? 0, 0)) }
}

extension MaxMarginProblem {
  /// KKT residuals at the direction ρ (nil if some margin is not positive, or if the
  /// support × active NNLS would exceed `largestResidualSystem` entries).
  /// - Complexity: O(n·N) plus one NNLS of size N × |A|.
  public func kktResidual(at rho: [Double], tolerances: KKTTolerances = KKTTolerances()) -> KKTResidual? {
    guard let scaled = unitMarginScaling(rho) else { return nil }
    let mags = space.magnitudes(scaled)
    let top = mags.max() ?? 0
    let support = (0..<space.groupCount).filter { mags[$0] > tolerances.support * top }
    let m = margins(scaled)
    let active = (0..<pointCount).filter { m[$0] <= 1 + tolerances.active }
    let grad = objectiveGradient(scaled)
    let coords = support.flatMap { Array(space.coordinates(of: $0)) }
    guard coords.count * active.count <= Self.largestResidualSystem else { return nil }
    // NNLS: columns are the active rows of A restricted to the support coordinates.
    let system = Matrix(rows: coords.count, columns: active.count) { c, k in marginMatrix[active[k], coords[c]] }
    let target = coords.map { grad[$0] }
    let nnls = nonNegativeLeastSquares(system, target)
    var lambda = [Double](repeating: 0, count: pointCount)
    for (k, i) in active.enumerated() { lambda[i] = nnls.x[k] }
    let gnorm = target.norm2
    let stationarity = gnorm > 0 ? nnls.residualNorm / gnorm : nnls.residualNorm
    var cs = 0.0
    for i in active { cs = max(cs, lambda[i] * (m[i] - 1)) }
    let atl = marginMatrix.transposedTimes(lambda)
    let off = offSupportViolation(atl, support: support)
    var relation = Double.infinity
    for g in support {
      var dot = 0.0
      for c in space.coordinates(of: g) { dot += atl[c] * scaled[c] }
      relation = min(relation, dot / (space.multiplicity[g] * Elementary.pow(mags[g], exponent)))
    }
    return KKTResidual(stationarity: stationarity, complementarySlackness: cs, offSupport: off,
                       perModeRelation: relation.isFinite ? relation : 0, support: support,
                       active: active, multipliers: lambda, scaled: scaled)
  }
}
