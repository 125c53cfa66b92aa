import GradientFlow
import LinearAlgebra
import Optimization

/// Iteration caps and integrator settings that the checks normally leave at the solvers'
/// defaults. Internal: the tests shrink them to drive each numerical-failure path to its
/// verdict (issue 8) — a tiny pivot budget for the separability LP, a tiny NNLS cap for the
/// SVM, zero Newton iterations for the certificate polish, a tiny clock budget, tolerances
/// the arithmetic cannot meet.
struct NumericalLimits: Sendable {
  /// Simplex pivots of the LPs (separability, ℓ1 max margin); nil: `LinearProgram`'s default.
  var lpPivots: Int?
  /// NNLS main-loop iterations of the hard-margin SVM; nil: NNLS's default 3n.
  var nnlsIterations: Int?
  /// Newton iterations of each certificate candidate's KKT polish.
  var newtonIterations = 60
  /// Newton steps of Theorem 4's dual prediction; nil: `SeparableConvexProgram`'s default.
  var dualNewtonIterations: Int?
  /// The clock budget s of the classification flows; nil: `TrajectoryOptions.maxClock`.
  var maxClock: Double?
  /// Integrator tolerances replacing the check's own.
  var tolerances: IntegratorTolerances?

  /// `options` with these limits applied.
  func applied(to options: TrajectoryOptions) -> TrajectoryOptions {
    var o = options
    if let maxClock { o.maxClock = maxClock }
    if let tolerances { o.tolerances = tolerances }
    return o
  }

  func applied(to options: RegressionOptions) -> RegressionOptions {
    var o = options
    if let tolerances { o.tolerances = tolerances }
    return o
  }
}

/// Why a classification flow stopped and what would decide the case, for reports.
/// - Parameters:
///   - reached: log(1/Loss) where the run ended (for the step budget, whose stop does not carry it).
///   - horizon: the run's largest checkpoint.
func describe(_ stop: TrajectoryStop, budget: FlowBudget = .unlimited, reached: Double? = nil,
              horizon: Double? = nil) -> String {
  let of = horizon.map { " (horizon \(short($0)))" } ?? ""
  switch stop {
  case .completed:
    return "completed"
  case .stepBudget(let n):
    return "step budget of \(n) accepted steps exhausted"
      + (reached.map { " at log(1/Loss) = \(short($0))" } ?? "") + "\(of); \(FlowBudget.stepBudgetAdvice) (or a smaller --horizon)"
  case .clockBudget(let s, let g):
    return "checkpoint never reached: the clock budget ran out at s = \(short(s)) with log(1/Loss) = \(short(g))\(of); log(1/Loss) grows like e^{Ls} once the direction settles, so the flow has stalled (e.g. near a saddle); a smaller --horizon or a different initialization scale (--init-scale) would decide"
  case .timeBudget(let g):
    return "\(budget.timeBudgetDescription) exhausted at log(1/Loss) = \(short(g))\(of); \(FlowBudget.timeBudgetAdvice)"
  case .integratorFailure(let why):
    return "integrator failure: \(why)"
  }
}

/// Why a regression flow stopped short of interpolation and what would decide the case.
func describe(_ stop: RegressionStop, budget: FlowBudget = .unlimited) -> String {
  switch stop {
  case .converged:
    return "converged"
  case .stepBudget(let steps, let rel):
    return "step budget of \(steps) accepted steps exhausted at relative residual \(short(rel)); \(FlowBudget.stepBudgetAdvice) (a small initialization escapes the origin slowly)"
  case .timeBudget(let steps, let rel):
    return "\(budget.timeBudgetDescription) exhausted after \(steps) accepted steps at relative residual \(short(rel)); \(FlowBudget.timeBudgetAdvice)"
  case .integratorFailure(let error):
    return "integrator failure: \(error.explanation)"
  }
}

/// Why the separability LP did not decide (its status is not `.optimal`): the hypothesis is
/// then unknown, not failed, and the case is inconclusive.
func separabilityUndecided(_ sep: SeparabilityResult) -> String {
  "the separability LP did not finish (\(sep.status), \(sep.program.iterations) simplex pivots), so whether the data are separable is not known; a different scale of the data (or fewer, better-conditioned points) would decide"
}

/// Why the hard-margin SVM is not certified (NNLS stopped before its optimality test).
func svmUndecided(_ svm: SVMResult) -> String {
  "the hard-margin SVM was not certified: NNLS on its least-distance dual (Lawson–Hanson) stopped at its iteration cap after \(svm.iterations) iterations without meeting its optimality test, so ŵ_SVM is not known; a different scale of the data (or removing near-duplicate points) would decide"
}

/// Why an ℓ1 max-margin LP result is not usable.
func lpUndecided(_ status: SolverStatus, pivots: Int, _ what: String) -> String {
  "the LP for \(what) did not finish (\(status), \(pivots) simplex pivots), so the claim cannot be judged; a different scale of the data would decide"
}
