import LinearAlgebra

/// max t s.t. Zβ ≥ t·1, −1 ≤ βⱼ ≤ 1 (an LP): t* > 0 iff the rows of Z admit a strict
/// separator. The LP dual gives λ ≥ 0 with Σλ = 1 and ‖Zᵀλ‖₁ = t* (Gordan's alternative):
/// when t* ≤ 0 it certifies that no separator exists.
public struct SeparabilityResult: Sendable {
  public var margin: Double
  public var beta: [Double]
  /// λ of the Gordan witness and ‖Zᵀλ‖₁.
  public var witness: [Double]
  public var witnessNorm: Double
  public var status: SolverStatus
  /// t* above 1e-12 · max|z| · d (the LP's rounding level for this data).
  public var isSeparable: Bool
}

/// Solves the separability LP. Variables (β, t), all free.
/// - Complexity: one dense simplex solve on n + 2d constraints.
public func separabilityMargin(_ z: Matrix) -> SeparabilityResult {
  let n = z.rows, d = z.columns
  var a = Matrix(rows: n + 2 * d, columns: d + 1)
  var b = [Double](repeating: 0, count: n + 2 * d)
  for i in 0..<n {
    for j in 0..<d { a[i, j] = -z[i, j] }
    a[i, d] = 1
  }
  for j in 0..<d {
    a[n + 2 * j, j] = 1; b[n + 2 * j] = 1
    a[n + 2 * j + 1, j] = -1; b[n + 2 * j + 1] = 1
  }
  var c = [Double](repeating: 0, count: d + 1)
  c[d] = -1
  let lp = LinearProgram(c: c, a: a, b: b, bounds: Array(repeating: .free, count: d + 1)).solve()
  let t = lp.status == .optimal ? lp.x[d] : 0
  let lambdaRaw = Array(lp.inequalityMultipliers.prefix(n)).map { abs($0) }
  let total = lambdaRaw.reduce(0, +)
  let lambda = total > 0 ? lambdaRaw.map { $0 / total } : lambdaRaw
  let witnessNorm = z.transposedTimes(lambda).norm1
  let tolerance = 1e-12 * max(z.maxAbs, 1) * Double(max(d, 1))
  return SeparabilityResult(margin: t, beta: lp.status == .optimal ? Array(lp.x.prefix(d)) : [], witness: lambda,
                            witnessNorm: witnessNorm, status: lp.status, isSeparable: lp.status == .optimal && t > tolerance)
}

/// argmin ‖β‖₁ s.t. Zβ ≥ 1, by the LP with β = β⁺ − β⁻ (the ℓ1 max-margin direction: the
/// limit of depth-2 diagonal networks).
public struct L1MaxMarginResult: Sendable {
  public var beta: [Double]
  public var norm1: Double
  public var status: SolverStatus
  public var isOptimal: Bool { status == .optimal }
}

public func l1MaxMargin(_ z: Matrix) -> L1MaxMarginResult {
  let n = z.rows, d = z.columns
  var a = Matrix(rows: n, columns: 2 * d)
  for i in 0..<n { for j in 0..<d { a[i, j] = -z[i, j]; a[i, d + j] = z[i, j] } }
  let lp = LinearProgram(c: Array(repeating: 1, count: 2 * d), a: a, b: Array(repeating: -1, count: n)).solve()
  guard lp.status == .optimal else { return L1MaxMarginResult(beta: [], norm1: .nan, status: lp.status) }
  let beta = (0..<d).map { lp.x[$0] - lp.x[d + $0] }
  return L1MaxMarginResult(beta: beta, norm1: beta.norm1, status: lp.status)
}

/// The hard-margin SVM without bias, argmin ½‖w‖² s.t. Zw ≥ 1, by NNLS.
///
/// Derivation: u = argmin_{u ≥ 0} ½‖Zᵀu‖² + ½(1ᵀu − 1)² is the NNLS problem with matrix
/// [Zᵀ; 1ᵀ] and target [0; 1]. Its KKT conditions read ZZᵀu ≥ s·1 with equality where
/// uᵢ > 0, s = 1 − 1ᵀu. When s > 0, w = Zᵀu/s and λ = u/s satisfy Zw ≥ 1, w = Zᵀλ,
/// λ ≥ 0 and λᵢ(zᵢw − 1) = 0: the SVM's KKT conditions, hence its optimum (convex).
/// s ≤ 0 happens exactly when 0 is in the convex hull of the rows (not separable).
public struct SVMResult: Sendable {
  public var w: [Double]
  public var lambda: [Double]
  /// max(‖w − Zᵀλ‖, 1 − min margin, max λᵢ(zᵢw − 1)) relative to ‖w‖.
  public var residual: Double
  public var isOptimal: Bool
}

public func hardMarginSVM(_ z: Matrix) -> SVMResult {
  let n = z.rows, d = z.columns
  var m = Matrix(rows: d + 1, columns: n)
  for i in 0..<n {
    for j in 0..<d { m[j, i] = z[i, j] }
    m[d, i] = 1
  }
  var target = [Double](repeating: 0, count: d + 1)
  target[d] = 1
  let nnls = nonNegativeLeastSquares(m, target)
  let s = 1 - nnls.x.reduce(0, +)
  guard s > 1e-14, nnls.converged else { return SVMResult(w: [], lambda: [], residual: .infinity, isOptimal: false) }
  let lambda = nnls.x.map { $0 / s }
  let w = z.transposedTimes(lambda)
  let margins = z * w
  var residual = 0.0
  residual = max(residual, 1 - (margins.min() ?? 1))
  for i in 0..<n { residual = max(residual, lambda[i] * (margins[i] - 1)) }
  residual /= max(w.norm2, 1e-300)
  return SVMResult(w: w, lambda: lambda, residual: residual, isOptimal: residual < 1e-8)
}

/// min Σ_g w_g ‖β_g‖ s.t. Aβ ≥ 1 for complex modes (groups of two coordinates): not yet
/// implemented; callers fall back to the certificate's own KKT check.
public struct GroupL1Result: Sendable {
  public var beta: [Double]
  public var isOptimal: Bool
}

public func groupL1MaxMargin(_ a: Matrix, groups: [[Int]], weights: [Double]) -> GroupL1Result {
  GroupL1Result(beta: [], isOptimal: false)
}
