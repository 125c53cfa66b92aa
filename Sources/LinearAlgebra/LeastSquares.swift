/// The result of ``leastSquares(_:_:relativeTolerance:)``.
public struct LeastSquaresSolution: Sendable, Equatable {
  /// The minimum-norm minimiser of ‖A·x − b‖₂ (for the numerical rank below).
  public var x: [Double]
  /// ‖b − A·x‖₂, recomputed from A, x and b (not read off the factorization).
  public var residualNorm: Double
  /// The numerical rank used, as ``QRFactorization/rank(relativeTolerance:)``.
  public var rank: Int

  public init(x: [Double], residualNorm: Double, rank: Int) {
    self.x = x
    self.residualNorm = residualNorm
    self.rank = rank
  }
}

/// The minimum-norm least-squares solution x = A⁺b of min ‖A·x − b‖₂, for any shape
/// (m < n, m = n, m > n) and any rank, by a complete orthogonal decomposition
/// (Golub–Van Loan, *Matrix Computations*, 4th ed., §5.5.2; LAPACK `dgelsy`).
///
/// Derivation. Pivoted QR gives A·P = Q·[R₁₁ R₁₂; 0 R₂₂] with R₁₁ r×r, r the numerical
/// rank; R₂₂ is below the rank tolerance and is set to zero (this is the rank-r
/// approximation whose pseudo-inverse is returned). With c = Qᵀb and y = Pᵀx,
///
///     ‖Ax − b‖² = ‖T·y − c₁‖² + ‖c₂‖²,   T = [R₁₁ R₁₂] (r×n), c₁ = c[0..<r],
///
/// so the minimisers are the solutions of T·y = c₁, and ‖x‖ = ‖y‖ since P is a
/// permutation. If r = n, y = R₁₁⁻¹c₁ by back substitution. Otherwise factor
/// Tᵀ = W·S (QR without pivoting, W n×r orthonormal, S r×r upper-triangular and
/// nonsingular because its singular values are those of T, all ≥ σ_min(R₁₁) > 0). Then
/// T = SᵀWᵀ, and the minimum-norm solution of SᵀWᵀy = c₁ lies in range(W):
/// y = W·z with Sᵀz = c₁ (forward substitution). Finally x = P·y.
///
/// - Parameter relativeTolerance: passed to ``QRFactorization/rank(relativeTolerance:)``;
///   default max(m, n)·ε.
/// - Precondition: `b.count == a.rows`.
/// - Complexity: O(m·n·min(m, n)) for the pivoted QR, plus O(n·r²) when r < n.
public func leastSquares(_ a: Matrix, _ b: [Double], relativeTolerance: Double? = nil) -> LeastSquaresSolution {
  precondition(b.count == a.rows, "Least squares with matrix \(a.rows)×\(a.columns) and right-hand side of length \(b.count)")
  let m = a.rows, n = a.columns
  var x = [Double](repeating: 0, count: n)
  guard m > 0, n > 0 else { return LeastSquaresSolution(x: x, residualNorm: b.norm2, rank: 0) }
  let qr = QRFactorization(a, pivoting: true)
  let r = qr.rank(relativeTolerance: relativeTolerance)
  guard r > 0 else { return LeastSquaresSolution(x: x, residualNorm: b.norm2, rank: 0) }
  var c = qr.applyQTranspose(b)
  c.removeLast(m - r)
  let y: [Double]
  if r == n {
    qr.packed.withUnsafeBufferPointer { p in
      c.withUnsafeMutableBufferPointer { cp in backSubstitute(p, ld: n, k: r, cp) }
    }
    y = c
  } else {
    // Tᵀ is n×r with (Tᵀ)_ji = R_ij for j ≥ i, zero above.
    let tTransposed = Matrix(rows: n, columns: r) { j, i in j >= i ? qr.packed[i * n + j] : 0 }
    let lq = QRFactorization(tTransposed, pivoting: false)
    // Sᵀz = c₁, S the r×r upper triangle of lq.packed (row length r).
    lq.packed.withUnsafeBufferPointer { s in
      c.withUnsafeMutableBufferPointer { z in
        for i in 0..<r {
          var sum = z[i]
          for j in 0..<i { sum -= s[j * r + i] * z[j] }
          z[i] = sum / s[i * r + i]
        }
      }
    }
    c.append(contentsOf: repeatElement(0, count: n - r))
    y = lq.applyQ(c)
  }
  for j in 0..<n { x[qr.permutation[j]] = y[j] }
  var residual = a * x
  for i in 0..<m { residual[i] = b[i] - residual[i] }
  return LeastSquaresSolution(x: x, residualNorm: residual.norm2, rank: r)
}
