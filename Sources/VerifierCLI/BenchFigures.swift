import Foundation

/// What `verify bench` measures on one instance (one child process writes it, the parent
/// reads it back as JSON; see ``BenchCommand``). Every time is wall-clock seconds of a
/// release or debug build as reported in ``BenchEnvironment``.
struct BenchFigures: Codable, Sendable {
  var instance: String
  var title: String
  var n: Int
  var d: Int
  var depth: Int
  /// N, the length of the integrated state.
  var stateDimension: Int
  var horizon: Double
  /// n·d·8 bytes: the size of the data matrix.
  var dataMegabytes: Double

  // MARK: Integrator work of the flow to the horizon
  var evaluations: Int?
  var acceptedSteps: Int?
  var rejectedSteps: Int?
  var preparations: Int?
  var solves: Int?
  var flowStop: String?
  /// log(1/Loss) at the end of the flow (regression: log(1/Loss) with Loss = ½‖r‖²).
  var flowLogInverseLoss: Double?
  /// Where the flow's work goes: (log(1/Loss), accepted steps, RHS evaluations or NaN) at
  /// its checkpoints (Theorem 4: at accepted steps 2ᵏ), and at its end.
  var progress: [[Double]] = []

  // MARK: Cost of one right-hand-side evaluation
  /// The flop count F of one evaluation, as a formula and its value.
  var flopFormula: String?
  var flopsPerEvaluation: Double?
  /// Median over repeats of a timed loop of `evaluate(y, into:)` at a late state.
  var nanosecondsPerEvaluation: Double?
  /// The same loop timed by the thread's CPU clock (robust to other load on the machine).
  var cpuNanosecondsPerEvaluation: Double?
  /// (flow time − evaluations · ns/eval) per attempted step: preparations and solves.
  var nanosecondsPerStepOutsideEvaluations: Double?
  var preparationFlopFormula: String?
  var flopsPerPreparation: Double?

  // MARK: Phases, in the order they ran
  var phases: [BenchPhase] = []
  /// The phase running when the figures were written (set while a long phase runs, so a
  /// killed child still says where its time went).
  var running: String?
  /// Process CPU seconds when the running phase started.
  var runningSinceCPU: Double?

  // MARK: Verdict
  var verdict: String?
  var reason: String?
  /// Seconds of the theorem's whole check (`Theorem2.check` etc.) in the verdict process.
  var checkSeconds: Double?
  /// The flow's distance to the certified direction at its last checkpoint.
  var flowDistance: Double?
  var flowKKTResidual: Double?
  var certificateResidual: Double?

  // MARK: Baseline and memory
  var baseline: BaselineFigures?
  /// ru_maxrss of this process after the flow phase and at the end, MB (2²⁰ bytes).
  var peakMegabytesAfterFlow: Double?
  var peakMegabytes: Double?

  init(instance: BenchInstance, stateDimension: Int) {
    self.instance = instance.name
    title = instance.title
    n = instance.n
    d = instance.d
    depth = instance.depth
    self.stateDimension = stateDimension
    horizon = instance.horizon
    dataMegabytes = Double(instance.n * instance.d * 8) / 1_048_576
  }

  /// Marks `name` as running (reported if the process stops in it) and starts its CPU count.
  mutating func start(_ name: String) {
    running = name
    runningSinceCPU = processCPUSeconds()
  }

  /// Records a finished (or budget-stopped) phase with its wall seconds and, if it was
  /// started with ``start(_:)``, the process CPU seconds it took.
  mutating func phase(_ name: String, _ seconds: Double, completed: Bool = true, note: String? = nil) {
    let cpu = running == name ? runningSinceCPU.map { processCPUSeconds() - $0 } : nil
    phases.append(BenchPhase(name: name, seconds: seconds, cpuSeconds: cpu, completed: completed, note: note))
    running = nil
    runningSinceCPU = nil
  }

  func seconds(of phase: String) -> Double? { phases.first { $0.name == phase }?.seconds }
}

/// One timed phase of an instance.
struct BenchPhase: Codable, Sendable {
  var name: String
  var seconds: Double
  /// User plus system CPU seconds of the process during the phase.
  var cpuSeconds: Double?
  /// False when the phase hit its budget (the time is then a lower bound).
  var completed: Bool
  var note: String?
}

