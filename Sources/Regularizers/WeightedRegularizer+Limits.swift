import LinearAlgebra

// The two limits of Q_{L,α,η} with ρ(0) = 0 (spec §2.5, "Limits").
//
// α → ∞ (kernel regime). uⱼ = ρⱼ/(αηⱼ)^L → 0 and q(u) = u²/2 + O(u⁴), so
//     Q = Σⱼ cⱼ² q(ρⱼ/cⱼ^L) = (α^{2−2L}/2) Σⱼ ρⱼ²/ηⱼ^{2(L−1)} · (1 + O(α^{−2L})):
// a weighted ℓ2 norm with weights ηⱼ^{−2(L−1)}.
//
// α → 0 (rich regime), L ≥ 3. uⱼ → ∞ and q(u) = g_L|u| − O(|u|^{2/L}), so
//     Q = g_L α^{2−L} Σⱼ |ρⱼ|/ηⱼ^{L−2} · (1 + O(α^{L−2}))  (relative, for fixed ρ with no zeros):
// a weighted ℓ1 norm with weights ηⱼ^{−(L−2)}.
// For L = 2 the same weights are all 1 and q₂(u) = ½|u| log(4|u|) − |u|/2 + ¼ + O(1/|u|) gives
//     Q = log(1/α)·‖ρ‖₁ + O(1):
// the unweighted ℓ1 norm, approached only logarithmically (Woodworth et al. 2020).

extension WeightedRegularizer {
  /// The weights wⱼ = ηⱼ^{−2(L−1)} of the weighted ℓ2 limit (α → ∞):
  /// Q ≈ (α^{2−2L}/2) Σⱼ wⱼ ρⱼ².
  public static func weightedL2Weights(depth: Int, shape: [Double]) -> [Double] {
    precondition(depth >= 2, "Depth L ≥ 2 required, got \(depth)")
    return shape.map { Elementary.pow($0, -2 * Double(depth - 1)) }
  }

  /// The weights wⱼ = ηⱼ^{−(L−2)} of the weighted ℓ1 limit (α → 0): Q ≈ s(α) Σⱼ wⱼ |ρⱼ|, with
  /// s = g_L α^{2−L} for L ≥ 3. For L = 2 the weights are 1: the unweighted ℓ1 limit.
  public static func weightedL1Weights(depth: Int, shape: [Double]) -> [Double] {
    precondition(depth >= 2, "Depth L ≥ 2 required, got \(depth)")
    return shape.map { Elementary.pow($0, -Double(depth - 2)) }
  }

  /// α^{2−2L}/2, the factor of the weighted ℓ2 limit.
  public var weightedL2Scale: Double { Elementary.pow(alpha, 2 - 2 * Double(depth)) / 2 }

  /// g_L α^{2−L} for L ≥ 3; log(1/α) for L = 2 (leading term only, meaningful for α < 1).
  public var weightedL1Scale: Double {
    depth == 2 ? -Elementary.log(alpha) : regularizer.gInfinity * Elementary.pow(alpha, 2 - Double(depth))
  }

  /// (α^{2−2L}/2) Σⱼ ρⱼ²/ηⱼ^{2(L−1)}, the α → ∞ approximation of Q (for ρ(0) = 0).
  public func weightedL2Limit(_ rho: [Double]) -> Double {
    checkLength(rho)
    let w = WeightedRegularizer.weightedL2Weights(depth: depth, shape: shape)
    return weightedL2Scale * rho.indices.reduce(0) { $0 + w[$1] * rho[$1] * rho[$1] }
  }

  /// s(α) Σⱼ |ρⱼ|/ηⱼ^{L−2}, the α → 0 approximation of Q (for ρ(0) = 0).
  public func weightedL1Limit(_ rho: [Double]) -> Double {
    checkLength(rho)
    let w = WeightedRegularizer.weightedL1Weights(depth: depth, shape: shape)
    return weightedL1Scale * rho.indices.reduce(0) { $0 + w[$1] * Swift.abs(rho[$1]) }
  }

  /// The weighted ℓ2 minimiser argmin Σⱼ ρⱼ²/ηⱼ^{2(L−1)} s.t. X_S ρ = y, in closed form
  /// ρ = D X_Sᵀ (X_S D X_Sᵀ)⁻¹ y with D = diag(η^{2(L−1)}) (spec §2.5): the α → ∞ limit of
  /// argmin Q. `constraints` is X_S = XSᵀ (n × m, full row rank), `targets` is y.
  /// - Throws: `LinearAlgebraError` when X_S D X_Sᵀ is not numerically positive definite.
  /// - Complexity: O(n²m + n³).
  public static func weightedL2Minimizer(
    depth: Int, shape: [Double], constraints xs: Matrix, targets y: [Double]
  ) throws(LinearAlgebraError) -> [Double] {
    precondition(xs.columns == shape.count, "X_S is \(xs.rows)×\(xs.columns) for a shape of length \(shape.count)")
    precondition(xs.rows == y.count, "X_S is \(xs.rows)×\(xs.columns) for \(y.count) targets")
    let d = shape.map { Elementary.pow($0, 2 * Double(depth - 1)) }
    let scaled = Matrix(rows: xs.rows, columns: xs.columns) { i, j in xs[i, j] * d[j] }
    let gram = scaled * xs.transposed
    let mu = try CholeskyFactorization(gram).solve(y)
    return zip(d, xs.transposedTimes(mu)).map { $0 * $1 }
  }
}
