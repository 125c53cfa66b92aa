import LinearAlgebra

// Max-margin problems on a matrix Z whose rows are z_i = y_i x_iᵀ (possibly transformed):
// the limits of gradient flow on separable data for the networks the verifier studies.
// Each solver returns its own optimality certificate, recomputed from the returned point.

// MARK: - ℓ1 max margin

/// The ℓ1 max-margin problem min ‖β‖₁ s.t. Zβ ≥ 1 and its certificate.
///
/// KKT: λ ≥ 0, Zᵀλ ∈ ∂‖β‖₁ (|(Zᵀλ)_j| ≤ 1, = sign β_j on the support), λᵢ(z_iβ − 1) = 0.
public struct L1MaxMarginResult: Sendable {
  /// `.optimal`, or `.infeasible` when no β has Zβ ≥ 1 (the data are not separable).
  public var status: SolverStatus
  /// The minimizer β (unit margin: min_i z_iβ = 1).
  public var beta: [Double]
  /// ‖β‖₁.
  public var norm1: Double
  /// The LP multipliers λ ≥ 0 of Zβ ≥ 1; the LP dual is max 1ᵀλ s.t. ‖Zᵀλ‖∞ ≤ 1.
  public var lambda: [Double]
  /// Coordinates with |β_j| > 1e-9·‖β‖∞.
  public var support: [Int]
  /// Constraints with z_iβ ≤ 1 + 1e-9.
  public var active: [Int]
  /// 1 − max_{j ∉ support} |(Zᵀλ)_j|; nil when the support is every coordinate.
  public var dualGap: Double?
  /// max(0, 1 − min_i z_iβ).
  public var marginViolation: Double
  /// max(0, ‖Zᵀλ‖∞ − 1, −min λ).
  public var dualInfeasibility: Double
  /// max over the support of |(Zᵀλ)_j − sign β_j|.
  public var subgradientResidual: Double
  /// max_i λᵢ|z_iβ − 1|.
  public var complementarity: Double
  /// |‖β‖₁ − 1ᵀλ| (primal minus dual objective).
  public var objectiveGap: Double
  /// When `.infeasible`: λ ≥ 0 with Σλ = 1 and Zᵀλ ≈ 0 (Gordan's alternative).
  public var gordanWitness: [Double]?
  /// The underlying LP result, with its own residuals.
  public var program: LinearProgramResult
}

/// The ℓ1 max-margin direction: min ‖β‖₁ s.t. Zβ ≥ 1 (the limit direction of depth-2
/// diagonal networks; Gunasekar et al. 2018, Woodworth et al. 2020).
///
/// Solved as the LP min 1ᵀ(β⁺ + β⁻) s.t. −Zβ⁺ + Zβ⁻ ≤ −1, β± ≥ 0 with
/// ``LinearProgram``. Its multipliers λ = u ≥ 0 have reduced costs s± = 1 ∓ Zᵀλ ≥ 0, which is
/// exactly |(Zᵀλ)_j| ≤ 1, with s⁺_j = 0 (so (Zᵀλ)_j = 1) where β_j > 0 and s⁻_j = 0 where
/// β_j < 0: the LP dual gives the subgradient normalization directly.
///
/// Data far from unit scale (max|zᵢⱼ| outside [1e-8, 1e8]) are first scaled by a power of
/// two ζ, which is exact: with Z = ζZ̃, β = β̃/ζ and λ = λ̃/ζ (see ``separabilityMargin(_:maxIterations:)``).
///
/// - Parameter maxIterations: the simplex pivot budget (nil: ``LinearProgram``'s default);
///   when it runs out the status is `.iterationLimit` and β is 0.
/// - Complexity: that of the simplex on n rows and 2d + n columns, O(n·(2d + n)) per pivot.
public func l1MaxMargin(_ z: Matrix, maxIterations: Int? = nil) -> L1MaxMarginResult {
  let n = z.rows, d = z.columns
  precondition(n > 0 && d > 0, "l1MaxMargin needs a non-empty Z, got \(n)×\(d)")
  let zeta = unitScaling(z)
  let a = Matrix(rows: n, columns: 2 * d) { i, j in (j < d ? -z[i, j] : z[i, j - d]) / zeta }
  let lp = LinearProgram(c: [Double](repeating: 1, count: 2 * d), a: a, b: [Double](repeating: -1, count: n))
  let r = lp.solve(maxIterations: maxIterations)
  let beta = r.status == .optimal ? (0..<d).map { (r.x[$0] - r.x[d + $0]) / zeta } : [Double](repeating: 0, count: d)
  var lambda = r.inequalityMultipliers.map { $0 / zeta }
  var witness: [Double]?
  if r.status == .infeasible, let f = r.farkasCertificate {
    // u ≥ 0, [−Z Z]ᵀu ≥ 0 ⇒ Zᵀu = 0, and −1ᵀu = −1: u itself is a Gordan witness.
    witness = f.inequalityMultipliers
    lambda = f.inequalityMultipliers
  }
  let margins = z * beta
  let image = z.transposedTimes(lambda)
  let scale = beta.normInfinity
  let support = (0..<d).filter { abs(beta[$0]) > 1e-9 * scale }
  let onSupport = Set(support)
  let offSupport = (0..<d).filter { !onSupport.contains($0) }
  var subgradient = 0.0
  for j in support { subgradient = max(subgradient, abs(image[j] - (beta[j] > 0 ? 1 : -1))) }
  let norm1 = beta.norm1
  return L1MaxMarginResult(
    status: r.status, beta: beta, norm1: norm1, lambda: lambda, support: support,
    active: (0..<n).filter { margins[$0] <= 1 + 1e-9 },
    dualGap: offSupport.isEmpty ? nil : 1 - offSupport.map { abs(image[$0]) }.max()!,
    marginViolation: max(0, 1 - (margins.min() ?? 1)),
    dualInfeasibility: max(0, image.normInfinity - 1, -(lambda.min() ?? 0)),
    subgradientResidual: subgradient,
    complementarity: (0..<n).map { abs(lambda[$0] * (margins[$0] - 1)) }.max() ?? 0,
    objectiveGap: abs(norm1 - lambda.reduce(0, +)), gordanWitness: witness, program: r)
}

