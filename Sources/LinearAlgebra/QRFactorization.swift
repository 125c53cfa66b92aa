/// The Householder QR factorization with column pivoting A·P = Q·R (Businger & Golub,
/// "Linear least squares solutions by Householder transformations", Numer. Math. 7, 1965;
/// Golub–Van Loan, *Matrix Computations*, 4th ed., §5.4.2).
///
/// For an m×n matrix A, with k = min(m, n): Q = H₀H₁⋯H_{k−1} is a product of Householder
/// reflectors Hⱼ = I − τⱼvⱼvⱼᵀ, R is k×n upper-triangular (upper-trapezoidal when m < n),
/// and P permutes columns so that at step j the remaining column of largest norm is
/// brought forward. Then |r₀₀| ≥ |r₁₁| ≥ … and every |r_jj| dominates the rest of its
/// row's trailing block, which makes `rank` a usable numerical rank.
///
/// The computed factors are backward stable: Q̂R̂ = (A + E)P with ‖E‖_F ≤ c·mn·ε·‖A‖_F
/// (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Thm. 19.4).
///
/// Storage is LAPACK-style (`dgeqp3`): R on and above the diagonal of `packed`, the
/// essential part of vⱼ (whose leading entry is 1) below it, τⱼ in `tau`.
/// NaN or ±∞ in the input propagate into the factors; this initializer does not throw.
public struct QRFactorization: Sendable {
  /// Number of rows m of A.
  public let rowCount: Int
  /// Number of columns n of A.
  public let columnCount: Int
  var packed: [Double]
  var tau: [Double]
  /// Column order: column j of A·P is column `permutation[j]` of A.
  public private(set) var permutation: [Int]

  /// Factors `a`; with `pivoting: false`, P = I (plain Householder QR, GVL §5.2.2).
  ///
  /// Pivoting uses the column norms of the trailing block, downdated after every step as
  /// ‖a_j‖² ← ‖a_j‖² − r_kj² (from ‖Hx‖ = ‖x‖), and recomputed when cancellation has
  /// destroyed more than half of their digits — the safeguard of LAPACK `dlaqp2`
  /// (Drmač & Bujanović, LAWN 176, 2008).
  /// - Complexity: O(m·n·min(m, n)) (2mn² − 2n³/3 flops for m ≥ n).
  public init(_ a: Matrix, pivoting: Bool = true) {
    let m = a.rows, n = a.columns, k = Swift.min(m, n)
    rowCount = m
    columnCount = n
    var qr = a.storage
    var tau = [Double](repeating: 0, count: k)
    var perm = Array(0..<n)
    var partialNorms = [Double](repeating: 0, count: n)  // LAPACK vn1
    var referenceNorms = [Double](repeating: 0, count: n)  // LAPACK vn2
    var work = [Double](repeating: 0, count: n)
    let recomputeThreshold = Double.ulpOfOne.squareRoot()
    qr.withUnsafeMutableBufferPointer { p in
      if pivoting {
        for j in 0..<n {
          partialNorms[j] = scaledNorm(p, start: j, count: m, stride: n)
          referenceNorms[j] = partialNorms[j]
        }
      }
      for step in 0..<k {
        if pivoting {
          var best = step
          for j in (step + 1)..<n where partialNorms[j] > partialNorms[best] { best = j }
          if best != step {
            for i in 0..<m { p.swapAt(i * n + step, i * n + best) }
            perm.swapAt(step, best)
            partialNorms.swapAt(step, best)
            referenceNorms.swapAt(step, best)
          }
        }
        // Householder vector (LAPACK dlarfg): for x = (α, x₂) choose β = −sign(α)·‖x‖,
        // τ = (β − α)/β and v = (1, x₂/(α − β)); then (I − τvvᵀ)x = β·e₁. Choosing the
        // sign opposite to α avoids cancellation in α − β.
        let diag = step * n + step
        let alpha = p[diag]
        let xnorm = scaledNorm(p, start: diag + n, count: m - step - 1, stride: n)
        var t = 0.0
        if xnorm != 0 {
          let beta = alpha >= 0 ? -Elementary.hypot(alpha, xnorm) : Elementary.hypot(alpha, xnorm)
          t = (beta - alpha) / beta
          let scale = 1 / (alpha - beta)
          for i in (step + 1)..<m { p[i * n + step] *= scale }
          p[diag] = beta
        }
        tau[step] = t
        // Apply Hₖ to the trailing columns: w = vᵀA, then A −= τ·v·wᵀ (row-wise, so both
        // loops run along contiguous rows).
        if t != 0 && step + 1 < n {
          work.withUnsafeMutableBufferPointer { w in
            for j in (step + 1)..<n { w[j] = p[step * n + j] }
            for i in (step + 1)..<m {
              let vi = p[i * n + step]
              if vi == 0 { continue }
              for j in (step + 1)..<n { w[j] += vi * p[i * n + j] }
            }
            for j in (step + 1)..<n { p[step * n + j] -= t * w[j] }
            for i in (step + 1)..<m {
              let tvi = t * p[i * n + step]
              if tvi == 0 { continue }
              for j in (step + 1)..<n { p[i * n + j] -= tvi * w[j] }
            }
          }
        }
        if pivoting {
          for j in (step + 1)..<n where partialNorms[j] != 0 {
            let ratio = Swift.abs(p[step * n + j]) / partialNorms[j]
            let remaining = Swift.max(0, (1 + ratio) * (1 - ratio))
            let relative = remaining * (partialNorms[j] / referenceNorms[j]) * (partialNorms[j] / referenceNorms[j])
            if relative <= recomputeThreshold {
              partialNorms[j] = scaledNorm(p, start: (step + 1) * n + j, count: m - step - 1, stride: n)
              referenceNorms[j] = partialNorms[j]
            } else {
              partialNorms[j] *= remaining.squareRoot()
            }
          }
        }
      }
    }
    self.packed = qr
    self.tau = tau
    self.permutation = perm
    if LinearAlgebraInvariants.enabled {
      let tol = LinearAlgebraInvariants.tolerance(m, n)
      let q = thinQ()
      LinearAlgebraInvariants.checkOrthonormalColumns(q, "QRFactorization", tolerance: tol)
      LinearAlgebraInvariants.checkReconstruction(a.selectingColumns(perm), q * r, "QRFactorization A·P = Q·R", tolerance: tol)
    }
  }

