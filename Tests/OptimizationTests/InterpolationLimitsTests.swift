import LinearAlgebra
import Optimization
import Testing

/// The minimum of Σⱼ wⱼ|ρⱼ| over Bρ = y by enumeration: some minimizer is a vertex, ρ
/// supported on n columns S with B_S nonsingular and ρ_S = B_S⁻¹y. Independent of the simplex.
private func bruteForceL1(b: Matrix, y: [Double], weights w: [Double]) -> Double {
  let n = b.rows, m = b.columns
  var best = Double.infinity
  func visit(_ chosen: [Int], _ next: Int) {
    if chosen.count == n {
      guard let rhoS = try? solveLinearSystem(b.selectingColumns(chosen), y) else { return }
      best = min(best, chosen.indices.reduce(0.0) { $0 + w[chosen[$1]] * abs(rhoS[$1]) })
      return
    }
    guard next < m else { return }
    visit(chosen + [next], next + 1)
    visit(chosen, next + 1)
  }
  visit([], 0)
  return best
}

@Suite("Interpolation limits: weighted ℓ2 closed form and weighted ℓ1 LP")
struct InterpolationLimitsTests {
  // MARK: Weighted ℓ2

  /// With unit weights the weighted-ℓ2 interpolant is the minimum-norm solution B⁺y.
  @Test("unit weights give the minimum-norm solution")
  func unitWeightsAreMinimumNorm() throws {
    let (b, y, _) = randomRegression(seed: 81, n: 4, m: 11)
    let r = try minimumWeightedL2Interpolant(b: b, y: y, weights: [Double](repeating: 1, count: 11))
    let minimumNorm = leastSquares(b, y).x
    let error = relativeDistance(r.rho, minimumNorm)
    print("unit weights vs B⁺y: \(error), residuals \(r.feasibilityResidual), \(r.stationarityResidual)")
    #expect(error <= 1e-14, "‖ρ − B⁺y‖/‖B⁺y‖ = \(error)")
    #expect(r.feasibilityResidual <= 1e-15 && r.stationarityResidual <= 1e-15)
  }

