import LinearAlgebra

// The two limits of the regression bias of §2.5 of the specification: large initialization
// gives the weighted-ℓ2 interpolant, small initialization (L ≥ 3, or L = 2 logarithmically)
// the weighted-ℓ1 interpolant. Each solver returns its own optimality certificate,
// recomputed from the returned point.

// MARK: - Weighted ℓ2

/// The minimum weighted-ℓ2 interpolant argmin Σⱼ ρⱼ²/dⱼ s.t. Bρ = y and its certificate.
public struct WeightedL2InterpolantResult: Sendable {
  /// ρ = D·Bᵀμ.
  public var rho: [Double]
  /// μ = (B·D·Bᵀ)⁻¹y; the KKT condition of ½Σρⱼ²/dⱼ is ρ/d = Bᵀμ.
  public var mu: [Double]
  /// Σⱼ ρⱼ²/dⱼ.
  public var objective: Double
  /// ‖Bρ − y‖/‖y‖ (absolute when y = 0).
  public var feasibilityResidual: Double
  /// ‖ρ/d − Bᵀμ‖/‖ρ/d‖ (absolute when ρ = 0).
  public var stationarityResidual: Double
}

/// The minimum weighted-ℓ2 interpolant, the α → ∞ limit of Theorem 4 (§2.5, with
/// dⱼ = ηⱼ^{2(L−1)}):
///
///     ρ = argmin Σⱼ ρⱼ²/dⱼ  s.t.  Bρ = y   =   D·Bᵀ(B·D·Bᵀ)⁻¹y,   D = diag(d).
///
/// Derivation: stationarity of ½Σρⱼ²/dⱼ − μᵀ(Bρ − y) gives ρ = D·Bᵀμ, and Bρ = y gives
/// (B·D·Bᵀ)μ = y. B·D·Bᵀ is symmetric positive definite when B has full row rank and d > 0,
/// so μ comes from a Cholesky factorization, followed by one step of iterative refinement
/// (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §12.1) with the
/// residual r = y − Bρ computed from the factors B and D rather than from the formed Gram
/// matrix: δμ = (BDBᵀ)⁻¹r, μ ← μ + δμ and ρ ← ρ + D·Bᵀδμ. The correction is added to ρ rather
/// than ρ recomputed as D·Bᵀμ: where dⱼ is large, [Bᵀμ]ⱼ is small by cancellation and known
/// only to about ε·‖Bⱼ‖‖μ‖/|[Bᵀμ]ⱼ| relative, but the correction's own error is a factor
/// ‖δμ‖/‖μ‖ smaller. (With d from 1e-12 to 1e12 this moves ‖Bρ − y‖/‖y‖ from 1e-9 to 1e-16.)
///
/// - Parameter weights: dⱼ > 0 (finite).
/// - Throws: `.notPositiveDefinite` when B·D·Bᵀ is not positive definite to working precision
///   (B rank deficient); `.nonFinite` for NaN or infinite data.
/// - Complexity: O(n²·m + n³).
public func minimumWeightedL2Interpolant(b: Matrix, y: [Double], weights d: [Double])
  throws(LinearAlgebraError) -> WeightedL2InterpolantResult
{
  let n = b.rows, m = b.columns
  precondition(y.count == n && d.count == m,
               "B is \(n)×\(m) but y has \(y.count) entries and d has \(d.count)")
  precondition(d.allSatisfy { $0 > 0 }, "weights must be positive")
  // G = B·D·Bᵀ, G_ik = Σⱼ b_ij·dⱼ·b_kj.
  var gram = Matrix(rows: n, columns: n)
  for i in 0..<n {
    for k in 0...i {
      var s = 0.0
      for j in 0..<m { s += b[i, j] * d[j] * b[k, j] }
      gram[i, k] = s
      gram[k, i] = s
    }
  }
  let cholesky = try CholeskyFactorization(gram)
  let interpolant = { (mu: [Double]) -> [Double] in
    let image = b.transposedTimes(mu)
    return (0..<m).map { d[$0] * image[$0] }
  }
  var mu = cholesky.solve(y)
  var rho = interpolant(mu)
  let correction = cholesky.solve(y.subtracting(b * rho))
  mu = mu.adding(correction)
  rho = rho.adding(interpolant(correction))
  let scaled = (0..<m).map { rho[$0] / d[$0] }
  let yNorm = y.norm2, scaledNorm = scaled.norm2
  let feasibility = (b * rho).subtracting(y).norm2
  let stationarity = scaled.subtracting(b.transposedTimes(mu)).norm2
  return WeightedL2InterpolantResult(
    rho: rho, mu: mu, objective: rho.dot(scaled),
    feasibilityResidual: yNorm > 0 ? feasibility / yNorm : feasibility,
    stationarityResidual: scaledNorm > 0 ? stationarity / scaledNorm : stationarity)
}

// MARK: - Weighted ℓ1

