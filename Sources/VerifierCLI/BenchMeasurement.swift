import Foundation
import LinearAlgebra
import GradientFlow
import Optimization
import Certification
import Regularizers
import Theorems

/// Budgets and repeat counts of a bench run.
struct BenchSettings: Sendable {
  var quick: Bool
  /// B: the gradient-descent baseline's wall-clock budget per instance.
  var baselineSeconds: Double
  /// S: the deadline of budgeted flows and the budget of a phase that may not finish.
  var maxSeconds: Double
  /// Phases with a budget run on a helper thread and are abandoned (the process then exits
  /// after reporting) when the budget passes; in-process runs (tests) never abandon.
  var abandonsPhases: Bool
  /// Timed repeats of short runs (the median is reported).
  var repeats: Int { quick ? 1 : 3 }
  /// Target seconds of one timed batch of right-hand-side evaluations, and batches.
  var batchSeconds: Double { quick ? 0.002 : 0.02 }
  var batches: Int { quick ? 3 : 7 }
}

/// The child side of `verify bench`: measures one instance and reports its figures through
/// `emit` after every phase (so a process killed or stopped in a long phase has still said
/// where its time went).
struct BenchRunner {
  let instance: BenchInstance
  let settings: BenchSettings
  let emit: (BenchFigures) -> Void

  /// Integrator work, right-hand-side cost, certificate, baseline and hypotheses.
  func measure() -> BenchFigures {
    switch instance.family {
    case .theorem2Diagonal, .theorem2Convolutional: measureTheorem2()
    case .theorem4Diagonal: measureTheorem4()
    case .theorem3FullyConnected: measureTheorem3()
    }
  }

  /// The theorem's whole check, once, timed (budget: 2·S for deadline instances, 10·S
  /// otherwise).
  func verdict() -> BenchFigures {
    let budget = settings.maxSeconds * (instance.deadline ? 2 : 10)
    let stateDimension: Int
    let check: @Sendable () -> (String, String)
    switch instance.family {
    case .theorem2Diagonal, .theorem2Convolutional:
      let c = instance.theorem2Case()
      stateDimension = c.network.depth * c.network.space.coordinateCount
      check = {
        let r = Theorem2.check(c)
        return (r.verdict.rawValue, r.reason)
      }
    case .theorem4Diagonal:
      let c = instance.theorem4Case()
      stateDimension = c.network.depth * c.network.space.coordinateCount
      check = {
        let r = Theorem4.check(c)
        return (r.verdict.rawValue, r.reason)
      }
    case .theorem3FullyConnected:
      let c = instance.theorem3Case()
      stateDimension = c.network.parameterCount
      check = {
        let r = Theorem3.check(c)
        return (r.verdict.rawValue, r.reason)
      }
    }
    var f = BenchFigures(instance: instance, stateDimension: stateDimension)
    f.start("whole check")
    emit(f)
    let outcome = withBudget(budget, check)
    f.checkSeconds = outcome.1
    f.phase("whole check", outcome.1, completed: outcome.0 != nil)
    if let (verdict, reason) = outcome.0 {
      f.verdict = verdict
      f.reason = reason
    } else {
      f.verdict = "not decided"
      f.reason = "the whole check did not finish within its budget of \(short(budget)) s"
    }
    f.peakMegabytes = peakResidentMegabytes()
    emit(f)
    return f
  }

  // MARK: - Theorem 2

