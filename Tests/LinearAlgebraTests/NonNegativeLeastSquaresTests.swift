import LinearAlgebra
import Testing

/// NNLS is checked by its optimality (KKT) conditions, which characterise the solution
/// of this convex problem, and on tiny problems by brute force over all 2ⁿ passive sets.
/// The KKT tolerance is the solver's own `tolerance` (default
/// 10·max(m, n)·ε‖A‖_F(‖b‖ + ‖A‖_F‖x‖), the rounding level of w = Aᵀr; see the function's
/// documentation).
@Suite("Non-negative least squares (Lawson–Hanson)")
struct NonNegativeLeastSquaresTests {
  /// Expects x ≥ 0, x = 0 off the passive set, w = Aᵀ(b − Ax) as reported, w_j ≤ tol off
  /// P, |w_j| ≤ tol on P, and `converged`.
  func expectKKT(_ result: NonNegativeLeastSquaresResult, _ a: Matrix, _ b: [Double], _ label: String) {
    let tol = result.tolerance
    #expect(result.converged, "\(label): not converged after \(result.iterations) iterations")
    let passive = Set(result.passiveSet)
    let w = a.transposedTimes(b - a * result.x)
    let dualErr = distance(w, result.dual)
    #expect(dualErr <= tol, "\(label): reported dual differs from Aᵀ(b − Ax) by \(dualErr), tolerance \(tol)")
    for j in 0..<a.columns {
      if passive.contains(j) {
        #expect(result.x[j] > 0, "\(label): passive x[\(j)] = \(result.x[j]) not positive")
        #expect(Swift.abs(w[j]) <= tol, "\(label): passive |w[\(j)]| = \(Swift.abs(w[j])), tolerance \(tol)")
      } else {
        #expect(result.x[j] == 0, "\(label): active x[\(j)] = \(result.x[j]) not 0")
        #expect(w[j] <= tol, "\(label): active w[\(j)] = \(w[j]), tolerance \(tol)")
      }
    }
    let residualErr = Swift.abs(result.residualNorm - (b - a * result.x).norm2)
    #expect(residualErr <= 10 * Double(a.rows) * eps * b.norm2, "\(label): residualNorm off by \(residualErr)")
  }

