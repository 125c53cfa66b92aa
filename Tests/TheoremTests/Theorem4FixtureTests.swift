import Testing
import Foundation
import LinearAlgebra
import Optimization
import Regularizers
import DataIO
@testable import Theorems

/// Our independent predictions against the fixture's (Newton on the convex dual, computed
/// outside this project; feasibility ≤ 2e-11, so agreement is asserted to 1e-8 relative).
@Suite("Theorem 4 fixtures (reg-12x40)")
struct Theorem4FixtureTests {
  static func load() throws -> (Matrix, [Double], JSONValue) {
    let dir = fixturesDirectory()
    let ds = try LabeledDataset.load(path: dir.appendingPathComponent("reg-12x40.csv").path, kind: .regression)
    let text = try String(contentsOf: dir.appendingPathComponent("reference.json"), encoding: .utf8)
    let ref = try #require(JSONValue.parse(text)["regression"]?["reg-12x40"])
    return (ds.inputs, ds.targets, ref)
  }

  @Test("argmin Q_{L,α,1} matches the fixture's flow limits",
        arguments: [("depth2", "0.05", 2), ("depth2", "0.5", 2), ("depth2", "2.0", 2), ("depth3", "0.01", 3), ("depth3", "0.1", 3)])
  func limits(key: String, alpha: String, depth: Int) throws {
    let (x, y, ref) = try Self.load()
    let expected = try #require(ref[key]?[alpha]?.arrayValue?.compactMap { $0.doubleValue })
    let q = WeightedRegularizer(depth: depth, alpha: Double(alpha)!, shape: Array(repeating: 1, count: x.columns))
    let p = Theorem4.predictedLimit(predictionMatrix: x, targets: y, regularizer: q)
    try #require(p.status == .optimal)
    let err = p.rho.subtracting(expected).norm2 / expected.norm2
    #expect(err <= 1e-8, "\(key)[\(alpha)]: relative difference \(err)")
  }

  @Test("minimum ℓ1 and ℓ2 interpolants match the fixture")
  func interpolants() throws {
    let (x, y, ref) = try Self.load()
    let l1 = try #require(ref["minL1"]?.arrayValue?.compactMap { $0.doubleValue })
    let l2 = try #require(ref["minL2"]?.arrayValue?.compactMap { $0.doubleValue })
    let ones = Array(repeating: 1.0, count: x.columns)
    let ours1 = minimumWeightedL1Interpolant(b: x, y: y, weights: ones)
    let ours2 = try minimumWeightedL2Interpolant(b: x, y: y, weights: ones)
    #expect(ours1.rho.subtracting(l1).norm2 / l1.norm2 <= 1e-8)
    #expect(ours2.rho.subtracting(l2).norm2 / l2.norm2 <= 1e-8)
  }
}
