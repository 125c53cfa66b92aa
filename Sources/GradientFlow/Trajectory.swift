import LinearAlgebra

/// Settings of one trajectory run.
public struct TrajectoryOptions: Sendable {
  /// Ascending targets of log(1/Loss) at which the state is recorded.
  public var checkpoints: [Double]
  /// Integrator tolerances (tightened later by `marginResolution`). With rtol 1e-6 the
  /// default sweep's distances to the certificates agree to 3–4 digits with rtol 1e-8 runs
  /// (measured), at 3–5× fewer steps.
  public var tolerances = IntegratorTolerances(relative: 1e-6, absolute: 1e-12)
  /// The resolution required of margin differences. The loss weights pᵢ ∝ e^{−(mᵢ−m_min)}
  /// depend on O(1) differences of margins of size ≈ log(1/Loss) = G, and a relative state
  /// error δ moves margins by ≈ L·δ·G; so the relative tolerance is tightened to
  /// min(rtol, marginResolution/G) once G exceeds marginResolution/rtol. Measured on the
  /// cls-20x50 fixture to G = 10¹⁰: 1.0 reaches the horizon at every depth 1–4 with
  /// distances equal to 4 digits to a 100× tighter setting, at 1.5–3× fewer steps.
  public var marginResolution = 1.0
  /// Accepted-step budget; hitting it stops the run (the verdict is then inconclusive).
  public var maxSteps = 100_000
  /// Clock budget: the run stops if the clock s passes this without reaching the next
  /// checkpoint. On separable data log(1/Loss) ≈ e^{Ls}, so a horizon G needs s ≈ log(G)/L
  /// plus the escape from the initialization.
  public var maxClock = 200.0
  /// Wall-clock budget: the run stops at the first step that ends after this instant
  /// (`verify --max-seconds`); the verdict is then inconclusive, with the figures reached.
  public var deadline: ContinuousClock.Instant?
  /// A checkpoint is taken within this relative distance of its target (checkpoints
  /// overshoot by at most this much; the recorded value is the one reached).
  public var checkpointTolerance = 1e-3

  public init(checkpoints: [Double]) { self.checkpoints = checkpoints }

  /// Half-decade checkpoints 10, 10^1.5, …, up to `horizon`.
  public static func halfDecades(upTo horizon: Double) -> [Double] {
    var out: [Double] = []
    var e = 1.0
    while Elementary.pow(10, e) <= horizon * (1 + 1e-12) { out.append(Elementary.pow(10, e)); e += 0.5 }
    if out.isEmpty || out.last! < horizon * (1 - 1e-12) { out.append(horizon) }
    return out
  }
}

/// The flow's state at a checkpoint.
public struct FlowCheckpoint: Sendable {
  /// The log(1/Loss) reached (within `checkpointTolerance` above the target).
  public var logInverseLoss: Double
  /// The clock s (see `ClassificationFlow`).
  public var clock: Double
  /// Transformed coordinates aₗ of every layer.
  public var state: [Double]
  /// ρ = Πₗ aₗ (real vectorization).
  public var transformed: [Double]
  /// Margins mᵢ and normalized loss weights pᵢ.
  public var margins: [Double]
  public var weights: [Double]
  /// ‖Θ‖.
  public var parameterNorm: Double
  /// Integrator statistics accumulated up to here.
  public var statistics: IntegratorStatistics
  /// Drift of the per-mode conserved quantities |aₗⱼ|² − |a_Lⱼ|² (spec §5), relative to
  /// maxₗⱼ |aₗⱼ|²: an integration check, expected near the integrator tolerance.
  public var conservationDrift: Double
}

/// Why a trajectory stopped.
public enum TrajectoryStop: Sendable, Equatable {
  case completed
  case stepBudget(steps: Int)
  case clockBudget(clock: Double, logInverseLoss: Double)
  /// The wall-clock deadline passed at this log(1/Loss).
  case timeBudget(logInverseLoss: Double)
  case integratorFailure(String)
}

/// A recorded trajectory.
public struct ClassificationTrajectory: Sendable {
  public var checkpoints: [FlowCheckpoint]
  public var stop: TrajectoryStop
  /// When Loss first dropped below ℓ(0): the clock s, the accepted-step index and an
  /// estimate of log t (physical time, integrated exactly for a log-linear rate on each step).
  public var lossBelowInitial: (clock: Double, step: Int, logPhysicalTime: Double)?
  public var statistics: IntegratorStatistics
  public var finalObservation: FlowObservation
}

