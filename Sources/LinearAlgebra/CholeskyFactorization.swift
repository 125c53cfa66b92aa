/// The Cholesky factorization A = L·Lᵀ of a symmetric positive definite matrix, L lower
/// triangular with positive diagonal.
///
/// Row-oriented (Cholesky–Banachiewicz) form of the algorithm in Golub–Van Loan,
/// *Matrix Computations*, 4th ed., §4.2: for j = 0, 1, …
///
///     l_jk = (a_jk − Σ_{i<k} l_ji·l_ki) / l_kk     (k < j)
///     l_jj = √(a_jj − Σ_{i<j} l_ji²)
///
/// Both sums are dot products of two rows of L, contiguous in row-major storage. The
/// computed factor satisfies L̂L̂ᵀ = A + E with |E| ≤ γ_{n+1}|L̂||L̂ᵀ| (Higham, *Accuracy
/// and Stability of Numerical Algorithms*, Thm. 10.3), so ‖E‖₂ ≤ (n+1)ε/(1−(n+1)ε)·n‖A‖₂.
///
/// Only the lower triangle (i ≥ j) of the input is read; symmetry is assumed, not checked.
public struct CholeskyFactorization: Sendable {
  /// Order of the matrix.
  public let n: Int
  /// L row-major, zeros above the diagonal.
  var factor: [Double]

  /// Factors `a`.
  /// - Throws: `.nonFinite` if `a` contains NaN or ±∞; `.notPositiveDefinite(pivot: j)`
  ///   if a_jj − Σ_{k<j} l_jk² is not strictly positive (A is not positive definite, or is
  ///   so ill-conditioned that rounding makes it look indefinite).
  /// - Precondition: `a` is square.
  /// - Complexity: O(n³) (n³/3 flops).
  public init(_ a: Matrix) throws(LinearAlgebraError) {
    precondition(a.rows == a.columns, "Cholesky factorization needs a square matrix, got \(a.rows)×\(a.columns)")
    guard a.isFinite else { throw .nonFinite }
    let n = a.rows
    self.n = n
    var l = [Double](repeating: 0, count: n * n)
    var failedPivot: Int? = nil
    a.storage.withUnsafeBufferPointer { ap in
      l.withUnsafeMutableBufferPointer { lp in
        for j in 0..<n {
          let rowJ = j * n
          for k in 0..<j {
            let rowK = k * n
            var s = ap[rowJ + k]
            for i in 0..<k { s -= lp[rowJ + i] * lp[rowK + i] }
            lp[rowJ + k] = s / lp[rowK + k]
          }
          var d = ap[rowJ + j]
          for i in 0..<j { d -= lp[rowJ + i] * lp[rowJ + i] }
          guard d > 0 else {  // `d > 0` is also false for NaN
            failedPivot = j
            return
          }
          lp[rowJ + j] = d.squareRoot()
        }
      }
    }
    if let j = failedPivot { throw .notPositiveDefinite(pivot: j) }
    self.factor = l
  }

  /// The solution of A·x = b: L·y = b forward, then Lᵀ·x = y backward.
  /// - Precondition: `b.count == n`.
  /// - Complexity: O(n²).
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == n, "Cholesky solve of an \(n)×\(n) system with a right-hand side of length \(b.count)")
    var x = b
    factor.withUnsafeBufferPointer { lp in
      x.withUnsafeMutableBufferPointer { xp in
        for i in 0..<n {
          var s = xp[i]
          for j in 0..<i { s -= lp[i * n + j] * xp[j] }
          xp[i] = s / lp[i * n + i]
        }
        // Lᵀx = y, column-oriented so that L is still read along its rows:
        // x_i = y_i / l_ii, then y_j −= l_ij·x_i for j < i.
        var i = n - 1
        while i >= 0 {
          let xi = xp[i] / lp[i * n + i]
          xp[i] = xi
          for j in 0..<i { xp[j] -= lp[i * n + j] * xi }
          i -= 1
        }
      }
    }
    return x
  }

  /// The factor L (n×n, lower triangular, positive diagonal).
  public var lower: Matrix { Matrix(rows: n, columns: n, storage: factor) }
}
