import LinearAlgebra
import Optimization

// Parameter-space KKT residuals for homogeneous models (spec §2.2 Theorem 1, §4.6 Lyu & Li,
// §4.8 a and c). Every function here takes plain arrays, matrices or closures, so it works for
// any network whose margins and margin gradients the caller can evaluate.

// MARK: - Lyu–Li (ε, δ)-KKT residual

/// The (ε, δ)-KKT residual of Lyu & Li (spec §4.6, definition fixed in §4.8 c) of a
/// parameter vector θ for the margin problem of an L-homogeneous model,
///
///     (P)  minimize ½‖θ‖²  subject to  qᵢ(θ) = yᵢ f(xᵢ; θ) ≥ 1,  i = 1…n.
///
/// Normalisation. qᵢ is L-homogeneous, so ∇qᵢ is (L−1)-homogeneous (Euler). With
/// γ = minᵢ qᵢ(θ) > 0 and θ̄ = θ/γ^{1/L}:
///
///     qᵢ(θ̄) = qᵢ(θ)/γ  (so minᵢ qᵢ(θ̄) = 1: θ̄ is feasible for (P)),
///     ∇qᵢ(θ̄) = ∇qᵢ(θ)/γ^{(L−1)/L}.
///
/// Multipliers. A = {i : qᵢ(θ̄) ≤ 1 + τ_act} and λ = argmin_{λ ≥ 0} ‖θ̄ − Σ_{i∈A} λᵢ∇qᵢ(θ̄)‖
/// (non-negative least squares; λᵢ = 0 off A). Then
///
///     ε_abs = ‖θ̄ − Σᵢ λᵢ∇qᵢ(θ̄)‖,   ε = ε_abs/‖θ̄‖,   δ = maxᵢ λᵢ(qᵢ(θ̄) − 1) ≥ 0.
///
/// At a KKT point of (P) both vanish; along gradient flow they tend to 0 like O(1/log t)
/// (spec §2.2 "Verifier predicate T1", §6). For a linear model (L = 1, ∇qᵢ = zᵢ) this is the
/// ℓ2-SVM stationarity residual of §4.8 a (see ``svmStationarityResidual(z:direction:svm:activeTolerance:)``).
public struct LyuLiResidual: Sendable {
  /// ε = ε_abs/‖θ̄‖, the relative stationarity residual.
  public var epsilon: Double
  /// ε_abs = ‖θ̄ − Σᵢ λᵢ∇qᵢ(θ̄)‖, the residual of Lyu–Li's definition as stated.
  public var absoluteEpsilon: Double
  /// δ = maxᵢ λᵢ(qᵢ(θ̄) − 1), the complementary-slackness residual (0 when A has only
  /// points at unit margin).
  public var delta: Double
  /// λ, one entry per data point (0 off the active set).
  public var multipliers: [Double]
  /// The active set A, ascending.
  public var active: [Int]
  /// θ̄ = θ/γ^{1/L}.
  public var normalizedParameters: [Double]
  /// qᵢ(θ̄) = qᵢ(θ)/γ (≥ 1, with minimum 1).
  public var normalizedMargins: [Double]
  /// γ = minᵢ qᵢ(θ).
  public var minimumMargin: Double
  /// τ_act used to form A (report it with every verdict, spec §4.8).
  public var activeTolerance: Double
  /// Whether the NNLS solve met its optimality test (`NonNegativeLeastSquaresResult.converged`).
  public var multipliersConverged: Bool

  /// max(ε, δ): the single number compared against a threshold.
  public var total: Double { Swift.max(epsilon, delta) }
}

