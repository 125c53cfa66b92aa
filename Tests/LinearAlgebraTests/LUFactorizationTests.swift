import LinearAlgebra
import Testing

/// Tolerances follow Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.:
/// Thm. 9.3, P·A = L̂Û + ΔA with |ΔA| ≤ γₙ|L̂||Û|, and Thm. 9.4, (A + ΔA)x̂ = b with
/// |ΔA| ≤ γ₃ₙ|L̂||Û|. γ_k = kε/(1 − kε) ≈ kε; we allow 2γₙ and 2γ₃ₙ in norm.
@Suite("LU factorization with partial pivoting")
struct LUFactorizationTests {
  static let orders = [1, 2, 3, 5, 10, 30]

  @Test("P·A = L·U, |l_ij| ≤ 1, and A·x = b is solved backward-stably", arguments: orders)
  func reconstructionAndSolve(n: Int) throws {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(n, n)
      let b = rng.gaussianVector(n)
      let lu = try LUFactorization(a)
      let label = context(seed: seed, n, n)
      let l = lu.lower, u = lu.upper
      #expect(l.storage.allSatisfy { Swift.abs($0) <= 1 }, "\(label): a multiplier exceeds 1 in magnitude")
      let scale = (absolute(l) * absolute(u)).frobeniusNorm
      let tolLU = 2 * Double(n) * eps * scale
      let rec = distance(a.selectingRows(lu.rowOrder), l * u)
      #expect(rec <= tolLU, "\(label): ‖PA − LU‖_F = \(rec), tolerance \(tolLU)")

      // Backward error of the solve: ‖b − Ax̂‖ ≤ 2γ₃ₙ‖|L||U|‖_F‖x̂‖.
      let x = lu.solve(b)
      let residual = (b - a * x).norm2
      let tolX = 6 * Double(n) * eps * scale * x.norm2
      #expect(residual <= tolX, "\(label): ‖b − Ax‖ = \(residual), tolerance \(tolX)")

      // Matrix right-hand side: A·A⁻¹ = I column by column (each column a separate solve).
      let inverse = lu.solve(Matrix.identity(n))
      let tolInv = 6 * Double(n) * eps * scale * inverse.frobeniusNorm
      let invErr = distance(a * inverse, Matrix.identity(n))
      #expect(invErr <= tolInv, "\(label): ‖A·A⁻¹ − I‖_F = \(invErr), tolerance \(tolInv)")
      let viaFunction = try solveLinearSystem(a, b)
      #expect(viaFunction == x, "\(label): solveLinearSystem differs from LUFactorization.solve")
    }
  }

  @Test("Determinant of a matrix with known determinant")
  func determinant() throws {
    // A = Q·diag(d)·Qᵀ with Q orthogonal has det A = Π dᵢ; the relative error of the
    // computed product is of order n·κ(A)·ε for a backward-stable LU (here κ = 3/0.5 = 6);
    // we allow the constant 100.
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let d: [Double] = [2, -1, 0.5, 3, -0.75, 1]
      let q = rng.orthonormalColumns(6, 6)
      let a = q * Matrix.diagonal(d) * q.transposed
      let det = try LUFactorization(a).determinant
      let exact = d.reduce(1, *)
      let tol = 100 * 6 * 6 * eps * Swift.abs(exact)
      #expect(Swift.abs(det - exact) <= tol, "\(context(seed: seed, 6, 6)): det = \(det), exact \(exact), error \(Swift.abs(det - exact)), tolerance \(tol)")
    }
    #expect(try LUFactorization(Matrix([[0, 1], [1, 0]])).determinant == -1, "permutation sign")
    #expect(try LUFactorization(Matrix(rows: 0, columns: 0)).determinant == 1, "empty product")
  }

  @Test("The condition estimate brackets the exact reciprocal 1-norm condition number", arguments: orders)
  func conditionEstimate(n: Int) throws {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      // Singular values spread over four decades, so κ is large enough to matter.
      let s = (0..<n).map { i in Elementary.pow(10, -4 * Double(i) / Double(Swift.max(n - 1, 1))) }
      let a = rng.matrix(rows: n, columns: n, singularValues: s)
      let lu = try LUFactorization(a)
      let exact = 1 / (oneNorm(a) * oneNorm(lu.solve(Matrix.identity(n))))
      let estimate = lu.reciprocalConditionEstimate()
      // Hager–Higham returns a lower bound for ‖A⁻¹‖₁, hence an upper bound for rcond (up
      // to rounding, slack 1e-8). It is rarely off by more than a small factor: over 500
      // random matrices of orders 3–40 the ratio stayed ≤ 2.3, so we allow 3.
      let label = context(seed: seed, n, n)
      #expect(estimate >= exact * (1 - 1e-8), "\(label): estimate \(estimate) below exact \(exact)")
      #expect(estimate <= 3 * exact, "\(label): estimate \(estimate) more than 3× exact \(exact)")
    }
  }

  @Test("Singular matrices throw .singular(pivot:)")
  func singular() {
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) { try LUFactorization(Matrix([[1, 2], [2, 4]])) }
    #expect(throws: LinearAlgebraError.singular(pivot: 0)) { try LUFactorization(Matrix(rows: 3, columns: 3)) }
    // Rank 2: the last pivot u₂₂ is rounding noise, below 3ε·9.
    #expect(throws: LinearAlgebraError.singular(pivot: 2)) { try LUFactorization(Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])) }
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.rankDeficientMatrix(7, 7, rank: 4)
      #expect(throws: LinearAlgebraError.self, "\(context(seed: seed, 7, 7)): rank-4 matrix factored") {
        try LUFactorization(a)
      }
    }
    #expect(throws: LinearAlgebraError.singular(pivot: 1)) { try solveLinearSystem(Matrix([[1, 1], [1, 1]]), [1, 2]) }
  }

  @Test("NaN or infinity throws .nonFinite")
  func nonFinite() {
    #expect(throws: LinearAlgebraError.nonFinite) { try LUFactorization(Matrix([[1, .nan], [0, 1]])) }
    #expect(throws: LinearAlgebraError.nonFinite) { try LUFactorization(Matrix([[.infinity]])) }
  }
}