/// The minimum weighted-ℓ1 interpolant argmin Σⱼ wⱼ|ρⱼ| s.t. Bρ = y and its certificate.
///
/// KKT (Lagrangian Σⱼ wⱼ|ρⱼ| − μᵀ(Bρ − y)): Bᵀμ ∈ ∂(Σⱼ wⱼ|ρⱼ|), i.e. |(Bᵀμ)ⱼ| ≤ wⱼ for all j
/// and (Bᵀμ)ⱼ = wⱼ·sign ρⱼ on the support. The dual is max yᵀμ s.t. |(Bᵀμ)ⱼ| ≤ wⱼ, and for
/// a feasible pair Σⱼ wⱼ|ρⱼ| − yᵀμ = Σⱼ (wⱼ|ρⱼ| − (Bᵀμ)ⱼρⱼ) ≥ 0, with equality exactly when
/// the support condition holds.
public struct WeightedL1InterpolantResult: Sendable {
  /// `.optimal`, `.infeasible` (y ∉ range(B)), or another status of the LP.
  public var status: SolverStatus
  /// The minimizer ρ (a vertex: at most rank B non-zeros).
  public var rho: [Double]
  /// The dual certificate μ.
  public var mu: [Double]
  /// Σⱼ wⱼ|ρⱼ|.
  public var objective: Double
  /// Coordinates with |ρⱼ| > 1e-9·‖ρ‖∞.
  public var support: [Int]
  /// ‖Bρ − y‖/‖y‖ (absolute when y = 0).
  public var feasibilityResidual: Double
  /// maxⱼ (|(Bᵀμ)ⱼ|/wⱼ − 1)⁺: violation of the dual constraint.
  public var dualInfeasibility: Double
  /// max over the support of |(Bᵀμ)ⱼ/wⱼ − sign ρⱼ|.
  public var subgradientResidual: Double
  /// |Σⱼ wⱼ|ρⱼ| − yᵀμ| / max(1, Σⱼ wⱼ|ρⱼ|): primal minus dual objective.
  public var dualityGap: Double
  /// 1 − maxⱼ∉support |(Bᵀμ)ⱼ|/wⱼ: a positive value means the off-support coordinates are
  /// strictly inside the dual box (a strict-complementarity margin); nil when every
  /// coordinate is in the support.
  public var offSupportMargin: Double?
  /// The underlying LP result, with its own residuals.
  public var program: LinearProgramResult
}

/// The minimum weighted-ℓ1 interpolant, the small-initialization limit of Theorem 4 (§2.5:
/// wⱼ = ηⱼ^{−(L−2)} for L ≥ 3; unit weights for L = 2 and for Woodworth et al.'s depth-2
/// model): argmin Σⱼ wⱼ|ρⱼ| s.t. Bρ = y.
///
/// Solved as the LP min wᵀρ⁺ + wᵀρ⁻ s.t. Bρ⁺ − Bρ⁻ = y, ρ± ≥ 0, ρ = ρ⁺ − ρ⁻, with
/// ``LinearProgram``. Its equality multipliers v (Lagrangian cᵀx + vᵀ(A_eq x − b_eq) − sᵀx)
/// have reduced costs s± = w ± Bᵀv ≥ 0; with μ = −v these read w − Bᵀμ ≥ 0 and w + Bᵀμ ≥ 0,
/// that is |Bᵀμ| ≤ w, and complementarity sets s⁺ⱼ = 0 ((Bᵀμ)ⱼ = wⱼ) where ρⱼ > 0 and s⁻ⱼ = 0
/// where ρⱼ < 0: μ is the certificate of the KKT conditions above. All residuals are
/// recomputed from (ρ, μ).
///
/// - Parameter weights: wⱼ > 0 (finite).
/// - Complexity: that of the simplex on n rows and 2m columns, O(n·(2m + n)) per pivot.
public func minimumWeightedL1Interpolant(b: Matrix, y: [Double], weights w: [Double]) -> WeightedL1InterpolantResult {
  let n = b.rows, m = b.columns
  precondition(y.count == n && w.count == m,
               "B is \(n)×\(m) but y has \(y.count) entries and w has \(w.count)")
  precondition(w.allSatisfy { $0 > 0 && $0.isFinite }, "weights must be finite and positive")
  let aEq = Matrix(rows: n, columns: 2 * m) { i, j in j < m ? b[i, j] : -b[i, j - m] }
  let lp = LinearProgram(c: w.appending(contentsOf: w), aEq: aEq, bEq: y)
  let r = lp.solve()
  let rho = (0..<m).map { r.x[$0] - r.x[m + $0] }
  let mu = r.equalityMultipliers.scaled(by: -1)
  let image = b.transposedTimes(mu)
  let scale = rho.normInfinity
  let support = (0..<m).filter { abs(rho[$0]) > 1e-9 * scale }
  let onSupport = Set(support)
  var subgradient = 0.0, dualInfeasibility = 0.0, offMaximum = -Double.infinity
  for j in 0..<m {
    let ratio = image[j] / w[j]
    dualInfeasibility = max(dualInfeasibility, abs(ratio) - 1)
    if onSupport.contains(j) {
      subgradient = max(subgradient, abs(ratio - (rho[j] > 0 ? 1 : -1)))
    } else {
      offMaximum = max(offMaximum, abs(ratio))
    }
  }
  let objective = (0..<m).reduce(0.0) { $0 + w[$1] * abs(rho[$1]) }
  let yNorm = y.norm2
  let feasibility = (b * rho).subtracting(y).norm2
  return WeightedL1InterpolantResult(
    status: r.status, rho: rho, mu: mu, objective: objective, support: support,
    feasibilityResidual: yNorm > 0 ? feasibility / yNorm : feasibility,
    dualInfeasibility: dualInfeasibility, subgradientResidual: subgradient,
    dualityGap: abs(objective - y.dot(mu)) / max(1, objective),
    offSupportMargin: support.count == m ? nil : 1 - offMaximum, program: r)
}
