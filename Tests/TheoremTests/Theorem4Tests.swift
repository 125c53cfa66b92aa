import Testing
import LinearAlgebra
import GradientFlow
import PropertyChecking
@testable import Theorems

@Suite("Theorem 4")
struct Theorem4Tests {
  /// 52 random cases: L ∈ {2, 3, 4, 5} × diagonal/odn, α = 10^U[−2, 1], random shapes η.
  /// None may be refuted; at least 75% hold (measured: all 52, distances ≤ 2.4e-11,
  /// certificates ≤ 2.5e-11; three L = 5, α ≈ 0.01–0.02 cases need the primal route).
  @Test("random sweep: the flow's limit is argmin Q_{L,α,η}")
  func sweep() {
    var c = Theorem4SweepConfiguration()
    c.cases = 52
    c.seed = 404
    c.logAlphaRange = -2...1
    let s = Theorem4.runSweep(c)
    #expect(!s.cases.contains { $0.verdict == .refuted }, "\(s.cases.filter { $0.verdict == .refuted }.map(\.seed))")
    #expect(s.verdict == .holds, "\(s.reason)")
    for r in s.cases where r.verdict == .holds {
      #expect((r.relativeDistance ?? 1) <= 1e-8, "seed \(r.seed): \(r.relativeDistance ?? .nan)")
      #expect((r.certificateResidual ?? 1) <= 1e-10, "seed \(r.seed): \(r.certificateResidual ?? .nan)")
      #expect((r.conservationDrift ?? 1) <= 1e-7, "seed \(r.seed): drift \(r.conservationDrift ?? .nan)")
      #expect((r.mirrorInvariantResidual ?? 1) <= 1e-10, "seed \(r.seed): invariant \(r.mirrorInvariantResidual ?? .nan)")
    }
  }

  @Test("wrong regularizers are refuted", arguments: [Theorem4.Claim.l2, .depth(2)])
  func wrong(claim: Theorem4.Claim) {
    var c = Theorem4SweepConfiguration()
    c.cases = 4
    c.depths = [3]
    c.claim = claim
    c.logAlphaRange = -1...0
    let s = Theorem4.runSweep(c)
    #expect(s.verdict == .refuted, "\(s.reason)")
  }

  @Test("complex modes and overdetermined data are hypotheses not met")
  func hypotheses() {
    var c = Theorem4SweepConfiguration()
    c.networks = [.convolutional]
    c.cases = 1
    #expect(Theorem4.runSweep(c).verdict == .hypothesisNotMet)
    var rng = SeededGenerator(seed: 1)
    let x = rng.gaussianMatrix(rows: 5, columns: 3)
    let over = Theorem4Case(seed: 0, network: .diagonal(dimension: 3, depth: 2), inputs: x, targets: rng.gaussianVector(5),
                            alpha: 1, shape: [1, 1, 1])
    let r = Theorem4.check(over)
    #expect(r.verdict == .hypothesisNotMet && r.hypotheses.contains { $0.name == "underdetermined" && !$0.met })
  }
}

@Suite("Theorem 4 limits")
struct Theorem4LimitTests {
  /// The α-trends on one depth-3 case: distance to the weighted ℓ1 interpolant falls as α
  /// decreases and to the weighted ℓ2 interpolant as α grows. The large-α rate should be
  /// ≈ 2L = 6, since q(z) = z²/2 + O(z⁴) with z ∝ α^{−L} (measured 6.0).
  @Test("α → 0 and α → ∞ trends at depth 3")
  func trends() {
    let c = Theorem4.generateCase(seed: 3, kind: .diagonal, depth: 3, configuration: Theorem4SweepConfiguration())
    let r = Theorem4.alphaTrend(network: c.network, inputs: c.inputs, targets: c.targets, shape: c.shape,
                                smallAlphas: [0.3, 0.1, 0.03], largeAlphas: [3, 10])
    #expect(r.verdict == .holds, "\(r.reason)")
    #expect(abs((r.largeScaleRate ?? 0) - 6) <= 0.5, "large-α rate \(r.largeScaleRate ?? .nan)")
  }
}

@Suite("Theorem 4 property harness")
struct Theorem4HarnessTests {
  /// A false claim (depth-3 limits minimize plain ℓ2) is found, shrunk (dimensions first)
  /// and replayed from its seed.
  @Test("a false claim is refuted, shrunk and replayed")
  func refuteShrinkReplay() throws {
    var c = Theorem4SweepConfiguration()
    c.networks = [.diagonal]
    c.depths = [3]
    c.logAlphaRange = -1...0
    c.claim = .l2
    let gen = Theorem4.caseGenerator(c)
    let property: (Theorem4Case) -> PropertyResult = { Theorem4.check($0).verdict == .refuted ? .fail("refuted") : .pass }
    let outcome = checkProperty("depth 3 → min ℓ2", seed: 9, cases: 3, generator: gen, maxShrinkSteps: 4, property: property)
    let ce = try #require(outcome.counterexample)
    #expect(ce.shrunk.inputs.rows <= ce.original.inputs.rows && ce.shrunk.inputs.columns <= ce.original.inputs.columns)
    #expect(ce.shrinkSteps >= 1, "nothing shrank")
    #expect(replayProperty(seed: ce.seed, size: ce.size, generator: gen, property: property) != .pass)
  }
}