  func measureTheorem2() -> BenchFigures {
    let c = instance.theorem2Case()
    let net = c.network, L = net.depth, nc = net.space.coordinateCount, n = c.data.count
    var f = BenchFigures(instance: instance, stateDimension: L * nc)
    f.start("setup")
    emit(f)
    let (flow, setup) = timed { ClassificationFlow(network: net, data: c.data, loss: c.loss) }
    f.phase("setup", setup, note: "A = Z·T (\(n)×\(nc)), rebuilt by every flow run")
    let state0 = c.initialState
    // Each run builds its own A = Z·T first, so a deadline allows for that setup.
    let options = { (checkpoints: [Double]) -> TrajectoryOptions in
      var o = TrajectoryOptions(checkpoints: checkpoints)
      if self.instance.deadline { o.deadline = .now + .seconds(setup + self.settings.maxSeconds) }
      return o
    }
    f.start("flow")
    emit(f)
    let (trajectory, flowSeconds) = timed {
      integrateClassificationFlow(network: net, data: c.data, loss: c.loss, initialState: state0,
                                  options: options(TrajectoryOptions.halfDecades(upTo: c.horizon)))
    }
    f.record(trajectory.statistics, stop: trajectory.stop)
    f.flowLogInverseLoss = trajectory.finalObservation.logInverseLoss
    f.progress = progress(trajectory.checkpoints.map { ($0.logInverseLoss, $0.statistics) },
                          end: (trajectory.finalObservation.logInverseLoss, trajectory.statistics))
    f.phase("flow", flowSeconds, completed: trajectory.stop == .completed, note: "includes its setup")
    f.peakMegabytesAfterFlow = peakResidentMegabytes()
    emit(f)

    // One right-hand side at the last checkpoint's state.
    var system = flow
    var out = [Double](repeating: 0, count: system.dimension)
    let late = trajectory.checkpoints.last?.state ?? state0
    (f.nanosecondsPerEvaluation, f.cpuNanosecondsPerEvaluation) = nanosecondsPerCall { system.evaluate(late, into: &out) }
    f.setFlops(BenchFlops.classification(n: n, columns: nc, state: L * nc),
               preparation: BenchFlops.woodburyPreparation(n: n, state: L * nc), flowSeconds: flowSeconds - setup)
    emit(f)

    // The certificate: searched near the flow, never copied from a solver (Theorem2.check).
    f.start("certificate")
    emit(f)
    let T = net.linearMap
    let problem = MaxMarginProblem(marginMatrix: flow.marginMatrix, space: net.space, exponent: c.theoremExponent)
    let (found, certificateSeconds) = timed { () -> (KKTCertificate?, [Double?]) in
      let samples = trajectory.checkpoints.map {
        DirectionSample(logInverseLoss: $0.logInverseLoss, transformed: $0.transformed, weights: $0.weights)
      }
      let search = problem.searchCertificate(samples: samples, linearMap: T,
                                             validityTolerance: Theorem2.Thresholds().certificateResidual)
      guard let cert = search.certificate else { return (nil, trajectory.checkpoints.map { _ in nil }) }
      let direction = (T * cert.point).normalized
      return (cert, trajectory.checkpoints.map { (T * $0.transformed).normalized.subtracting(direction).norm2 })
    }
    let (certificate, distances) = found
    let certified = certificate.map { (T * $0.point).normalized }
    f.certificateResidual = certificate?.residual
    f.flowDistance = distances.last ?? nil
    f.flowKKTResidual = trajectory.checkpoints.last.flatMap { problem.kktResidual(at: $0.transformed)?.total }
    f.phase("certificate", certificateSeconds,
            note: certificate == nil ? "no KKT point certified" : "residual \(short(certificate!.residual))")
    emit(f)

    // The baseline: GD on vₗ of the same network as a tensor network (same f, spec §1.4).
    f.start("baseline")
    emit(f)
    let tensor: TensorNetwork = net.kind == .convolutional
      ? .convolutional(inputDimension: c.data.dimension, filterSizes: Array(repeating: c.data.dimension, count: L))
      : .diagonal(inputDimension: c.data.dimension, depth: L)
    let gd = GradientDescentBaseline(network: tensor, objective: .classification(c.data, c.loss))
    let (comparison, comparisonSeconds) = timed { baseline(
      gd, from: c.initialLayers,
      residuals: { layers in
        var copy = c
        copy.initialLayers = layers
        let rho = flow.transformedProduct(copy.initialState)
        let direction = tensor.linearCoefficients(layers).normalized
        return (problem.kktResidual(at: rho)?.total, certified.map { direction.subtracting($0).norm2 }, direction)
      },
      flowTo: { goal in
        let t = integrateClassificationFlow(network: net, data: c.data, loss: c.loss, initialState: state0,
                                            options: options([goal]))
        let direction = t.checkpoints.first.map { (T * $0.transformed).normalized }
        return FlowProbe(reached: direction != nil, distance: direction.flatMap { p in certified.map { p.subtracting($0).norm2 } },
                         evaluations: t.statistics.evaluations, point: direction)
      },
      main: MainRun(seconds: flowSeconds, reached: trajectory.finalObservation.logInverseLoss, distance: f.flowDistance,
                    evaluations: f.evaluations),
      grid: distanceGrid(trajectory.checkpoints.map(\.logInverseLoss), distances)) }
    f.baseline = comparison
    f.phase("baseline", comparisonSeconds,
            note: "GD for \(short(settings.baselineSeconds)) s, then the flow's runs to its log(1/Loss) and distance")
    emit(f)

    // Hypotheses last: the separability LP is a dense simplex on (n + 2d) × (d + 1).
    let z = c.data.signedInputs
    let d = c.data.dimension
    let lpNote = "separability LP, \(n + 2 * d)×\(d + 1) constraint matrix"
    let lpBytes = BenchRunner.separabilityLPBytes(n: n, d: d)
    var lp: Bool?
    if lpBytes > Double(ProcessInfo.processInfo.physicalMemory) / 2 {
      f.phase("hypotheses", 0, completed: false,
              note: "skipped: \(lpNote) needs ≈ \(short(lpBytes / 1e9)) GB, over half of this machine's memory")
    } else {
      lp = hypotheses(&f, "hypotheses", note: lpNote) { separabilityMargin(z).isSeparable }
    }
    if instance.large {
      (f.verdict, f.reason) = assembledVerdict(separable: lp, stop: trajectory.stop, distance: f.flowDistance,
                                               steps: trajectory.statistics.acceptedSteps)
    }
    f.peakMegabytes = peakResidentMegabytes()
    emit(f)
    return f
  }

