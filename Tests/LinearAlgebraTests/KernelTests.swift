import LinearAlgebra
import Testing

/// The pointer kernels of `Kernels.swift` against plain loops over `Matrix`.
///
/// Tolerances: a sum of k products computed in any order has error ≤ γ_k Σ|aᵢbᵢ|
/// (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., §3.1), so each
/// entry is compared with 2kε·Σ|aᵢbᵢ|. The shapes cover the vector and scalar tails
/// (odd sizes, fewer than 4 rows), the 4 × 2 register tile crossing the diagonal, and
/// more than one depth chunk (256) and row block (64) of the symmetric product.
@Suite("Dense kernels")
struct KernelTests {
  /// (n, k) for the symmetric product and (m, k) for the matrix–vector products.
  static let shapes: [Shape] = [
    Shape(1, 1), Shape(1, 5), Shape(2, 3), Shape(3, 7), Shape(4, 4), Shape(5, 2), Shape(7, 9),
    Shape(9, 1), Shape(20, 50), Shape(67, 33), Shape(70, 300), Shape(130, 517),
  ]

  /// Σₜ a[i, t]·b[j, t] and Σₜ |a[i, t]·b[j, t]|, sequentially.
  static func referenceDot(_ a: Matrix, _ i: Int, _ b: Matrix, _ j: Int) -> (Double, Double) {
    var s = 0.0, magnitude = 0.0
    for t in 0..<a.columns {
      s += a[i, t] * b[j, t]
      magnitude += Swift.abs(a[i, t] * b[j, t])
    }
    return (s, magnitude)
  }

