import Testing
import Foundation
import LinearAlgebra
@testable import GradientFlow

/// The squared-loss flow against the independent limits in ../shared/fixtures (Newton on the
/// convex dual, computed outside this project; feasibility ≤ 2e-11).
@Suite("Regression flow")
struct RegressionFlowTests {
  static func fixture() throws -> (Matrix, [Double], [String: Any]) {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    let csv = try String(contentsOf: dir.appendingPathComponent("reg-12x40.csv"), encoding: .utf8)
    var rows: [[Double]] = []
    for line in csv.split(separator: "\n") {
      let fields = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
      if fields.contains(where: { $0 == nil }) { continue }  // header
      rows.append(fields.map { $0! })
    }
    let x = Matrix(rows.map { Array($0.dropLast()) })
    let y = rows.map { $0.last! }
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("reference.json")))
    let reg = ((json as! [String: Any])["regression"] as! [String: Any])["reg-12x40"] as! [String: Any]
    return (x, y, reg)
  }

  /// Depth 2, v₁(0) = α·1, v₂(0) = 0: the flow's limit equals the fixture's limit to 1e-7
  /// relative. Run at rtol 1e-9 to keep the debug test short (2.5k steps); the measured
  /// distance is ~1e-9, and the limit error grows with the accumulated path error (see
  /// `RegressionOptions.tolerances`). The other fixture limits (depth 2 at α = 0.5,
  /// depth 3 at α = 0.1) agree too, at 3–10× the cost; `verify` runs them.
  @Test("flow limits match the fixture", arguments: [(2, "2.0")])
  func fixtureLimits(depth: Int, alpha: String) throws {
    let (x, y, reg) = try Self.fixture()
    let key = depth == 2 ? "depth2" : "depth3"
    let expected = try #require(((reg[key] as? [String: Any])?[alpha]) as? [Double])
    let a = Double(alpha)!, d = x.columns
    let net = LinearNetwork.diagonal(dimension: d, depth: depth)
    var state = [Double](repeating: 0, count: depth * d)
    for j in 0..<d { for l in 0..<(depth - 1) { state[depth * j + l] = a } }
    var options = RegressionOptions()
    options.tolerances = IntegratorTolerances(relative: 1e-9, absolute: 1e-12)
    let t = integrateRegressionFlow(network: net, inputs: x, targets: y, initialState: state, options: options)
    #expect(t.failure == nil, "\(t.failure ?? "")")
    let err = t.transformed.subtracting(expected).norm2 / expected.norm2
    #expect(err <= 1e-7, "depth \(depth), α = \(alpha): relative distance \(err), steps \(t.statistics.acceptedSteps)")
    #expect(t.conservationDrift <= 1e-8, "drift \(t.conservationDrift)")
  }
}
