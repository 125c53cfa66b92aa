import LinearAlgebra
import Testing

/// One-sided Jacobi applies S sweeps of k(k−1)/2 rotations to columns of length
/// max(m, n); it is backward stable with ‖A − ÛΣ̂V̂ᵀ‖_F = O(S·k·ε‖A‖_F) and
/// ‖V̂ᵀV̂ − I‖ = O(S·k·ε); the computed U has ‖ÛᵀÛ − I‖ ≤ the stopping threshold
/// √max(m, n)·ε per pair, O(k·√max(m, n)·ε) in norm. With S ≤ 10 we take
/// 20·max(m, n)·ε as the unit of all tolerances below.
@Suite("Singular value decomposition (one-sided Jacobi)")
struct SingularValueDecompositionTests {
  static func unit(_ m: Int, _ n: Int) -> Double { 20 * Double(Swift.max(m, n, 1)) * eps }

  @Test("A = U·Σ·Vᵀ, UᵀU = VᵀV = I, σ descending and non-negative", arguments: testShapes)
  func identities(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let svd = try SingularValueDecomposition(a)
      try check(svd, a, seed: seed)
    }
  }

  func check(_ svd: SingularValueDecomposition, _ a: Matrix, seed: UInt64) throws {
    let (m, n) = (a.rows, a.columns), k = Swift.min(m, n)
    let label = context(seed: seed, m, n)
    try #require(svd.u.rows == m && svd.u.columns == k && svd.v.rows == n && svd.v.columns == k && svd.singularValues.count == k,
                 "\(label): U \(svd.u.rows)×\(svd.u.columns), V \(svd.v.rows)×\(svd.v.columns), \(svd.singularValues.count) values")
    let tol = Self.unit(m, n)
    let orthU = orthonormalityError(svd.u), orthV = orthonormalityError(svd.v)
    #expect(orthU <= tol, "\(label): ‖UᵀU − I‖_F = \(orthU), tolerance \(tol)")
    #expect(orthV <= tol, "\(label): ‖VᵀV − I‖_F = \(orthV), tolerance \(tol)")
    let rec = distance(a, recompose(svd))
    #expect(rec <= tol * a.frobeniusNorm, "\(label): ‖A − UΣVᵀ‖_F = \(rec), tolerance \(tol * a.frobeniusNorm)")
    let s = svd.singularValues
    #expect(s.allSatisfy { $0 >= 0 } && zip(s, s.dropFirst()).allSatisfy { $0 >= $1 }, "\(label): σ = \(s)")
  }

  @Test("Known singular values, condition number 1e12, absolute accuracy ε‖A‖", arguments: [Shape(12, 6), Shape(6, 12), Shape(10, 10)])
  func illConditioned(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n), k = Swift.min(m, n)
    let s = (0..<k).map { Elementary.pow(10, -12 * Double($0) / Double(k - 1)) }
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.matrix(rows: m, columns: n, singularValues: s)
      let svd = try SingularValueDecomposition(a)
      try check(svd, a, seed: seed)
      // Weyl: |σ̂ᵢ − σᵢ| ≤ ‖E‖₂, E the backward error plus the rounding in forming A.
      let err = (svd.singularValues - s).normInfinity
      let tol = Self.unit(m, n) * s[0]
      #expect(err <= tol, "\(context(seed: seed, m, n)): max |σ̂ − σ| = \(err), tolerance \(tol)")
    }
  }

  @Test("Small singular values to high relative accuracy when A = Q·diag(s)·Π")
  func relativeAccuracy() throws {
    // Columns s_j·q_j with orthonormal q_j: κ(A·D⁻¹) ≈ 1 in Demmel–Veselić's bound, so
    // each σ̂_j = s_j(1 + O(k·√m·ε)) even for s_j = 1e-12·s₀ — bidiagonalisation would
    // only give absolute accuracy ε·s₀. Tolerance: relative 20·k·√m·ε.
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let (m, k) = (9, 6)
      let s: [Double] = [1, 1e-3, 1e-6, 1e-9, 1e-12, 1e-15]
      let order = [3, 0, 5, 1, 4, 2]  // a column permutation Π, so sorting is exercised
      let q = rng.orthonormalColumns(m, k)
      let a = Matrix(rows: m, columns: k) { i, j in q[i, order[j]] * s[order[j]] }
      for candidate in [a, a.transposed] {
        let svd = try SingularValueDecomposition(candidate)
        let rel = zip(svd.singularValues, s).map { Swift.abs($0 - $1) / $1 }.max() ?? 0
        let tol = 20 * Double(k) * Double(m).squareRoot() * eps
        #expect(rel <= tol, "\(context(seed: seed, candidate.rows, candidate.columns)): max relative error \(rel), tolerance \(tol); σ̂ = \(svd.singularValues)")
      }
    }
  }

  @Test("Exact rank deficiency: zero singular values and still orthonormal U, V")
  func rankDeficient() throws {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      for (m, n) in [(8, 5), (5, 8), (6, 6)] {
        let s: [Double] = [3, 2, 1]
        let a = rng.matrix(rows: m, columns: n, singularValues: s)
        let svd = try SingularValueDecomposition(a)
        try check(svd, a, seed: seed)
        // (On [Double], `+` is the vector sum of Matrix.swift, so concatenate explicitly.)
        var expected = s
        expected.append(contentsOf: repeatElement(0, count: Swift.min(m, n) - 3))
        let err = (svd.singularValues - expected).normInfinity
        let tol = Self.unit(m, n) * 3
        #expect(err <= tol, "\(context(seed: seed, m, n)): max |σ̂ − σ| = \(err), tolerance \(tol)")
      }
      // Exactly zero columns and rows force the orthonormal completion of U.
      var b = rng.gaussianMatrix(6, 4)
      for i in 0..<6 {
        b[i, 1] = 0
        b[i, 3] = 0
      }
      try check(try SingularValueDecomposition(b), b, seed: seed)
      try check(try SingularValueDecomposition(b.transposed), b.transposed, seed: seed)
    }
  }

  @Test("Zero, empty and non-finite inputs")
  func degenerate() throws {
    let zero = try SingularValueDecomposition(Matrix(rows: 5, columns: 3))
    #expect(zero.singularValues == [0, 0, 0], "σ of the zero 5×3 matrix: \(zero.singularValues)")
    #expect(orthonormalityError(zero.u) <= 4 * eps && orthonormalityError(zero.v) == 0, "U, V of the zero matrix")
    let empty = try SingularValueDecomposition(Matrix(rows: 0, columns: 4))
    #expect(empty.singularValues.isEmpty && empty.u.rows == 0 && empty.v.rows == 4 && empty.v.columns == 0, "0×4 matrix")
    #expect(throws: LinearAlgebraError.nonFinite) { try SingularValueDecomposition(Matrix([[1, .infinity]])) }
  }
}
