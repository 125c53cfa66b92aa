import GradientFlow
import Theorems

/// What a theorem's runner needs besides its arguments.
struct RunContext: Sendable {
  /// The run's budgets (`--max-seconds`, `--max-steps`): one deadline for the whole run.
  var budget = FlowBudget()
  /// Parse and validate the arguments, read the files and build the cases, then return 0
  /// without integrating a flow: the entry point of the argument fuzz tests, which must
  /// run thousands of argument vectors in seconds.
  var validateOnly = false
}

extension VerifierCommand {
  /// `--max-seconds S`: 0 < S ≤ 10⁶ (about 11.6 days).
  static let maxSecondsRequirement = DoubleRequirement("a number of seconds greater than 0 and at most 1e6") {
    $0 > 0 && $0 <= 1e6
  }
  /// `--max-steps K`: 1 ≤ K ≤ 10⁹.
  static let maxStepsRange = 1...1_000_000_000

  /// The run's budgets from `--max-seconds` and `--max-steps`. The deadline is `start` + S,
  /// `start` being when `verify` began, or `shared` when given (`--all` computes it once and
  /// hands it to every theorem, so S bounds the whole run).
  static func parsedBudget(_ args: ParsedArguments, start: ContinuousClock.Instant,
                           shared: ContinuousClock.Instant?) throws(UsageError) -> FlowBudget {
    let steps = try args.int("max-steps", in: maxStepsRange)
    guard let seconds = try args.double("max-seconds", where: maxSecondsRequirement) else {
      return FlowBudget(maxSteps: steps)
    }
    let own = FlowBudget(seconds: seconds, maxSteps: steps, from: start)
    return FlowBudget(maxSteps: steps, deadline: shared ?? own.deadline, seconds: seconds)
  }

  /// A sweep's verdict once the budgets are accounted for. A case cut by a budget is
  /// inconclusive, and so is a sweep with such a case when the user set the budget: its
  /// evidence is incomplete, whatever fraction of the other cases held. A refutation stands
  /// (it rests on a completed case's certified evidence).
  /// - Parameter caseReasons: the reasons of the sweep's cases (and of their parts).
  static func budgeted(_ verdict: Verdict, _ reason: String, caseReasons: [String],
                       budget: FlowBudget) -> (Verdict, String) {
    guard budget.isLimited, verdict != .refuted else { return (verdict, reason) }
    let timed = caseReasons.filter { $0.contains(FlowBudget.timeBudgetAdvice) }.count
    let stepped = caseReasons.filter { $0.contains(FlowBudget.stepBudgetAdvice) }.count
    guard timed + stepped > 0 else { return (verdict, reason) }
    var notes: [String] = []
    if timed > 0 {
      notes.append("\(timed) case(s) cut by the \(budget.timeBudgetDescription); \(FlowBudget.timeBudgetAdvice)")
    }
    if stepped > 0 {
      notes.append("\(stepped) case(s) cut by the step budget of \(budget.maxSteps.map(String.init) ?? "the default") accepted steps per flow; \(FlowBudget.stepBudgetAdvice)")
    }
    return (verdict == .holds ? .inconclusive : verdict, reason + "; " + notes.joined(separator: "; "))
  }
}
