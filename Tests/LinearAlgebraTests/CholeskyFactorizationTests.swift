import LinearAlgebra
import Testing

/// Tolerances follow Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
/// Thm. 10.3: L̂L̂ᵀ = A + ΔA with |ΔA| ≤ γₙ₊₁|L̂||L̂ᵀ|, so ‖ΔA‖_F ≤ γₙ₊₁‖L̂‖_F²; and for the
/// solve (Thm. 10.4) (A + ΔA)x̂ = b with |ΔA| ≤ γ₃ₙ₊₁|L̂||L̂ᵀ|. We allow twice these.
@Suite("Cholesky factorization")
struct CholeskyFactorizationTests {
  @Test("A = L·Lᵀ and A·x = b for random SPD matrices", arguments: [1, 2, 5, 12, 30])
  func reconstructionAndSolve(n: Int) throws {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let g = rng.gaussianMatrix(n + 3, n)
      let a = g.transposedTimes(g)  // GᵀG, SPD with probability 1
      let b = rng.gaussianVector(n)
      let label = context(seed: seed, n, n)
      let chol = try CholeskyFactorization(a)
      let l = chol.lower
      for i in 0..<n {
        #expect(l[i, i] > 0, "\(label): l_\(i)\(i) = \(l[i, i]) not positive")
        for j in (i + 1)..<n { #expect(l[i, j] == 0, "\(label): L[\(i), \(j)] = \(l[i, j]) above the diagonal") }
      }
      let tol = 2 * Double(n + 1) * eps * l.frobeniusNorm * l.frobeniusNorm
      let rec = distance(a, l * l.transposed)
      #expect(rec <= tol, "\(label): ‖A − LLᵀ‖_F = \(rec), tolerance \(tol)")
      let x = chol.solve(b)
      let residual = (b - a * x).norm2
      let tolX = 2 * Double(3 * n + 1) * eps * l.frobeniusNorm * l.frobeniusNorm * x.norm2
      #expect(residual <= tolX, "\(label): ‖b − Ax‖ = \(residual), tolerance \(tolX)")
    }
  }

  @Test("Matrices that are not positive definite throw .notPositiveDefinite(pivot:)")
  func notPositiveDefinite() {
    #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 1)) { try CholeskyFactorization(Matrix([[1, 2], [2, 1]])) }
    #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 0)) { try CholeskyFactorization(Matrix([[-1]])) }
    #expect(throws: LinearAlgebraError.notPositiveDefinite(pivot: 2)) { try CholeskyFactorization(Matrix.diagonal([1, 1, 0])) }
    #expect(throws: LinearAlgebraError.nonFinite) { try CholeskyFactorization(Matrix([[1, .nan], [.nan, 1]])) }
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      // Q·diag(3, 2, 1, −0.5)·Qᵀ: indefinite, some pivot must fail.
      let q = rng.orthonormalColumns(4, 4)
      let a = q * Matrix.diagonal([3, 2, 1, -0.5]) * q.transposed
      #expect(throws: LinearAlgebraError.self, "\(context(seed: seed, 4, 4)): indefinite matrix factored") {
        try CholeskyFactorization(a)
      }
    }
  }
}
