/// The budgets of one `verify` run, shared by every flow it integrates: a wall-clock
/// deadline (`--max-seconds`) and an accepted-step budget per flow (`--max-steps`).
///
/// The deadline is an instant, computed once when the run starts and handed to every case,
/// so `--max-seconds 60` bounds the whole run, not each case. A flow checks it once per
/// accepted step (``TrajectoryOptions/deadline``, ``RegressionOptions/deadline``); a run
/// that hits either budget stops where it is, and its verdict is inconclusive with the
/// figures reached — never holds or refuted.
public struct FlowBudget: Sendable, Equatable {
  /// Accepted steps allowed to each flow; nil keeps each flow's own default (100 000 for
  /// the classification flows, 200 000 for the regression flows).
  public var maxSteps: Int?
  /// The instant after which no flow takes another step; nil: no wall-clock limit.
  public var deadline: ContinuousClock.Instant?
  /// The length of the time budget the deadline was set from, for reports.
  public var seconds: Double?

  public init(maxSteps: Int? = nil, deadline: ContinuousClock.Instant? = nil, seconds: Double? = nil) {
    precondition(maxSteps.map { $0 >= 1 } ?? true, "maxSteps must be at least 1, got \(maxSteps!)")
    self.maxSteps = maxSteps
    self.deadline = deadline
    self.seconds = seconds
  }

  /// A budget of `seconds` of wall-clock time from `start`, and optionally `maxSteps`.
  public init(seconds: Double, maxSteps: Int? = nil, from start: ContinuousClock.Instant = .now) {
    precondition(seconds > 0 && seconds.isFinite, "a time budget must be positive and finite, got \(seconds)")
    self.init(maxSteps: maxSteps, deadline: start.advanced(by: .seconds(seconds)), seconds: seconds)
  }

  /// No limit beyond the flows' own defaults.
  public static let unlimited = FlowBudget()

  /// Whether the user set a budget (either kind).
  public var isLimited: Bool { maxSteps != nil || deadline != nil }

  /// Whether the deadline has passed.
  public var isExpired: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }

  /// `options` with this budget's step budget and deadline (unset fields are kept).
  public func applied(to options: TrajectoryOptions) -> TrajectoryOptions {
    var o = options
    if let maxSteps { o.maxSteps = maxSteps }
    if let deadline { o.deadline = o.deadline.map { min($0, deadline) } ?? deadline }
    return o
  }

  /// `options` with this budget's step budget and deadline (unset fields are kept).
  public func applied(to options: RegressionOptions) -> RegressionOptions {
    var o = options
    if let maxSteps { o.maxSteps = maxSteps }
    if let deadline { o.deadline = o.deadline.map { min($0, deadline) } ?? deadline }
    return o
  }

  /// "time budget of 5 s (--max-seconds)", or "wall-clock deadline" when set directly.
  public var timeBudgetDescription: String {
    seconds.map { "time budget of \(FlowBudget.format($0)) s (--max-seconds)" } ?? "wall-clock deadline"
  }

  /// What decides a run stopped by the deadline.
  public static let timeBudgetAdvice = "rerun with a larger --max-seconds"
  /// What decides a run stopped by the step budget.
  public static let stepBudgetAdvice = "rerun with a larger --max-steps"

  /// A number of seconds as typed: 5, 0.5, 1e+06.
  static func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
  }
}

/// Why a regression run (``integrateRegressionFlow(network:inputs:targets:initialState:options:)``
/// and the other squared-loss flows) stopped.
public enum RegressionStop: Sendable, Equatable {
  /// The relative residual met `residualTolerance`.
  case converged
  /// `maxSteps` accepted steps were taken first.
  case stepBudget(steps: Int, relativeResidual: Double)
  /// The wall-clock deadline passed first.
  case timeBudget(steps: Int, relativeResidual: Double)
  /// The integrator gave up (see ``IntegratorError``).
  case integratorFailure(IntegratorError)

  /// The failure text the runs carry in `failure` (nil when converged).
  public var failure: String? {
    switch self {
    case .converged: nil
    case .stepBudget(let steps, let rel):
      "step budget of \(steps) accepted steps exhausted at relative residual \(rel); \(FlowBudget.stepBudgetAdvice)"
    case .timeBudget(let steps, let rel):
      "time budget exhausted after \(steps) accepted steps at relative residual \(rel); \(FlowBudget.timeBudgetAdvice)"
    case .integratorFailure(let error): "integrator failure: \(error.explanation)"
    }
  }
}

extension IntegratorError {
  /// The cause in words and what would decide the run, for reports.
  public var explanation: String {
    switch self {
    case .stepSizeUnderflow(let time, let h):
      "the step size collapsed to \(h) at time \(time) (stiffness or a near-singular vector field, or tolerances the arithmetic cannot meet); a different scale of the data or of the initialization would decide"
    case .nonFiniteState(let time):
      "the state or its derivative is not finite at time \(time) (overflow); rescale the data or the initialization toward magnitude 1"
    case .solveFailed(let time):
      "the implicit stage solves failed \(RosenbrockIntegrator.maximumConsecutiveSolveFailures) times in a row at time \(time) (a singular shifted Jacobian); a different scale of the data or of the initialization would decide"
    }
  }
}
