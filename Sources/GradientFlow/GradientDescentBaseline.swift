import LinearAlgebra

/// Fixed-step gradient descent on the original parameters: the paper-style method the
/// verifier is benchmarked against (`verify bench`, issue 7).
///
/// Researchers check implicit-bias claims by running
///
///     Θₖ₊₁ = Θₖ − η ∇Loss(Θₖ),   Θ = (v₁, …, v_L),  η constant,
///
/// for 10⁶–10⁷ iterations and reading the direction off a plot (spec §1.1: "experiments use
/// gradient descent with small steps"; spec §6 for regression: step ≤ 10⁻³/λ_max(XXᵀ)).
/// This is that method, written as a notebook would write it but compiled: the raw loss
/// (sum over points, spec §1.1), no clock change, no log-space weights in the update.
///
/// **Gradient (spec §1.3).** f is linear in x, so for margins mᵢ = zᵢᵀβ(Θ) (zᵢ = yᵢxᵢ)
///
///     −∇_Θ Loss = Σᵢ wᵢ ∇_Θ mᵢ = ∇_Θ f(u; Θ),   u = Zᵀw,  wᵢ = −ℓ′(mᵢ),
///
/// and for the squared loss ½‖Xβ − y‖², −∇_Θ Loss = ∇_Θ f(−Xᵀr; Θ) with r = Xβ − y. One
/// iteration is one β, two matrix–vector products with the n × d data and one
/// ``TensorNetwork/contractions(_:layers:)``: the same 4nd leading flops as one
/// right-hand-side evaluation of the flow.
///
/// **Learning rate.** η = 1/λ₀ with λ₀ = ‖∇²Loss(Θ₀)‖₂, the largest |eigenvalue| of the
/// Hessian at the initialization (the initial smoothness), by power iteration on
/// Hessian–vector products. On an L-smooth region GD decreases the loss for η < 2/λ
/// (descent lemma, Nesterov, *Lectures on Convex Optimization*, 2018, Thm 2.1.5 and
/// §1.2.3) and 1/λ is the classical choice that maximizes the guaranteed decrease. The
/// smoothness of a deep network grows as the weights leave a small initialization, so a
/// rate chosen at Θ₀ may become unstable later: when a step *increases* the loss, the run
/// restarts from Θ₀ with η/2 (what a researcher does on seeing a divergent loss curve),
/// within the same wall-clock budget. The reported time is that of the last (stable)
/// attempt, which favours the baseline.
public struct GradientDescentBaseline: Sendable {
  /// The training loss.
  public enum Objective: Sendable {
    /// Loss = Σᵢ ℓ(yᵢ xᵢᵀβ(Θ)), exponential or logistic.
    case classification(ClassificationData, ClassificationLoss)
    /// Loss = ½ Σᵢ (xᵢᵀβ(Θ) − yᵢ)².
    case regression(inputs: Matrix, targets: [Double])
  }

  public let network: TensorNetwork
  public let objective: Objective
  /// Z (rows yᵢxᵢ) for classification, X for regression.
  let data: Matrix

  public init(network: TensorNetwork, objective: Objective) {
    self.network = network
    self.objective = objective
    switch objective {
    case .classification(let d, _):
      precondition(d.dimension == network.inputDimension,
                   "data have dimension \(d.dimension), the network expects \(network.inputDimension)")
      data = d.signedInputs
    case .regression(let x, let y):
      precondition(x.columns == network.inputDimension && x.rows == y.count,
                   "regression data \(x.rows)×\(x.columns) with \(y.count) targets do not fit a network on ℝ^\(network.inputDimension)")
      data = x
    }
  }

  /// The loss and its descent direction at one point.
  public struct Evaluation: Sendable {
    /// log Loss (log-sum-exp of log ℓ(mᵢ) for classification; log ½‖r‖² for regression).
    public var logLoss: Double
    /// −∇Loss, one array per layer.
    public var descent: [[Double]]
    /// Regression only: ‖Xβ − y‖ / ‖y‖.
    public var relativeResidual: Double?
  }

