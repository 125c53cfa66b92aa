import LinearAlgebra

/// Gradient flow Θ̇ = −∇Loss, Loss = Σᵢ ℓ(yᵢ f(xᵢ; Θ)) (exponential or logistic), for any
/// ``TensorNetwork``, on the clock of ``ClassificationFlow`` (spec §1.1, §1.3, §6).
///
/// **Field.** With margins mᵢ = yᵢxᵢᵀβ(Θ), loss weights pᵢ = wᵢ/Loss (wᵢ = −ℓ′(mᵢ), softmax
/// weights from ``ClassificationLoss/normalizedWeights(margins:)``) and the normalized dual
/// vector u = Σᵢ pᵢyᵢxᵢ,
///
///     G = −∇Loss/Loss = Σᵢ pᵢ∇mᵢ = ∇_Θ f(u; Θ) = (𝓜(u)·(…, I, …))ₗ   (spec §1.3),
///
/// one ``TensorNetwork/contractions(_:layers:)`` per evaluation.
///
/// **Clock.** As in ``ClassificationFlow``: dΘ/ds = c·G with c = r/‖G‖, r = ‖Θ‖
/// (max(‖Θ‖, 1) for L = 1), i.e. dt/ds = c/Loss. The state moves at unit relative speed,
/// ‖Θ‖ grows at most like eˢ and log(1/Loss) like e^{Ls} once the direction settles.
///
/// **Jacobian (exact).** G = ∇(−log Loss), so ∂G = −∇² log Loss is symmetric:
///
///     ∂G = H(u) − JₘᵀWJₘ,  H(u) = Σᵢ pᵢ∇²mᵢ = ∇²_Θ f(u; Θ),  W = diag(pᵢκᵢ) − ppᵀ,
///
/// with Jₘ (n × N) the rows ∇mᵢ = ∇_Θ f(yᵢxᵢ; Θ) and κᵢ = −w′(mᵢ)/w(mᵢ) (from
/// ∇pᵢ = pᵢ(G − κᵢ∇mᵢ)). With ∇c = ∇r/‖G‖ − c·∂G ĝ/‖G‖ (ĝ = G/‖G‖, ∂G symmetric),
///
///     ∂(cG)/∂Θ = c(∂G − ĝ(∂G ĝ)ᵀ) + ĝ ∇rᵀ,   ∇r = Θ/‖Θ‖ (0 while r = 1 > ‖Θ‖ at L = 1).
///
/// - Complexity: per evaluation one β, one contraction and O(nd); per Jacobian n + N
///   contractions (``TensorNetwork/hessian(_:layers:)``) and O(nN² + N²).
public struct TensorClassificationFlow: Sendable {
  public let network: TensorNetwork
  public let loss: ClassificationLoss
  /// Z with rows zᵢ = yᵢxᵢ: margins m = Zβ.
  public let signedInputs: Matrix
  /// N, the number of parameters.
  public var dimension: Int { network.parameterCount }

  public init(network: TensorNetwork, data: ClassificationData, loss: ClassificationLoss) {
    precondition(data.dimension == network.inputDimension,
                 "data have dimension \(data.dimension), the network expects \(network.inputDimension)")
    self.network = network
    self.loss = loss
    self.signedInputs = data.signedInputs
  }

  /// ‖Θ‖.
  public func parameterNorm(_ state: [Double]) -> Double { state.norm2 }

  /// Margins, weights, u and β at a state.
  public func observe(_ state: [Double]) -> TensorFlowObservation {
    let layers = network.unflatten(state)
    let beta = network.linearCoefficients(layers)
    let m = signedInputs * beta
    let (logLoss, p) = loss.normalizedWeights(margins: m)
    return TensorFlowObservation(margins: m, logLoss: logLoss, weights: p, dual: signedInputs.transposedTimes(p),
                                 coefficients: beta, parameterNorm: parameterNorm(state))
  }

  /// G = Σᵢ pᵢ∇mᵢ = ∇_Θ f(u; Θ) at a state with dual vector u.
  func rawField(_ state: [Double], dual u: [Double]) -> [Double] {
    network.gradient(u, layers: network.unflatten(state))
  }

  /// r: ‖Θ‖, or max(‖Θ‖, 1) at depth 1.
  func radius(_ state: [Double]) -> Double {
    let r = parameterNorm(state)
    return network.depth == 1 ? max(r, 1) : r
  }

  /// The clock factor c = r/‖G‖ (0 when G = 0), so that dt/ds = c/Loss.
  public func clockFactor(_ state: [Double]) -> Double {
    clockFactor(state, field: rawField(state, dual: observe(state).dual))
  }

  func clockFactor(_ state: [Double], field g: [Double]) -> Double {
    let norm = g.norm2
    return norm > 0 ? radius(state) / norm : 0
  }

