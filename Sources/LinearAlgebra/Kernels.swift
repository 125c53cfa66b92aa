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

// MARK: - Dense kernels for the flows' hot loops
//
// The gradient flows spend their time in a few dense operations on raw storage: products
// with a tall or wide data matrix, a symmetric n × n product, and LU factorizations and
// solves of small and medium matrices. These kernels work on pointers with explicit
// leading dimensions, so that callers can run them on sub-blocks of preallocated buffers
// inside one unsafe scope and allocate nothing per call. Reductions are accumulated in
// `SIMD2<Double>` lanes (the baseline x86-64 and arm64 vector width), which fixes the
// summation order explicitly: results are deterministic, but not bit-identical to a
// sequential loop.

/// Loads two consecutive doubles (no alignment requirement).
@inline(__always)
func load2(_ p: UnsafePointer<Double>) -> SIMD2<Double> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
}

/// Stores two consecutive doubles (no alignment requirement).
@inline(__always)
func store2(_ v: SIMD2<Double>, _ p: UnsafeMutablePointer<Double>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD2<Double>.self)
}

/// y ← A·x for the row-major m × k matrix A with leading dimension `lda` (entry (i, t) at
/// a[i·lda + t]). Rows are taken two at a time so that each load of x serves two dot
/// products; each dot product runs in two `SIMD2` accumulators (four independent chains).
/// `y` must not overlap `a` or `x`.
/// - Complexity: 2mk flops, one pass over A.
public func multiplyMatrixVector(
  rows m: Int, columns k: Int, _ a: UnsafePointer<Double>, lda: Int,
  _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>
) {
  var i = 0
  while i + 2 <= m {
    let r0 = a + i * lda, r1 = r0 + lda
    var s0 = SIMD2<Double>.zero, t0 = SIMD2<Double>.zero
    var s1 = SIMD2<Double>.zero, t1 = SIMD2<Double>.zero
    var t = 0
    while t + 4 <= k {
      let x0 = load2(x + t), x1 = load2(x + t + 2)
      s0 += load2(r0 + t) * x0
      t0 += load2(r0 + t + 2) * x1
      s1 += load2(r1 + t) * x0
      t1 += load2(r1 + t + 2) * x1
      t += 4
    }
    var d0 = (s0 + t0).sum(), d1 = (s1 + t1).sum()
    while t < k {
      d0 += r0[t] * x[t]
      d1 += r1[t] * x[t]
      t += 1
    }
    y[i] = d0
    y[i + 1] = d1
    i += 2
  }
  if i < m {
    let r0 = a + i * lda
    var s0 = SIMD2<Double>.zero, t0 = SIMD2<Double>.zero
    var t = 0
    while t + 4 <= k {
      s0 += load2(r0 + t) * load2(x + t)
      t0 += load2(r0 + t + 2) * load2(x + t + 2)
      t += 4
    }
    var d0 = (s0 + t0).sum()
    while t < k {
      d0 += r0[t] * x[t]
      t += 1
    }
    y[i] = d0
  }
}

/// y ← Aᵀ·x for the row-major m × k matrix A with leading dimension `lda`, without
/// forming Aᵀ: y = Σᵢ xᵢ·(row i of A), four rows per sweep over y (so y is read and
/// written m/4 times rather than m times). `y` must not overlap `a` or `x`.
/// - Complexity: 2mk flops, one pass over A.
public func multiplyTransposedMatrixVector(
  rows m: Int, columns k: Int, _ a: UnsafePointer<Double>, lda: Int,
  _ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>
) {
  y.update(repeating: 0, count: k)
  var i = 0
  while i + 4 <= m {
    let r0 = a + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda
    let c0 = x[i], c1 = x[i + 1], c2 = x[i + 2], c3 = x[i + 3]
    let v0 = SIMD2(repeating: c0), v1 = SIMD2(repeating: c1)
    let v2 = SIMD2(repeating: c2), v3 = SIMD2(repeating: c3)
    var t = 0
    while t + 2 <= k {
      let s = load2(y + t) + (v0 * load2(r0 + t) + v1 * load2(r1 + t)) + (v2 * load2(r2 + t) + v3 * load2(r3 + t))
      store2(s, y + t)
      t += 2
    }
    while t < k {
      y[t] += (c0 * r0[t] + c1 * r1[t]) + (c2 * r2[t] + c3 * r3[t])
      t += 1
    }
    i += 4
  }
  while i < m {
    let r0 = a + i * lda
    let c0 = x[i], v0 = SIMD2(repeating: c0)
    var t = 0
    while t + 2 <= k {
      store2(load2(y + t) + v0 * load2(r0 + t), y + t)
      t += 2
    }
    while t < k {
      y[t] += c0 * r0[t]
      t += 1
    }
    i += 1
  }
}

