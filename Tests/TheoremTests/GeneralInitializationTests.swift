import Testing
import LinearAlgebra
import GradientFlow
import PropertyChecking
@testable import Theorems

/// Spec §2.7: for any initialization (here every layer random, so no Theorem-4 structure),
/// the flow's limit solves B φ(Bᵀμ) = y with each mode's φ from its own autonomous ODE.
@Suite("General-initialization predictor (spec §2.7)")
struct GeneralInitializationTests {
  @Test("flow limit = predictor for random initializations", arguments: [2, 3])
  func predictor(depth: Int) throws {
    var rng = SeededGenerator(seed: UInt64(40 + depth))
    let n = 2, d = 5
    let x = rng.gaussianMatrix(rows: n, columns: d)
    let y = rng.gaussianVector(n)
    let state = rng.gaussianVector(depth * d, standardDeviation: 0.6)
    let net = LinearNetwork.diagonal(dimension: d, depth: depth)
    var options = RegressionOptions()
    options.tolerances = IntegratorTolerances(relative: 1e-11, absolute: 1e-14)
    let t = integrateRegressionFlow(network: net, inputs: x, targets: y, initialState: state, options: options)
    try #require(t.failure == nil, "\(t.failure ?? "")")
    let p = GeneralInitializationPredictor(depth: depth, state: state).predict(predictionMatrix: x, targets: y)
    #expect(p.relativeResidual <= 1e-12, "predictor residual \(p.relativeResidual)")
    let dist = t.transformed.subtracting(p.rho).norm2 / p.rho.norm2
    #expect(dist <= 1e-8, "L = \(depth): relative distance \(dist)")
    // Discriminating: the Theorem-4 formula with a made-up scale predicts something else.
    let zeroInit = GeneralInitializationPredictor(depth: depth, state: state.map { $0 * 0.3 }).predict(predictionMatrix: x, targets: y)
    #expect(t.transformed.subtracting(zeroInit.rho).norm2 / p.rho.norm2 > 1e3 * max(dist, 1e-12))
  }
}