  /// dΘ/ds = c·G.
  public func evaluate(_ state: [Double], into derivative: inout [Double]) {
    let obs = observe(state)
    let g = rawField(state, dual: obs.dual)
    let c = clockFactor(state, field: g)
    for k in g.indices { derivative[k] = c * g[k] }
  }

  /// Jₘ (n × N): row i is ∇_Θ mᵢ = ∇_Θ f(zᵢ; Θ).
  public func marginGradients(_ state: [Double]) -> Matrix {
    let layers = network.unflatten(state)
    let n = signedInputs.rows, dim = dimension
    var out = Matrix(rows: n, columns: dim)
    for i in 0..<n {
      let g = network.gradient(signedInputs.row(i), layers: layers)
      for c in 0..<dim { out[i, c] = g[c] }
    }
    return out
  }

  /// ∂G = H(u) − JₘᵀWJₘ = −∇² log Loss (N × N, symmetric).
  public func fieldJacobian(_ state: [Double]) -> Matrix { fieldJacobian(state, observation: observe(state)) }

  func fieldJacobian(_ state: [Double], observation obs: TensorFlowObservation) -> Matrix {
    let layers = network.unflatten(state)
    var h = network.hessian(obs.dual, layers: layers)
    let jm = marginGradients(state)
    let n = jm.rows, dim = dimension
    // JₘᵀWJₘ = Σᵢ pᵢκᵢ∇mᵢ∇mᵢᵀ − GGᵀ (G = Jₘᵀp), subtracted from H by rank-one updates
    // of the upper triangle, then mirrored (H and the result are symmetric).
    let g = jm.transposedTimes(obs.weights)
    let coefficients = (0..<n).map { obs.weights[$0] * loss.weightDecayRate(margin: obs.margins[$0]) }
    h.storage.withUnsafeMutableBufferPointer { hp in
      jm.storage.withUnsafeBufferPointer { jp in
        for i in 0..<n where coefficients[i] != 0 {
          let w = coefficients[i], row = i * dim
          for a in 0..<dim {
            let wa = w * jp[row + a]
            if wa == 0 { continue }
            for b in a..<dim { hp[a * dim + b] -= wa * jp[row + b] }
          }
        }
        for a in 0..<dim {
          for b in a..<dim { hp[a * dim + b] += g[a] * g[b] }
          for b in 0..<a { hp[a * dim + b] = hp[b * dim + a] }
        }
      }
    }
    return h
  }

  /// ∂(cG)/∂Θ = c(∂G − ĝ(∂G ĝ)ᵀ) + ĝ∇rᵀ, written into `jacobian` (N × N, zeroed).
  public func jacobian(_ state: [Double], into jacobian: inout Matrix) {
    let obs = observe(state)
    let g = rawField(state, dual: obs.dual)
    let gNorm = g.norm2
    guard gNorm > 0 else { return }
    let c = clockFactor(state, field: g)
    let dg = fieldJacobian(state, observation: obs)
    let dim = dimension
    let ghat = g.scaled(by: 1 / gNorm)
    let dgg = dg * ghat
    let norm = parameterNorm(state)
    let gradR: [Double] = (network.depth == 1 && norm < 1) || norm == 0
      ? [Double](repeating: 0, count: dim) : state.scaled(by: 1 / norm)
    dg.storage.withUnsafeBufferPointer { gp in
      jacobian.storage.withUnsafeMutableBufferPointer { jp in
        for a in 0..<dim {
          let ca = c * ghat[a], ra = ghat[a]
          for b in 0..<dim { jp[a * dim + b] = c * gp[a * dim + b] - ca * dgg[b] + ra * gradR[b] }
        }
      }
    }
  }
}

/// What a tensor-network classification flow looks like at one state.
public struct TensorFlowObservation: Sendable {
  /// mᵢ = yᵢ f(xᵢ; Θ).
  public var margins: [Double]
  /// log Loss.
  public var logLoss: Double
  /// pᵢ = wᵢ/Loss, the softmax loss weights (Σᵢ pᵢ = 1 for the exponential loss).
  public var weights: [Double]
  /// u = Σᵢ pᵢyᵢxᵢ: the normalized dual vector, −∇_{vₗ}Loss/Loss = 𝓜(u)·(…, I, …).
  public var dual: [Double]
  /// β(Θ), f(x) = xᵀβ.
  public var coefficients: [Double]
  /// ‖Θ‖.
  public var parameterNorm: Double
  public var logInverseLoss: Double { -logLoss }
  public var minimumMargin: Double { margins.min() ?? 0 }
}

