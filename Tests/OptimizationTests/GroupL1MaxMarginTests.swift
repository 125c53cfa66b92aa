import LinearAlgebra
import Optimization
import Testing

/// The layout of a real signal's Fourier modes: a real DC coordinate, k complex modes as
/// (Re, Im) pairs, and a real Nyquist coordinate (p = 2k + 2).
private func fourierGroups(complexModes k: Int) -> [[Int]] {
  [[0]] + (0..<k).map { [1 + 2 * $0, 2 + 2 * $0] } + [[2 * k + 1]]
}

private func expectKKT(
  _ r: GroupL1MaxMarginResult, _ context: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(r.status == .optimal, "\(context): status \(r.status)", sourceLocation: sourceLocation)
  let scale = max(1, r.objective)
  #expect(r.marginViolation <= 1e-12, "\(context): margin violation \(r.marginViolation)", sourceLocation: sourceLocation)
  #expect(r.stationarityResidual <= 1e-10, "\(context): stationarity \(r.stationarityResidual)", sourceLocation: sourceLocation)
  #expect(abs(r.dualityGap) <= 1e-10 * scale, "\(context): duality gap \(r.dualityGap)", sourceLocation: sourceLocation)
  #expect(r.complementarity <= 1e-10 * scale, "\(context): complementarity \(r.complementarity)", sourceLocation: sourceLocation)
  #expect(r.lambda.allSatisfy { $0 >= -1e-14 * scale }, "\(context): λ ≥ 0", sourceLocation: sourceLocation)
}

@Suite("Group-ℓ1 max margin (second-order cone, log barrier + KKT polish)")
struct GroupL1MaxMarginTests {
  @Test("size-1 groups with unit weights agree with l1MaxMargin on the fixtures",
        arguments: ["cls-40x6", "cls-30x10", "cls-20x50"])
  func singletonGroupsMatchL1OnFixtures(name: String) throws {
    let z = try Fixtures.classification(name)
    try compareWithL1(z, context: name)
  }

  @Test("size-1 groups agree with l1MaxMargin on random data", arguments: [
    (seed: UInt64(41), n: 30, d: 8), (seed: 42, n: 12, d: 35), (seed: 43, n: 50, d: 20),
  ])
  func singletonGroupsMatchL1(seed: UInt64, n: Int, d: Int) throws {
    try compareWithL1(separableData(seed: seed, n: n, d: d), context: "seed \(seed), \(n)×\(d)")
  }

  private func compareWithL1(_ z: Matrix, context: String) throws {
    let d = z.columns
    let l1 = l1MaxMargin(z)
    let group = groupL1MaxMargin(z, groups: (0..<d).map { [$0] })
    expectKKT(group, context)
    let betaError = (group.beta - l1.beta).normInfinity / l1.beta.normInfinity
    let objectiveError = abs(group.objective - l1.norm1) / l1.norm1
    print("[\(context)] group-ℓ1 vs ℓ1: β error \(betaError), objective error \(objectiveError), "
          + "gap \(group.dualityGap), stationarity \(group.stationarityResidual), "
          + "Newton steps \(group.iterations), polished \(group.polished)")
    #expect(betaError <= 1e-8 && objectiveError <= 1e-8, "\(context): β error \(betaError), objective \(objectiveError)")
    #expect(group.support == l1.support, "\(context): support \(group.support) vs \(l1.support)")
  }

  /// The barrier alone (no polish) must already give a certified gap of about `relativeGap`
  /// (its λ is scaled to be dual feasible, so objective − 1ᵀλ bounds the suboptimality).
  @Test("barrier without polish: certified gap and agreement with ℓ1", arguments: ["cls-30x10", "cls-20x50"])
  func barrierAlone(name: String) throws {
    let z = try Fixtures.classification(name)
    let l1 = l1MaxMargin(z)
    let r = groupL1MaxMargin(z, groups: (0..<z.columns).map { [$0] }, polish: false)
    let betaError = (r.beta - l1.beta).normInfinity / l1.beta.normInfinity
    print("[\(name)] barrier only: gap/objective \(r.dualityGap / r.objective), stationarity "
          + "\(r.stationarityResidual), β error vs ℓ1 \(betaError), Newton steps \(r.iterations)")
    #expect(r.status == .optimal && !r.polished)
    #expect(r.dualityGap >= 0 && r.dualityGap <= 1e-9 * r.objective, "\(name): gap \(r.dualityGap)")
    #expect(r.stationarityResidual <= 1e-9, "\(name): stationarity \(r.stationarityResidual)")
    #expect(r.marginViolation == 0, "\(name): the barrier iterate is strictly feasible")
    expectClose(r.objective, l1.norm1, tolerance: 1e-9, "objective")
    #expect(betaError <= 1e-8, "\(name): β error \(betaError)")
  }

  /// Weighted singletons: min Σ w_j|β_j| s.t. Zβ ≥ 1 is ℓ1 in γ = Wβ with data Z W⁻¹.
  @Test func weightedSingletonsMatchRescaledL1() {
    var rng = TestRandom(seed: 51)
    let z = separableData(seed: 52, n: 25, d: 10)
    let w = (0..<10).map { _ in 0.5 + 1.5 * rng.uniform() }
    let l1 = l1MaxMargin(Matrix(rows: 25, columns: 10) { i, j in z[i, j] / w[j] })
    let expected = (0..<10).map { l1.beta[$0] / w[$0] }
    let group = groupL1MaxMargin(z, groups: (0..<10).map { [$0] }, weights: w)
    expectKKT(group, "weighted singletons")
    expectClose(group.beta, expected, tolerance: 1e-8, "β")
    expectClose(group.objective, l1.norm1, tolerance: 1e-10, "objective")
  }