/// The Lyu–Li (ε, δ)-KKT residual of θ (spec §4.8 c; see ``LyuLiResidual`` for the math).
///
/// - Parameters:
///   - parameters: θ, flattened (P entries).
///   - margins: qᵢ(θ) = yᵢ f(xᵢ; θ), n entries.
///   - marginGradients: the n × P matrix whose row i is ∇_θ qᵢ(θ) = yᵢ ∇_θ f(xᵢ; θ). For a
///     linear tensor network the block of layer l is yᵢ 𝓜(xᵢ)·(v₁,…,I,…,v_L) (spec §4.8 c).
///   - degree: the homogeneity degree L ≥ 1 of q in θ (the depth, for linear networks).
///   - activeTolerance: τ_act (default 1e-3, spec §4.8).
/// - Returns: nil when minᵢ qᵢ ≤ 0 or is not finite (θ does not separate the data), or θ = 0.
/// - Precondition: `margins.count == marginGradients.rows`,
///   `parameters.count == marginGradients.columns`, `degree ≥ 1`, `activeTolerance ≥ 0`.
/// - Complexity: O(n·P) to normalise and form the system, plus one NNLS on a P × |A| matrix
///   (Lawson–Hanson; O(P·|A|·min(P, |A|)) per subproblem).
public func lyuLiResidual(parameters: [Double], margins: [Double], marginGradients: Matrix,
                          degree: Int, activeTolerance: Double = 1e-3) -> LyuLiResidual? {
  let n = margins.count, p = parameters.count
  precondition(marginGradients.rows == n && marginGradients.columns == p,
               "margin gradients are \(marginGradients.rows)×\(marginGradients.columns), "
                 + "expected \(n)×\(p) (n margins, P parameters)")
  precondition(degree >= 1, "the homogeneity degree must be at least 1, got \(degree)")
  precondition(activeTolerance >= 0, "τ_act must be non-negative (the minimum-margin point is always active), got \(activeTolerance)")
  guard let gamma = margins.min(), gamma > 0, gamma.isFinite else { return nil }
  // γ^{1/L} and γ^{(L−1)/L} = γ/γ^{1/L}; exact for L = 1 and correctly rounded √ for L = 2.
  let rootGamma: Double
  switch degree {
  case 1: rootGamma = gamma
  case 2: rootGamma = gamma.squareRoot()
  default: rootGamma = Elementary.pow(gamma, 1 / Double(degree))
  }
  let gradientScale = degree == 1 ? 1 : gamma / rootGamma
  let theta = parameters.map { $0 / rootGamma }
  let thetaNorm = theta.norm2
  guard thetaNorm > 0, thetaNorm.isFinite else { return nil }
  let scaledMargins = margins.map { $0 / gamma }
  let active = (0..<n).filter { scaledMargins[$0] <= 1 + activeTolerance }
  // Columns: ∇qᵢ(θ̄) for i ∈ A.
  let system = Matrix(rows: p, columns: active.count) { c, k in marginGradients[active[k], c] / gradientScale }
  let nnls = nonNegativeLeastSquares(system, theta)
  var lambda = [Double](repeating: 0, count: n)
  for (k, i) in active.enumerated() { lambda[i] = nnls.x[k] }
  var delta = 0.0
  for i in active { delta = Swift.max(delta, lambda[i] * (scaledMargins[i] - 1)) }
  return LyuLiResidual(epsilon: nnls.residualNorm / thetaNorm, absoluteEpsilon: nnls.residualNorm,
                       delta: delta, multipliers: lambda, active: active, normalizedParameters: theta,
                       normalizedMargins: scaledMargins, minimumMargin: gamma,
                       activeTolerance: activeTolerance, multipliersConverged: nnls.converged)
}

// MARK: - ℓ2-SVM stationarity of a direction

