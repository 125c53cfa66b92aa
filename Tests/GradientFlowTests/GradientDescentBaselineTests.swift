import Testing
import LinearAlgebra
import PropertyChecking
@testable import GradientFlow

/// The fixed-step gradient-descent baseline of `verify bench`: it descends, it follows the
/// flow it is compared with, its learning rate comes from the true initial smoothness, and
/// it runs on the same function f as the flow.
@Suite("Gradient-descent baseline")
struct GradientDescentBaselineTests {
  /// n Gaussian points in ℝᵈ labelled by a fixed separator (separable by construction).
  static func separable(n: Int, d: Int, seed: UInt64) -> ClassificationData {
    var rng = SeededGenerator(seed: seed)
    let w = rng.gaussianVector(d)
    let x = rng.gaussianMatrix(rows: n, columns: d)
    return ClassificationData(inputs: x, labels: (0..<n).map { x.row($0).dot(w) >= 0 ? 1 : -1 })
  }

  /// The flow's state (layout L·g + l per real mode) of a diagonal network's layers.
  static func diagonalState(_ layers: [[Double]]) -> [Double] {
    let L = layers.count, d = layers[0].count
    var state = [Double](repeating: 0, count: L * d)
    for j in 0..<d { for l in 0..<L { state[L * j + l] = layers[l][j] } }
    return state
  }

  @Test("GD decreases the loss and approaches the flow's direction at first order in η")
  func followsTheFlow() throws {
    let data = Self.separable(n: 6, d: 3, seed: 5)
    var rng = SeededGenerator(seed: 6)
    let layers = (0..<2).map { _ in rng.gaussianVector(3, standardDeviation: 0.3) }
    let gd = GradientDescentBaseline(network: .diagonal(inputDimension: 3, depth: 2),
                                     objective: .classification(data, .exponential))
    let eta = 1 / gd.sharpness(at: layers)
    // The same gradient-flow time ηk with η and η/4: GD's direction at the loss it reaches
    // against the flow's at that loss.
    var distances: [Double] = []
    for (rate, iterations) in [(eta, 5_000), (eta / 4, 20_000)] {
      var options = GradientDescentOptions(deadline: .now + .seconds(120), learningRate: rate)
      options.maxIterations = iterations
      let run = gd.run(from: layers, options: options)
      #expect(run.iterations == iterations && run.stop == .iterationBudget && run.restarts == 0)
      let levels = run.samples.map(\.logInverseLoss)
      #expect(zip(levels, levels.dropFirst()).allSatisfy { $0 <= $1 }, "log(1/Loss) at 2ᵏ iterations: \(levels)")
      #expect(run.logInverseLoss > run.initialLogInverseLoss + 3,
              "log(1/Loss) \(run.initialLogInverseLoss) → \(run.logInverseLoss)")
      let flow = integrateClassificationFlow(
        network: .diagonal(dimension: 3, depth: 2), data: data, loss: .exponential,
        initialState: Self.diagonalState(layers), options: TrajectoryOptions(checkpoints: [run.logInverseLoss]))
      let checkpoint = try #require(flow.checkpoints.first)
      let direction = gd.network.linearCoefficients(run.finalLayers).normalized
      distances.append(direction.subtracting(checkpoint.transformed.normalized).norm2)
    }
    // First order: a quarter of the step gives about a quarter of the error (measured
    // 0.033 → 0.010 at η·λ₀ = 1 and 1/4, after 5 000 and 20 000 iterations).
    #expect(distances[1] <= distances[0] / 2.5 && distances[1] <= 0.02,
            "‖β̂_GD − β̂_flow‖ at η, η/4: \(distances)")
  }

  @Test("λ₀ is the top eigenvalue of the Hessian: ZᵀZ for a linear model at w = 0")
  func sharpnessOfALinearModel() throws {
    let data = Self.separable(n: 8, d: 4, seed: 9)
    let gd = GradientDescentBaseline(network: .diagonal(inputDimension: 4, depth: 1),
                                     objective: .classification(data, .exponential))
    // ∇²Σᵢ e^{−zᵢᵀw} = Σᵢ e^{−zᵢᵀw} zᵢzᵢᵀ = ZᵀZ at w = 0.
    let z = data.signedInputs
    let exact = try SymmetricEigendecomposition(z.transposed * z).eigenvalues.max()!
    let estimate = gd.sharpness(at: [[0, 0, 0, 0]], iterations: 200)
    #expect(abs(estimate - exact) <= 1e-4 * exact, "power iteration \(estimate), eigendecomposition \(exact)")
  }

  @Test("a rate that increases the loss is halved until every step decreases it")
  func unstableRateIsHalved() {
    let data = Self.separable(n: 8, d: 4, seed: 9)
    let gd = GradientDescentBaseline(network: .diagonal(inputDimension: 4, depth: 1),
                                     objective: .classification(data, .exponential))
    let lambda = gd.sharpness(at: [[0, 0, 0, 0]])
    var options = GradientDescentOptions(deadline: .now + .seconds(120), learningRate: 64 / lambda)
    options.maxIterations = 2_000
    let run = gd.run(from: [[0, 0, 0, 0]], options: options)
    #expect(run.restarts >= 1 && run.learningRate == 64 / lambda / Double(1 << run.restarts),
            "restarts \(run.restarts), η·λ₀ = \(run.learningRate * lambda)")
    let levels = run.samples.map(\.logInverseLoss)
    #expect(run.stop == .iterationBudget && zip(levels, levels.dropFirst()).allSatisfy { $0 <= $1 }, "\(levels)")
  }

  @Test("on regression GD stops at the flow's residual criterion")
  func regressionConverges() {
    var rng = SeededGenerator(seed: 3)
    let x = rng.gaussianMatrix(rows: 2, columns: 5)
    let y = x * [1, 0, -0.5, 0, 0]
    let gd = GradientDescentBaseline(network: .diagonal(inputDimension: 5, depth: 2),
                                     objective: .regression(inputs: x, targets: y))
    let layers = [[Double](repeating: 0.5, count: 5), [Double](repeating: 0, count: 5)]
    let run = gd.run(from: layers, options: GradientDescentOptions(deadline: .now + .seconds(120)))
    #expect(run.stop == .converged && (run.relativeResidual ?? 1) <= 1e-12, "\(run.stop), residual \(run.relativeResidual ?? .nan)")
  }

  @Test("the tensor network GD runs on computes the flow's β (convolutional, L = 3)")
  func sameFunctionAsTheFlow() {
    var rng = SeededGenerator(seed: 12)
    let d = 6, L = 3
    let layers = (0..<L).map { _ in rng.gaussianVector(d) }
    let net = LinearNetwork.convolutional(dimension: d, depth: L)
    let a = layers.enumerated().map { net.transformedLayer($0.element, layer: $0.offset) }
    var state = [Double](repeating: 0, count: L * net.space.coordinateCount)
    for g in 0..<net.space.groupCount {
      let w = net.space.isComplex[g] ? 2 : 1
      for l in 0..<L { for c in 0..<w { state[L * net.space.offsets[g] + l * w + c] = a[l][net.space.offsets[g] + c] } }
    }
    let flow = ClassificationFlow(network: net, data: Self.separable(n: 2, d: d, seed: 1), loss: .exponential)
    let viaModes = net.linearCoefficients(flow.transformedProduct(state))
    let direct = TensorNetwork.convolutional(inputDimension: d, filterSizes: [d, d, d]).linearCoefficients(layers)
    let error = viaModes.subtracting(direct).normInfinity
    #expect(error <= 1e-12 * max(1, direct.normInfinity), "max |β_modes − β_tensor| = \(error)")
  }
}
