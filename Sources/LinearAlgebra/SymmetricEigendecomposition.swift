/// The eigendecomposition A = V·Λ·Vᵀ of a real symmetric matrix by the cyclic Jacobi
/// method (Golub–Van Loan, *Matrix Computations*, 4th ed., §8.5, cyclic-by-row Jacobi;
/// Rutishauser's update formulas).
///
/// Each step picks an off-diagonal pair (p, q) and applies the plane rotation J(p, q, θ)
/// that zeroes a_pq in JᵀAJ. Writing τ = (a_qq − a_pp)/(2a_pq) and t = tan θ, the
/// condition (JᵀAJ)_pq = 0 reads t² + 2τt − 1 = 0, whose smaller root
///
///     t = sign(τ) / (|τ| + √(1 + τ²)),   c = 1/√(1 + t²),   s = t·c
///
/// keeps |θ| ≤ π/4 (needed for convergence). The new diagonal is a_pp − t·a_pq and
/// a_qq + t·a_pq exactly, and for k ∉ {p, q}
///
///     a_kp ← c·a_kp − s·a_kq,   a_kq ← s·a_kp + c·a_kq.
///
/// Each rotation lowers off(A)² = Σ_{i≠j} a_ij² by 2a_pq²; cyclic sweeps in row order
/// converge quadratically (GVL §8.5). A pair is skipped when
/// |a_pq| ≤ ε·√|a_pp|·√|a_qq| or a_pq is subnormal; the iteration stops after a sweep
/// that rotates nothing. The relative test is that of Demmel & Veselić ("Jacobi's method
/// is more accurate than QR", SIAM J. Matrix Anal. Appl. 13, 1992), under which the small
/// eigenvalues of a positive definite graded matrix come out to high relative accuracy;
/// for indefinite A the eigenvalues are normwise accurate, |λ̂ᵢ − λᵢ| = O(nε‖A‖₂).
public struct SymmetricEigendecomposition: Sendable {
  /// Eigenvalues in ascending order.
  public var eigenvalues: [Double]
  /// Orthonormal eigenvectors as columns, column j belonging to `eigenvalues[j]`.
  public var eigenvectors: Matrix

  /// Maximum number of sweeps before `.didNotConverge`. Quadratic convergence usually
  /// needs 6–10 sweeps for n ≤ 100.
  public static let maximumSweeps = 60

  /// Decomposes the symmetric part (A + Aᵀ)/2 of `a`.
  /// - Throws: `.nonFinite` on NaN or ±∞; `.didNotConverge(iterations:)` if
  ///   ``maximumSweeps`` sweeps do not diagonalise the matrix.
  /// - Precondition: `a` is square.
  /// - Complexity: O(n³) per sweep (n(n−1)/2 rotations of O(n) each).
  public init(_ a: Matrix) throws(LinearAlgebraError) {
    precondition(a.rows == a.columns, "Symmetric eigendecomposition needs a square matrix, got \(a.rows)×\(a.columns)")
    guard a.isFinite else { throw .nonFinite }
    let n = a.rows
    var s = Matrix(rows: n, columns: n) { i, j in 0.5 * (a.storage[i * n + j] + a.storage[j * n + i]) }.storage
    // Vᵀ row-major: row p of vt is the p-th column of V, so rotations update contiguous rows.
    var vt = Matrix.identity(n).storage
    let eps = Double.ulpOfOne
    var converged = n < 2
    var sweeps = 0
    s.withUnsafeMutableBufferPointer { ap in
      vt.withUnsafeMutableBufferPointer { vp in
        while !converged && sweeps < SymmetricEigendecomposition.maximumSweeps {
          sweeps += 1
          var rotated = false
          for p in 0..<(n - 1) {
            for q in (p + 1)..<n {
              let apq = ap[p * n + q]
              let app = ap[p * n + p], aqq = ap[q * n + q]
              let absApq = Swift.abs(apq)
              if absApq <= eps * Swift.abs(app).squareRoot() * Swift.abs(aqq).squareRoot()
                || absApq < Double.leastNormalMagnitude { continue }
              rotated = true
              let tau = (aqq - app) / (2 * apq)
              let t = (tau >= 0 ? 1.0 : -1.0) / (Swift.abs(tau) + Elementary.hypot(1, tau))
              let c = 1 / (1 + t * t).squareRoot()
              let sn = t * c
              for k in 0..<n where k != p && k != q {
                let akp = ap[k * n + p], akq = ap[k * n + q]
                let newKp = c * akp - sn * akq
                let newKq = sn * akp + c * akq
                ap[k * n + p] = newKp
                ap[p * n + k] = newKp
                ap[k * n + q] = newKq
                ap[q * n + k] = newKq
              }
              ap[p * n + p] = app - t * apq
              ap[q * n + q] = aqq + t * apq
              ap[p * n + q] = 0
              ap[q * n + p] = 0
              for k in 0..<n {
                let vpk = vp[p * n + k], vqk = vp[q * n + k]
                vp[p * n + k] = c * vpk - sn * vqk
                vp[q * n + k] = sn * vpk + c * vqk
              }
            }
          }
          if !rotated { converged = true }
        }
      }
    }
    guard converged else { throw .didNotConverge(iterations: sweeps) }
    let order = (0..<n).sorted { s[$0 * n + $0] < s[$1 * n + $1] }
    eigenvalues = order.map { s[$0 * n + $0] }
    eigenvectors = Matrix(rows: n, columns: n) { i, j in vt[order[j] * n + i] }
    if LinearAlgebraInvariants.enabled {
      let tol = LinearAlgebraInvariants.tolerance(n, n)
      let sym = Matrix(rows: n, columns: n) { i, j in 0.5 * (a.storage[i * n + j] + a.storage[j * n + i]) }
      LinearAlgebraInvariants.checkOrthonormalColumns(eigenvectors, "SymmetricEigendecomposition", tolerance: tol)
      let reconstruction = eigenvectors * Matrix.diagonal(eigenvalues) * eigenvectors.transposed
      LinearAlgebraInvariants.checkReconstruction(sym, reconstruction, "SymmetricEigendecomposition A = VΛVᵀ", tolerance: tol)
    }
  }
}