  /// Bytes of the separability LP's simplex: the standard form has m = n + 2d rows and
  /// 2(d + 1) + m columns (free variables split, one slack per row), held twice (the form and
  /// the tableau) as doubles, plus the (n + 2d) × (d + 1) constraint matrix. Measured once on
  /// n = 1000, d = 10⁴: 15.8 GB peak against this estimate's 15.5 GB.
  static func separabilityLPBytes(n: Int, d: Int) -> Double {
    let m = Double(n + 2 * d), columns = 2 * Double(d + 1) + m
    return 16 * m * columns + 8 * m * Double(d + 1)
  }

  /// The verdict of a large instance from its phases, with Theorem2.check's rules: the
  /// hypotheses, a completed flow, a certificate within the distance bound.
  func assembledVerdict(separable: Bool?, stop: TrajectoryStop, distance: Double?, steps: Int) -> (String, String) {
    let lp = separable == nil ? "; the separability LP did not run to the end (see its phase)" : ""
    if separable == false { return ("hypothesisNotMet", "the data are not linearly separable") }
    if stop != .completed {
      return ("inconclusive", "the flow stopped after \(steps) steps: \(BenchRunner.describe(stop))" + lp)
    }
    guard let distance else { return ("inconclusive", "no KKT point certified near the flow" + lp) }
    if distance <= Theorem2.Thresholds().distanceBound && separable == true {
      return ("holds", "certified, distance \(short(distance)) at the horizon (assembled from the phases)")
    }
    return ("inconclusive", "certified KKT point at distance \(short(distance))" + lp)
  }

  // MARK: - Theorem 4