  @Test("y = A·x and y = Aᵀ·x match sequential sums, with a leading dimension > columns", arguments: shapes)
  func matrixVectorProducts(shape: Shape) {
    for seed in testSeeds.prefix(3) {
      var rng = SplitMix64(seed: seed)
      let (m, k) = (shape.m, shape.n)
      let lda = k + 3  // a sub-block of a wider matrix
      let wide = rng.gaussianMatrix(m, lda)
      let a = Matrix(rows: m, columns: k) { i, t in wide[i, t] }
      let x = rng.gaussianVector(k), xt = rng.gaussianVector(m)
      var y = [Double](repeating: .nan, count: m), yt = [Double](repeating: .nan, count: k)
      wide.storage.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
          y.withUnsafeMutableBufferPointer { yp in
            multiplyMatrixVector(rows: m, columns: k, ap.baseAddress!, lda: lda, xp.baseAddress!, into: yp.baseAddress!)
          }
        }
        xt.withUnsafeBufferPointer { xp in
          yt.withUnsafeMutableBufferPointer { yp in
            multiplyTransposedMatrixVector(rows: m, columns: k, ap.baseAddress!, lda: lda, xp.baseAddress!, into: yp.baseAddress!)
          }
        }
      }
      let label = context(seed: seed, m, k)
      for i in 0..<m {
        var s = 0.0, mag = 0.0
        for t in 0..<k { s += a[i, t] * x[t]; mag += Swift.abs(a[i, t] * x[t]) }
        let tol = 2 * Double(k) * eps * mag
        #expect(Swift.abs(y[i] - s) <= tol, "\(label): (Ax)[\(i)] = \(y[i]), sequential \(s), error \(Swift.abs(y[i] - s)), tolerance \(tol)")
      }
      for t in 0..<k {
        var s = 0.0, mag = 0.0
        for i in 0..<m { s += a[i, t] * xt[i]; mag += Swift.abs(a[i, t] * xt[i]) }
        let tol = 2 * Double(m) * eps * mag
        #expect(Swift.abs(yt[t] - s) <= tol, "\(label): (Aᵀx)[\(t)] = \(yt[t]), sequential \(s), error \(Swift.abs(yt[t] - s)), tolerance \(tol)")
      }
    }
  }

  @Test("the symmetric product touches only the upper triangle and adds A·Bᵀ there", arguments: shapes)
  func symmetricProductUpperTriangle(shape: Shape) {
    for seed in testSeeds.prefix(3) {
      var rng = SplitMix64(seed: seed)
      let (n, k) = (shape.m, shape.n)
      // A general (non-symmetric) A·Bᵀ: the kernel computes the dot products i ≤ j all the same.
      let a = rng.gaussianMatrix(n, k), b = rng.gaussianMatrix(n, k)
      let ldc = n + 2
      let initial = rng.gaussianMatrix(n, ldc)
      var c = initial
      a.storage.withUnsafeBufferPointer { ap in
        b.storage.withUnsafeBufferPointer { bp in
          c.storage.withUnsafeMutableBufferPointer { cp in
            accumulateSymmetricProduct(order: n, depth: k, ap.baseAddress!, lda: k, bp.baseAddress!, ldb: k,
                                       into: cp.baseAddress!, ldc: ldc)
          }
        }
      }
      let label = context(seed: seed, n, k)
      var worst = 0.0
      for i in 0..<n {
        for j in 0..<ldc {
          if j < n && i <= j {
            let (s, mag) = Self.referenceDot(a, i, b, j)
            let expected = initial[i, j] + s
            let tol = 2 * Double(k + 1) * eps * (mag + Swift.abs(initial[i, j]))
            let err = Swift.abs(c[i, j] - expected)
            worst = Swift.max(worst, err / Swift.max(tol, .leastNormalMagnitude))
            #expect(err <= tol, "\(label): C[\(i), \(j)] = \(c[i, j]), expected \(expected), error \(err), tolerance \(tol)")
          } else {
            #expect(c[i, j] == initial[i, j], "\(label): entry (\(i), \(j)) outside the upper triangle was written")
          }
        }
      }
    }
  }

  @Test("Matrix.symmetricProduct(A, transposing: AΛ) is exactly symmetric and equals A·Λ·Aᵀ", arguments: shapes)
  func symmetricProductMatrix(shape: Shape) {
    var rng = SplitMix64(seed: 41)
    let (n, k) = (shape.m, shape.n)
    let a = rng.gaussianMatrix(n, k)
    let lambda = rng.gaussianVector(k)
    let scaled = Matrix(rows: n, columns: k) { i, t in a[i, t] * lambda[t] }
    let s = Matrix.symmetricProduct(scaled, transposing: a)
    let dense = scaled * a.transposed
    for i in 0..<n {
      for j in 0..<n {
        #expect(s[i, j] == s[j, i], "shape \(n)×\(k): S[\(i), \(j)] ≠ S[\(j), \(i)]")
        var mag = 0.0
        for t in 0..<k { mag += Swift.abs(scaled[i, t] * a[j, t]) }
        let tol = 4 * Double(k) * eps * mag
        #expect(Swift.abs(s[i, j] - dense[i, j]) <= tol,
                "shape \(n)×\(k): S[\(i), \(j)] = \(s[i, j]), A·Λ·Aᵀ = \(dense[i, j]), tolerance \(tol)")
      }
    }
  }

  @Test("in-place LU factors and solves like LUFactorization (unblocked below order 128, blocked from it)",
        arguments: [1, 2, 3, 4, 6, 17, 31, 32, 33, 64, 100, 127, 128, 161, 200])
  func luInPlace(n: Int) throws {
    for seed in testSeeds.prefix(4) {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(n, n)
      let b = rng.gaussianVector(n)
      let ld = n + 1
      var storage = [Double](repeating: .nan, count: n * ld)
      for i in 0..<n { for j in 0..<n { storage[i * ld + j] = a[i, j] } }
      var pivots = [Int](repeating: -1, count: n)
      var x = b
      try storage.withUnsafeMutableBufferPointer { sp throws(LinearAlgebraError) in
        try pivots.withUnsafeMutableBufferPointer { pp throws(LinearAlgebraError) in
          try factorLUInPlace(order: n, sp.baseAddress!, ld: ld, pivots: pp.baseAddress!)
          x.withUnsafeMutableBufferPointer { xp in
            solveLUInPlace(order: n, UnsafePointer(sp.baseAddress!), ld: ld, pivots: UnsafePointer(pp.baseAddress!), xp.baseAddress!)
          }
        }
      }
      let reference = try LUFactorization(a)
      let label = context(seed: seed, n, n)
      // Same pivots (same algorithm), so the same factors up to the order of the updates.
      var order = Array(0..<n)
      for k in 0..<n { order.swapAt(k, pivots[k]) }
      #expect(order == reference.rowOrder, "\(label): row order \(order), LUFactorization \(reference.rowOrder)")
      let u = reference.upper, l = reference.lower
      let scale = (absolute(l) * absolute(u)).frobeniusNorm
      var factorError = 0.0
      for i in 0..<n {
        for j in 0..<n {
          let expected = j >= i ? u[i, j] : l[i, j]
          factorError = Swift.max(factorError, Swift.abs(storage[i * ld + j] - expected))
        }
      }
      #expect(factorError <= 4 * Double(n) * eps * scale, "\(label): factors differ by \(factorError)")
      for i in 0..<n { #expect(storage[i * ld + n].isNaN, "\(label): padding of row \(i) written") }
      let residual = (b - a * x).norm2
      let tol = 6 * Double(n) * eps * scale * x.norm2
      #expect(residual <= tol, "\(label): ‖b − Ax‖ = \(residual), tolerance \(tol)")
    }
  }

  @Test("Gauss–Jordan inversion in place gives A·A⁻¹ = I to the accuracy of LU solves", arguments: [1, 2, 3, 4, 5, 6, 8, 13, 40])
  func inverseInPlace(n: Int) throws {
    for seed in testSeeds.prefix(4) {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(n, n)
      let ld = n + 2
      var storage = [Double](repeating: .nan, count: n * ld)
      for i in 0..<n { for j in 0..<n { storage[i * ld + j] = a[i, j] } }
      var pivots = [Int](repeating: -1, count: n)
      try storage.withUnsafeMutableBufferPointer { sp throws(LinearAlgebraError) in
        try pivots.withUnsafeMutableBufferPointer { pp throws(LinearAlgebraError) in
          try invertInPlace(order: n, sp.baseAddress!, ld: ld, pivots: pp.baseAddress!)
        }
      }
      let inverse = Matrix(rows: n, columns: n) { i, j in storage[i * ld + j] }
      let label = context(seed: seed, n, n)
      for i in 0..<n { for j in n..<ld { #expect(storage[i * ld + j].isNaN, "\(label): padding (\(i), \(j)) written") } }
      // Each column of the reference inverse is an LU solve; both have forward error
      // ≲ κ(A)·γₙ, so compare with a few n·ε·κ₁(A) relative to ‖A⁻¹‖.
      let lu = try LUFactorization(a)
      let reference = lu.solve(Matrix.identity(n))
      let kappa = 1 / lu.reciprocalConditionEstimate()
      let err = distance(inverse, reference) / reference.frobeniusNorm
      let tol = 20 * Double(n) * eps * kappa
      #expect(err <= tol, "\(label): ‖X − A⁻¹‖_F/‖A⁻¹‖_F = \(err), tolerance \(tol) (κ₁ ≈ \(kappa))")
    }
    // Pivoting: a zero leading entry needs a row exchange, undone as a column exchange.
    var p = [0.0, 2, 1, 1]
    var piv = [0, 0]
    try p.withUnsafeMutableBufferPointer { sp throws(LinearAlgebraError) in
      try piv.withUnsafeMutableBufferPointer { pp throws(LinearAlgebraError) in
        try invertInPlace(order: 2, sp.baseAddress!, ld: 2, pivots: pp.baseAddress!)
      }
    }
    #expect(p == [-0.5, 1, 0.5, 0], "inverse of [[0, 2], [1, 1]] is [[−½, 1], [½, 0]], got \(p)")
  }

  @Test("in-place LU reports singular and non-finite matrices like LUFactorization")
  func luInPlaceFailures() {
    func factor(_ a: Matrix) -> LinearAlgebraError? {
      var s = a.storage
      var p = [Int](repeating: 0, count: a.rows)
      do {
        try s.withUnsafeMutableBufferPointer { sp throws(LinearAlgebraError) in
          try p.withUnsafeMutableBufferPointer { pp throws(LinearAlgebraError) in
            try factorLUInPlace(order: a.rows, sp.baseAddress!, ld: a.rows, pivots: pp.baseAddress!)
          }
        }
        return nil
      } catch {
        return error
      }
    }
    #expect(factor(Matrix([[1, 2], [2, 4]])) == .singular(pivot: 1))
    #expect(factor(Matrix([[0, 0], [0, 1]])) == .singular(pivot: 0))
    #expect(factor(Matrix([[1, .nan], [0, 1]])) == .nonFinite)
    #expect(factor(Matrix([[1, 2], [3, 4]])) == nil)
    // Negligible pivot: below n·ε·max|a|, as LUFactorization.
    let tiny = Matrix([[1, 1], [1, 1 + 1e-17]])
    #expect(factor(tiny) == .singular(pivot: 1))
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) { try LUFactorization(tiny) }
    // The inversion uses the same pivots, hence the same test.
    func invert(_ a: Matrix) -> LinearAlgebraError? {
      var s = a.storage
      var p = [Int](repeating: 0, count: a.rows)
      do {
        try s.withUnsafeMutableBufferPointer { sp throws(LinearAlgebraError) in
          try p.withUnsafeMutableBufferPointer { pp throws(LinearAlgebraError) in
            try invertInPlace(order: a.rows, sp.baseAddress!, ld: a.rows, pivots: pp.baseAddress!)
          }
        }
        return nil
      } catch {
        return error
      }
    }
    #expect(invert(tiny) == .singular(pivot: 1))
    #expect(invert(Matrix([[1, 2, 3], [2, 4, 6], [0, 0, 1]])) == .singular(pivot: 1))
    #expect(invert(Matrix([[.infinity]])) == .nonFinite)
  }
}
