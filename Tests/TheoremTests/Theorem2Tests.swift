import Testing
import Foundation
import LinearAlgebra
import GradientFlow
import Optimization
import DataIO
import PropertyChecking
@testable import Theorems

/// The fixtures directory: ../shared/fixtures beside the repository.
func fixturesDirectory() -> URL {
  URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")
}

@Suite("Theorem 2")
struct Theorem2Tests {
  /// 60 random cases: L ∈ {1, 2, 3, 4} × the three network kinds, horizon 10³ (reduced
  /// from the CLI's 10⁴ to keep `swift test` short). Every case must hold or be
  /// inconclusive (never refuted), and at least 75% must hold.
  @Test("random sweep over depths 1–4 and all network kinds")
  func randomSweep() throws {
    var config = Theorem2SweepConfiguration()
    config.cases = 60
    config.seed = 2024
    config.horizon = 1e3
    let sweep = Theorem2.runSweep(config, shrinking: false)
    let counts = Dictionary(grouping: sweep.cases, by: \.verdict).mapValues(\.count)
    #expect(sweep.cases.count == 60)
    #expect(!sweep.cases.contains { $0.verdict == .refuted },
            "refuted seeds: \(sweep.cases.filter { $0.verdict == .refuted }.map(\.seed))")
    #expect(sweep.verdict == .holds, "verdict \(sweep.verdict): \(sweep.reason); counts \(counts)")
    for r in sweep.cases where r.verdict == .holds {
      let cert = try #require(r.certificate)
      #expect(cert.residual <= 1e-10, "seed \(r.seed): residual \(cert.residual)")
      #expect(cert.multipliers.allSatisfy { $0 >= -1e-12 }, "seed \(r.seed): negative multiplier")
      #expect((r.checkpoints.last?.distanceToCertificate ?? 1) <= 0.05, "seed \(r.seed)")
      if let g = r.globalOptimumDistance { #expect(g <= 1e-8, "seed \(r.seed): global optimum distance \(g)") }
    }
  }

  /// The same claim through the property-checking harness (the generator `verify` shares):
  /// "no case is refuted" over 24 more cases, and the harness shrinks and reports a
  /// replayable seed if one ever is.
  @Test("property harness: no Theorem-2 case is refuted")
  func harness() {
    var config = Theorem2SweepConfiguration()
    config.horizon = 1e3
    let outcome = checkProperty("Theorem 2 is never refuted", seed: 77, cases: 24,
                                generator: Theorem2.caseGenerator(config), maxShrinkSteps: 5) { c in
      let r = Theorem2.check(c)
      return r.verdict == .refuted ? .fail(r.reason) : .pass
    }
    #expect(outcome.passed, "\(outcome)")
  }

  /// The harness finds, shrinks and replays a refutation of the false claim "depth-3
  /// networks converge to the ℓ2 max margin".
  @Test("property harness: a false claim is refuted, shrunk and replayed")
  func harnessRefutes() throws {
    var config = Theorem2SweepConfiguration()
    config.networks = [.diagonal]
    config.depths = [3]
    config.horizon = 1e3
    config.claimedExponent = 2
    let gen = Theorem2.caseGenerator(config)
    let outcome = checkProperty("depth 3 → ℓ2", seed: 5, cases: 5, generator: gen, maxShrinkSteps: 3) { c in
      Theorem2.check(c).verdict == .refuted ? .fail("refuted") : .pass
    }
    let ce = try #require(outcome.counterexample)
    #expect(ce.shrunk.data.count <= ce.original.data.count && ce.shrunk.data.dimension <= ce.original.data.dimension)
    let replayed = replayProperty(seed: ce.seed, size: ce.size, generator: gen) { c in
      Theorem2.check(c).verdict == .refuted ? .fail("refuted") : .pass
    }
    #expect(replayed != .pass, "replaying seed \(ce.seed) did not refute")
  }

  /// Depth-3 diagonal networks checked against ℓ2 must be refuted (the ℓ_{2/3} KKT point
  /// the flow approaches is not ℓ2-stationary), and depth 1 against ℓ2 must hold.
  @Test("discriminating power: --against-norm 2")
  func againstNorm() {
    var config = Theorem2SweepConfiguration()
    config.networks = [.diagonal]
    config.cases = 3
    config.horizon = 1e3
    config.claimedExponent = 2
    config.depths = [3]
    let deep = Theorem2.runSweep(config, shrinking: false)
    #expect(deep.verdict == .refuted, "\(deep.reason)")
    config.depths = [1]
    let shallow = Theorem2.runSweep(config, shrinking: false)
    #expect(shallow.verdict == .holds, "\(shallow.reason)")
  }