/// The fixed-step gradient-descent baseline on an instance, and the flow's time to the
/// same point.
struct BaselineFigures: Codable, Sendable {
  var learningRate: Double
  var initialSharpness: Double
  var restarts: Int
  var iterations: Int
  /// Seconds of the last (stable) attempt.
  var seconds: Double
  var stop: String
  var initialLogInverseLoss: Double
  /// The largest log(1/Loss) reached (the last, the loss decreasing at every step).
  var logInverseLoss: Double
  /// KKT residual of GD's final direction (Theorem 2: spec §4.8 b; Theorem 3: the SVM
  /// stationarity §4.8 a; Theorem 4: the dual certificate §4.8 e).
  var kktResidual: Double?
  /// Distance of GD's final direction to the certified one (Theorem 4: relative distance
  /// of ρ to argmin Q).
  var distance: Double?
  /// (iteration, seconds, log(1/Loss)) at iterations 2ᵏ.
  var samples: [[Double]]

  /// The flow's time to the same log(1/Loss), and how it was obtained: "" measured by a run
  /// to that checkpoint; "≤" bounded by a longer run; ">" not reached within the budget.
  var flowSecondsToSameLoss: Double?
  var sameLossQualifier = ""
  /// The flow's distance to the certified direction at that log(1/Loss).
  var flowDistanceAtSameLoss: Double?
  /// Right-hand-side evaluations of that run.
  var flowEvaluationsToSameLoss: Int?
  /// ‖GD's point − the flow's‖ / ‖the flow's‖ at that log(1/Loss), points being unit β
  /// (Theorem 4: ρ): how far fixed-step GD is from the flow it discretizes.
  var gapAtSameLoss: Double?
  /// The flow's time to GD's final distance, the checkpoint it was read at, and a note.
  var flowSecondsToSameDistance: Double?
  var sameDistanceQualifier = ""
  var flowLogInverseLossAtSameDistance: Double?
  var sameDistanceNote: String?

  var nanosecondsPerIteration: Double { iterations > 0 ? seconds * 1e9 / Double(iterations) : .nan }
  /// GD seconds / flow seconds to the same log(1/Loss).
  var ratioToSameLoss: Double? { flowSecondsToSameLoss.map { seconds / max($0, 1e-9) } }
  var ratioToSameDistance: Double? { flowSecondsToSameDistance.map { seconds / max($0, 1e-9) } }
}

/// What one child process cost, from `wait4`.
struct BenchProcessFigures: Codable, Sendable {
  var arguments: [String]
  var wallSeconds: Double
  var maxResidentMegabytes: Double
  /// User plus system CPU seconds (ru_utime + ru_stime).
  var cpuSeconds: Double = 0
  var exitCode: Int32?
  var signal: Int32?
  var timedOut: Bool
}

/// Where and how the bench ran.
struct BenchEnvironment: Codable, Sendable {
  var date: String
  var cores: Int
  var configuration: String
  var loadAverageAtStart: String
  var loadAverageAtEnd: String
  var mode: String
  var baselineSeconds: Double
  var maxSeconds: Double
  var childProcesses: Bool

  static func current(mode: String, baselineSeconds: Double, maxSeconds: Double, childProcesses: Bool) -> BenchEnvironment {
    #if DEBUG
      let configuration = "debug"
    #else
      let configuration = "release"
    #endif
    let formatter = ISO8601DateFormatter()
    return BenchEnvironment(
      date: formatter.string(from: Date()), cores: ProcessInfo.processInfo.activeProcessorCount,
      configuration: configuration, loadAverageAtStart: loadAverage(), loadAverageAtEnd: "",
      mode: mode, baselineSeconds: baselineSeconds, maxSeconds: maxSeconds, childProcesses: childProcesses)
  }

  /// The first three fields of /proc/loadavg ("?" where it does not exist).
  static func loadAverage() -> String {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return text.split(separator: " ").prefix(3).joined(separator: " ")
  }
}

/// One target of issue 7 with the figure it is judged on.
struct BenchTarget: Codable, Sendable {
  var name: String
  var requirement: String
  var figure: String
  /// nil: not measured in this run.
  var met: Bool?
}

/// Everything `verify bench` measured in one run.
struct BenchReport: Codable, Sendable {
  var environment: BenchEnvironment
  var instances: [BenchInstanceReport] = []
  /// `verify --theorem 2 --network diagonal --depth 3 --data FILE --horizon 1000`: median
  /// wall time of whole processes, and its runs.
  var wholeProcess: [BenchProcessFigures] = []
  var wholeProcessCommand: String = ""
  /// `verify --all --json` (full bench only).
  var allSweep: BenchProcessFigures?
  var allSweepVerdict: String?
  var targets: [BenchTarget] = []
}

/// One instance's figures and the processes that produced them.
struct BenchInstanceReport: Codable, Sendable {
  var figures: BenchFigures?
  var measureProcess: BenchProcessFigures?
  /// Runs of the verdict process (the theorem's whole check, start to exit).
  var verdictProcesses: [BenchProcessFigures] = []
  /// Diagnostics when a child failed.
  var problem: String?
}
