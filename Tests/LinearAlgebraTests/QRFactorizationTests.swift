import LinearAlgebra
import Testing

/// Tolerances follow the backward-error bound of Householder QR (Higham, *Accuracy and
/// Stability of Numerical Algorithms*, Thm. 19.4): ‖Q̂ − Q‖_F ≤ √n·γ̃_{mn} and
/// ‖AP − Q̂R̂‖_F ≤ √n·γ̃_{mn}‖A‖_F, γ̃_{mn} ≈ c·mn·ε. We take c·√n → 10, i.e. 10·m·n·ε;
/// observed errors are around √(mn)·ε.
@Suite("QR factorization with column pivoting")
struct QRFactorizationTests {
  @Test("QᵀQ = I and A·P = Q·R on random matrices", arguments: testShapes)
  func identities(shape: Shape) {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let qr = QRFactorization(a)
      let q = qr.thinQ(), r = qr.r
      let k = Swift.min(m, n)
      let label = context(seed: seed, m, n)
      #expect(q.rows == m && q.columns == k && r.rows == k && r.columns == n, "\(label): Q \(q.rows)×\(q.columns), R \(r.rows)×\(r.columns)")
      #expect(qr.permutation.sorted() == Array(0..<n), "\(label): permutation \(qr.permutation)")
      let tol = 10 * Double(m * n) * eps
      let orth = orthonormalityError(q)
      #expect(orth <= tol, "\(label): ‖QᵀQ − I‖_F = \(orth), tolerance \(tol)")
      let rec = distance(a.selectingColumns(qr.permutation), q * r)
      #expect(rec <= tol * a.frobeniusNorm, "\(label): ‖AP − QR‖_F = \(rec), tolerance \(tol * a.frobeniusNorm)")
      for i in 0..<k {
        for j in 0..<i { #expect(r[i, j] == 0, "\(label): R[\(i), \(j)] = \(r[i, j]) below the diagonal") }
      }
      // Column pivoting makes |r_jj| non-increasing. The pivot is chosen from downdated
      // norms, accurate to a relative √ε before LAPACK's recomputation rule triggers,
      // hence the slack 1e-6.
      for j in 1..<Swift.max(k, 1) {
        #expect(Swift.abs(r[j, j]) <= Swift.abs(r[j - 1, j - 1]) * (1 + 1e-6),
                "\(label): |r_\(j)\(j)| = \(Swift.abs(r[j, j])) > |r_\(j - 1)\(j - 1)| = \(Swift.abs(r[j - 1, j - 1]))")
      }
    }
  }

  @Test("Qᵀb agrees with thinQ()ᵀb, and Q·(Qᵀb) = b", arguments: testShapes)
  func applyingQ(shape: Shape) {
    let (m, n) = (shape.m, shape.n)
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(m, n)
      let b = rng.gaussianVector(m)
      let qr = QRFactorization(a)
      let qtb = qr.applyQTranspose(b)
      let k = Swift.min(m, n)
      let direct = qr.thinQ().transposedTimes(b)
      let tol = 10 * Double(m * n) * eps * b.norm2
      let err = distance(Array(qtb[0..<k]), direct)
      #expect(err <= tol, "\(context(seed: seed, m, n)): ‖(Qᵀb)₁ − Q₁ᵀb‖ = \(err), tolerance \(tol)")
      // Q is orthogonal, so ‖Qᵀb‖ = ‖b‖ and Q(Qᵀb) = b.
      let back = distance(qr.applyQ(qtb), b)
      #expect(back <= tol, "\(context(seed: seed, m, n)): ‖Q(Qᵀb) − b‖ = \(back), tolerance \(tol)")
    }
  }

  @Test("Without pivoting P = I and A = Q·R")
  func noPivoting() {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      let a = rng.gaussianMatrix(9, 6)
      let qr = QRFactorization(a, pivoting: false)
      #expect(qr.permutation == Array(0..<6), "\(context(seed: seed, 9, 6)): permutation \(qr.permutation)")
      let tol = 10 * 54 * eps * a.frobeniusNorm
      let rec = distance(a, qr.thinQ() * qr.r)
      #expect(rec <= tol, "\(context(seed: seed, 9, 6)): ‖A − QR‖_F = \(rec), tolerance \(tol)")
    }
  }

  @Test("rank() finds the exact rank of B·C products and of matrices with chosen singular values")
  func numericalRank() {
    for seed in testSeeds {
      var rng = SplitMix64(seed: seed)
      for (m, n, r) in [(10, 6, 3), (6, 10, 2), (12, 12, 11), (5, 5, 1)] {
        let a = rng.rankDeficientMatrix(m, n, rank: r)
        let found = QRFactorization(a).rank()
        #expect(found == r, "\(context(seed: seed, m, n)): rank \(found), expected \(r)")
      }
      // σ = 1, 1e-6, 1e-10 are all far above max(m, n)·ε·σ₀ ≈ 2e-15: full rank 3.
      let graded = rng.matrix(rows: 8, columns: 5, singularValues: [1, 1e-6, 1e-10])
      #expect(QRFactorization(graded).rank() == 3, "\(context(seed: seed, 8, 5)): graded rank")
      #expect(QRFactorization(graded).rank(relativeTolerance: 1e-8) == 2, "\(context(seed: seed, 8, 5)): rank at tolerance 1e-8")
    }
    #expect(QRFactorization(Matrix(rows: 4, columns: 3)).rank() == 0, "zero 4×3 matrix has rank 0")
  }

  @Test("Zero and empty matrices")
  func degenerate() {
    let zero = QRFactorization(Matrix(rows: 3, columns: 2))
    #expect(orthonormalityError(zero.thinQ()) == 0, "Q of the zero 3×2 matrix is [I; 0]")
    #expect(zero.r.maxAbs == 0, "R of the zero 3×2 matrix is 0")
    let empty = QRFactorization(Matrix(rows: 0, columns: 3))
    #expect(empty.r.rows == 0 && empty.thinQ().columns == 0 && empty.rank() == 0, "0×3 matrix")
  }
}