// MARK: - Hard-margin SVM

/// The hard-margin SVM min ½‖w‖² s.t. Zw ≥ 1 (no bias) and its certificate.
public struct SVMResult: Sendable {
  /// `.optimal`, `.infeasible` (not separable), or `.iterationLimit` (NNLS did not converge).
  public var status: SolverStatus
  /// The minimizer w (unit margin).
  public var w: [Double]
  /// ‖w‖₂; the geometric margin is 1/‖w‖.
  public var norm2: Double
  /// Dual variables λ ≥ 0 with w = Zᵀλ.
  public var lambda: [Double]
  /// Constraints with z_iw ≤ 1 + 1e-9.
  public var active: [Int]
  /// ‖w − Zᵀλ‖₂.
  public var stationarityResidual: Double
  /// min_i z_iw − 1 (≥ 0 when feasible; 0 at the optimum).
  public var marginResidual: Double
  /// max(0, −min λ).
  public var dualInfeasibility: Double
  /// max_i λᵢ|z_iw − 1|.
  public var complementarity: Double
  /// |½‖w‖² − (1ᵀλ − ½‖Zᵀλ‖²)|.
  public var dualityGap: Double
  /// NNLS iterations.
  public var iterations: Int
  /// When `.infeasible`: λ ≥ 0, Σλ = 1 with Zᵀλ ≈ 0 (Gordan's alternative).
  public var gordanWitness: [Double]?
}