/// Integrates the classification flow from `initialState` until every checkpoint is
/// reached or a budget runs out (the loop is ``integrateToCheckpoints``).
/// - Complexity: O(steps · (nN + n³)) for n points and N state coordinates.
public func integrateClassificationFlow(
  network: LinearNetwork, data: ClassificationData, loss: ClassificationLoss,
  initialState: [Double], options: TrajectoryOptions
) -> ClassificationTrajectory {
  var system = ClassificationFlow(network: network, data: data, loss: loss)
  precondition(initialState.count == system.dimension,
               "initial state has \(initialState.count) entries, the network needs \(system.dimension)")
  let model = system  // observe and clockFactor are pure functions of the state
  let conserved0 = conservedQuantities(initialState, network: network)
  var checkpoints: [FlowCheckpoint] = []
  let run = integrateToCheckpoints(
    &system, initialState: initialState, options: options,
    logLossAtZero: Elementary.log(loss.valueAtZero),
    observe: { model.observe($0) }, logLoss: { $0.logLoss },
    logClockRate: { state, obs in logClockRate(system: model, state: state, obs: obs) },
    record: { state, s, obs, statistics, _ in
      let c = conservedQuantities(state, network: network)
      var drift = 0.0
      for k in c.values.indices { drift = max(drift, abs(c.values[k] - conserved0.values[k])) }
      let scale = max(c.scale, .leastNormalMagnitude)
      if FlowInvariants.enabled {
        FlowInvariants.checkConservation(drift: drift / scale, steps: statistics.acceptedSteps, dimension: state.count,
                                         tolerances: options.tolerances, scale: scale, "classification flow")
      }
      checkpoints.append(FlowCheckpoint(
        logInverseLoss: obs.logInverseLoss, clock: s, state: state, transformed: obs.transformed,
        margins: obs.margins, weights: obs.weights, parameterNorm: obs.parameterNorm,
        statistics: statistics, conservationDrift: drift / scale))
    })
  return ClassificationTrajectory(checkpoints: checkpoints, stop: run.stop, lossBelowInitial: run.lossBelowInitial,
                                  statistics: run.statistics, finalObservation: run.observation)
}

/// The end of a checkpointed run (see ``integrateToCheckpoints``).
struct CheckpointRun<Observation> {
  var stop: TrajectoryStop
  /// When Loss first dropped below ℓ(0): clock, accepted-step index, log of physical time.
  var lossBelowInitial: (clock: Double, step: Int, logPhysicalTime: Double)?
  var statistics: IntegratorStatistics
  var state: [Double]
  var clock: Double
  var observation: Observation
}