  /// log Loss and −∇Loss at `layers`.
  /// - Complexity: O(nd) plus one β and one contraction of the network.
  public func evaluate(_ layers: [[Double]]) -> Evaluation {
    let beta = network.linearCoefficients(layers)
    var u: [Double]
    let logLoss: Double
    var relative: Double?
    switch objective {
    case .classification(_, let loss):
      let m = data * beta
      logLoss = Elementary.logSumExp(m.map { loss.logLoss(margin: $0) })
      u = data.transposedTimes(m.map { Elementary.exp(loss.logWeight(margin: $0)) })
    case .regression(_, let y):
      var r = data * beta
      for i in r.indices { r[i] -= y[i] }
      let norm = r.norm2
      logLoss = Elementary.log(0.5 * norm * norm)
      relative = norm / max(y.norm2, .leastNormalMagnitude)
      u = data.transposedTimes(r)
      for j in u.indices { u[j] = -u[j] }
    }
    return Evaluation(logLoss: logLoss, descent: network.contractions(u, layers: layers), relativeResidual: relative)
  }

  /// λ₀ = ‖∇²Loss(Θ)‖₂ by `iterations` steps of power iteration, each Hessian–vector product
  /// Hv ≈ (∇Loss(Θ + εv) − ∇Loss(Θ − εv))/(2ε) by central differences (ε = 10⁻⁴·max(‖Θ‖, 1),
  /// error O(ε²) relative), from a deterministic start (the gradient plus a fixed
  /// quasi-random vector, so a start orthogonal to the top eigenvector is not an issue).
  /// Stops early when the Rayleigh quotient changes by less than 10⁻⁴ (relative).
  /// - Complexity: 2·iterations evaluations.
  public func sharpness(at layers: [[Double]], iterations: Int = 60) -> Double {
    let theta = network.flatten(layers)
    let eps = 1e-4 * max(theta.norm2, 1)
    let g0 = network.flatten(evaluate(layers).descent)
    let scale = max(g0.norm2, 1e-300)
    var v = (0..<theta.count).map { k -> Double in
      let golden = (Double(k + 1) * 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1) - 0.5
      return g0[k] / scale + golden / Double(theta.count).squareRoot()
    }.normalized
    var lambda = 0.0
    for _ in 0..<iterations {
      var plus = theta, minus = theta
      plus.addScaled(v, by: eps)
      minus.addScaled(v, by: -eps)
      // H v = ∇Loss(Θ+εv) − ∇Loss(Θ−εv) over 2ε = (descent(Θ−εv) − descent(Θ+εv)) / 2ε.
      let dPlus = network.flatten(evaluate(network.unflatten(plus)).descent)
      let dMinus = network.flatten(evaluate(network.unflatten(minus)).descent)
      let hv = dMinus.subtracting(dPlus).scaled(by: 1 / (2 * eps))
      let next = abs(v.dot(hv))
      let norm = hv.norm2
      guard norm > 0, norm.isFinite else { break }
      v = hv.scaled(by: 1 / norm)
      let converged = abs(next - lambda) <= 1e-4 * next
      lambda = next
      if converged { break }
    }
    return lambda
  }