/// The hard-margin SVM without bias, min ½‖w‖² s.t. Zw ≥ 1 (the limit direction of
/// gradient descent on linear predictors and fully connected linear networks; Soudry et al.
/// 2018, Ji & Telgarsky 2019).
///
/// Method: the least-distance program min ‖w‖ s.t. Zw ≥ 1 reduces to one non-negative least
/// squares problem (Lawson & Hanson 1974, ch. 23, algorithm LDP): with E = [Zᵀ; 1ᵀ] and
/// f = e_{d+1}, let u = argmin_{u ≥ 0} ‖Eu − f‖ and r = Eu − f. If r = 0 the constraints are
/// inconsistent (then Zᵀu = 0, 1ᵀu = 1). Otherwise w = −r_{1..d}/r_{d+1} = Zᵀu/(1 − 1ᵀu), so
/// the dual variables are λ = u/(1 − 1ᵀu). Z is first scaled by ζ = max|z_ij| (w = w̃/ζ,
/// λ = λ̃/ζ²); infeasibility is declared when ‖r‖ ≤ 1e-8, i.e. ‖w̃‖ ≥ 1e8 (a margin below
/// 1e-8 of the data scale). At the optimum ‖r‖² = 1/(1 + ‖w̃‖²).
///
/// Polish: 1 − 1ᵀu = 1/(1 + ‖w̃‖²) loses digits when the margin is small, so on the support
/// set P = {i : uᵢ > 0} the KKT equations z_iw = 1 (i ∈ P), w = Z_Pᵀλ_P are solved directly:
/// w = the minimum-norm solution of Z_P w = 1 (which lies in the row space of Z_P), then λ_P
/// from Z_Pᵀλ_P = w, both by least squares. The polished pair replaces the NNLS one when its
/// KKT error (max of the residuals below) is no larger.
///
/// - Parameter maxIterations: the NNLS iteration cap (nil: its default 3n); when NNLS stops
///   at it the status is `.iterationLimit`.
/// - Complexity: NNLS on a (d+1) × n matrix, O(n·(d+1)·min(n, d+1)) per iteration.
public func hardMarginSVM(_ z: Matrix, maxIterations: Int? = nil) -> SVMResult {
  let n = z.rows, d = z.columns
  precondition(n > 0 && d > 0, "hardMarginSVM needs a non-empty Z, got \(n)×\(d)")
  let zeta = max(z.maxAbs, .leastNormalMagnitude)
  let zs = (1 / zeta) * z
  var e = Matrix(rows: d + 1, columns: n)
  for i in 0..<n {
    for j in 0..<d { e[j, i] = zs[i, j] }
    e[d, i] = 1
  }
  var f = [Double](repeating: 0, count: d + 1)
  f[d] = 1
  let nnls = nonNegativeLeastSquares(e, f, maxIterations: maxIterations)
  let u = nnls.x.map { max($0, 0) }
  let residual = e * u - f

  if residual.norm2 <= 1e-8 && nnls.converged {
    let total = u.reduce(0, +)
    let witness = total > 0 ? (1 / total) * u : u
    var result = svmCertificate(z, w: [Double](repeating: 0, count: d), lambda: witness, iterations: nnls.iterations)
    result.status = .infeasible
    result.gordanWitness = witness
    return result
  }
  // λ̃ = u/(1 − 1ᵀu) = −u/r_{d+1}; w̃ = Zsᵀλ̃; then undo the scaling.
  let lambdaScaled = (-1 / residual[d]) * u
  var best = svmCertificate(
    z, w: (1 / zeta) * zs.transposedTimes(lambdaScaled), lambda: (1 / (zeta * zeta)) * lambdaScaled,
    iterations: nnls.iterations)

  let support = (0..<n).filter { u[$0] > 0 }
  if !support.isEmpty {
    let zp = zs.selectingRows(support)
    let ws = leastSquares(zp, [Double](repeating: 1, count: support.count)).x
    let lambdaP = leastSquares(zp.transposed, ws).x
    var lambda = [Double](repeating: 0, count: n)
    for (k, i) in support.enumerated() { lambda[i] = lambdaP[k] / (zeta * zeta) }
    let polished = svmCertificate(z, w: (1 / zeta) * ws, lambda: lambda, iterations: nnls.iterations)
    if polished.kktError <= best.kktError { best = polished }
  }
  if !nnls.converged { best.status = .iterationLimit }
  return best
}

/// Residuals of (w, λ) for min ½‖w‖² s.t. Zw ≥ 1, recomputed from the data.
private func svmCertificate(_ z: Matrix, w: [Double], lambda: [Double], iterations: Int) -> SVMResult {
  let margins = z * w
  let image = z.transposedTimes(lambda)
  let half = 0.5 * w.dot(w)
  let dualObjective = lambda.reduce(0, +) - 0.5 * image.dot(image)
  return SVMResult(
    status: .optimal, w: w, norm2: w.norm2, lambda: lambda,
    active: margins.indices.filter { margins[$0] <= 1 + 1e-9 },
    stationarityResidual: (w - image).norm2, marginResidual: (margins.min() ?? 1) - 1,
    dualInfeasibility: max(0, -(lambda.min() ?? 0)),
    complementarity: margins.indices.map { abs(lambda[$0] * (margins[$0] - 1)) }.max() ?? 0,
    dualityGap: abs(half - dualObjective), iterations: iterations)
}