  /// One group holding both coordinates of 2-D data: min ‖β‖₂ s.t. Zβ ≥ 1 is the SVM.
  @Test func singlePairIsTheSVM() {
    let z = separableData(seed: 61, n: 30, d: 2)
    let svm = hardMarginSVM(z)
    let group = groupL1MaxMargin(z, groups: [[0, 1]])
    expectKKT(group, "one pair")
    expectClose(group.beta, svm.w, tolerance: 1e-10, "β")
    expectClose(group.objective, svm.norm2, tolerance: 1e-10, "objective")
  }

  @Test("complex modes: KKT holds and random feasible points are no better", arguments: [
    (seed: UInt64(71), n: 20, k: 5), (seed: 72, n: 40, k: 8), (seed: 73, n: 10, k: 15),
  ])
  func complexModes(seed: UInt64, n: Int, k: Int) {
    let p = 2 * k + 2, groups = fourierGroups(complexModes: k)
    let context = "seed \(seed), \(n)×\(p)"
    var rng = TestRandom(seed: seed &+ 1000)
    let weights = groups.map { _ in 0.5 + rng.uniform() }
    let a = separableData(seed: seed, n: n, d: p)
    let r = groupL1MaxMargin(a, groups: groups, weights: weights)
    expectKKT(r, context)
    print("[\(context)] complex group-ℓ1: objective \(r.objective), gap \(r.dualityGap), "
          + "stationarity \(r.stationarityResidual), support \(r.support.count)/\(groups.count) groups, "
          + "active \(r.active.count), Newton steps \(r.iterations), polished \(r.polished)")
    func objective(_ beta: [Double]) -> Double {
      zip(groups, weights).reduce(0) { $0 + $1.1 * $1.0.map { beta[$0] }.norm2 }
    }
    // Random feasible points: perturb the optimum or a separator, rescale to unit margin.
    let separator = separabilityMargin(a).beta
    var checked = 0
    for trial in 0..<60 {
      let base = trial.isMultiple(of: 2) ? r.beta : separator
      let size = trial.isMultiple(of: 2) ? 0.05 * rng.uniform() : 0.5 * rng.uniform()
      let candidate = base.adding((size * base.norm2) * rng.normalVector(p))
      guard let minMargin = (a * candidate).min(), minMargin > 0 else { continue }
      let feasible = (1 / minMargin) * candidate
      checked += 1
      #expect(objective(feasible) >= r.objective * (1 - 1e-12), "\(context), trial \(trial): a random point is better")
    }
    #expect(checked >= 20, "\(context): only \(checked) feasible random points")
  }

  /// Rotating each (Re, Im) pair of A's columns rotates the optimum and keeps the objective.
  @Test func rotationEquivariance() {
    let k = 4, p = 2 * k + 2, groups = fourierGroups(complexModes: k)
    let a = separableData(seed: 81, n: 25, d: p)
    var rng = TestRandom(seed: 82)
    let angles = (0..<k).map { _ in 2 * Double.pi * rng.uniform() }
    // A' = A Rᵀ per pair, so A'(Rβ) = Aβ.
    var rotated = a
    for i in 0..<a.rows {
      for (m, angle) in angles.enumerated() {
        let (c, s) = (Elementary.cos(angle), Elementary.sin(angle))
        let (x, y) = (a[i, 1 + 2 * m], a[i, 2 + 2 * m])
        rotated[i, 1 + 2 * m] = c * x - s * y
        rotated[i, 2 + 2 * m] = s * x + c * y
      }
    }
    let r = groupL1MaxMargin(a, groups: groups), q = groupL1MaxMargin(rotated, groups: groups)
    expectKKT(r, "original")
    expectKKT(q, "rotated")
    var expected = r.beta
    for (m, angle) in angles.enumerated() {
      let (c, s) = (Elementary.cos(angle), Elementary.sin(angle))
      let (x, y) = (r.beta[1 + 2 * m], r.beta[2 + 2 * m])
      expected[1 + 2 * m] = c * x - s * y
      expected[2 + 2 * m] = s * x + c * y
    }
    expectClose(q.beta, expected, tolerance: 1e-9, "rotated β")
    expectClose(q.objective, r.objective, tolerance: 1e-11, "objective")
  }

  @Test func nonSeparableIsInfeasible() {
    var rng = TestRandom(seed: 91)
    let x = rng.normalMatrix(rows: 8, columns: 6)
    let z = Matrix(rows: 16, columns: 6) { i, j in i < 8 ? x[i, j] : -x[i - 8, j] }
    let r = groupL1MaxMargin(z, groups: fourierGroups(complexModes: 2))
    #expect(r.status == .infeasible)
    #expect(abs(r.lambda.reduce(0, +) - 1) <= 1e-12 && z.transposedTimes(r.lambda).normInfinity <= 1e-12,
            "Gordan witness")
  }
}
