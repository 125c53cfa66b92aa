import Testing
import LinearAlgebra
import GradientFlow
import Optimization
import PropertyChecking
@testable import Certification

/// The KKT machinery against independent solvers and definitions.
@Suite("KKT certificates")
struct CertificationTests {
  /// Separable data Z (rows yᵢxᵢ) drawn around a random separator.
  static func separable(n: Int, d: Int, seed: UInt64) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    let w = rng.gaussianVector(d).normalized
    var z = Matrix(rows: n, columns: d)
    for i in 0..<n {
      var x = rng.gaussianVector(d)
      if x.dot(w) < 0 { x = x.map { -$0 } }
      x.addScaled(w, by: 0.2)
      for j in 0..<d { z[i, j] = x[j] }
    }
    return z
  }

  @Test("p = 1: polishing the LP's support and active set reproduces the LP optimum", arguments: [1, 2, 3, 4, 5] as [UInt64])
  func l1Polish(seed: UInt64) throws {
    let z = Self.separable(n: 12, d: 4, seed: seed)
    let lp = l1MaxMargin(z)
    try #require(lp.status == .optimal)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(4), exponent: 1)
    let support = (0..<4).filter { abs(lp.beta[$0]) > 1e-9 }
    let margins = z * lp.beta
    let active = (0..<12).filter { margins[$0] <= 1 + 1e-9 }
    // Start away from the optimum: the polish must find it.
    let start = lp.beta.map { $0 * 1.1 + 0.01 }
    let cert = try #require(problem.polish(support: support, active: active, initialPoint: start,
                                           initialMultipliers: lp.lambda))
    #expect(cert.isValid(), "residual \(cert.residual)")
    let err = cert.point.subtracting(lp.beta).normInfinity
    #expect(err <= 1e-10 * max(1, lp.beta.normInfinity), "polish vs LP: \(err)")
  }

  @Test("p = 2: polishing with every point active where the SVM says reproduces the SVM", arguments: [11, 12, 13] as [UInt64])
  func svmPolish(seed: UInt64) throws {
    let z = Self.separable(n: 10, d: 5, seed: seed)
    let svm = hardMarginSVM(z)
    try #require(svm.status == .optimal)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(5), exponent: 2)
    let active = svm.active
    let cert = try #require(problem.polish(support: Array(0..<5), active: active,
                                           initialPoint: svm.w.map { $0 + 0.05 }, initialMultipliers: svm.lambda))
    #expect(cert.isValid(), "residual \(cert.residual)")
    #expect(cert.point.subtracting(svm.w).normInfinity <= 1e-10 * svm.w.normInfinity)
  }

  @Test("a wrong support does not certify")
  func wrongSupport() throws {
    let z = Self.separable(n: 12, d: 4, seed: 3)
    let lp = l1MaxMargin(z)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(4), exponent: 1)
    let support = (0..<4).filter { abs(lp.beta[$0]) > 1e-9 }
    let wrong = (0..<4).filter { !support.contains($0) } + [support[0]]
    let margins = z * lp.beta
    let active = Array((0..<12).sorted { margins[$0] < margins[$1] }.prefix(wrong.count))
    if let cert = problem.polish(support: wrong, active: active, initialPoint: lp.beta,
                                 initialMultipliers: lp.lambda) {
      // It may solve its equations but must fail a check (sign, feasibility or off-support).
      let objective = problem.space.norm(cert.point, p: 1)
      #expect(!cert.isValid() || objective >= lp.beta.norm1 - 1e-9,
              "a wrong support certified a better point: \(objective) < \(lp.beta.norm1)")
    }
  }

  @Test("KKT residual: zero at the optimum, positive at another feasible point")
  func residual() throws {
    let z = Self.separable(n: 10, d: 4, seed: 21)
    let svm = hardMarginSVM(z)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(4), exponent: 2)
    let atOptimum = try #require(problem.kktResidual(at: svm.w))
    #expect(atOptimum.total <= 1e-10, "\(atOptimum.total)")
    let other = svm.w.adding([0.3, -0.2, 0.1, 0.25])
    if let r = problem.kktResidual(at: other) { #expect(r.total > 1e-3, "\(r.total)") }
  }

  @Test("objective gradient mult|ρ|^{p−2}ρ matches finite differences (real and complex modes)",
        arguments: [0.5, 2.0 / 3, 1, 2])
  func gradient(p: Double) {
    let space = TransformedSpace(isComplex: [false, true, true], multiplicity: [1, 2, 2], modeIndex: [0, 1, 2])
    let problem = MaxMarginProblem(marginMatrix: Matrix(rows: 1, columns: 5, repeating: 1), space: space, exponent: p)
    let rho = [0.7, -0.3, 1.1, 0.4, -0.9]
    let g = problem.objectiveGradient(rho)
    let h = 1e-6
    for k in rho.indices {
      var a = rho, b = rho
      a[k] += h; b[k] -= h
      let fd = (space.objective(a, p: p) - space.objective(b, p: p)) / (2 * h)
      #expect(abs(fd - g[k]) <= 1e-7, "coordinate \(k): \(g[k]) vs \(fd)")
    }
  }

  @Test("fitted decay rate recovers a power law")
  func rate() throws {
    let g = [100.0, 316.2, 1000, 3162, 10000]
    let d = g.map { 3 * Elementary.pow($0, -0.7) }
    let r = try #require(fittedDecayRate(logInverseLosses: g, distances: d))
    #expect(abs(r - 0.7) <= 1e-9)
    #expect(fittedDecayRate(logInverseLosses: [100], distances: [0.1]) == nil)
  }
}