extension SVMResult {
  /// The largest KKT violation, each term relative to its natural scale (‖w‖ or ½‖w‖²).
  var kktError: Double {
    let scale = max(norm2, .leastNormalMagnitude)
    return max(stationarityResidual / scale, max(0, -marginResidual), dualInfeasibility,
               complementarity / (scale * scale), dualityGap / (scale * scale))
  }
}

// MARK: - Separability

/// The separability LP max t s.t. Zβ ≥ t·1, −1 ≤ β_j ≤ 1, and its dual witness.
public struct SeparabilityResult: Sendable {
  public var status: SolverStatus
  /// t* = max_{‖β‖∞ ≤ 1} min_i z_iβ (≥ 0, since β = 0 is feasible).
  public var margin: Double
  /// The maximizer β.
  public var beta: [Double]
  /// t* > `tolerance`.
  public var isSeparable: Bool
  /// 1e-12 · max|z_ij| · d: t* is at most max|z_ij|·d, and a vertex solve is accurate to
  /// about that bound times the unit roundoff times a small factor.
  public var tolerance: Double
  /// λ ≥ 0 with Σλ = 1, the multipliers of Zβ ≥ t·1. By LP duality
  /// t* = min_{λ ∈ simplex} ‖Zᵀλ‖₁, so when t* = 0, Zᵀλ = 0 certifies that no β has
  /// Zβ > 0 (Gordan's alternative).
  public var lambda: [Double]
  /// ‖Zᵀλ‖₁ (equal to t* at the optimum).
  public var witnessNorm1: Double
  /// max(|Σλ − 1|, −min λ).
  public var witnessResidual: Double
  /// The underlying LP result, with its own residuals.
  public var program: LinearProgramResult
}

/// Whether Z is strictly separable (some β has Zβ > 0), by the LP
///
///     min −t  s.t.  −Zβ + t·1 ≤ 0,  β ≤ 1,  −β ≤ 1   (β, t free).
///
/// Dual (multipliers λ for the first block, μ⁺, μ⁻ for the box): stationarity in t gives
/// Σλ = 1, in β gives Zᵀλ = μ⁺ − μ⁻, and the dual objective is −Σ(μ⁺ + μ⁻); at the optimum
/// min(μ⁺_j, μ⁻_j) = 0, so t* = ‖Zᵀλ‖₁ = min over the simplex (von Neumann's minimax).
///
/// Scaling: t* is homogeneous in Z (t*(ζZ) = ζ·t*(Z), same β and λ), but the box rows
/// have unit entries, so data far from unit scale would make the simplex's pivot tolerance
/// (relative to the largest entry) discard the box or the data. Data with max|zᵢⱼ| outside
/// [1e-8, 1e8] are therefore solved as Z/ζ, ζ the power of two nearest max|zᵢⱼ| (an exact
/// scaling), and t* is scaled back; data in that range are solved as given. (Found by the
/// hostile-input tests: separable data of size 1e150 came out "not separable".)
///
/// - Parameter maxIterations: the simplex pivot budget (nil: ``LinearProgram``'s default);
///   when it runs out the status is `.iterationLimit` and `isSeparable` is false — callers
///   must read the status before taking that as "not separable".
/// - Complexity: the simplex on n + 2d rows and d + 1 free variables.
public func separabilityMargin(_ z: Matrix, maxIterations: Int? = nil) -> SeparabilityResult {
  let n = z.rows, d = z.columns
  precondition(n > 0 && d > 0, "separabilityMargin needs a non-empty Z, got \(n)×\(d)")
  let zeta = unitScaling(z)
  var a = Matrix(rows: n + 2 * d, columns: d + 1)
  for i in 0..<n {
    for j in 0..<d { a[i, j] = -z[i, j] / zeta }
    a[i, d] = 1
  }
  for j in 0..<d {
    a[n + j, j] = 1
    a[n + d + j, j] = -1
  }
  var c = [Double](repeating: 0, count: d + 1)
  c[d] = -1
  var b = [Double](repeating: 0, count: n)
  b.append(contentsOf: [Double](repeating: 1, count: 2 * d))
  let lp = LinearProgram(c: c, a: a, b: b, bounds: Array(repeating: .free, count: d + 1))
  let r = lp.solve(maxIterations: maxIterations)
  let lambda = Array(r.inequalityMultipliers[0..<n])
  let tolerance = 1e-12 * z.maxAbs * Double(d)
  let margin = r.x[d] * zeta
  return SeparabilityResult(
    status: r.status, margin: margin, beta: Array(r.x[0..<d]),
    isSeparable: r.status == .optimal && margin > tolerance, tolerance: tolerance, lambda: lambda,
    witnessNorm1: z.transposedTimes(lambda).norm1,
    witnessResidual: max(abs(lambda.reduce(0, +) - 1), -(lambda.min() ?? 0)), program: r)
}