/// The ℓ2-SVM stationarity residuals of a direction β (spec §4.8 a; Theorem 3's predicate
/// T3, §2.4), for Z with rows zᵢ = yᵢxᵢᵀ and margins mᵢ = zᵢβ:
///
/// 1. β̄ = β/minᵢ mᵢ (min mᵢ > 0 required);  2. A = {i : zᵢβ̄ ≤ 1 + τ_act};
/// 3. λ = argmin_{λ ≥ 0} ‖β̄ − Z_Aᵀλ‖ (NNLS);
///
///     r_stat = ‖β̄ − Z_Aᵀλ‖/‖β̄‖,   r_cs = max_{i∈A} λᵢ(zᵢβ̄ − 1),   r_angle = ‖β̂ − ŵ̂_SVM‖,
///
/// hats denoting unit vectors and ŵ_SVM = argmin{‖w‖ : Zw ≥ 1} solved independently by
/// `hardMarginSVM` (NNLS on the least-distance dual).
///
/// Steps 1–3 are the Lyu–Li residual of the linear model f(x; β) = xᵀβ (L = 1, ∇qᵢ = zᵢ),
/// so they are computed by ``lyuLiResidual(parameters:margins:marginGradients:degree:activeTolerance:)``:
/// r_stat = ε and r_cs = δ. (`MaxMarginProblem.kktResidual` with p = 2 on a real space
/// computes the same numbers when every coordinate of β̄ exceeds its support tolerance; it
/// drops the small coordinates from the NNLS, which §4.8 a does not.)
public struct SVMStationarityResidual: Sendable {
  /// r_stat.
  public var stationarity: Double
  /// r_cs.
  public var complementarySlackness: Double
  /// r_angle; nil when the SVM did not solve (`SVMResult.status != .optimal`).
  public var angle: Double?
  /// The underlying L = 1 Lyu–Li residual (β̄, λ, active set, τ_act).
  public var kkt: LyuLiResidual
  /// The unit-margin SVM solution ŵ_SVM used for r_angle.
  public var svmSolution: [Double]?

  /// max(r_stat, r_cs, r_angle).
  public var total: Double { Swift.max(stationarity, complementarySlackness, angle ?? 0) }
}

/// ℓ2-SVM stationarity of the direction β (spec §4.8 a; see ``SVMStationarityResidual``).
///
/// - Parameters:
///   - z: n × d, rows yᵢxᵢᵀ.
///   - direction: β (any positive scale).
///   - svm: the independent SVM solution; computed with `hardMarginSVM(z)` when nil.
///   - activeTolerance: τ_act.
/// - Returns: nil when minᵢ zᵢβ ≤ 0.
/// - Complexity: one NNLS on d × |A| plus, when `svm` is nil, one `hardMarginSVM` (NNLS on
///   (d+1) × n).
public func svmStationarityResidual(z: Matrix, direction beta: [Double], svm: SVMResult? = nil,
                                    activeTolerance: Double = 1e-3) -> SVMStationarityResidual? {
  precondition(beta.count == z.columns, "direction has \(beta.count) entries, Z is \(z.rows)×\(z.columns)")
  guard let kkt = lyuLiResidual(parameters: beta, margins: z * beta, marginGradients: z, degree: 1,
                                activeTolerance: activeTolerance) else { return nil }
  let solution = svm ?? hardMarginSVM(z)
  var angle: Double?
  var w: [Double]?
  if solution.status == .optimal && solution.norm2 > 0 {
    w = solution.w
    angle = beta.normalized.subtracting(solution.w.normalized).norm2
  }
  return SVMStationarityResidual(stationarity: kkt.epsilon, complementarySlackness: kkt.delta, angle: angle,
                                 kkt: kkt, svmSolution: w)
}

// MARK: - Singular-vector tuples (Theorem 1)