  func measureTheorem4() -> BenchFigures {
    let c = instance.theorem4Case()
    let net = c.network, L = net.depth, m = net.space.coordinateCount, n = c.inputs.rows
    var f = BenchFigures(instance: instance, stateDimension: L * m)
    f.start("setup")
    let (flow, setup) = timed { RegressionFlow(network: net, inputs: c.inputs, targets: c.targets) }
    f.phase("setup", setup, note: "B = X·T (\(n)×\(m))")
    let state0 = c.initialState
    let yNorm = c.targets.norm2
    let options = { (residual: Double) -> RegressionOptions in
      var o = RegressionOptions()  // rtol 1e-11, atol 1e-14: Theorem4.check's tolerances
      o.residualTolerance = residual
      if self.instance.deadline { o.deadline = .now + .seconds(setup + self.settings.maxSeconds) }
      return o
    }
    f.start("flow")
    emit(f)
    let (trajectory, flowSeconds) = timed {
      integrateRegressionFlow(network: net, inputs: c.inputs, targets: c.targets, initialState: state0,
                              options: options(RegressionOptions().residualTolerance))
    }
    f.record(trajectory.statistics, stop: trajectory.failure == nil ? .completed : .integratorFailure(trajectory.failure!))
    f.flowStop = trajectory.failure ?? "completed"
    f.flowLogInverseLoss = -regressionLogLoss(relativeResidual: trajectory.relativeResidual, targetNorm: yNorm)
    f.progress = trajectory.samples.enumerated().map { k, rho in
      let r = (flow.predictionMatrix * rho).subtracting(c.targets).norm2 / max(yNorm, .leastNormalMagnitude)
      return [-regressionLogLoss(relativeResidual: r, targetNorm: yNorm), Double(1 << k), .nan]
    } + [progressPoint(f.flowLogInverseLoss ?? .nan, trajectory.statistics)]
    f.phase("flow", flowSeconds, completed: trajectory.failure == nil, note: "to relative residual 1e-12")
    f.peakMegabytesAfterFlow = peakResidentMegabytes()
    emit(f)

    var system = flow
    var out = [Double](repeating: 0, count: system.dimension)
    let late = trajectory.finalState
    (f.nanosecondsPerEvaluation, f.cpuNanosecondsPerEvaluation) = nanosecondsPerCall { system.evaluate(late, into: &out) }
    f.setFlops(BenchFlops.regression(n: n, columns: m, state: L * m),
               preparation: BenchFlops.regressionPreparation(n: n, state: L * m), flowSeconds: flowSeconds - setup)
    emit(f)

    // The prediction argmin Q (independent dual Newton) and the dual certificate.
    f.start("certificate")
    emit(f)
    let b = flow.predictionMatrix
    let (prediction, predictionSeconds) = timed {
      Theorem4.predictedLimit(predictionMatrix: b, targets: c.targets,
                              regularizer: WeightedRegularizer(depth: L, alpha: c.alpha, shape: c.shape))
    }
    let rhoQ = prediction.rho
    let gradientQ = Theorem4.compiledRegularizerGradient(depth: L)
    let bt = b.transposed
    let certificateResidual = { (rho: [Double]) -> Double in
      let g = rho.indices.map { j in gradientQ([rho[j], c.alpha, c.shape[j]]) }
      return leastSquares(bt, g).residualNorm / max(g.norm2, .leastNormalMagnitude)
    }
    let distance = { (rho: [Double]) -> Double in rho.subtracting(rhoQ).norm2 / max(rhoQ.norm2, .leastNormalMagnitude) }
    f.flowDistance = distance(trajectory.transformed)
    f.flowKKTResidual = certificateResidual(trajectory.transformed)
    f.certificateResidual = f.flowKKTResidual
    f.phase("certificate", predictionSeconds, note: "argmin Q by dual Newton (\(prediction.status))")
    emit(f)

    f.start("baseline")
    emit(f)
    let tensor = TensorNetwork.diagonal(inputDimension: c.inputs.columns, depth: L)
    // The flow's state is laid out mode by mode (index L·j + l); GD works on the layers.
    let layers0 = (0..<L).map { l in (0..<m).map { j in state0[L * j + l] } }
    let gd = GradientDescentBaseline(network: tensor, objective: .regression(inputs: c.inputs, targets: c.targets))
    let (comparison, comparisonSeconds) = timed { baseline(
      gd, from: layers0,
      residuals: { layers in
        let rho = tensor.linearCoefficients(layers)  // S = I: ρ = β
        return (certificateResidual(rho), distance(rho), rho)
      },
      flowTo: { goal in
        let relative = (2 * Elementary.exp(-goal)).squareRoot() / max(yNorm, .leastNormalMagnitude)
        let t = integrateRegressionFlow(network: net, inputs: c.inputs, targets: c.targets, initialState: state0,
                                        options: options(max(relative, 1e-14)))
        return FlowProbe(reached: t.failure == nil, distance: distance(t.transformed), evaluations: t.statistics.evaluations,
                         point: t.transformed)
      },
      main: MainRun(seconds: flowSeconds, reached: f.flowLogInverseLoss ?? .nan, distance: f.flowDistance,
                    evaluations: f.evaluations, point: trajectory.transformed),
      // Runs to relative residuals 10⁻¹ … 10⁻¹²: log(1/Loss) = −log(½(r‖y‖)²).
      grid: (1...12).map { k in (-regressionLogLoss(relativeResidual: Elementary.pow(10, -Double(k)), targetNorm: yNorm), nil) }) }
    f.baseline = comparison
    f.phase("baseline", comparisonSeconds,
            note: "GD for \(short(settings.baselineSeconds)) s, then the flow's runs to its log(1/Loss) and distance")
    emit(f)

    let rank = hypotheses(&f, "hypotheses", note: "rank of B by pivoted QR") {
      QRFactorization(bt).rank(relativeTolerance: 1e-10) == n
    }
    if instance.large { f.verdict = rank == false ? "hypothesisNotMet" : (trajectory.failure == nil ? "holds" : "inconclusive") }
    f.peakMegabytes = peakResidentMegabytes()
    emit(f)
    return f
  }

