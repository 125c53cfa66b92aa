import LinearAlgebra

/// Gradient flow of a real orthogonally decomposable network on the squared loss
/// Loss = ½ Σᵢ (f(xᵢ) − yᵢ)², in transformed coordinates and physical time (spec §1.3,
/// §2.5, §2.7).
///
/// With B = X T (n × m, so predictions are Bρ) and residual r = Bρ − y, the per-mode
/// dynamics is ȧₗⱼ = −[Bᵀr]ⱼ Π_{k≠l} a_{kj} (spec §1.5 with g = Xᵀr). Only real modes:
/// Theorem 4 is stated for real decompositions.
///
/// **Jacobian.** J = −H(q) − JfᵀJf with q = Bᵀr, H the per-mode Hessian blocks of qᵀρ and
/// Jf (n × N) the rows ∇fᵢ. Near interpolation the flow is a linear contraction with the
/// spread of eigenvalues of JfᵀJf: stiff when the data are ill-conditioned. Shifted solves
/// (sI − J)⁻¹ = (D + JfᵀJf)⁻¹, D = sI + H block diagonal, by Woodbury:
/// D⁻¹ − D⁻¹Jfᵀ(Iₙ + Jf D⁻¹ Jfᵀ)⁻¹Jf D⁻¹.
public struct RegressionFlow: StiffSystem {
  public let network: LinearNetwork
  /// B = X T.
  public let predictionMatrix: Matrix
  public let targets: [Double]
  private let helper: ClassificationFlow
  public var dimension: Int { helper.dimension }

  private var blockFactors: [LUFactorization] = []
  private var jf = Matrix(rows: 0, columns: 0)
  private var dInverseJt = Matrix(rows: 0, columns: 0)  // rows: (D⁻¹Jfᵀ)ᵀ
  private var kFactor: LUFactorization?

  public init(network: LinearNetwork, inputs: Matrix, targets: [Double]) {
    precondition(network.space.isReal, "RegressionFlow needs a real decomposition (Theorem 4)")
    precondition(inputs.rows == targets.count, "\(inputs.rows) inputs but \(targets.count) targets")
    self.network = network
    self.predictionMatrix = network.transformedInputs(inputs)
    self.targets = targets
    self.helper = ClassificationFlow(network: network, marginMatrix: predictionMatrix, loss: .exponential)
  }

  /// ρ = Πₗ aₗ.
  public func transformedProduct(_ state: [Double]) -> [Double] { helper.transformedProduct(state) }

  /// r = Bρ − y.
  public func residual(_ state: [Double]) -> [Double] {
    (predictionMatrix * transformedProduct(state)).subtracting(targets)
  }

  public mutating func evaluate(_ y: [Double], into derivative: inout [Double]) {
    let q = predictionMatrix.transposedTimes(residual(y))
    let g = helper.rawField(y, q: q)
    for k in g.indices { derivative[k] = -g[k] }
  }

  public mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws {
    let q = predictionMatrix.transposedTimes(residual(y))
    let sp = network.space, L = network.depth
    blockFactors.removeAll(keepingCapacity: true)
    for g in 0..<sp.groupCount {
      var block = helper.modeHessian(y, group: g, q: q)
      for k in 0..<block.rows { block[k, k] += shift }
      blockFactors.append(try LUFactorization(block))
    }
    jf = helper.marginGradients(y)
    let n = jf.rows, dim = dimension
    var djt = Matrix(rows: n, columns: dim)
    for i in 0..<n {
      var col = jf.row(i)
      applyBlockInverse(&col)
      for c in 0..<dim { djt[i, c] = col[c] }
    }
    dInverseJt = djt
    var k = Matrix(rows: n, columns: n)
    for i in 0..<n {
      for j in 0..<n {
        var acc = 0.0
        for c in 0..<dim { acc += jf[i, c] * djt[j, c] }
        k[i, j] = acc + (i == j ? 1 : 0)
      }
    }
    kFactor = try LUFactorization(k)
    _ = L
  }

  private func applyBlockInverse(_ v: inout [Double]) {
    let sp = network.space, L = network.depth
    for g in 0..<sp.groupCount {
      let base = L * sp.offsets[g]
      let x = blockFactors[g].solve(Array(v[base..<(base + L)]))
      for k in 0..<L { v[base + k] = x[k] }
    }
  }

  public mutating func solveShifted(_ b: inout [Double]) throws {
    guard let kFactor else { throw LinearAlgebraError.singular(pivot: 0) }
    applyBlockInverse(&b)
    let z = kFactor.solve(jf * b)
    let correction = dInverseJt.transposedTimes(z)
    for c in b.indices { b[c] -= correction[c] }
  }
}