/// How far unit layers (v̂₁, …, v̂_L) are from a singular-vector tuple of 𝓜(u) (Lim's ℓ2
/// singular vectors; Theorem 1, spec §2.2):
///
///     gₗ := 𝓜(u)·(v̂₁, …, v̂ₗ₋₁, I, v̂ₗ₊₁, …, v̂_L) = s·v̂ₗ  for every l, one s > 0.
///
/// Residual. sₗ = ⟨gₗ, v̂ₗ⟩ (all equal to 𝓜(u)·(v̂₁,…,v̂_L) by multilinearity, so their spread
/// is only rounding), s = mean sₗ, and
///
///     rₗ = ‖gₗ − s·v̂ₗ‖/|s|,   r = maxₗ rₗ   (s > 0 required).
///
/// Equal norms. Theorem 1's limit direction has blocks of equal norm (conservation law
/// ‖vₗ‖² − ‖vₗ′‖² = const, §2.1), reported as maxₗ |‖vₗ‖² − m|/m with m = meanₗ ‖vₗ‖².
///
/// Relation to Lyu–Li. At a KKT point θ̄ of (P) with multipliers λ, v̄ₗ = 𝓜(u)·(v̄..I..v̄) for
/// u = Σᵢ λᵢyᵢxᵢ (= Zᵀλ); the norms are then equal to some r and gₗ = r^{2−L}·v̂ₗ, so s = r^{2−L}.
public struct SingularVectorTupleResidual: Sendable {
  /// s = meanₗ sₗ.
  public var scale: Double
  /// sₗ = ⟨gₗ, v̂ₗ⟩ per layer.
  public var layerScales: [Double]
  /// rₗ = ‖gₗ − s v̂ₗ‖/|s| per layer (∞ when s = 0).
  public var layerResiduals: [Double]
  /// r = maxₗ rₗ.
  public var residual: Double
  /// ‖vₗ‖ per layer (of the layers as given, not the unit ones).
  public var layerNorms: [Double]
  /// maxₗ |‖vₗ‖² − mean‖v‖²|/mean‖v‖².
  public var equalNormResidual: Double

  /// s > 0, as the theorem requires.
  public var scaleIsPositive: Bool { scale > 0 }

  /// Whether the tuple condition holds to `tolerance`: s > 0 and r ≤ tolerance (the equal
  /// norm condition is separate: it holds only in the limit, at rate O(1/‖θ‖²)).
  public func holds(tolerance: Double) -> Bool { scaleIsPositive && residual <= tolerance }
}

/// maxₗ |‖vₗ‖² − m|/m with m = meanₗ ‖vₗ‖² (0 for a single layer; nil when every layer is 0).
/// - Complexity: O(Σₗ kₗ).
public func equalNormResidual(layers: [[Double]]) -> Double? {
  guard !layers.isEmpty else { return nil }
  let squares = layers.map { let r = $0.norm2; return r * r }
  let mean = squares.reduce(0, +) / Double(squares.count)
  guard mean > 0, mean.isFinite else { return nil }
  return squares.map { Swift.abs($0 - mean) / mean }.max() ?? 0
}

/// The singular-vector-tuple residual from precomputed contractions
/// gₗ = 𝓜(u)·(v̂₁,…,I,…,v̂_L) at the unit layers v̂ₗ = vₗ/‖vₗ‖ (spec §2.2; see
/// ``SingularVectorTupleResidual``).
///
/// - Parameters:
///   - layers: v₁, …, v_L (any norms; only directions enter the residual, norms enter
///     `equalNormResidual`).
///   - contractions: g₁, …, g_L, evaluated at the UNIT layers.
/// - Returns: nil when a layer is zero (its direction is undefined).
/// - Precondition: one contraction per layer, of the layer's length.
/// - Complexity: O(Σₗ kₗ).
public func singularVectorTupleResidual(layers: [[Double]], contractions: [[Double]]) -> SingularVectorTupleResidual? {
  precondition(layers.count == contractions.count && !layers.isEmpty,
               "\(layers.count) layers and \(contractions.count) contractions (need equal, non-zero counts)")
  for l in layers.indices {
    precondition(layers[l].count == contractions[l].count,
                 "layer \(l) has \(layers[l].count) entries, its contraction \(contractions[l].count)")
  }
  let norms = layers.map(\.norm2)
  guard norms.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
  let unit = zip(layers, norms).map { v, r in v.map { $0 / r } }
  let scales = zip(contractions, unit).map { g, v in g.dot(v) }
  let s = scales.reduce(0, +) / Double(scales.count)
  let residuals = zip(contractions, unit).map { g, v -> Double in
    let miss = g.subtracting(v.scaled(by: s)).norm2
    return s == 0 ? (miss == 0 ? 0 : .infinity) : miss / Swift.abs(s)
  }
  return SingularVectorTupleResidual(scale: s, layerScales: scales, layerResiduals: residuals,
                                     residual: residuals.max() ?? 0, layerNorms: norms,
                                     equalNormResidual: equalNormResidual(layers: layers) ?? 0)
}