  // MARK: - Theorem 3

  func measureTheorem3() -> BenchFigures {
    let c = instance.theorem3Case()
    let net = c.network, n = c.data.count, d = c.data.dimension
    var f = BenchFigures(instance: instance, stateDimension: net.parameterCount)
    f.start("setup")
    let (flow, setup) = timed { TensorClassificationFlow(network: net, data: c.data, loss: c.loss) }
    f.phase("setup", setup)
    let options = { (checkpoints: [Double]) -> TrajectoryOptions in
      var o = TrajectoryOptions(checkpoints: checkpoints)
      if self.instance.deadline { o.deadline = .now + .seconds(self.settings.maxSeconds) }
      return o
    }
    f.start("flow")
    emit(f)
    let (trajectory, flowSeconds) = timed {
      integrateTensorClassificationFlow(network: net, data: c.data, loss: c.loss, initialLayers: c.initialLayers,
                                        options: options(TrajectoryOptions.halfDecades(upTo: c.horizon)))
    }
    f.record(trajectory.statistics, stop: trajectory.stop)
    f.flowLogInverseLoss = trajectory.finalObservation.logInverseLoss
    f.progress = progress(trajectory.checkpoints.map { ($0.logInverseLoss, $0.statistics) },
                          end: (trajectory.finalObservation.logInverseLoss, trajectory.statistics))
    f.phase("flow", flowSeconds, completed: trajectory.stop == .completed)
    f.peakMegabytesAfterFlow = peakResidentMegabytes()
    emit(f)

    var out = [Double](repeating: 0, count: flow.dimension)
    let late = net.flatten(trajectory.checkpoints.last?.layers ?? c.initialLayers)
    (f.nanosecondsPerEvaluation, f.cpuNanosecondsPerEvaluation) = nanosecondsPerCall { flow.evaluate(late, into: &out) }
    f.setFlops(BenchFlops.classification(n: n, columns: d, state: net.parameterCount),
               preparation: BenchFlops.densePreparation(n: n, state: net.parameterCount), flowSeconds: flowSeconds)
    emit(f)

    // The certified direction of Theorem 3 is the hard-margin SVM (independent NNLS).
    f.start("certificate")
    emit(f)
    let z = c.data.signedInputs
    let (svm, svmSeconds) = timed { hardMarginSVM(z) }
    let w = svm.w.normalized
    let distances: [Double?] = trajectory.checkpoints.map { $0.coefficients.normalized.subtracting(w).norm2 }
    f.flowDistance = distances.last ?? nil
    f.flowKKTResidual = trajectory.checkpoints.last.flatMap {
      svmStationarityResidual(z: z, direction: $0.coefficients, svm: svm)?.stationarity
    }
    f.certificateResidual = svm.stationarityResidual
    f.phase("certificate", svmSeconds, note: "hard-margin SVM (\(svm.status))")
    emit(f)

    f.start("baseline")
    emit(f)
    let gd = GradientDescentBaseline(network: net, objective: .classification(c.data, c.loss))
    let (comparison, comparisonSeconds) = timed { baseline(
      gd, from: c.initialLayers,
      residuals: { layers in
        let beta = net.linearCoefficients(layers)
        return (svmStationarityResidual(z: z, direction: beta, svm: svm)?.stationarity,
                beta.normalized.subtracting(w).norm2, beta.normalized)
      },
      flowTo: { goal in
        let t = integrateTensorClassificationFlow(network: net, data: c.data, loss: c.loss,
                                                  initialLayers: c.initialLayers, options: options([goal]))
        let direction = t.checkpoints.first.map { $0.coefficients.normalized }
        return FlowProbe(reached: direction != nil, distance: direction.map { $0.subtracting(w).norm2 },
                         evaluations: t.statistics.evaluations, point: direction)
      },
      main: MainRun(seconds: flowSeconds, reached: trajectory.finalObservation.logInverseLoss, distance: f.flowDistance,
                    evaluations: f.evaluations),
      grid: distanceGrid(trajectory.checkpoints.map(\.logInverseLoss), distances)) }
    f.baseline = comparison
    f.phase("baseline", comparisonSeconds,
            note: "GD for \(short(settings.baselineSeconds)) s, then the flow's runs to its log(1/Loss) and distance")
    emit(f)

    _ = hypotheses(&f, "hypotheses", note: "separability LP") { separabilityMargin(z).isSeparable }
    f.peakMegabytes = peakResidentMegabytes()
    emit(f)
    return f
  }

