import LinearAlgebra

/// Gradient flow of the squared loss Loss = ½Σᵢ(f(xᵢ; Θ) − yᵢ)² for any ``TensorNetwork``, in
/// physical time (spec §1.1, §1.3, §2.6).
///
/// With residual r = Xβ(Θ) − y, ∇Loss = Σᵢ rᵢ∇fᵢ = ∇_Θ f(Xᵀr; Θ), so
///
///     Θ̇ = −(𝓜(Xᵀr)·(…, I, …))ₗ,   ∂Θ̇/∂Θ = −H(Xᵀr) − JfᵀJf   (exact),
///
/// with H(u) = ∇²_Θ f(u; Θ) (``TensorNetwork/hessian(_:layers:)``) and Jf (n × N) the rows
/// ∇_Θ f(xᵢ; Θ). Near interpolation the flow is a linear contraction with the spectrum of
/// JfᵀJf (stiff when the data are ill-conditioned); near a small initialization it is the
/// slow escape from the saddle at Θ = 0.
public struct TensorRegressionFlow: Sendable {
  public let network: TensorNetwork
  public let inputs: Matrix
  public let targets: [Double]
  public var dimension: Int { network.parameterCount }

  public init(network: TensorNetwork, inputs: Matrix, targets: [Double]) {
    precondition(inputs.rows == targets.count, "\(inputs.rows) inputs but \(targets.count) targets")
    precondition(inputs.columns == network.inputDimension,
                 "inputs have dimension \(inputs.columns), the network expects \(network.inputDimension)")
    self.network = network
    self.inputs = inputs
    self.targets = targets
  }

  /// r = Xβ − y.
  public func residual(_ state: [Double]) -> [Double] {
    (inputs * network.linearCoefficients(network.unflatten(state))).subtracting(targets)
  }

  /// Θ̇ = −∇_Θ f(Xᵀr; Θ).
  public func evaluate(_ state: [Double], into derivative: inout [Double]) {
    let g = network.gradient(inputs.transposedTimes(residual(state)), layers: network.unflatten(state))
    for k in g.indices { derivative[k] = -g[k] }
  }

  /// −H(Xᵀr) − JfᵀJf into `jacobian` (N × N).
  public func jacobian(_ state: [Double], into jacobian: inout Matrix) {
    let layers = network.unflatten(state)
    let h = network.hessian(inputs.transposedTimes(residual(state)), layers: layers)
    let n = inputs.rows, dim = dimension
    var jf = Matrix(rows: n, columns: dim)
    for i in 0..<n {
      let g = network.gradient(inputs.row(i), layers: layers)
      for c in 0..<dim { jf[i, c] = g[c] }
    }
    let gram = jf.transposedTimes(jf)
    for k in jacobian.storage.indices { jacobian.storage[k] = -h.storage[k] - gram.storage[k] }
  }
}

/// The end of a tensor-network regression run.
public struct TensorRegressionResult: Sendable {
  /// v₁, …, v_L at the end.
  public var layers: [[Double]]
  /// β at the end.
  public var coefficients: [Double]
  /// ‖Xβ − y‖ / ‖y‖.
  public var relativeResidual: Double
  /// Accepted steps and the physical time reached.
  public var steps: Int
  public var time: Double
  public var statistics: IntegratorStatistics
  /// nil when the residual criterion was met; otherwise why not.
  public var failure: String?
  /// maxₗ |(‖vₗ‖² − ‖v_L‖²) − initial| / ‖Θ‖² at the end (spec §2.1).
  public var conservationDrift: Double
  /// β at accepted steps 1, 2, 4, 8, ….
  public var samples: [[Double]]
  /// Why the run stopped (`failure` is its text).
  public var stop = RegressionStop.converged
}

/// Integrates the squared-loss flow of a tensor network until ‖Xβ − y‖ ≤
/// `options.residualTolerance`·‖y‖ (the driver shared by the regression flows), with the
/// exact Jacobian or forward differences. Step sizes grow freely as the flow slows, so the
/// slow escape from a small initialization (time ∼ α^{−(L−2)} or log(1/α)) costs few steps.
public func integrateTensorRegressionFlow(
  network: TensorNetwork, inputs: Matrix, targets: [Double], initialLayers: [[Double]],
  options: RegressionOptions = RegressionOptions(), jacobian: TensorFlowJacobian = .analytic
) -> TensorRegressionResult {
  let flow = TensorRegressionFlow(network: network, inputs: inputs, targets: targets)
  let exact: DenseJacobianSystem.JacobianField = { flow.jacobian($0, into: &$1) }
  var system = DenseJacobianSystem(dimension: flow.dimension, vectorField: { flow.evaluate($0, into: &$1) },
                                   jacobian: jacobian == .analytic ? exact : nil)
  let yNorm = max(targets.norm2, .leastNormalMagnitude)
  let run = integrateToInterpolation(
    &system, initialState: network.flatten(initialLayers), options: options,
    relativeResidual: { flow.residual($0).norm2 / yNorm },
    sample: { network.linearCoefficients(network.unflatten($0)) })
  let layers = network.unflatten(run.state)
  let drift = network.conservationDrift(from: initialLayers, to: layers)
  if FlowInvariants.enabled {
    FlowInvariants.checkConservation(drift: drift, steps: run.steps, dimension: run.state.count,
                                     tolerances: options.tolerances, scale: run.state.dot(run.state),
                                     "tensor regression flow")
  }
  return TensorRegressionResult(
    layers: layers, coefficients: network.linearCoefficients(layers), relativeResidual: run.relativeResidual,
    steps: run.steps, time: run.time, statistics: run.statistics, failure: run.failure,
    conservationDrift: drift, samples: run.samples, stop: run.stop)
}