/// The singular-vector-tuple residual with the contractions computed by a closure at the
/// unit layers (spec §2.2).
///
/// - Parameter contractions: given the unit layers (v̂₁, …, v̂_L), returns
///   (𝓜(u)·(I, v̂₂, …), …, 𝓜(u)·(…, v̂_{L−1}, I)) for the caller's fixed u — for a network
///   object, e.g. `{ net.contractions(u, $0) }`. For a linear tensor network this is also
///   ∇_Θ f(u; Θ) at Θ = (v̂₁, …, v̂_L), split by layer.
/// - Complexity: one call of the closure plus O(Σₗ kₗ).
public func singularVectorTupleResidual(layers: [[Double]],
                                        contractions: ([[Double]]) -> [[Double]]) -> SingularVectorTupleResidual? {
  let norms = layers.map(\.norm2)
  guard !layers.isEmpty, norms.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
  let unit = zip(layers, norms).map { v, r in v.map { $0 / r } }
  return singularVectorTupleResidual(layers: layers, contractions: contractions(unit))
}

/// Theorem 1's two residuals in one pass (spec §2.2 "Verifier predicate T1"): the Lyu–Li
/// residual of θ, then the singular-vector-tuple residual of its layers for
/// u = Σᵢ λᵢyᵢxᵢ = Zᵀλ with the Lyu–Li multipliers λ.
public struct TheoremOneResidual: Sendable {
  public var kkt: LyuLiResidual
  /// u = Zᵀλ.
  public var dualCombination: [Double]
  /// nil when a layer of θ is zero.
  public var tuple: SingularVectorTupleResidual?
}

/// Theorem 1's residuals for a linear tensor network (spec §2.2, §4.8 c).
///
/// - Parameters:
///   - parameters: θ = (v₁, …, v_L) flattened layer after layer.
///   - layerSizes: k₁, …, k_L (Σ kₗ = P).
///   - margins, marginGradients: as for ``lyuLiResidual(parameters:margins:marginGradients:degree:activeTolerance:)``;
///     the degree is L = `layerSizes.count`.
///   - z: n × d, rows yᵢxᵢᵀ (to form u = Zᵀλ).
///   - contractions: (u, unit layers) ↦ (𝓜(u)·(…, I, …))ₗ.
/// - Returns: nil when the Lyu–Li residual is undefined (minᵢ qᵢ ≤ 0).
/// - Complexity: that of the Lyu–Li residual, plus O(n·d) for u and one closure call.
public func theoremOneResidual(parameters: [Double], layerSizes: [Int], margins: [Double],
                               marginGradients: Matrix, z: Matrix, activeTolerance: Double = 1e-3,
                               contractions: ([Double], [[Double]]) -> [[Double]]) -> TheoremOneResidual? {
  precondition(layerSizes.reduce(0, +) == parameters.count,
               "layer sizes \(layerSizes) do not add up to the \(parameters.count) parameters")
  precondition(z.rows == margins.count, "Z has \(z.rows) rows for \(margins.count) margins")
  guard let kkt = lyuLiResidual(parameters: parameters, margins: margins, marginGradients: marginGradients,
                                degree: layerSizes.count, activeTolerance: activeTolerance) else { return nil }
  let u = z.transposedTimes(kkt.multipliers)
  var layers: [[Double]] = []
  var start = 0
  for k in layerSizes {
    layers.append(Array(kkt.normalizedParameters[start..<(start + k)]))
    start += k
  }
  let tuple = singularVectorTupleResidual(layers: layers) { contractions(u, $0) }
  return TheoremOneResidual(kkt: kkt, dualCombination: u, tuple: tuple)
}