  // MARK: - Shared steps

  /// (log(1/Loss), accepted steps, evaluations) for ``BenchFigures/progress``.
  func progressPoint(_ logInverseLoss: Double, _ s: IntegratorStatistics) -> [Double] {
    [logInverseLoss, Double(s.acceptedSteps), Double(s.evaluations)]
  }

  /// The checkpoints' progress points and the end's, unless the run ended at its last
  /// checkpoint.
  func progress(_ checkpoints: [(Double, IntegratorStatistics)], end: (Double, IntegratorStatistics)) -> [[Double]] {
    var out = checkpoints.map { progressPoint($0.0, $0.1) }
    if checkpoints.last?.1 != end.1 { out.append(progressPoint(end.0, end.1)) }
    return out
  }

  /// Runs a hypothesis check as the phase `name` with the budget S; nil if abandoned.
  func hypotheses(_ f: inout BenchFigures, _ name: String, note: String,
                  _ body: @escaping @Sendable () -> Bool) -> Bool? {
    f.start(name)
    emit(f)
    let (met, seconds) = withBudget(settings.maxSeconds, body)
    f.phase(name, seconds, completed: met != nil,
            note: note + (met.map { $0 ? ": met" : ": NOT met" } ?? ": abandoned at the budget"))
    return met
  }

  /// GD for B seconds, its residuals, and the flow's time to the same log(1/Loss) and to
  /// the same distance from the certified direction.
  /// - Parameters:
  ///   - residuals: of GD's layers: the KKT residual, the distance to the certified direction,
  ///     and the point compared with the flow's (the unit β; Theorem 4: ρ).
  ///   - flowTo: runs the flow to log(1/Loss) = goal: whether it got there, its distance and
  ///     the right-hand-side evaluations it took.
  ///   - main: the flow run to the horizon. A regression GD run that stopped at the flow's
  ///     own criterion (relative residual 10⁻¹²) is compared with it directly.
  ///   - grid: log(1/Loss) values at which the flow's distance is known (the main run's
  ///     checkpoints) or is to be measured by a run (nil), searched upwards for GD's distance.
  func baseline(
    _ gd: GradientDescentBaseline, from layers: [[Double]],
    residuals: ([[Double]]) -> (Double?, Double?, [Double]),
    flowTo: (Double) -> FlowProbe,
    main: MainRun, grid: [(Double, Double?)]
  ) -> BaselineFigures {
    let run = gd.run(from: layers, options: GradientDescentOptions(deadline: .now + .seconds(settings.baselineSeconds)))
    let (kkt, distance, point) = residuals(run.finalLayers)
    var b = BaselineFigures(
      learningRate: run.learningRate, initialSharpness: run.initialSharpness, restarts: run.restarts,
      iterations: run.iterations, seconds: run.seconds, stop: run.stop.rawValue,
      initialLogInverseLoss: run.initialLogInverseLoss, logInverseLoss: run.logInverseLoss, kktResidual: kkt,
      distance: distance, samples: run.samples.map { [Double($0.iteration), $0.seconds, $0.logInverseLoss] })
    let goal = run.logInverseLoss
    // Same log(1/Loss): a run to that checkpoint, when the run to the horizon got there.
    if run.stop == .converged {
      b.flowSecondsToSameLoss = main.seconds
      b.flowDistanceAtSameLoss = main.distance
      b.flowEvaluationsToSameLoss = main.evaluations
      b.gapAtSameLoss = main.point.map { point.subtracting($0).norm2 / max($0.norm2, .leastNormalMagnitude) }
    } else if main.reached >= goal {
      let (r, t) = medianTimed { flowTo(goal) }
      b.flowSecondsToSameLoss = t
      b.sameLossQualifier = r.reached ? "" : ">"
      b.flowDistanceAtSameLoss = r.distance
      b.flowEvaluationsToSameLoss = r.evaluations
      b.gapAtSameLoss = r.point.map { point.subtracting($0).norm2 / max($0.norm2, .leastNormalMagnitude) }
    } else {
      b.flowSecondsToSameLoss = main.seconds
      b.sameLossQualifier = ">"
    }
    guard let distance else {
      b.sameDistanceNote = "no certified direction to measure distances from"
      return b
    }
    // Same distance: the smallest log(1/Loss) of the grid (or GD's own) at which the flow is
    // at least as close as GD. The flow crosses GD's distance at or before it, so the time
    // of a run to it bounds the flow's time to GD's distance.
    var candidates = grid.filter { $0.0 <= main.reached }
    if b.sameLossQualifier == "" { candidates.append((goal, b.flowDistanceAtSameLoss)) }
    candidates.sort { $0.0 < $1.0 }
    for (g, known) in candidates {
      if let known, known > distance { continue }
      var time: Double
      var at = known
      if g == goal && b.sameLossQualifier == "", let t = b.flowSecondsToSameLoss {
        time = t
      } else {
        let (r, t) = medianTimed { flowTo(g) }
        guard r.reached else { continue }
        time = t
        at = r.distance
      }
      guard let at, at <= distance else { continue }
      b.flowSecondsToSameDistance = time
      b.sameDistanceQualifier = "≤"
      b.flowLogInverseLossAtSameDistance = g
      b.sameDistanceNote = "the flow is at \(short(at)) ≤ GD's \(short(distance)) by log(1/Loss) = \(short(g))"
        + (g < goal ? " (GD needed \(short(goal)))" : "")
      return b
    }
    b.flowSecondsToSameDistance = main.seconds
    b.sameDistanceQualifier = ">"
    b.sameDistanceNote = "the flow stays farther than GD's \(short(distance)) up to log(1/Loss) = \(short(main.reached))"
    return b
  }

