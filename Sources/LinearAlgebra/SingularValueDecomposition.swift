/// The thin singular value decomposition A = U·diag(σ)·Vᵀ of an m×n matrix by one-sided
/// (Hestenes) Jacobi, as analysed by Demmel & Veselić ("Jacobi's method is more accurate
/// than QR", SIAM J. Matrix Anal. Appl. 13, 1992; Golub–Van Loan, *Matrix Computations*,
/// 4th ed., §8.6).
///
/// With k = min(m, n): U is m×k and V is n×k with orthonormal columns, σ₀ ≥ … ≥ σ_{k−1} ≥ 0.
///
/// Method. Let B = A if m ≥ n, else B = Aᵀ, so B has k columns b_j. Plane rotations
/// from the right, B ← B·J(p, q, θ), V ← V·J, make every pair of columns orthogonal. For
/// a pair with α = ‖b_p‖², β = ‖b_q‖², γ = b_pᵀb_q, the rotated columns
/// c·b_p − s·b_q and s·b_p + c·b_q are orthogonal iff cs(α − β) + (c² − s²)γ = 0, i.e. with
/// t = s/c and ζ = (β − α)/(2γ): t² + 2ζt − 1 = 0, solved by the smaller root
/// t = sign(ζ)/(|ζ| + √(1 + ζ²)). ζ is formed from the norms and the cosine
/// γ/(‖b_p‖‖b_q‖) so no square overflows: ζ = (‖b_q‖/‖b_p‖ − ‖b_p‖/‖b_q‖)/(2·cos).
/// A pair counts as orthogonal when |cos| ≤ √m_B·ε (the default of LAPACK `dgesvj`); the
/// iteration stops after a sweep with no rotation. Then σ_j = ‖b_j‖, u_j = b_j/σ_j, and
/// columns with σ_j = 0 get orthonormal completions (Gram–Schmidt on unit vectors). For
/// m < n the roles are swapped: Aᵀ = U′ΣV′ᵀ gives U = V′, V = U′.
///
/// Accuracy. Rotations act on columns only, so the method is invariant under column
/// scaling: each σ_j is computed with relative error O(k·√m·ε·κ(B·D⁻¹)) where D scales the
/// columns of B to unit norm (Demmel–Veselić, §4), far better than O(ε·σ₀/σ_j) of
/// bidiagonalisation when B is a well-conditioned matrix with badly scaled columns.
public struct SingularValueDecomposition: Sendable {
  /// Left singular vectors, m×k, orthonormal columns.
  public var u: Matrix
  /// Singular values, descending, k = min(m, n) of them.
  public var singularValues: [Double]
  /// Right singular vectors, n×k, orthonormal columns.
  public var v: Matrix

  /// Maximum number of sweeps before `.didNotConverge` (`dgesvj` uses 30).
  public static let maximumSweeps = 60

