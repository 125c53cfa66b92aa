import LinearAlgebra
import Testing

/// Cyclic Jacobi is backward stable: after S sweeps of n(n−1)/2 rotations the computed
/// V̂Λ̂V̂ᵀ = A + E with ‖E‖_F = O(S·n·ε‖A‖_F) and ‖V̂ᵀV̂ − I‖_F = O(S·n·ε) (each rotation
/// touches a row of length n; GVL §8.5, Demmel–Veselić 1992 §3). With S ≤ 10 we take the
/// tolerances 20·n·ε‖A‖_F and 20·n·ε. Eigenvalues of a symmetric matrix are then within
/// ‖E‖₂ of the exact ones (Weyl).
@Suite("Symmetric eigendecomposition (cyclic Jacobi)")
struct SymmetricEigendecompositionTests {
  @Test("A·V = V·Λ, VᵀV = I, eigenvalues ascending", arguments: [1, 2, 3, 6, 15, 30])
  func identities(n: Int) throws {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let g = rng.gaussianMatrix(n, n)
      let a = 0.5 * (g + g.transposed)
      let eig = try SymmetricEigendecomposition(a)
      let v = eig.eigenvectors
      let label = context(seed: seed, n, n)
      let tol = 20 * Double(n) * eps
      let orth = orthonormalityError(v)
      #expect(orth <= tol, "\(label): ‖VᵀV − I‖_F = \(orth), tolerance \(tol)")
      let residual = distance(a * v, v * Matrix.diagonal(eig.eigenvalues))
      #expect(residual <= tol * a.frobeniusNorm, "\(label): ‖AV − VΛ‖_F = \(residual), tolerance \(tol * a.frobeniusNorm)")
      #expect(zip(eig.eigenvalues, eig.eigenvalues.dropFirst()).allSatisfy { $0 <= $1 }, "\(label): eigenvalues not ascending")
    }
  }

  @Test("Known eigenvalues, with repeats, negatives and zeros")
  func knownSpectrum() throws {
    let spectra: [[Double]] = [[-3, -1, 0, 0, 2, 2, 2, 5], [1e-8, 1, 1, 1], [0, 0, 0], [-2, 7]]
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      for lambda in spectra {
        let n = lambda.count
        let q = rng.orthonormalColumns(n, n)
        let a = q * Matrix.diagonal(lambda) * q.transposed
        let eig = try SymmetricEigendecomposition(a)
        let err = (eig.eigenvalues - lambda.sorted()).normInfinity
        // Weyl: |λ̂ᵢ − λᵢ| ≤ ‖E‖₂ ≤ 20·n·ε‖A‖_F (A itself carries O(nε‖A‖) from its construction).
        let tol = 20 * Double(n) * eps * Swift.max(a.frobeniusNorm, 1e-300)
        #expect(err <= tol, "\(context(seed: seed, n, n)) spectrum \(lambda): max |λ̂ − λ| = \(err), tolerance \(tol)")
        let orth = orthonormalityError(eig.eigenvectors)
        #expect(orth <= 20 * Double(n) * eps, "\(context(seed: seed, n, n)): ‖VᵀV − I‖_F = \(orth), tolerance \(20 * Double(n) * eps)")
      }
    }
  }

  @Test("Only the symmetric part is used; diagonal and zero inputs are exact")
  func symmetricPart() throws {
    let a = Matrix([[2, 3], [-1, 2]])  // symmetric part [[2, 1], [1, 2]]: eigenvalues 1, 3
    let eig = try SymmetricEigendecomposition(a)
    let err = (eig.eigenvalues - [1, 3]).normInfinity
    #expect(err <= 4 * eps, "2×2 symmetric part: eigenvalues \(eig.eigenvalues), error \(err), tolerance \(4 * eps)")
    let diag = try SymmetricEigendecomposition(Matrix.diagonal([3, -1, 2]))
    #expect(diag.eigenvalues == [-1, 2, 3], "diagonal input: \(diag.eigenvalues)")
    let zero = try SymmetricEigendecomposition(Matrix(rows: 4, columns: 4))
    #expect(zero.eigenvalues == [0, 0, 0, 0] && zero.eigenvectors == Matrix.identity(4), "zero input")
    #expect(throws: LinearAlgebraError.nonFinite) { try SymmetricEigendecomposition(Matrix([[.nan]])) }
  }
}