  /// Any other feasible point ρ + v (v ∈ null(B)) has a larger weighted norm: the closed form
  /// is the minimizer, checked along random null-space directions.
  @Test("weighted ℓ2: certificate and optimality against feasible perturbations", arguments: [UInt64(82), 83, 84])
  func weightedL2IsMinimal(seed: UInt64) throws {
    var (b, y, random) = randomRegression(seed: seed, n: 3, m: 9)
    let d = logUniform(9, decades: -3, 3, &random)
    let r = try minimumWeightedL2Interpolant(b: b, y: y, weights: d)
    #expect(r.feasibilityResidual <= 1e-14 && r.stationarityResidual <= 1e-14,
            "seed \(seed): residuals \(r.feasibilityResidual), \(r.stationarityResidual)")
    let basis = leastSquares(b, y).rank == 3 ? nullSpace(of: b) : []
    for v in basis {
      let moved = r.rho.adding(v.scaled(by: 1e-3 * r.rho.norm2))
      let value = moved.indices.reduce(0.0) { $0 + moved[$1] * moved[$1] / d[$1] }
      #expect(value > r.objective, "seed \(seed): a feasible perturbation lowered Σρ²/d")
    }
  }

  @Test("weighted ℓ2 throws for a rank-deficient B")
  func weightedL2RankDeficient() {
    var (b, y, _) = randomRegression(seed: 85, n: 3, m: 6)
    for j in 0..<6 { b[2, j] = 2 * b[1, j] }
    y[2] = 2 * y[1]
    #expect(throws: LinearAlgebraError.self) {
      try minimumWeightedL2Interpolant(b: b, y: y, weights: [Double](repeating: 1, count: 6))
    }
  }

  // MARK: Weighted ℓ1

  @Test("weighted ℓ1: LP certificate and brute-force optimum", arguments: [
    (seed: UInt64(91), n: 3, m: 8), (seed: 92, n: 4, m: 10), (seed: 93, n: 2, m: 9), (seed: 94, n: 5, m: 12),
  ])
  func weightedL1Certificate(seed: UInt64, n: Int, m: Int) {
    var (b, y, random) = randomRegression(seed: seed, n: n, m: m)
    let w = logUniform(m, decades: -1, 1, &random)
    let r = minimumWeightedL1Interpolant(b: b, y: y, weights: w)
    let context = "seed \(seed), \(n)×\(m)"
    let reference = bruteForceL1(b: b, y: y, weights: w)
    let objectiveError = abs(r.objective - reference) / reference
    print("[\(context)] weighted ℓ1: support \(r.support), feasibility \(r.feasibilityResidual), dual infeasibility "
          + "\(r.dualInfeasibility), subgradient \(r.subgradientResidual), gap \(r.dualityGap), off-support margin "
          + "\(r.offSupportMargin ?? .nan), vs enumeration \(objectiveError)")
    #expect(r.status == .optimal, "\(context): \(r.status)")
    #expect(r.support.count <= n, "\(context): support \(r.support)")
    #expect(r.feasibilityResidual <= 1e-14, "\(context): feasibility \(r.feasibilityResidual)")
    #expect(r.dualInfeasibility <= 1e-12, "\(context): |Bᵀμ| ≤ w violated by \(r.dualInfeasibility)")
    #expect(r.subgradientResidual <= 1e-12, "\(context): subgradient \(r.subgradientResidual)")
    #expect(r.dualityGap <= 1e-12, "\(context): gap \(r.dualityGap)")
    #expect(objectiveError <= 1e-12, "\(context): \(r.objective) vs enumeration \(reference)")
  }

  @Test("weighted ℓ1 reports an inconsistent system as infeasible")
  func weightedL1Infeasible() {
    var (b, y, _) = randomRegression(seed: 95, n: 3, m: 7)
    for j in 0..<7 { b[2, j] = b[0, j] - b[1, j] }
    y[2] = y[0] - y[1] + 1
    let r = minimumWeightedL1Interpolant(b: b, y: y, weights: [Double](repeating: 1, count: 7))
    #expect(r.status == .infeasible, "status \(r.status)")
    #expect(r.program.farkasCertificate != nil)
  }

  // MARK: The small-scale limit

  /// As k → 0 the minimizer ρ_k of the hyperbolic entropy Σ Q_k tends to the ℓ1 interpolant.
  /// Rate: on the limit support S (|S| = n) μ = log(1/k)·μ_ℓ1 + O(1), so off S
  /// |ρⱼ| = k·|sinh([Bᵀμ]ⱼ)| ≈ Cⱼ·k^{1 − |(Bᵀμ_ℓ1)ⱼ|}: the distance falls like k^γ with γ the
  /// LP certificate's off-support margin 1 − max_{j∉S}|(Bᵀμ_ℓ1)ⱼ|. Seed 52 has a small
  /// margin and converges slowly; seeds 51 and 53 fast.
  @Test("small scales approach the ℓ1 interpolant at the rate set by the dual margin",
        arguments: [UInt64(51), 52, 53])
  func smallScaleLimitIsL1(seed: UInt64) throws {
    let (b, y, _) = randomRegression(seed: seed, n: 3, m: 10)
    let l1 = minimumWeightedL1Interpolant(b: b, y: y, weights: [Double](repeating: 1, count: 10))
    #expect(l1.status == .optimal && l1.support.count == 3)
    let margin = try #require(l1.offSupportMargin)
    let scales = [1e-1, 1e-2, 1e-3, 1e-4]
    var distances: [Double] = []
    for k in scales {
      let potential = SeparablePotential.hyperbolicEntropy(scales: [Double](repeating: k, count: 10))
      let r = SeparableConvexProgram(b: b, y: y, potential: potential).solveDual()
      expectConverged(r, "seed \(seed), k = \(k)")
      distances.append(relativeDistance(r.rho, l1.rho))
      print("[seed \(seed)] k = \(k): ‖ρ_k − ρ_ℓ1‖/‖ρ_ℓ1‖ = \(distances.last!), ‖ρ_k‖₁ − ‖ρ_ℓ1‖₁ = "
            + "\(r.rho.norm1 - l1.objective), \(r.iterations) dual steps")
    }
    let rate = Elementary.log10(distances[2] / distances[3])
    print("[seed \(seed)] observed rate over the last decade \(rate), off-support margin \(margin)")
    #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 > $1 }, "seed \(seed): not decreasing \(distances)")
    #expect(abs(rate - margin) <= 0.05, "seed \(seed): rate \(rate) vs margin \(margin)")
  }
}

/// An orthonormal basis of null(B) (B of full row rank), from the complete QR of Bᵀ.
private func nullSpace(of b: Matrix) -> [[Double]] {
  let qr = QRFactorization(b.transposed)
  return (b.rows..<b.columns).map { i in
    var e = [Double](repeating: 0, count: b.columns)
    e[i] = 1
    return qr.applyQ(e)
  }
}