/// The state of a tensor-network classification flow at a checkpoint.
public struct TensorFlowCheckpoint: Sendable {
  /// The log(1/Loss) reached (within `checkpointTolerance` above the target).
  public var logInverseLoss: Double
  /// The clock s.
  public var clock: Double
  /// log t, t the physical time of gradient flow (accumulated from dt/ds, exactly for a
  /// log-linear rate on each step; t is astronomically large at late checkpoints).
  public var logPhysicalTime: Double
  /// v₁, …, v_L.
  public var layers: [[Double]]
  /// Margins mᵢ = yᵢf(xᵢ).
  public var margins: [Double]
  /// The softmax loss weights pᵢ (the coefficients of the normalized dual u = Σᵢpᵢyᵢxᵢ).
  public var weights: [Double]
  /// u = Σᵢ pᵢyᵢxᵢ.
  public var dual: [Double]
  /// β.
  public var coefficients: [Double]
  /// ‖Θ‖.
  public var parameterNorm: Double
  /// Integrator statistics accumulated up to here.
  public var statistics: IntegratorStatistics
  /// maxₗ |(‖vₗ‖² − ‖v_L‖²) − initial| / ‖Θ‖² (spec §2.1): an integration check.
  public var conservationDrift: Double
}

/// How the flow's Jacobian is formed.
public enum TensorFlowJacobian: Sendable {
  /// The exact Jacobian (see ``TensorClassificationFlow``, ``TensorRegressionFlow``).
  case analytic
  /// Forward differences of the vector field (N extra evaluations per step). Adequate
  /// early on, but in classification the steps δ ≈ 1.5e-8·|Θⱼ| move margins of size
  /// log(1/Loss) by O(1) once log(1/Loss) ≳ 10⁶, the softmax weights respond nonlinearly
  /// and the W-method loses the stiff part: measured on FC d = 10, widths [5, 5], 20 points,
  /// the analytic Jacobian reaches log(1/Loss) = 10⁸ in 560 steps, forward differences
  /// exhaust 100 000 steps at 1.3·10⁷. Kept for comparison.
  case forwardDifferences
}

/// A recorded tensor-network classification trajectory.
public struct TensorClassificationTrajectory: Sendable {
  public var checkpoints: [TensorFlowCheckpoint]
  public var stop: TrajectoryStop
  /// When Loss first dropped below ℓ(0): the clock s, the accepted-step index and an
  /// estimate of log t (physical time).
  public var lossBelowInitial: (clock: Double, step: Int, logPhysicalTime: Double)?
  public var statistics: IntegratorStatistics
  /// The state and observation where the run ended.
  public var finalLayers: [[Double]]
  public var finalObservation: TensorFlowObservation
}

/// Integrates the classification flow of a tensor network from `initialLayers` until
/// log(1/Loss) passes every `options.checkpoints` value or a budget runs out, with the
/// ROS34PW2 W-method on a dense Jacobian, the tolerances and the `marginResolution`
/// tightening of ``integrateClassificationFlow(network:data:loss:initialState:options:)``
/// (the same checkpoint driver).
/// - Complexity: O(steps · (N³ + (n + N)·contraction + nN²)).
public func integrateTensorClassificationFlow(
  network: TensorNetwork, data: ClassificationData, loss: ClassificationLoss,
  initialLayers: [[Double]], options: TrajectoryOptions, jacobian: TensorFlowJacobian = .analytic
) -> TensorClassificationTrajectory {
  let flow = TensorClassificationFlow(network: network, data: data, loss: loss)
  let initialState = network.flatten(initialLayers)
  let exact: DenseJacobianSystem.JacobianField = { flow.jacobian($0, into: &$1) }
  var system = DenseJacobianSystem(dimension: flow.dimension, vectorField: { flow.evaluate($0, into: &$1) },
                                   jacobian: jacobian == .analytic ? exact : nil)
  var checkpoints: [TensorFlowCheckpoint] = []
  let run = integrateToCheckpoints(
    &system, initialState: initialState, options: options,
    logLossAtZero: Elementary.log(loss.valueAtZero),
    observe: { flow.observe($0) }, logLoss: { $0.logLoss },
    logClockRate: { state, obs in
      Elementary.log(flow.clockFactor(state, field: flow.rawField(state, dual: obs.dual))) - obs.logLoss
    },
    record: { state, s, obs, statistics, logTime in
      let layers = network.unflatten(state)
      let drift = network.conservationDrift(from: initialLayers, to: layers)
      if FlowInvariants.enabled {
        FlowInvariants.checkConservation(drift: drift, steps: statistics.acceptedSteps, dimension: state.count,
                                         tolerances: options.tolerances, scale: state.dot(state),
                                         "tensor classification flow")
      }
      checkpoints.append(TensorFlowCheckpoint(
        logInverseLoss: obs.logInverseLoss, clock: s, logPhysicalTime: logTime, layers: layers, margins: obs.margins,
        weights: obs.weights, dual: obs.dual, coefficients: obs.coefficients, parameterNorm: obs.parameterNorm,
        statistics: statistics, conservationDrift: drift))
    })
  return TensorClassificationTrajectory(
    checkpoints: checkpoints, stop: run.stop, lossBelowInitial: run.lossBelowInitial, statistics: run.statistics,
    finalLayers: network.unflatten(run.state), finalObservation: run.observation)
}