/// C ← C + A·Bᵀ on and above the diagonal, for n × k row-major A and B (leading
/// dimensions `lda`, `ldb`) whose product is symmetric (e.g. B = A, or A = BΛ with Λ
/// symmetric). Only entries (i, j) with i ≤ j of C (leading dimension `ldc`) are read or
/// written; ``mirrorUpperTriangle(order:_:ldc:)`` completes C. This does each of the
/// n(n+1)/2 independent dot products once instead of all n², the saving of BLAS `dsyrk`.
///
/// Cache blocking in the manner of Goto & van de Geijn ("Anatomy of high-performance
/// matrix multiplication", ACM TOMS 34, 2008), without packing: the depth is cut into
/// chunks of 256 (2 KiB per row chunk), the rows of B into blocks of 64 whose chunks
/// (128 KiB) stay in L2 while every 4-row tile of A at or above the block sweeps over
/// them from L1. The register tile is 4 rows of A × 2 rows of B, eight `SIMD2`
/// accumulators: per two depth steps 6 loads feed 16 multiply–adds.
/// - Complexity: n(n+1)·k flops (half of the general product's 2n²k).
public func accumulateSymmetricProduct(
  order n: Int, depth k: Int, _ a: UnsafePointer<Double>, lda: Int,
  _ b: UnsafePointer<Double>, ldb: Int, into c: UnsafeMutablePointer<Double>, ldc: Int
) {
  let depthChunk = 256, rowBlock = 64
  var t0 = 0
  while t0 < k {
    let kk = Swift.min(depthChunk, k - t0)
    var j0 = 0
    while j0 < n {
      let j1 = Swift.min(j0 + rowBlock, n)
      var i = 0
      while i < j1 {
        let ib = Swift.min(4, j1 - i)
        var j = Swift.max(j0, i)
        while j < j1 {
          let jb = Swift.min(2, j1 - j)
          if ib == 4 && jb == 2 {
            symmetricTile4x2(kk, a + i * lda + t0, lda, b + j * ldb + t0, ldb, c, ldc, i, j)
          } else {
            for ii in i..<(i + ib) {
              for jj in j..<(j + jb) where ii <= jj {
                let ar = a + ii * lda + t0, br = b + jj * ldb + t0
                var s = 0.0
                for t in 0..<kk { s += ar[t] * br[t] }
                c[ii * ldc + jj] += s
              }
            }
          }
          j += jb
        }
        i += ib
      }
      j0 = j1
    }
    t0 += kk
  }
}