@Suite("Certificate code on instances too large for dense systems")
struct LargeInstanceLimitTests {
  /// p = 1.5 puts every coordinate on the support: 1600 coordinates + the active points
  /// exceed the Newton limit, so candidates are skipped and reported, not solved for minutes.
  @Test("oversized candidates are skipped and counted; the KKT residual is not formed")
  func skipped() {
    let n = 3, d = 1600
    let z = Matrix(rows: n, columns: d) { i, j in Double((i * 7 + j * 13) % 11) / 11 + (i == j % n ? 1 : 0) }
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(d), exponent: 1.5)
    let rho = [Double](repeating: 1, count: d)
    let sample = DirectionSample(logInverseLoss: 100, transformed: rho, weights: [0.4, 0.3, 0.3])
    let search = problem.searchCertificate(samples: [sample], linearMap: .identity(d))
    #expect(search.certificate == nil && search.candidatesTried == 0 && search.skippedTooLarge > 0)
    #expect(problem.kktResidual(at: rho) != nil, "1600 × 3 is below the residual limit")
    let wide = MaxMarginProblem(marginMatrix: Matrix(rows: 3000, columns: d, repeating: 1), space: .real(d), exponent: 1.5)
    #expect(wide.kktResidual(at: rho) == nil, "1600 × 3000 entries exceed \(MaxMarginProblem.largestResidualSystem)")
  }

  @Test("a deadline in the past skips every candidate")
  func deadline() {
    let z = Matrix(rows: 2, columns: 2) { i, j in i == j ? 1 : 0.2 }
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(2), exponent: 2)
    let sample = DirectionSample(logInverseLoss: 100, transformed: [1, 1], weights: [0.5, 0.5])
    let search = problem.searchCertificate(samples: [sample], linearMap: .identity(2), deadline: .now - .seconds(1))
    #expect(search.candidatesTried == 0 && search.skippedByDeadline > 0)
    let normal = problem.searchCertificate(samples: [sample], linearMap: .identity(2))
    #expect(normal.certificate != nil, "without the deadline the same search certifies")
  }
}

@Suite("The p = 2 certificate in the dual")
struct DualPolishTests {
  /// On an SVM's active set the dual polish reproduces the independent SVM (NNLS dual) and
  /// certifies it; on a wrong active set the full-problem check rejects it.
  @Test("polishDual equals the hard-margin SVM and validates", arguments: [UInt64(71), 72, 73])
  func matchesSVM(seed: UInt64) throws {
    let z = CertificationTests.separable(n: 8, d: 12, seed: seed)
    let svm = hardMarginSVM(z)
    try #require(svm.status == .optimal)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(12), exponent: 2)
    let cert = try #require(problem.polishDual(active: svm.active))
    #expect(cert.isValid(tolerance: 1e-10), "seed \(seed): residual \(cert.residual)")
    let err = zip(cert.point, svm.w).map { abs($0 - $1) }.max() ?? 0
    #expect(err <= 1e-8 * max(1, svm.w.normInfinity), "seed \(seed): |ρ − w_SVM| = \(err)")
    // Dropping an active point leaves a candidate that violates that point's constraint.
    if svm.active.count >= 2, let wrong = problem.polishDual(active: Array(svm.active.dropFirst())) {
      #expect(!wrong.isValid(tolerance: 1e-10))
    }
  }

  @Test("large p = 2 candidates are certified in the dual instead of skipped")
  func large() {
    let z = CertificationTests.separable(n: 5, d: 1600, seed: 74)
    let problem = MaxMarginProblem(marginMatrix: z, space: .real(1600), exponent: 2)
    let svm = hardMarginSVM(z)
    let weights = (0..<5).map { svm.active.contains($0) ? 0.2 : 1e-30 }
    let sample = DirectionSample(logInverseLoss: 1000, transformed: svm.w, weights: weights)
    let search = problem.searchCertificate(samples: [sample], linearMap: .identity(1600))
    #expect(search.skippedTooLarge == 0 && search.certificate?.isValid() == true)
  }
}
