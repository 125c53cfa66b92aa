import LinearAlgebra
import Testing

/// Least squares is checked against independent references: the normal equations solved
/// by Cholesky (well-conditioned full-rank A only: their error grows like κ(A)²ε), LU for
/// square A, Aᵀ(AAᵀ)⁻¹b for full row rank, and A⁺ = C⁺B⁺ for a full-rank factorisation
/// A = B·C (B m×r, C r×n, both of rank r), where B⁺ = (BᵀB)⁻¹Bᵀ and C⁺ = Cᵀ(CCᵀ)⁻¹.
///
/// Tolerances: pivoted-QR least squares is backward stable (Higham, *Accuracy and
/// Stability of Numerical Algorithms*, 2nd ed., Thm. 20.3), so the forward error is
/// ‖x̂ − x‖/‖x‖ ≲ c·mn·ε·(κ + κ²‖r‖/(‖A‖‖x‖)) (GVL Thm. 5.3.1). Gaussian matrices of these
/// shapes have κ ≲ 10³ for our seeds, far smaller for the tall ones; we take
/// 100·mn·ε·κ² with κ measured by the SVD, which also covers the reference's own error.
@Suite("Minimum-norm least squares")
struct LeastSquaresTests {
  func condition(_ a: Matrix) throws -> Double {
    let s = try SingularValueDecomposition(a).singularValues
    return s[0] / s[s.count - 1]
  }