/// The 4 × 2 register tile of ``accumulateSymmetricProduct``: C[i+r, j+s] += Σₜ a_r[t]·b_s[t]
/// for r < 4, s < 2 and i + r ≤ j + s (entries below the diagonal are skipped).
@inline(__always)
private func symmetricTile4x2(
  _ k: Int, _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
  _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ i: Int, _ j: Int
) {
  let a0 = a, a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda
  let b0 = b, b1 = b + ldb
  var c00 = SIMD2<Double>.zero, c01 = SIMD2<Double>.zero
  var c10 = SIMD2<Double>.zero, c11 = SIMD2<Double>.zero
  var c20 = SIMD2<Double>.zero, c21 = SIMD2<Double>.zero
  var c30 = SIMD2<Double>.zero, c31 = SIMD2<Double>.zero
  var t = 0
  while t + 2 <= k {
    let x0 = load2(b0 + t), x1 = load2(b1 + t)
    let y0 = load2(a0 + t)
    c00 += y0 * x0
    c01 += y0 * x1
    let y1 = load2(a1 + t)
    c10 += y1 * x0
    c11 += y1 * x1
    let y2 = load2(a2 + t)
    c20 += y2 * x0
    c21 += y2 * x1
    let y3 = load2(a3 + t)
    c30 += y3 * x0
    c31 += y3 * x1
    t += 2
  }
  var s = (c00.sum(), c01.sum(), c10.sum(), c11.sum(), c20.sum(), c21.sum(), c30.sum(), c31.sum())
  if t < k {
    let x0 = b0[t], x1 = b1[t]
    s.0 += a0[t] * x0; s.1 += a0[t] * x1
    s.2 += a1[t] * x0; s.3 += a1[t] * x1
    s.4 += a2[t] * x0; s.5 += a2[t] * x1
    s.6 += a3[t] * x0; s.7 += a3[t] * x1
  }
  if j >= i + 3 {  // the whole tile is on or above the diagonal
    let r0 = c + i * ldc + j
    r0[0] += s.0; r0[1] += s.1
    r0[ldc] += s.2; r0[ldc + 1] += s.3
    r0[2 * ldc] += s.4; r0[2 * ldc + 1] += s.5
    r0[3 * ldc] += s.6; r0[3 * ldc + 1] += s.7
    return
  }
  @inline(__always) func add(_ r: Int, _ q: Int, _ v: Double) {
    if i + r <= j + q { c[(i + r) * ldc + j + q] += v }
  }
  add(0, 0, s.0); add(0, 1, s.1); add(1, 0, s.2); add(1, 1, s.3)
  add(2, 0, s.4); add(2, 1, s.5); add(3, 0, s.6); add(3, 1, s.7)
}

/// Copies the upper triangle of the n × n matrix C (leading dimension `ldc`) onto its
/// lower triangle, so that C becomes symmetric.
/// - Complexity: O(n²).
public func mirrorUpperTriangle(order n: Int, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
  for i in 0..<n {
    for j in 0..<i { c[i * ldc + j] = c[j * ldc + i] }
  }
}

extension Matrix {
  /// A·Bᵀ for n × k matrices A and B whose product is known to be symmetric, computed on
  /// and above the diagonal by ``accumulateSymmetricProduct(order:depth:_:lda:_:ldb:into:ldc:)``
  /// and mirrored: the result is exactly symmetric.
  /// - Complexity: n(n+1)·k flops.
  public static func symmetricProduct(_ a: Matrix, transposing b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns,
                 "symmetric product A·Bᵀ needs equal shapes, got \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)")
    let n = a.rows, k = a.columns
    var c = Matrix(rows: n, columns: n)
    a.storage.withUnsafeBufferPointer { ap in
      b.storage.withUnsafeBufferPointer { bp in
        c.storage.withUnsafeMutableBufferPointer { cp in
          guard let cb = cp.baseAddress, n > 0 else { return }
          if k > 0, let ab = ap.baseAddress, let bb = bp.baseAddress {
            accumulateSymmetricProduct(order: n, depth: k, ab, lda: k, bb, ldb: k, into: cb, ldc: n)
          }
          mirrorUpperTriangle(order: n, cb, ldc: n)
        }
      }
    }
    return c
  }
}

/// Partial pivoting at column k, shared by `factorLUInPlace` and `invertInPlace`: the row
/// i ≥ k of largest |a_ik| is recorded in `pivots[k]` and swapped with row k (whole rows of
/// the n columns); a pivot of 0 or below `threshold` (n·ε·max|a_ij|) is reported as singular.
/// - Complexity: O(n).
@inline(__always)
func choosePivot(column k: Int, order n: Int, _ a: UnsafeMutablePointer<Double>, ld: Int,
           pivots: UnsafeMutablePointer<Int>, threshold: Double) throws(LinearAlgebraError) {
  var pivotRow = k
  var best = Swift.abs(a[k * ld + k])
  for i in (k + 1)..<n where Swift.abs(a[i * ld + k]) > best {
    best = Swift.abs(a[i * ld + k])
    pivotRow = i
  }
  if best == 0 || best < threshold { throw .singular(pivot: k) }
  pivots[k] = pivotRow
  guard pivotRow != k else { return }
  let rk = a + k * ld, rp = a + pivotRow * ld
  for j in 0..<n {
    let t = rk[j]
    rk[j] = rp[j]
    rp[j] = t
  }
}

