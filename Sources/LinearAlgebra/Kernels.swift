// Small internal kernels shared by the factorizations. They work on raw buffer pointers
// so that callers can use them inside one `withUnsafeMutableBufferPointer` scope.

extension Matrix {
  /// Whether every entry is finite (no NaN, no ±∞).
  var isFinite: Bool {
    storage.withUnsafeBufferPointer { p in
      for v in p where !v.isFinite { return false }
      return true
    }
  }
}

/// The Euclidean norm of the strided vector p[start], p[start + stride], … (`count`
/// entries), by the one-pass scaled sum of squares of LAPACK's `dlassq`:
/// ‖x‖ = scale·√ssq with the invariant scale = max|xᵢ| seen so far, so that no square
/// overflows or underflows.
/// - Complexity: O(count).
@inline(__always)
func scaledNorm(_ p: UnsafeMutableBufferPointer<Double>, start: Int, count: Int, stride: Int) -> Double {
  var scale = 0.0, ssq = 1.0
  var idx = start
  for _ in 0..<count {
    let v = Swift.abs(p[idx])
    if v != 0 {
      if scale < v {
        let r = scale / v
        ssq = 1 + ssq * r * r
        scale = v
      } else {
        let r = v / scale
        ssq += r * r
      }
    }
    idx += stride
  }
  return scale * ssq.squareRoot()
}

/// Solves the upper-triangular system U·x = y in place (`x` holds y on entry), where U is
/// the leading k×k block of the row-major buffer `u` with row length `ld`.
/// Back substitution, Golub–Van Loan §3.1.2 (Algorithm 3.1.2, row-oriented).
/// - Complexity: O(k²).
@inline(__always)
func backSubstitute(_ u: UnsafeBufferPointer<Double>, ld: Int, k: Int, _ x: UnsafeMutableBufferPointer<Double>) {
  var i = k - 1
  while i >= 0 {
    var s = x[i]
    let row = i * ld
    for j in (i + 1)..<k { s -= u[row + j] * x[j] }
    x[i] = s / u[row + i]
    i -= 1
  }
}