  /// Runs fixed-step GD from `initialLayers` until the wall-clock `deadline`, the iteration
  /// budget, or (regression) the relative residual `options.targetRelativeResidual`.
  /// - Complexity: O(iterations · (nd + contraction)), plus the sharpness estimate.
  public func run(from initialLayers: [[Double]], options: GradientDescentOptions) -> GradientDescentRun {
    let clock = ContinuousClock()
    let lambda0 = options.learningRate == nil ? sharpness(at: initialLayers) : .nan
    var eta = options.learningRate ?? (lambda0 > 0 ? 1 / lambda0 : 1)
    var restarts = 0
    while true {
      let start = clock.now
      var layers = initialLayers
      var current = evaluate(layers)
      let initialLogLoss = current.logLoss
      var iterations = 0
      var samples = [GradientDescentSample(iteration: 0, seconds: 0, logInverseLoss: -current.logLoss,
                                           relativeResidual: current.relativeResidual)]
      var stop = GradientDescentStop.iterationBudget
      var unstable = false
      while iterations < options.maxIterations {
        if let residual = current.relativeResidual, residual <= options.targetRelativeResidual {
          stop = .converged
          break
        }
        if iterations & 15 == 0, clock.now >= options.deadline {
          stop = .timeBudget
          break
        }
        for l in layers.indices { layers[l].addScaled(current.descent[l], by: eta) }
        let next = evaluate(layers)
        iterations += 1
        // An increase of the loss (beyond rounding of log Loss) means η exceeds 2/λ here.
        if !next.logLoss.isFinite || next.logLoss > current.logLoss + 1e-10 * max(1, abs(current.logLoss)) {
          for l in layers.indices { layers[l].addScaled(current.descent[l], by: -eta) }  // back to the last good point
          iterations -= 1
          unstable = true
          break
        }
        current = next
        if iterations & (iterations - 1) == 0 {
          samples.append(GradientDescentSample(iteration: iterations, seconds: seconds(start.duration(to: clock.now)),
                                               logInverseLoss: -current.logLoss,
                                               relativeResidual: current.relativeResidual))
        }
      }
      let elapsed = seconds(start.duration(to: clock.now))
      if unstable && restarts < options.maxRestarts && clock.now < options.deadline {
        restarts += 1
        eta /= 2
        continue
      }
      if unstable { stop = .diverged }
      if samples.last?.iteration != iterations {
        samples.append(GradientDescentSample(iteration: iterations, seconds: elapsed, logInverseLoss: -current.logLoss,
                                             relativeResidual: current.relativeResidual))
      }
      return GradientDescentRun(
        learningRate: eta, initialSharpness: lambda0, restarts: restarts, iterations: iterations, seconds: elapsed,
        finalLayers: layers, initialLogInverseLoss: -initialLogLoss, logInverseLoss: -current.logLoss,
        relativeResidual: current.relativeResidual, samples: samples, stop: stop)
    }
  }
}

/// Settings of a ``GradientDescentBaseline`` run.
public struct GradientDescentOptions: Sendable {
  /// The run stops at the first check (every 16 iterations) after this instant.
  public var deadline: ContinuousClock.Instant
  /// nil: η = 1/λ₀ from the initial smoothness (see ``GradientDescentBaseline``).
  public var learningRate: Double?
  public var maxIterations = Int.max
  /// Regression: stop once ‖Xβ − y‖/‖y‖ is at most this (the flow's own criterion,
  /// ``RegressionOptions/residualTolerance``).
  public var targetRelativeResidual = 1e-12
  /// Halvings of η after an unstable step before the run is reported as diverged.
  public var maxRestarts = 30

  public init(deadline: ContinuousClock.Instant, learningRate: Double? = nil) {
    self.deadline = deadline
    self.learningRate = learningRate
  }
}

/// The state of a GD run at iteration 2ᵏ (and at its end): log(1/Loss) grows only like
/// log(iterations) on separable data (Soudry et al. 2018, spec §4.1), which these samples show.
public struct GradientDescentSample: Sendable, Equatable {
  public var iteration: Int
  /// Seconds since the start of the (last) attempt.
  public var seconds: Double
  public var logInverseLoss: Double
  public var relativeResidual: Double?
}

/// Why a GD run stopped.
public enum GradientDescentStop: String, Sendable {
  case timeBudget = "time budget"
  case iterationBudget = "iteration budget"
  /// Regression: the target relative residual was reached.
  case converged
  /// The loss increased even after `maxRestarts` halvings of η.
  case diverged
}

/// The outcome of a GD run.
public struct GradientDescentRun: Sendable {
  /// η of the last attempt.
  public var learningRate: Double
  /// λ₀ = ‖∇²Loss(Θ₀)‖₂ (NaN when η was given).
  public var initialSharpness: Double
  /// Halvings of η after an unstable step.
  public var restarts: Int
  public var iterations: Int
  /// Wall-clock seconds of the last attempt (the sharpness estimate and unstable attempts
  /// are not counted).
  public var seconds: Double
  public var finalLayers: [[Double]]
  public var initialLogInverseLoss: Double
  /// log(1/Loss) at the end: the largest reached, since a stable run decreases the loss
  /// at every step.
  public var logInverseLoss: Double
  /// Regression: ‖Xβ − y‖/‖y‖ at the end.
  public var relativeResidual: Double?
  public var samples: [GradientDescentSample]
  public var stop: GradientDescentStop
}

/// A duration in seconds.
func seconds(_ d: Duration) -> Double {
  let c = d.components
  return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}