  @Test("Full column rank: agrees with the normal equations; Aᵀr = 0", arguments: [Shape(20, 5), Shape(8, 8), Shape(40, 12), Shape(3, 1)])
  func overdetermined(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let b = rng.gaussianVector(m)
      let label = context(seed: seed, m, n)
      let solution = leastSquares(a, b)
      #expect(solution.rank == n, "\(label): rank \(solution.rank), expected \(n)")
      let reference = try CholeskyFactorization(a.transposedTimes(a)).solve(a.transposedTimes(b))
      let kappa = try condition(a)
      let tol = 100 * Double(m * n) * eps * kappa * kappa * reference.norm2
      let err = distance(solution.x, reference)
      #expect(err <= tol, "\(label): ‖x − x_normal‖ = \(err), tolerance \(tol) (κ = \(kappa))")
      // Optimality: the gradient Aᵀ(b − Ax) vanishes up to ε‖A‖(‖A‖‖x‖ + ‖b‖)·mn.
      let gradient = a.transposedTimes(b - a * solution.x).norm2
      let tolG = 10 * Double(m * n) * eps * a.frobeniusNorm * (a.frobeniusNorm * solution.x.norm2 + b.norm2)
      #expect(gradient <= tolG, "\(label): ‖Aᵀr‖ = \(gradient), tolerance \(tolG)")
      let rErr = Swift.abs(solution.residualNorm - (b - a * solution.x).norm2)
      #expect(rErr <= 10 * Double(m) * eps * b.norm2, "\(label): residualNorm off by \(rErr)")
      if m == n {
        let lu = try solveLinearSystem(a, b)
        let errLU = distance(solution.x, lu)
        #expect(errLU <= tol, "\(label): ‖x − x_LU‖ = \(errLU), tolerance \(tol)")
      }
    }
  }

  @Test("Full row rank (m < n): A·x = b and x = Aᵀ(AAᵀ)⁻¹b", arguments: [Shape(3, 7), Shape(1, 5), Shape(10, 25)])
  func underdetermined(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let b = rng.gaussianVector(m)
      let label = context(seed: seed, m, n)
      let solution = leastSquares(a, b)
      #expect(solution.rank == m, "\(label): rank \(solution.rank), expected \(m)")
      let reference = a.transposedTimes(try CholeskyFactorization(a * a.transposed).solve(b))
      let kappa = try condition(a)
      let tol = 100 * Double(m * n) * eps * kappa * kappa * reference.norm2
      let err = distance(solution.x, reference)
      #expect(err <= tol, "\(label): ‖x − Aᵀ(AAᵀ)⁻¹b‖ = \(err), tolerance \(tol) (κ = \(kappa))")
      let tolR = 10 * Double(m * n) * eps * (a.frobeniusNorm * solution.x.norm2 + b.norm2)
      #expect(solution.residualNorm <= tolR, "\(label): ‖b − Ax‖ = \(solution.residualNorm), tolerance \(tolR)")
    }
  }

  @Test("Rank-deficient A = B·C: minimum-norm solution C⁺B⁺b, orthogonal to null(A)",
        arguments: [Shape(10, 6), Shape(6, 10), Shape(8, 8)])
  func rankDeficient(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n), r = 3
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let bFactor = rng.gaussianMatrix(m, r), cFactor = rng.gaussianMatrix(r, n)
      let a = bFactor * cFactor
      let b = rng.gaussianVector(m)
      let label = context(seed: seed, m, n)
      let solution = leastSquares(a, b)
      #expect(solution.rank == r, "\(label): rank \(solution.rank), expected \(r)")
      // A⁺b = C⁺B⁺b = Cᵀ(CCᵀ)⁻¹(BᵀB)⁻¹Bᵀb.
      let inner = try CholeskyFactorization(bFactor.transposedTimes(bFactor)).solve(bFactor.transposedTimes(b))
      let reference = cFactor.transposedTimes(try CholeskyFactorization(cFactor * cFactor.transposed).solve(inner))
      let kappa = try condition(bFactor) * condition(cFactor)
      let tol = 100 * Double(m * n) * eps * kappa * kappa * reference.norm2
      let err = distance(solution.x, reference)
      #expect(err <= tol, "\(label): ‖x − A⁺b‖ = \(err), tolerance \(tol) (κ(B)κ(C) = \(kappa))")
      // Minimum norm ⇔ x ⊥ null(A) = null(C) ⇔ x ∈ range(Cᵀ): its component outside is 0.
      let basis = QRFactorization(cFactor.transposed, pivoting: false).thinQ()
      let outside = (solution.x - basis * basis.transposedTimes(solution.x)).norm2
      #expect(outside <= tol, "\(label): ‖(I − Π_range(Aᵀ))x‖ = \(outside), tolerance \(tol)")
      // Adding a null-space vector keeps the residual and increases the norm.
      let nullVector = QRFactorization(cFactor.transposed, pivoting: false).applyQ(
        (0..<n).map { $0 == r ? 1 : 0 })
      var shifted = solution.x
      shifted.addScaled(nullVector, by: 0.5)
      #expect(shifted.norm2 > solution.x.norm2, "\(label): a shifted solution is shorter")
    }
  }

  @Test("Degenerate inputs: zero matrix, b = 0, empty")
  func degenerate() {
    let zero = leastSquares(Matrix(rows: 3, columns: 2), [1, 2, 2])
    #expect(zero == LeastSquaresSolution(x: [0, 0], residualNorm: 3, rank: 0), "zero matrix: \(zero)")
    let noRhs = leastSquares(Matrix([[1, 2], [3, 4], [5, 6]]), [0, 0, 0])
    #expect(noRhs.x == [0, 0] && noRhs.residualNorm == 0, "b = 0: \(noRhs)")
    let empty = leastSquares(Matrix(rows: 0, columns: 3), [])
    #expect(empty.x == [0, 0, 0] && empty.rank == 0, "0×3: \(empty)")
    // Duplicate columns: the minimum-norm solution splits the weight equally.
    let dup = leastSquares(Matrix([[1, 1], [1, 1]]), [2, 2])
    let err = (dup.x - [1, 1]).normInfinity
    #expect(dup.rank == 1 && err <= 8 * eps, "duplicate columns: \(dup), error \(err), tolerance \(8 * eps)")
  }
}