  /// Number of reflectors, min(m, n).
  var reflectorCount: Int { tau.count }

  /// The min(m, n)×n upper-triangular (trapezoidal) factor R, columns in pivoted order.
  public var r: Matrix {
    let n = columnCount
    return Matrix(rows: reflectorCount, columns: n) { i, j in j >= i ? packed[i * n + j] : 0 }
  }

  /// The first min(m, n) columns of Q (m×min(m, n), orthonormal columns), so that
  /// A·P = thinQ()·r. Accumulated backwards, Q = H₀(H₁(⋯(H_{k−1}·[I; 0]))), since Hⱼ
  /// leaves columns i < j of the partial product untouched (LAPACK `dorg2r`).
  /// - Complexity: O(m·k²).
  public func thinQ() -> Matrix {
    let m = rowCount, n = columnCount, k = reflectorCount
    var q = Matrix(rows: m, columns: k)
    for i in 0..<k { q.storage[i * k + i] = 1 }
    var work = [Double](repeating: 0, count: k)
    packed.withUnsafeBufferPointer { p in
      q.storage.withUnsafeMutableBufferPointer { qp in
        work.withUnsafeMutableBufferPointer { w in
          var step = k - 1
          while step >= 0 {
            let t = tau[step]
            if t != 0 {
              for j in step..<k { w[j] = qp[step * k + j] }
              for i in (step + 1)..<m {
                let vi = p[i * n + step]
                for j in step..<k { w[j] += vi * qp[i * k + j] }
              }
              for j in step..<k { qp[step * k + j] -= t * w[j] }
              for i in (step + 1)..<m {
                let tvi = t * p[i * n + step]
                for j in step..<k { qp[i * k + j] -= tvi * w[j] }
              }
            }
            step -= 1
          }
        }
      }
    }
    return q
  }

  /// Qᵀ·b = H_{k−1}⋯H₀·b, all m entries. Its first min(m, n) entries are thinQ()ᵀ·b; when
  /// A has full column rank n < m, the norm of the remaining m − n entries is the
  /// least-squares residual norm.
  /// - Precondition: `b.count == m`.
  /// - Complexity: O(m·min(m, n)).
  public func applyQTranspose(_ b: [Double]) -> [Double] {
    precondition(b.count == rowCount, "Qᵀ·b with Q from a \(rowCount)×\(columnCount) matrix and b of length \(b.count)")
    var y = b
    applyReflectors(to: &y, forward: true)
    return y
  }

  /// Q·y = H₀H₁⋯H_{k−1}·y for y of length m (the inverse of ``applyQTranspose(_:)``).
  /// - Precondition: `y.count == m`.
  /// - Complexity: O(m·min(m, n)).
  public func applyQ(_ y: [Double]) -> [Double] {
    precondition(y.count == rowCount, "Q·y with Q from a \(rowCount)×\(columnCount) matrix and y of length \(y.count)")
    var x = y
    applyReflectors(to: &x, forward: false)
    return x
  }

  /// Hⱼy = y − τⱼ(vⱼᵀy)vⱼ for j ascending (Qᵀ) or descending (Q).
  private func applyReflectors(to y: inout [Double], forward: Bool) {
    let m = rowCount, n = columnCount, k = reflectorCount
    packed.withUnsafeBufferPointer { p in
      y.withUnsafeMutableBufferPointer { yp in
        for s in 0..<k {
          let step = forward ? s : k - 1 - s
          let t = tau[step]
          if t == 0 { continue }
          var d = yp[step]
          for i in (step + 1)..<m { d += p[i * n + step] * yp[i] }
          d *= t
          yp[step] -= d
          for i in (step + 1)..<m { yp[i] -= d * p[i * n + step] }
        }
      }
    }
  }

  /// The numerical rank: the number of leading diagonal entries with
  /// |r_jj| > tol·|r₀₀|, counting stops at the first that fails.
  ///
  /// The default relative tolerance is max(m, n)·ε: the backward error of the
  /// factorization is of order max(m, n)·ε·‖A‖ and |r₀₀| = maxⱼ‖a_j‖ ≈ ‖A‖ within a
  /// factor √n, so smaller diagonal entries are indistinguishable from rounding. This is
  /// the rule of MATLAB's `rank`/`pinv` and LAPACK `dgelsy` with RCOND = max(m, n)·ε.
  /// Meaningful only with pivoting (without it |r_jj| need not decrease).
  /// - Complexity: O(min(m, n)).
  public func rank(relativeTolerance: Double? = nil) -> Int {
    let n = columnCount, k = reflectorCount
    guard k > 0 else { return 0 }
    let tol = relativeTolerance ?? Double(Swift.max(rowCount, n)) * Double.ulpOfOne
    let threshold = tol * Swift.abs(packed[0])
    var r = 0
    while r < k && Swift.abs(packed[r * n + r]) > threshold { r += 1 }
    return r
  }
}