/// Settings of a regression run.
public struct RegressionOptions: Sendable {
  /// Stop when ‖Bρ − y‖ ≤ residualTolerance · ‖y‖.
  public var residualTolerance = 1e-12
  /// Integrator tolerances. The limit inherits the path's integration error (the implicit
  /// bias is a property of the whole trajectory: an error δ in the state shifts the
  /// conserved mirror-flow quantity, hence the limit, by ~δ), so the limit's accuracy is
  /// about rtol × (number of steps)^{1/2…1}. rtol 1e-11 is needed for 1e-8 comparisons;
  /// measured on reg-12x40 (release): 11–29k steps, 2–9 s (order-3 method at a tight
  /// tolerance on the slow, non-stiff components is the cost).
  public var tolerances = IntegratorTolerances(relative: 1e-11, absolute: 1e-14)
  public var maxSteps = 200_000
  /// Wall-clock budget (`verify --max-seconds`): the run stops at the first step that ends
  /// after this instant, with a failure naming the residual reached.
  public var deadline: ContinuousClock.Instant?
  public init() {}
}

/// The end of a regression run.
public struct RegressionTrajectory: Sendable {
  public var finalState: [Double]
  public var transformed: [Double]
  public var relativeResidual: Double
  public var time: Double
  public var statistics: IntegratorStatistics
  /// nil when the residual criterion was met; otherwise why not.
  public var failure: String?
  /// max over modes of |(|aₗⱼ|² − |a_Lⱼ|²) − initial| / maxₗⱼ |aₗⱼ|² at the end.
  public var conservationDrift: Double
  /// ρ(t) at accepted steps 1, 2, 4, 8, … (for invariants along the trajectory).
  public var samples: [[Double]] = []
  /// Why the run stopped (`failure` is its text).
  public var stop = RegressionStop.converged
}

/// Integrates the squared-loss flow until the relative residual criterion is met (not a
/// fixed horizon), with step sizes free to grow as the flow slows (a small initialization
/// escapes the origin in time ∼ α^{−(L−2)} or log(1/α)).
public func integrateRegressionFlow(network: LinearNetwork, inputs: Matrix, targets: [Double],
                                    initialState: [Double], options: RegressionOptions = RegressionOptions())
  -> RegressionTrajectory {
  var system = RegressionFlow(network: network, inputs: inputs, targets: targets)
  let model = system  // residual and ρ are pure functions of the state
  let conserved0 = conservedQuantities(initialState, network: network)
  let yNorm = max(targets.norm2, .leastNormalMagnitude)
  let run = integrateToInterpolation(&system, initialState: initialState, options: options,
                                     relativeResidual: { model.residual($0).norm2 / yNorm },
                                     sample: { model.transformedProduct($0) })
  let state = run.state
  let c = conservedQuantities(state, network: network)
  var drift = 0.0
  for k in c.values.indices { drift = max(drift, abs(c.values[k] - conserved0.values[k])) }
  let scale = max(c.scale, .leastNormalMagnitude)
  if FlowInvariants.enabled {
    FlowInvariants.checkConservation(drift: drift / scale, steps: run.steps, dimension: state.count,
                                     tolerances: options.tolerances, scale: scale, "regression flow")
  }
  return RegressionTrajectory(finalState: state, transformed: system.transformedProduct(state),
                              relativeResidual: run.relativeResidual, time: run.time, statistics: run.statistics,
                              failure: run.failure, conservationDrift: drift / scale,
                              samples: run.samples, stop: run.stop)
}

/// The driver shared by the regression flows: accepted steps until the relative residual
/// meets `options.residualTolerance` (or the step budget or the integrator gives out),
/// sampling the state at accepted steps 1, 2, 4, 8, ….
func integrateToInterpolation<S: StiffSystem>(
  _ system: inout S, initialState: [Double], options: RegressionOptions,
  relativeResidual: ([Double]) -> Double, sample: ([Double]) -> [Double]
) -> (state: [Double], relativeResidual: Double, steps: Int, samples: [[Double]], failure: String?,
      time: Double, statistics: IntegratorStatistics, stop: RegressionStop) {
  var integrator = RosenbrockIntegrator(tolerances: options.tolerances)
  var state = initialState, t = 0.0, steps = 0
  var samples: [[Double]] = []
  var stop = RegressionStop.converged
  var rel = relativeResidual(state)
  while rel > options.residualTolerance {
    if steps >= options.maxSteps {
      stop = .stepBudget(steps: options.maxSteps, relativeResidual: rel)
      break
    }
    if let deadline = options.deadline, ContinuousClock.now >= deadline {
      stop = .timeBudget(steps: steps, relativeResidual: rel)
      break
    }
    do {
      _ = try integrator.advance(&system, time: &t, state: &state, limit: .greatestFiniteMagnitude)
    } catch {
      stop = .integratorFailure(error)
      break
    }
    steps += 1
    if steps & (steps - 1) == 0 { samples.append(sample(state)) }
    let before = rel
    rel = relativeResidual(state)
    if FlowInvariants.enabled {
      FlowInvariants.checkRegressionStep(state: state, before: before, after: rel, tolerances: options.tolerances,
                                         step: steps)
    }
  }
  return (state, rel, steps, samples, stop.failure, t, integrator.statistics, stop)
}