  /// Spec §2.3's counterexample: one point x = (1, 0.5), y = 1, depth 2, balanced
  /// a₁ = (0.1, 0.1), a₂ = (−0.1, 0.1). The hypothesis "not sign-locked" fails and the
  /// flow's direction stays away from the ℓ1 optimum (1, 0).
  @Test("sign-locked initialization is reported as a failed hypothesis with evidence")
  func signLocked() {
    let data = ClassificationData(inputs: Matrix([[1, 0.5]]), labels: [1])
    let c = Theorem2Case(seed: 0, network: .diagonal(dimension: 2, depth: 2), data: data,
                         initialLayers: [[0.1, 0.1], [-0.1, 0.1]], loss: .exponential, horizon: 1e3)
    let r = Theorem2.check(c)
    #expect(r.verdict == .hypothesisNotMet)
    #expect(r.hypotheses.contains { $0.name == "not sign-locked" && !$0.met })
    let ell1 = [1.0, 0.0]
    #expect(r.direction.subtracting(ell1).norm2 > 0.5, "direction \(r.direction)")
    // Unbalanced: a₂ = (−0.05, 0.05) reaches the ℓ1 optimum.
    var good = c
    good.initialLayers = [[0.1, 0.1], [-0.05, 0.05]]
    let g = Theorem2.check(good)
    #expect(g.hypotheses.allSatisfy { $0.met })
    #expect(g.direction.subtracting(ell1).norm2 < 0.05, "direction \(g.direction)")
  }

  @Test("non-separable data: hypothesis not met, with a Gordan witness")
  func nonSeparable() {
    let data = ClassificationData(inputs: Matrix([[1, 2], [-1, -2], [0.5, 0.1]]), labels: [1, 1, -1])
    let c = Theorem2Case(seed: 0, network: .diagonal(dimension: 2, depth: 2), data: data,
                         initialLayers: [[0.1, 0.2], [0.3, -0.1]], loss: .logistic, horizon: 1e3)
    let r = Theorem2.check(c)
    #expect(r.verdict == .hypothesisNotMet)
    #expect(r.hypotheses.contains { $0.name == "separable" && !$0.met })
  }

  /// External check against ../shared/fixtures (HiGHS LP and Clarabel QP optima, accurate
  /// to ~1e-9): the flow's own certificate at depth 1 is the SVM direction and at depth 2
  /// the ℓ1 max-margin direction.
  @Test("certificates match the independent fixtures", arguments: ["cls-40x6", "cls-30x10"])
  func fixtures(name: String) throws {
    let dir = fixturesDirectory()
    let ds = try LabeledDataset.load(path: dir.appendingPathComponent("\(name).csv").path, kind: .classification)
    let refData = try Data(contentsOf: dir.appendingPathComponent("reference.json"))
    let ref = try JSONValue.parse(String(decoding: refData, as: UTF8.self))
    let entry = try #require(ref["classification"]?[name])
    let data = ClassificationData(inputs: ds.inputs, labels: ds.targets)
    for (depth, key, tol) in [(1, "svm", 1e-8)] {
      let expected = try #require(entry[key]?["direction"]?.arrayValue?.compactMap { $0.doubleValue })
      var rng = SeededGenerator(seed: 7)
      let net = LinearNetwork.diagonal(dimension: data.dimension, depth: depth)
      let c = Theorem2Case(seed: 7, network: net, data: data,
                           initialLayers: Theorem2.gaussianInitialization(network: net, scale: 0.1, using: &rng),
                           loss: .exponential, horizon: 1e3)
      let r = Theorem2.check(c)
      let cert = try #require(r.certificate, "\(name) L=\(depth): \(r.reason)")
      let err = cert.direction.subtracting(expected).normInfinity
      #expect(err <= tol, "\(name) depth \(depth): certificate vs fixture \(err) (tolerance \(tol))")
    }
    // The independent LP on the same data agrees with the fixture's ℓ1 direction.
    let l1 = l1MaxMargin(data.signedInputs)
    let expected = try #require(entry["l1"]?["direction"]?.arrayValue?.compactMap { $0.doubleValue })
    #expect(l1.beta.normalized.subtracting(expected).normInfinity <= 1e-8)
  }

  @Test("the same seed gives the same case and result")
  func determinism() {
    let config = Theorem2SweepConfiguration()
    let a = Theorem2.generateCase(seed: 99, kind: .convolutional, depth: 3, configuration: config)
    let b = Theorem2.generateCase(seed: 99, kind: .convolutional, depth: 3, configuration: config)
    #expect(a.data == b.data && a.initialLayers == b.initialLayers)
    var c = a
    c.horizon = 100
    let r1 = Theorem2.check(c), r2 = Theorem2.check(c)
    #expect(r1.direction == r2.direction && r1.verdict == r2.verdict)
  }
}