/// Factors the n × n matrix stored row-major at `a` (leading dimension `ld`) in place as
/// P·A = L·U by Gaussian elimination with partial pivoting, the algorithm and the
/// singularity test of ``LUFactorization`` (Golub–Van Loan §3.4), without allocating:
/// the strict lower triangle receives L (unit diagonal implicit), the upper triangle U,
/// and `pivots[k]` the row exchanged with row k at step k (LAPACK's `ipiv`, 0-based).
///
/// From order 128 on the elimination is blocked (right-looking, Golub–Van Loan §3.4.7,
/// LAPACK `dgetrf`): a panel of 32 columns is factored with its row exchanges applied to
/// whole rows, then U₁₂ ← L₁₁⁻¹A₁₂ and the trailing matrix takes the rank-32 update
/// A₂₂ ← A₂₂ − L₂₁U₁₂, four rows of U₁₂ at a time and in column chunks that stay in cache.
/// The pivots are those of the unblocked algorithm (the panel's columns have received
/// every earlier update when they are searched); only the order of the updates differs.
/// The unblocked trailing update streams the whole trailing matrix through the cache
/// once per column (≈ 4 GFLOP/s at n = 1000 on the reference machine); the blocked one
/// reads it once per panel.
/// - Throws: `.nonFinite` if an entry is NaN or ±∞; `.singular(pivot: k)` if at step k the
///   largest available pivot is 0 or below n·ε·maxᵢⱼ|a_ij| (A is then partly overwritten).
/// - Complexity: 2n³/3 flops.
public func factorLUInPlace(
  order n: Int, _ a: UnsafeMutablePointer<Double>, ld: Int, pivots: UnsafeMutablePointer<Int>
) throws(LinearAlgebraError) {
  var largest = 0.0
  for i in 0..<n {
    let row = a + i * ld
    for j in 0..<n {
      let v = row[j]
      guard v.isFinite else { throw .nonFinite }
      largest = Swift.max(largest, Swift.abs(v))
    }
  }
  let threshold = Double(n) * Double.ulpOfOne * largest
  let panelWidth = n >= 128 ? 32 : n
  var k0 = 0
  while k0 < n {
    let k1 = Swift.min(k0 + panelWidth, n)
    // The panel: columns k0..<k1 of rows k0..<n (all of A when unblocked).
    for k in k0..<k1 {
      try choosePivot(column: k, order: n, a, ld: ld, pivots: pivots, threshold: threshold)
      let rk = a + k * ld
      let pivot = rk[k]
      for i in (k + 1)..<n {
        let ri = a + i * ld
        let l = ri[k] / pivot
        ri[k] = l
        if l != 0 { subtractScaled(l, rk + k + 1, from: ri + k + 1, count: k1 - k - 1) }
      }
    }
    if k1 < n {
      // U₁₂ ← L₁₁⁻¹A₁₂.
      for k in k0..<k1 {
        let rk = a + k * ld + k1
        for i in (k + 1)..<k1 {
          let l = a[i * ld + k]
          if l != 0 { subtractScaled(l, rk, from: a + i * ld + k1, count: n - k1) }
        }
      }
      // A₂₂ ← A₂₂ − L₂₁U₁₂.
      subtractProduct(rows: k1..<n, columns: k1..<n, depth: k0..<k1, a, ld: ld)
    }
    k0 = k1
  }
}

