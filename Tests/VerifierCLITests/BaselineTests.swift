import DataIO
import Foundation
import Testing
@testable import VerifierCLI

/// CI regression of the claims: `swift test` (and so `.ci/run`) fails when a verdict changes
/// or a figure gets more than 10× worse than the committed baseline.
@Suite("Baseline regression of every theorem's claims")
struct BaselineTests {
  static let baseline = GeneratedDocsTests.root.appendingPathComponent("Baselines/all-cases2.json").path

  @Test("verify --all --cases 2 matches the committed baseline")
  func noRegression() {
    var out = "", err = ""
    let code = VerifierCommand.run(["--all", "--cases", "2", "--baseline", Self.baseline],
                                   output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    #expect(code == 0, "\(err)")
  }

  @Test("the comparison reports a changed verdict and a worse figure with readable paths")
  func detects() throws {
    let before = try JSONValue.parse(#"{"verdict": "holds", "theorems": [{"theorem": "2", "verdict": "holds", "cases": [{"verdict": "holds", "kktResidual": 1e-13, "logInverseLoss": 10000, "fittedRate": 0.9}]}]}"#)
    let after = try JSONValue.parse(#"{"verdict": "inconclusive", "theorems": [{"theorem": "2", "verdict": "inconclusive", "cases": [{"verdict": "inconclusive", "kktResidual": 5e-9, "logInverseLoss": 100, "fittedRate": 0.1}]}]}"#)
    let differences = BaselineComparison().compare(baseline: before, now: after).map(\.description)
    #expect(differences.contains("verdict: verdict holds → inconclusive"))
    #expect(differences.contains { $0.hasPrefix("theorem 2 › cases[0] › kktResidual") })
    #expect(differences.contains { $0.hasPrefix("theorem 2 › cases[0] › logInverseLoss") })
    // A rate is not a "lower is better" figure; rounding-level changes pass.
    #expect(!differences.contains { $0.contains("fittedRate") })
    let same = try JSONValue.parse(#"{"theorems": [{"theorem": "2", "cases": [{"kktResidual": 3e-13}]}]}"#)
    #expect(BaselineComparison().compare(baseline: before, now: same).allSatisfy { !$0.path.contains("kktResidual") })
  }
}