  /// The main run's checkpoints (half decades) with their distances and, for the small
  /// instances, the quarter decades 10^{k/4} ≤ 10^{3.75} in between, to be measured by runs.
  func distanceGrid(_ levels: [Double], _ distances: [Double?]) -> [(Double, Double?)] {
    var grid = Array(zip(levels, distances))
    guard !instance.large else { return grid }
    for k in 0..<16 {
      let g = Elementary.pow(10, Double(k) / 4)
      if !levels.contains(where: { abs($0 - g) <= 1e-2 * g }) { grid.append((g, nil)) }
    }
    return grid
  }

  /// The median time of `settings.repeats` runs of `body` (one when the first takes over 2 s)
  /// and the last value.
  func medianTimed<T>(_ body: () -> T) -> (T, Double) {
    var (value, first) = timed(body)
    var times = [first]
    while times.count < settings.repeats && first <= 2 {
      let (v, t) = timed(body)
      value = v
      times.append(t)
      first = min(first, t)
    }
    return (value, median(times))
  }

  /// Median nanoseconds of one call of `body`, by the wall clock and by the thread's CPU
  /// clock: batches sized to `settings.batchSeconds` after calibration, `settings.batches`
  /// of them.
  func nanosecondsPerCall(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    var count = 1
    while true {
      let (_, t) = timed { for _ in 0..<count { body() } }
      if t >= settings.batchSeconds || count >= 1 << 24 { break }
      count = t > 0 ? max(count * 2, Int(Double(count) * settings.batchSeconds / t * 1.2)) : count * 16
    }
    var wall: [Double] = [], cpu: [Double] = []
    for _ in 0..<settings.batches {
      let c0 = threadCPUSeconds()
      let (_, t) = timed { for _ in 0..<count { body() } }
      cpu.append((threadCPUSeconds() - c0) * 1e9 / Double(count))
      wall.append(t * 1e9 / Double(count))
    }
    return (median(wall), median(cpu))
  }

  /// `body` on a helper thread for at most `budget` seconds (when the settings allow
  /// abandoning; the process exits soon after a phase is abandoned, which ends the thread).
  func withBudget<T: Sendable>(_ budget: Double, _ body: @escaping @Sendable () -> T) -> (T?, Double) {
    guard settings.abandonsPhases else {
      let (value, t) = timed(body)
      return (value, t)
    }
    let box = BenchResultBox<T>()
    let start = ContinuousClock.now
    let thread = Thread {
      box.set(body())
    }
    thread.stackSize = 1 << 26
    thread.start()
    let finished = box.wait(seconds: budget)
    return (finished, seconds(ContinuousClock.now - start))
  }
}