/// y[0..<count] −= l·x[0..<count], in `SIMD2` lanes.
@inline(__always)
private func subtractScaled(_ l: Double, _ x: UnsafePointer<Double>, from y: UnsafeMutablePointer<Double>, count: Int) {
  let lv = SIMD2(repeating: l)
  var j = 0
  while j + 2 <= count {
    store2(load2(y + j) - lv * load2(x + j), y + j)
    j += 2
  }
  if j < count { y[j] -= l * x[j] }
}

/// a[i, j] −= Σ_{k ∈ depth} a[i, k]·a[k, j] for i ∈ rows, j ∈ columns (the trailing update
/// of blocked LU). Columns are taken in chunks of 512 (the chunk of U₁₂, 32 × 512 doubles,
/// stays in L2), and each pass over a row applies four rows of U₁₂ at once.
private func subtractProduct(rows: Range<Int>, columns: Range<Int>, depth: Range<Int>, _ a: UnsafeMutablePointer<Double>, ld: Int) {
  let chunk = 512
  var j0 = columns.lowerBound
  while j0 < columns.upperBound {
    let width = Swift.min(chunk, columns.upperBound - j0)
    for i in rows {
      let ri = a + i * ld, dst = ri + j0
      var k = depth.lowerBound
      while k + 4 <= depth.upperBound {
        let u0 = UnsafePointer(a + k * ld + j0), u1 = u0 + ld, u2 = u1 + ld, u3 = u2 + ld
        let l0 = SIMD2(repeating: ri[k]), l1 = SIMD2(repeating: ri[k + 1])
        let l2 = SIMD2(repeating: ri[k + 2]), l3 = SIMD2(repeating: ri[k + 3])
        var j = 0
        while j + 2 <= width {
          let update = (l0 * load2(u0 + j) + l1 * load2(u1 + j)) + (l2 * load2(u2 + j) + l3 * load2(u3 + j))
          store2(load2(dst + j) - update, dst + j)
          j += 2
        }
        if j < width {
          dst[j] -= (ri[k] * u0[j] + ri[k + 1] * u1[j]) + (ri[k + 2] * u2[j] + ri[k + 3] * u3[j])
        }
        k += 4
      }
      while k < depth.upperBound {
        let l = ri[k]
        if l != 0 { subtractScaled(l, a + k * ld + j0, from: dst, count: width) }
        k += 1
      }
    }
    j0 += width
  }
}

/// Overwrites x with the solution of A·x = b (b in x on entry), from the factors of
/// ``factorLUInPlace(order:_:ld:pivots:)``: the row exchanges, then forward substitution
/// with the unit lower triangle and back substitution with the upper one (Golub–Van Loan
/// §3.1, row-oriented). From order 32 on, the dot products run in `SIMD2` lanes except
/// for the entry of x computed just before: a vector load that overlaps a store still in
/// flight cannot be forwarded from it and stalls, which made small solves 3–5× slower.
/// - Complexity: 2n² flops.
public func solveLUInPlace(
  order n: Int, _ lu: UnsafePointer<Double>, ld: Int, pivots: UnsafePointer<Int>,
  _ x: UnsafeMutablePointer<Double>
) {
  for k in 0..<n where pivots[k] != k {
    let t = x[k]
    x[k] = x[pivots[k]]
    x[pivots[k]] = t
  }
  let vectorized = n >= 32
  for i in 0..<n {  // L·y = P·b
    let row = lu + i * ld
    var s = 0.0
    var j = 0
    if vectorized {
      var s0 = SIMD2<Double>.zero, s1 = SIMD2<Double>.zero
      while j + 5 <= i {
        s0 += load2(row + j) * load2(x + j)
        s1 += load2(row + j + 2) * load2(x + j + 2)
        j += 4
      }
      s = (s0 + s1).sum()
    }
    while j < i {
      s += row[j] * x[j]
      j += 1
    }
    x[i] -= s
  }
  var i = n - 1
  while i >= 0 {  // U·x = y
    let row = lu + i * ld
    var s = 0.0
    var j = n - 1
    if vectorized {
      // From the far end down to i + 2, leaving x[i+1] (just stored) to the scalar loop.
      var s0 = SIMD2<Double>.zero, s1 = SIMD2<Double>.zero
      while j - 4 >= i + 1 {
        s0 += load2(row + j - 1) * load2(x + j - 1)
        s1 += load2(row + j - 3) * load2(x + j - 3)
        j -= 4
      }
      s = (s0 + s1).sum()
    }
    while j > i {
      s += row[j] * x[j]
      j -= 1
    }
    x[i] = (x[i] - s) / row[i]
    i -= 1
  }
}

