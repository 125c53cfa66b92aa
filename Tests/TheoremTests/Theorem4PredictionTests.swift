import Testing
import LinearAlgebra
import GradientFlow
import Optimization
import PropertyChecking
import Regularizers
@testable import Theorems

/// Theorem 4's claim on small cases: the flow's limit (integrated directly) equals the
/// independent dual-Newton argmin of Q_{L,α,η}, and not the argmin for another depth.
@Suite("Theorem 4 (prediction vs flow)")
struct Theorem4PredictionTests {
  @Test("flow limit = argmin Q_{L,α,η}", arguments: [(2, 1.0), (3, 0.5), (4, 1.0), (5, 1.0)])
  func flowMatchesPrediction(depth: Int, alpha: Double) throws {
    var rng = SeededGenerator(seed: UInt64(10 * depth))
    let n = 3, d = 7
    let x = rng.gaussianMatrix(rows: n, columns: d)
    let y = rng.gaussianVector(n)
    let eta = (0..<d).map { _ in rng.uniform(in: 0.5...1.5) }
    let net = LinearNetwork.diagonal(dimension: d, depth: depth)
    var state = [Double](repeating: 0, count: depth * d)
    for j in 0..<d { for l in 0..<(depth - 1) { state[depth * j + l] = alpha * eta[j] } }
    var options = RegressionOptions()
    options.tolerances = IntegratorTolerances(relative: 1e-10, absolute: 1e-13)
    let t = integrateRegressionFlow(network: net, inputs: x, targets: y, initialState: state, options: options)
    #expect(t.failure == nil, "\(t.failure ?? "")")
    let q = WeightedRegularizer(depth: depth, alpha: alpha, shape: eta)
    let predicted = Theorem4.predictedLimit(predictionMatrix: x, targets: y, regularizer: q)
    try #require(predicted.status == .optimal, "dual Newton: \(predicted.stopReason)")
    #expect(predicted.stationarityResidual <= 1e-12)
    // Limit error ≈ accumulated path error (rtol 1e-10 × steps); measured 7e-13 … 2e-11 for
    // these four cases (3.6k–5.7k steps), against 0.08–0.38 for the wrong depth.
    let dist = t.transformed.subtracting(predicted.rho).norm2 / predicted.rho.norm2
    #expect(dist <= 1e-7, "L = \(depth), α = \(alpha): relative distance \(dist) after \(t.statistics.acceptedSteps) steps")
    // Discriminating power: Q of another depth predicts a different point.
    let wrong = Theorem4.predictedLimit(predictionMatrix: x, targets: y,
                                        regularizer: WeightedRegularizer(depth: depth == 2 ? 3 : 2, alpha: alpha, shape: eta))
    let wrongDist = t.transformed.subtracting(wrong.rho).norm2 / wrong.rho.norm2
    #expect(wrongDist >= 1e3 * max(dist, 1e-12), "wrong depth is only \(wrongDist) away")
  }
}