/// The checkpoint driver shared by the classification flows on the reparametrized clock s:
/// accepted steps until log(1/Loss) has passed every `options.checkpoints` target (calling
/// `record` at each) or a budget runs out.
///
/// Checkpoints are hit by limiting the step: log log(1/Loss) is nearly linear in s, so the
/// clock at which the target is reached is predicted from the last step's rate; a step that
/// overshoots by more than the tolerance is undone and retried to the secant estimate.
/// The relative tolerance is tightened to min(rtol, marginResolution / log(1/Loss)) (see
/// ``TrajectoryOptions/marginResolution``). Physical time is accumulated from
/// log(dt/ds) = `logClockRate`, exactly on each step for a rate whose logarithm is linear in s.
/// - Parameters:
///   - observe: what the flow looks like at a state (a pure function of the state).
///   - logLoss: log Loss of an observation.
///   - logClockRate: log(dt/ds) at a state and its observation.
///   - record: called at each checkpoint with the state, the clock, the observation and the
///     integrator statistics so far.
func integrateToCheckpoints<S: StiffSystem, Observation>(
  _ system: inout S, initialState: [Double], options: TrajectoryOptions, logLossAtZero: Double,
  observe: ([Double]) -> Observation, logLoss: (Observation) -> Double,
  logClockRate: ([Double], Observation) -> Double,
  record: (_ state: [Double], _ clock: Double, _ observation: Observation, _ statistics: IntegratorStatistics,
           _ logPhysicalTime: Double) -> Void
) -> CheckpointRun<Observation> {
  var integrator = RosenbrockIntegrator(tolerances: options.tolerances)
  var state = initialState
  var s = 0.0
  var obs = observe(state)
  var lossBelow: (clock: Double, step: Int, logPhysicalTime: Double)?
  var logTime = -Double.infinity
  var logRate = logClockRate(state, obs)
  var steps = 0
  var stop = TrajectoryStop.completed
  var target = 0

  while target < options.checkpoints.count {
    let goal = options.checkpoints[target]
    if -logLoss(obs) >= goal { record(state, s, obs, integrator.statistics, logTime); target += 1; continue }
    if steps >= options.maxSteps { stop = .stepBudget(steps: steps); break }
    integrator.tolerances.relative = min(options.tolerances.relative,
                                         options.marginResolution / max(-logLoss(obs), 1))
    if s > options.maxClock { stop = .clockBudget(clock: s, logInverseLoss: -logLoss(obs)); break }
    if let deadline = options.deadline, ContinuousClock.now >= deadline {
      stop = .timeBudget(logInverseLoss: -logLoss(obs)); break
    }
    // Predict the clock at which log(1/Loss) reaches the goal (log-log linear in s).
    var limit = options.maxClock + 1
    let savedState = state, savedS = s, savedObs = obs
    let ell = -logLoss(obs)
    var previous: (s: Double, logEll: Double)?
    for attempt in 0..<8 {
      do {
        _ = try integrator.advance(&system, time: &s, state: &state, limit: limit)
      } catch {
        stop = .integratorFailure(error.explanation)
        break
      }
      obs = observe(state)
      let now = -logLoss(obs)
      let overshoot = now > goal * (1 + options.checkpointTolerance)
      if !overshoot || attempt == 7 { break }
      // Undo and aim at the goal by the secant in (s, φ(log(1/Loss))), where
      // φ(ℓ) = log ℓ for ℓ > 1 and ℓ − 1 otherwise (monotone and C¹), since log ℓ is
      // nearly linear in s once the margins grow.
      let a = previous ?? (savedS, phi(ell))
      let b = (s: s, logEll: phi(now))
      let slope = (b.logEll - a.logEll) / (b.s - a.s)
      guard slope > 0 else { break }
      let target = savedS + (phi(goal) - phi(ell)) / slope * (1 + 0.5 * options.checkpointTolerance)
      // A step shorter than the integrator can take cannot land closer: keep the overshoot.
      guard target - savedS > 1e-10 * max(1, abs(savedS)) else { break }
      limit = target
      previous = b
      state = savedState; s = savedS; obs = savedObs
    }
    if case .integratorFailure = stop { break }
    steps += 1
    if FlowInvariants.enabled {
      FlowInvariants.checkClassificationStep(state: state, before: ell, after: -logLoss(obs),
                                             relativeTolerance: integrator.tolerances.relative, step: steps)
    }
    // Physical time: ∫ dt/ds over the step with log(dt/ds) = g interpolated linearly in s,
    // which is exact for an exponentially varying rate: with Δg = g(b) − g(a) > 0,
    //   ∫ₐᵇ e^g ds = Δs·e^{g(b)}·(1 − e^{−Δg})/Δg   (Δg < 0 symmetric; Δg → 0 gives Δs·e^g).
    // The trapezoid rule would overestimate a step over which the rate grows by e^{Δg} by
    // ≈ Δg/2, i.e. log t by log(Δg/2) ≈ log log(1/Loss) late in a run (the rate grows like
    // 1/Loss): a log log t bias that Soudry's w(t) − ŵ log t would show as spurious growth.
    let newLogRate = logClockRate(state, obs)
    let dg = newLogRate - logRate
    let top = max(newLogRate, logRate), spread = Swift.abs(dg)
    let shape = spread < 1e-8 ? 0 : Elementary.log(-Elementary.expm1(-spread) / spread)
    let logIncrement = Elementary.log(max(s - savedS, .leastNormalMagnitude)) + top + shape
    logTime = logAddExp(logTime, logIncrement)
    logRate = newLogRate
    if lossBelow == nil && logLoss(obs) < logLossAtZero { lossBelow = (s, steps, logTime) }
  }
  return CheckpointRun(stop: stop, lossBelowInitial: lossBelow, statistics: integrator.statistics,
                       state: state, clock: s, observation: obs)
}

/// log(dt/ds) = log c − log Loss.
private func logClockRate(system: ClassificationFlow, state: [Double], obs: FlowObservation) -> Double {
  Elementary.log(system.clockFactor(state)) - obs.logLoss
}

/// φ(ℓ) = log ℓ for ℓ > 1, ℓ − 1 otherwise.
private func phi(_ ell: Double) -> Double { ell > 1 ? Elementary.log(ell) : ell - 1 }

/// log(eᵃ + eᵇ).
func logAddExp(_ a: Double, _ b: Double) -> Double {
  if a == -.infinity { return b }
  if b == -.infinity { return a }
  let m = max(a, b)
  return m + Elementary.log1p(Elementary.exp(-abs(a - b)))
}

/// The per-mode conserved quantities |aₗⱼ|² − |a_Lⱼ|² (l < L) of spec §5, and the scale
/// maxₗⱼ |aₗⱼ|² against which their drift is measured.
public func conservedQuantities(_ state: [Double], network: LinearNetwork) -> (values: [Double], scale: Double) {
  let sp = network.space, L = network.depth
  var values: [Double] = []
  var scale = 0.0
  for g in 0..<sp.groupCount {
    let w = sp.isComplex[g] ? 2 : 1
    let base = L * sp.offsets[g]
    var sq = [Double](repeating: 0, count: L)
    for l in 0..<L {
      for c in 0..<w { sq[l] += state[base + l * w + c] * state[base + l * w + c] }
      scale = max(scale, sq[l])
    }
    for l in 0..<(L - 1) { values.append(sq[l] - sq[L - 1]) }
  }
  return (values, scale)
}