  @Test("KKT conditions on random problems, including n > m",
        arguments: [Shape(10, 5), Shape(5, 10), Shape(20, 20), Shape(8, 3), Shape(1, 4), Shape(30, 12)])
  func randomKKT(shape: Shape) {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let b = rng.gaussianVector(m)
      expectKKT(nonNegativeLeastSquares(a, b), a, b, context(seed: seed, m, n))
    }
  }

  @Test("KKT conditions on rank-deficient A, duplicate and zero columns", arguments: [Shape(8, 6), Shape(6, 9), Shape(12, 12)])
  func rankDeficientKKT(shape: Shape) {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      var a = rng.rankDeficientMatrix(m, n, rank: 3)
      let b = rng.gaussianVector(m)
      expectKKT(nonNegativeLeastSquares(a, b), a, b, context(seed: seed, m, n) + ", rank 3")
      for i in 0..<m {
        a[i, 1] = a[i, 0]  // duplicate column
        a[i, n - 1] = 0  // zero column
      }
      expectKKT(nonNegativeLeastSquares(a, b), a, b, context(seed: seed, m, n) + ", duplicate and zero columns")
      // b in the cone of the columns: the residual is zero at the optimum.
      let coneB = a * (0..<n).map { Double($0 % 3) }
      let inCone = nonNegativeLeastSquares(a, coneB)
      expectKKT(inCone, a, coneB, context(seed: seed, m, n) + ", b in the cone")
      let tolR = 100 * Double(m * n) * eps * a.frobeniusNorm * coneB.norm2
      #expect(inCone.residualNorm <= tolR, "\(context(seed: seed, m, n)): b in the cone, residual \(inCone.residualNorm), tolerance \(tolR)")
    }
  }

  @Test("Brute force over all passive sets agrees for n ≤ 5", arguments: [Shape(6, 3), Shape(4, 4), Shape(7, 5), Shape(3, 5), Shape(2, 4)])
  func bruteForce(shape: Shape) throws {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let b = rng.gaussianVector(m)
      let result = nonNegativeLeastSquares(a, b)
      // The optimum is attained at a basic solution: for some S, the least-squares solution
      // on the columns S is ≥ 0. Among all such S the smallest residual is the optimum.
      var best = b.norm2
      for mask in 1..<(1 << n) {
        let columns = (0..<n).filter { mask & (1 << $0) != 0 }
        let sub = leastSquares(a.selectingColumns(columns), b)
        if sub.x.allSatisfy({ $0 >= 0 }) { best = Swift.min(best, sub.residualNorm) }
      }
      // Both residuals come from backward-stable solves of problems with κ ≲ 10³:
      // agreement to 100·mn·ε·(‖A‖_F‖x‖ + ‖b‖) absolute.
      let tol = 100 * Double(m * n) * eps * (a.frobeniusNorm * result.x.norm2 + b.norm2)
      let gap = Swift.abs(result.residualNorm - best)
      #expect(gap <= tol, "\(context(seed: seed, m, n)): NNLS residual \(result.residualNorm), brute force \(best), gap \(gap), tolerance \(tol)")
      expectKKT(result, a, b, context(seed: seed, m, n))
    }
  }

  @Test("With tolerance 0 (rounding noise counts as progress) the method still terminates")
  func zeroToleranceTerminates() {
    // Without a tolerance on w, noise-level w_j > 0 keep inviting indices: this is the
    // cycling the guards exist for. The run must stop within the cap with a feasible x
    // whose residual matches the default run's to rounding (gap ≤ 1e-10‖b‖, observed
    // ≈ 1e-12 over 4800 problems).
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.rankDeficientMatrix(8, 12, rank: 4)
      let b = rng.gaussianVector(8)
      let strict = nonNegativeLeastSquares(a, b, tolerance: 0)
      let reference = nonNegativeLeastSquares(a, b)
      let label = context(seed: seed, 8, 12)
      #expect(strict.iterations <= 36 && strict.x.allSatisfy { $0 >= 0 }, "\(label): \(strict.iterations) iterations, x = \(strict.x)")
      let gap = Swift.abs(strict.residualNorm - reference.residualNorm)
      #expect(gap <= 1e-10 * b.norm2, "\(label): residual gap \(gap), tolerance \(1e-10 * b.norm2)")
    }
  }

  @Test("Known answers and degenerate inputs")
  func knownAnswers() {
    let identity = nonNegativeLeastSquares(Matrix.identity(3), [1, -2, 3])
    #expect(identity.x == [1, 0, 3] && identity.dual == [0, -2, 0] && identity.passiveSet == [0, 2], "A = I: \(identity)")
    let zeroB = nonNegativeLeastSquares(Matrix([[1, 2], [3, 4]]), [0, 0])
    #expect(zeroB.x == [0, 0] && zeroB.converged && zeroB.iterations == 0, "b = 0: \(zeroB)")
    let zeroA = nonNegativeLeastSquares(Matrix(rows: 2, columns: 3), [1, 1])
    #expect(zeroA.x == [0, 0, 0] && zeroA.converged && zeroA.residualNorm == 2.0.squareRoot(), "A = 0: \(zeroA)")
    let empty = nonNegativeLeastSquares(Matrix(rows: 3, columns: 0), [1, 2, 2])
    #expect(empty.x.isEmpty && empty.converged && empty.residualNorm == 3, "n = 0: \(empty)")
    let negative = nonNegativeLeastSquares(Matrix([[1], [1]]), [-1, -3])
    #expect(negative.x == [0] && negative.converged, "all-negative target: \(negative)")
  }

  @Test("The iteration cap stops the method with converged == false and a feasible x")
  func iterationCap() {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(20, 10)
      let b = a * [Double](repeating: 1, count: 10)  // optimum x = 1 needs ≥ 10 additions
      let capped = nonNegativeLeastSquares(a, b, maxIterations: 3)
      let label = context(seed: seed, 20, 10)
      #expect(!capped.converged && capped.iterations == 3, "\(label): capped run \(capped.iterations) iterations, converged \(capped.converged)")
      #expect(capped.x.allSatisfy { $0 >= 0 }, "\(label): capped x infeasible \(capped.x)")
      let full = nonNegativeLeastSquares(a, b)
      let err = (full.x - [Double](repeating: 1, count: 10)).normInfinity
      #expect(full.converged && err <= 1e-10, "\(label): x = 1 recovered to \(err), tolerance 1e-10 (κ(A) ≈ 3)")
    }
  }
}