  /// Decomposes `a` (any shape, including empty).
  /// - Throws: `.nonFinite` on NaN or ±∞; `.didNotConverge(iterations:)` after
  ///   ``maximumSweeps`` sweeps.
  /// - Complexity: O(k²·max(m, n)) per sweep; typically 5–10 sweeps.
  public init(_ a: Matrix) throws(LinearAlgebraError) {
    guard a.isFinite else { throw .nonFinite }
    let m = a.rows, n = a.columns
    let transposing = m < n
    let k = Swift.min(m, n), len = Swift.max(m, n)
    // gt is Bᵀ row-major (k×len): row j is the column b_j, contiguous.
    var gt = transposing ? a.storage : a.transposed.storage
    var vt = Matrix.identity(k).storage  // Vᵀ of B's right factor, rows contiguous
    let tolerance = Double(Swift.max(len, 1)).squareRoot() * Double.ulpOfOne
    var converged = k < 2
    var sweeps = 0
    gt.withUnsafeMutableBufferPointer { g in
      vt.withUnsafeMutableBufferPointer { vp in
        while !converged && sweeps < SingularValueDecomposition.maximumSweeps {
          sweeps += 1
          var rotated = false
          for p in 0..<(k - 1) {
            for q in (p + 1)..<k {
              let np = scaledNorm(g, start: p * len, count: len, stride: 1)
              let nq = scaledNorm(g, start: q * len, count: len, stride: 1)
              if np < Double.leastNormalMagnitude || nq < Double.leastNormalMagnitude { continue }
              let rp = 1 / np, rq = 1 / nq
              var cosine = 0.0
              for i in 0..<len { cosine += (g[p * len + i] * rp) * (g[q * len + i] * rq) }
              if Swift.abs(cosine) <= tolerance { continue }
              let zeta = (nq / np - np / nq) / (2 * cosine)
              let t = (zeta >= 0 ? 1.0 : -1.0) / (Swift.abs(zeta) + Elementary.hypot(1, zeta))
              // t underflows only for columns some 10³⁰⁰ apart in norm: no representable
              // rotation helps, and counting it would keep the sweeps going for ever.
              if t == 0 { continue }
              rotated = true
              let c = 1 / (1 + t * t).squareRoot()
              let s = c * t
              for i in 0..<len {
                let x = g[p * len + i], y = g[q * len + i]
                g[p * len + i] = c * x - s * y
                g[q * len + i] = s * x + c * y
              }
              for i in 0..<k {
                let x = vp[p * k + i], y = vp[q * k + i]
                vp[p * k + i] = c * x - s * y
                vp[q * k + i] = s * x + c * y
              }
            }
          }
          if !rotated { converged = true }
        }
      }
    }
    guard converged else { throw .didNotConverge(iterations: sweeps) }

    var sigma = [Double](repeating: 0, count: k)
    gt.withUnsafeMutableBufferPointer { g in
      for j in 0..<k {
        sigma[j] = scaledNorm(g, start: j * len, count: len, stride: 1)
        if sigma[j] >= Double.leastNormalMagnitude {
          let r = 1 / sigma[j]
          for i in 0..<len { g[j * len + i] *= r }
        } else {
          sigma[j] = 0
        }
      }
    }
    let order = (0..<k).sorted { sigma[$0] > sigma[$1] }
    var leftT = order.flatMap { gt[($0 * len)..<(($0 + 1) * len)] }  // k×len, rows = u_j of B
    let zeroColumns = order.indices.filter { sigma[order[$0]] == 0 }
    SingularValueDecomposition.completeOrthonormalRows(&leftT, rows: k, length: len, replacing: zeroColumns)
    let left = Matrix(rows: k, columns: len, storage: leftT).transposed  // len×k
    let right = Matrix(rows: k, columns: k) { i, j in vt[order[j] * k + i] }  // k×k
    singularValues = order.map { sigma[$0] }
    u = transposing ? right : left
    v = transposing ? left : right

    if LinearAlgebraInvariants.enabled {
      let tol = LinearAlgebraInvariants.tolerance(m, n)
      LinearAlgebraInvariants.checkOrthonormalColumns(u, "SingularValueDecomposition U", tolerance: tol)
      LinearAlgebraInvariants.checkOrthonormalColumns(v, "SingularValueDecomposition V", tolerance: tol)
      var us = u
      for i in 0..<m { for j in 0..<k { us.storage[i * k + j] *= singularValues[j] } }
      LinearAlgebraInvariants.checkReconstruction(a, us * v.transposed, "SingularValueDecomposition A = UΣVᵀ", tolerance: tol)
    }
  }

  /// Replaces the rows listed in `replacing` of the row-major `rows×length` matrix `w`
  /// (whose other rows are orthonormal) by unit vectors orthogonal to all other rows.
  /// For each such row, every standard basis vector e_i is orthogonalised against the
  /// current rows by classical Gram–Schmidt applied twice ("twice is enough", Kahan;
  /// Giraud et al. 2005), and the one with the largest remainder is kept. With r
  /// orthonormal rows some e_i keeps a remainder of norm ≥ √((length − r)/length) > 0.
  /// - Complexity: O(length²·rows) per replaced row.
  static func completeOrthonormalRows(_ w: inout [Double], rows: Int, length: Int, replacing: [Int]) {
    guard !replacing.isEmpty else { return }
    var isValid = [Bool](repeating: true, count: rows)
    for j in replacing { isValid[j] = false }
    var candidate = [Double](repeating: 0, count: length)
    var best = [Double](repeating: 0, count: length)
    w.withUnsafeMutableBufferPointer { wp in
      candidate.withUnsafeMutableBufferPointer { cp in
        best.withUnsafeMutableBufferPointer { bp in
          for target in replacing {
            var bestNorm = -1.0
            for e in 0..<length {
              for i in 0..<length { cp[i] = 0 }
              cp[e] = 1
              for _ in 0..<2 {
                for j in 0..<rows where isValid[j] {
                  var d = 0.0
                  for i in 0..<length { d += wp[j * length + i] * cp[i] }
                  for i in 0..<length { cp[i] -= d * wp[j * length + i] }
                }
              }
              let norm = scaledNorm(cp, start: 0, count: length, stride: 1)
              if norm > bestNorm {
                bestNorm = norm
                for i in 0..<length { bp[i] = cp[i] / norm }
              }
            }
            for i in 0..<length { wp[target * length + i] = bp[i] }
            isValid[target] = true
          }
        }
      }
    }
  }
}