/// A strictly separating direction certified without the LP, for data too large for the
/// dense simplex (`separabilityMargin` builds an (n + 2d) × (d + 1) problem).
///
/// The candidate is the minimum-norm solution of Zβ = 1, β = Zᵀu with (ZZᵀ)u = 1, found by
/// conjugate gradients on the n × n Gram operator applied as Z(Zᵀv) — O(nd) per iteration,
/// no n × n or d × d matrix is formed. When Z has full row rank (generic when n ≤ d) the
/// margins Zβ equal 1 up to the CG residual; otherwise β still may separate, and whether it
/// does is decided by the check below, not assumed.
///
/// **Certification.** β separates when every computed margin exceeds its rounding bound:
/// a dot product of length d in floating point is within γ_d·Σⱼ|zᵢⱼβⱼ| of the exact value,
/// γ_d = dε/(1 − dε) (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1), so
/// fl(zᵢβ) > γ_d·Σⱼ|zᵢⱼβⱼ| for all i proves zᵢβ > 0 exactly for the stored β. The returned
/// margin min_i zᵢβ / ‖β‖_∞ is then a certified lower bound (up to that rounding) on the
/// LP's t* = max_{‖β‖∞ ≤ 1} min_i zᵢβ.
///
/// Returns nil when the candidate does not separate (the LP then has to decide).
/// - Complexity: O(nd · iterations), memory O(n + d).
public func separatingDirection(_ z: Matrix, maxIterations: Int = 500, relativeTolerance: Double = 1e-10)
  -> (beta: [Double], margin: Double, iterations: Int)? {
  let n = z.rows, d = z.columns
  guard n > 0, d > 0 else { return nil }
  let gram = { (v: [Double]) -> [Double] in z * z.transposedTimes(v) }
  // CG on (ZZᵀ)u = 1 from u = 0.
  var u = [Double](repeating: 0, count: n)
  var r = [Double](repeating: 1, count: n)
  var p = r
  var rr = Double(n)
  let stop = relativeTolerance * relativeTolerance * Double(n)
  var iterations = 0
  while iterations < maxIterations && rr > stop {
    let ap = gram(p)
    var pap = 0.0
    for i in 0..<n { pap += p[i] * ap[i] }
    guard pap > 0, pap.isFinite else { break }
    let alpha = rr / pap
    var next = 0.0
    for i in 0..<n {
      u[i] += alpha * p[i]
      r[i] -= alpha * ap[i]
      next += r[i] * r[i]
    }
    let beta = next / rr
    rr = next
    for i in 0..<n { p[i] = r[i] + beta * p[i] }
    iterations += 1
  }
  let beta = z.transposedTimes(u)
  let scale = beta.reduce(0) { max($0, abs($1)) }
  guard scale > 0, scale.isFinite else { return nil }
  let gamma = Double(d) * Double.ulpOfOne / (1 - Double(d) * Double.ulpOfOne)
  var worst = Double.infinity
  for i in 0..<n {
    var dot = 0.0, magnitude = 0.0
    for j in 0..<d {
      let t = z[i, j] * beta[j]
      dot += t
      magnitude += abs(t)
    }
    guard dot > gamma * magnitude else { return nil }
    worst = min(worst, dot)
  }
  return (beta, worst / scale, iterations)
}


/// The power of two nearest max|zᵢⱼ| when that lies outside [1e-8, 1e8], else 1: dividing
/// by it is exact and brings the entries to unit scale for the simplex's tolerances.
func unitScaling(_ z: Matrix) -> Double {
  let top = z.maxAbs
  guard top.isFinite, top > 0, top < 1e-8 || top > 1e8 else { return 1 }
  return Double(sign: .plus, exponent: top.exponent, significand: 1)
}