/// Overwrites the n × n matrix at `a` (leading dimension `ld`) with its inverse, by
/// Gauss–Jordan elimination with partial pivoting (Golub–Van Loan §3.4; Higham,
/// *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §14.4): at step k the row
/// with the largest |a_ik|, i ≥ k, is swapped into place, row k is scaled by 1/a_kk and
/// column k is eliminated from every other row, so that the elimination applied to the
/// identity builds (PA)⁻¹ = A⁻¹Pᵀ in the columns as they free up; the column exchanges,
/// undone in reverse order at the end, give A⁻¹. The pivots are those of LU with partial
/// pivoting (rows below k see the same updates), and so is the singularity test of
/// ``factorLUInPlace(order:_:ld:pivots:)``. Meant for the small blocks of block-diagonal
/// solves, where the product with the inverse (independent multiply–adds) is several
/// times faster than substitutions (a chain of dependent divisions); its forward error
/// is of the same order, κ(A)·ε, as a solve with the LU factors.
/// `pivots` (n entries) is scratch.
/// - Throws: `.nonFinite` if an entry is NaN or ±∞; `.singular(pivot: k)` if at step k
///   the largest available pivot is 0 or below n·ε·maxᵢⱼ|a_ij| (A is then overwritten).
/// - Complexity: 2n³ flops.
public func invertInPlace(
  order n: Int, _ a: UnsafeMutablePointer<Double>, ld: Int, pivots: UnsafeMutablePointer<Int>
) throws(LinearAlgebraError) {
  // The orders of the mode blocks (L·w for depths up to 4) get copies with constant loop
  // bounds, which the compiler unrolls.
  switch n {
  case 2: try gaussJordan(2, a, ld, pivots)
  case 3: try gaussJordan(3, a, ld, pivots)
  case 4: try gaussJordan(4, a, ld, pivots)
  case 6: try gaussJordan(6, a, ld, pivots)
  case 8: try gaussJordan(8, a, ld, pivots)
  default: try gaussJordan(n, a, ld, pivots)
  }
}

/// The body of ``invertInPlace(order:_:ld:pivots:)``.
@inline(__always)
private func gaussJordan(
  _ n: Int, _ a: UnsafeMutablePointer<Double>, _ ld: Int, _ pivots: UnsafeMutablePointer<Int>
) throws(LinearAlgebraError) {
  var largest = 0.0
  for i in 0..<n {
    for j in 0..<n {
      let v = a[i * ld + j]
      guard v.isFinite else { throw .nonFinite }
      largest = Swift.max(largest, Swift.abs(v))
    }
  }
  let threshold = Double(n) * Double.ulpOfOne * largest
  for k in 0..<n {
    try choosePivot(column: k, order: n, a, ld: ld, pivots: pivots, threshold: threshold)
    let rk = a + k * ld
    // Row k ← row k / a_kk, with column k becoming that of the inverse (1/a_kk).
    let d = 1 / rk[k]
    rk[k] = 1
    for j in 0..<n { rk[j] *= d }
    for i in 0..<n where i != k {
      let ri = a + i * ld
      let f = ri[k]
      if f == 0 { continue }
      ri[k] = 0
      for j in 0..<n { ri[j] -= f * rk[j] }
    }
  }
  var k = n - 1
  while k >= 0 {
    let p = pivots[k]
    if p != k {
      for i in 0..<n {
        let ri = a + i * ld
        let t = ri[k]
        ri[k] = ri[p]
        ri[p] = t
      }
    }
    k -= 1
  }
}
