import LinearAlgebra
import GradientFlow
import Certification
import Optimization

extension Theorem2 {
  /// Checks Theorem 2 on one case.
  ///
  /// 1. Hypotheses: separability (LP), no sign-locked mode, and — after running the flow —
  ///    Loss < ℓ(0).
  /// 2. The flow to log(1/Loss) = horizon with half-decade checkpoints.
  /// 3. A certificate found from the flow (`searchCertificate`), never copied from an
  ///    independent solver; the flow's distance to it at every checkpoint and the fitted
  ///    rate r of distance ∝ log(1/Loss)^{−r}.
  /// 4. For L ≤ 2 (convex) the certificate is compared with our independent global
  ///    optimum (QP for L = 1, LP or SOCP for L = 2).
  /// 5. Verdict: holds when the certificate is valid, the last distance is within the
  ///    bound and falls (or sits at the integration floor); with a claimed exponent
  ///    different from 2/L, refuted when the flow's certificate violates the claimed
  ///    problem's KKT conditions by a certified margin. Everything else is inconclusive.
  public static func check(_ c: Theorem2Case, thresholds: Thresholds = Thresholds()) -> CaseResult {
    let network = c.network, L = network.depth
    let p = c.theoremExponent
    let claimed = c.claimedExponent ?? p
    let hyp = statement.hypotheses
    var result = CaseResult(
      seed: c.seed, networkKind: network.kind, depth: L, n: c.data.count, d: c.data.dimension, loss: c.loss,
      exponent: p, claimedExponent: claimed, verdict: .inconclusive, reason: "", hypotheses: [], checkpoints: [],
      direction: [], transformedDirection: [], space: network.space, support: [], active: [], certificate: nil,
      fittedRate: nil, globalOptimumDistance: nil, claimedResidual: nil, claimedOptimumDistance: nil,
      lossBelowInitial: nil, candidatesTried: 0)

    // H1: decomposable by construction (files are validated when read).
    result.hypotheses.append(HypothesisCheck(
      name: hyp[0].name, statement: hyp[0].statement, met: true,
      detail: network.kind == .orthogonallyDecomposable
        ? "S and U_l given; U_lᵀU_l = I checked when they were built or read"
        : "by construction (\(network.kind == .diagonal ? "S = I, U_l = I" : "S = d^{(L−2)/2} F, U_l = F̄/√d"))"))
    // H2: separability.
    let sep = SeparabilityEvidence(c.data.signedInputs, lpPivots: c.limits.lpPivots)
    result.hypotheses.append(HypothesisCheck(
      name: hyp[1].name, statement: hyp[1].statement, met: sep.isSeparable, detail: sep.detail))
    // H3: not sign-locked.
    let state0 = c.initialState
    let lock = signLock(state0, network: network)
    result.hypotheses.append(HypothesisCheck(
      name: hyp[2].name, statement: hyp[2].statement, met: lock.met, detail: lock.detail))
    if !sep.isSeparable {
      result.verdict = sep.undecided ? .inconclusive : .hypothesisNotMet
      result.reason = sep.reason
      return result
    }

    // The flow.
    let options = c.limits.applied(to: c.budget.applied(to: TrajectoryOptions(checkpoints: TrajectoryOptions.halfDecades(upTo: c.horizon))))
    let trajectory = integrateClassificationFlow(network: network, data: c.data, loss: c.loss,
                                                 initialState: state0, options: options)
    let stopText = describe(trajectory.stop, budget: c.budget, reached: trajectory.finalObservation.logInverseLoss,
                            horizon: c.horizon)
    if let lb = trajectory.lossBelowInitial {
      result.lossBelowInitial = "at clock s = \(short(lb.clock)) (step \(lb.step), physical time t ≈ e^\(short(lb.logPhysicalTime)))"
    }
    result.hypotheses.append(HypothesisCheck(
      name: hyp[3].name, statement: hyp[3].statement, met: trajectory.lossBelowInitial != nil,
      detail: result.lossBelowInitial.map { "reached \($0)" } ?? "not reached within the budget"))

    let problem = MaxMarginProblem(marginMatrix: network.marginMatrix(c.data), space: network.space, exponent: p)
    // β = T ρ without forming T (the identity for diagonal networks).
    let T = network.linearCoefficients
    let fin = trajectory.finalObservation
    result.direction = T(fin.transformed).normalized
    result.transformedDirection = fin.transformed.normalized
    if let r = problem.kktResidual(at: fin.transformed) {
      result.support = r.support
      result.active = r.active
    }
    let samples = trajectory.checkpoints.map {
      DirectionSample(logInverseLoss: $0.logInverseLoss, transformed: $0.transformed, weights: $0.weights)
    }
    // Past the deadline no time is left for the search (the case is inconclusive then).
    let searchSkipped = c.budget.isExpired
    let search = problem.searchCertificate(samples: searchSkipped ? [] : samples, coefficients: T,
                                           validityTolerance: thresholds.certificateResidual,
                                           newtonIterations: c.limits.newtonIterations, deadline: c.budget.deadline)
    result.candidatesTried = search.candidatesTried
    var distances: [Double] = []
    let flow = ClassificationFlow(network: network, data: c.data, loss: c.loss)
    for cp in trajectory.checkpoints {
      let kkt = problem.kktResidual(at: cp.transformed)
      var dist: Double?
      if let cert = search.certificate {
        dist = (T(cert.point).normalized.subtracting(T(cp.transformed).normalized)).norm2
        distances.append(dist!)
      }
      result.checkpoints.append(CheckpointReport(
        logInverseLoss: cp.logInverseLoss, kktResidual: kkt?.total ?? .infinity, distanceToCertificate: dist,
        parameterResidual: lyuLiResidual(flow: flow, state: cp.state), conservationDrift: cp.conservationDrift,
        acceptedSteps: cp.statistics.acceptedSteps, rejectedSteps: cp.statistics.rejectedSteps,
        evaluations: cp.statistics.evaluations, transformedDirection: cp.transformed.normalized))
    }
    if let cert = search.certificate {
      result.certificate = CertificateReport(
        direction: T(cert.point).normalized, point: cert.point, multipliers: cert.multipliers,
        residual: cert.residual, support: cert.support, active: cert.active, newtonIterations: cert.newtonIterations)
      let late = trajectory.checkpoints.indices.filter { trajectory.checkpoints[$0].logInverseLoss >= 99 }
      result.fittedRate = fittedDecayRate(logInverseLosses: late.map { trajectory.checkpoints[$0].logInverseLoss },
                                          distances: late.map { distances[$0] }, floor: thresholds.distanceFloor)
      if let opt = globalOptimum(problem: problem, depthExponent: p) {
        result.globalOptimumDistance = (T(opt).normalized.subtracting(T(cert.point).normalized)).norm2
      }
    }

    // Hypotheses not met: report the evidence, no theorem verdict.
    if !lock.met {
      result.verdict = .hypothesisNotMet
      var why = "initialization is sign-locked (\(lock.detail))"
      if let g = globalOptimum(problem: problem, depthExponent: p) {
        let dg = (T(g).normalized.subtracting(result.direction)).norm2
        why += "; the flow's direction β̂ = [\(result.direction.map(short).joined(separator: ", "))] is at distance \(short(dg)) from the global ℓ_{\(formatExponent(p))} optimum [\(T(g).normalized.map(short).joined(separator: ", "))]"
      }
      if let k = result.checkpoints.last?.kktResidual { why += ", KKT residual \(short(k)) at the last checkpoint" }
      result.reason = why
      return result
    }
    if trajectory.lossBelowInitial == nil {
      // Separable data: Loss < ℓ(0) may still happen later, so this is not a failed hypothesis.
      result.verdict = .inconclusive
      result.reason = "the flow did not reach Loss < ℓ(0): \(stopText)"
        + (trajectory.stop == .completed ? "; a larger initialization scale would decide" : "")
      return result
    }
    if trajectory.stop != .completed {
      result.verdict = .inconclusive
      result.reason = "the flow stopped early: \(stopText)"
      return result
    }
    guard let cert = search.certificate, let last = distances.last else {
      result.verdict = .inconclusive
      if searchSkipped {
        result.reason = "the \(c.budget.timeBudgetDescription) ran out after the flow reached the horizon, before the certificate search; \(FlowBudget.timeBudgetAdvice)"
        return result
      }
      result.reason = "no KKT point certified near the flow (\(search.candidatesTried) candidates polished by Newton's method, at most \(c.limits.newtonIterations) iterations each; \(search.validCandidates) valid"
        + (search.bestInvalidResidual.map { ", best residual \(short($0)) against the bound \(short(thresholds.certificateResidual))" } ?? "")
        + (search.skippedTooLarge > 0 ? ", \(search.skippedTooLarge) skipped: Newton system above \(MaxMarginProblem.largestNewtonSystem) unknowns" : "")
        + (search.skippedByDeadline > 0 ? ", \(search.skippedByDeadline) skipped: \(c.budget.timeBudgetDescription) ran out" : "")
        + "); a longer horizon (--horizon) may separate the support and active set"
      return result
    }
    if let g = result.globalOptimumDistance, g > thresholds.globalOptimumAgreement {
      result.verdict = .inconclusive
      result.reason = "the certificate (residual \(short(cert.residual))) differs from the independent global optimum by \(short(g)) in a convex case: a solver disagreement to investigate"
      return result
    }
    let falling = isFalling(distances, floor: thresholds.distanceFloor)
    let converging = last <= thresholds.distanceFloor
      || (last <= thresholds.distanceBound && (result.fittedRate ?? 0) > 0 && falling)
    let rateText = result.fittedRate.map { "rate r = \(short($0))" } ?? "no trend (at floor)"
    if abs(claimed - p) <= 1e-12 {
      if converging {
        result.verdict = .holds
        result.reason = "certificate residual \(short(cert.residual)); distance \(short(last)) at log(1/Loss) = \(short(trajectory.checkpoints.last!.logInverseLoss)), \(rateText)"
        if (abs(p - 1) < 1e-12 || abs(p - 2) < 1e-12) && result.globalOptimumDistance == nil
          && problem.pointCount * network.space.coordinateCount > MaxMarginProblem.largestResidualSystem {
          result.reason += "; the independent convex optimum was not computed (n·N = \(problem.pointCount * network.space.coordinateCount) above the dense solvers' limit)"
        }
      } else {
        result.verdict = .inconclusive
        result.reason = "certified KKT point at distance \(short(last)) (bound \(thresholds.distanceBound)), \(rateText), falling: \(falling); a longer horizon would decide"
      }
      return result
    }
    // A claim with another exponent: evaluate it at the flow's own certificate.
    let claimedProblem = MaxMarginProblem(marginMatrix: problem.marginMatrix, space: network.space, exponent: claimed)
    var tight = KKTTolerances()
    tight.active = 1e-8
    tight.support = 1e-9
    let claimedResidual = claimedProblem.kktResidual(at: cert.point, tolerances: tight)?.total ?? .infinity
    result.claimedResidual = claimedResidual
    if let opt = globalOptimum(problem: claimedProblem, depthExponent: claimed) {
      result.claimedOptimumDistance = (T(opt).normalized.subtracting(T(cert.point).normalized)).norm2
    }
    guard converging else {
      result.verdict = .inconclusive
      result.reason = "the flow has not come close enough to its own certificate (distance \(short(last)), \(rateText)) to judge the ℓ_\(formatExponent(claimed)) claim"
      return result
    }
    if claimedResidual >= thresholds.refutationResidual
      && (result.claimedOptimumDistance.map { $0 > 10 * last } ?? true) {
      result.verdict = .refuted
      result.reason = "the flow converges (distance \(short(last)), \(rateText)) to a certified ℓ_{\(formatExponent(p))} KKT point whose ℓ_\(formatExponent(claimed)) KKT residual is \(short(claimedResidual))"
        + (result.claimedOptimumDistance.map { "; the ℓ_\(formatExponent(claimed)) optimum is at distance \(short($0))" } ?? "")
    } else if claimedResidual <= 1e-8 {
      result.verdict = .holds
      result.reason = "the flow's certified limit also satisfies the ℓ_\(formatExponent(claimed)) KKT conditions (residual \(short(claimedResidual)))"
    } else {
      result.verdict = .inconclusive
      result.reason = "the ℓ_\(formatExponent(claimed)) residual at the flow's certificate is \(short(claimedResidual)): neither certified nor refuted"
    }
    return result
  }

  /// Whether distances fall: the last is below the first late one, and no step up by more
  /// than 10% among the last three (trajectories wiggle slightly when the active set settles).
  static func isFalling(_ d: [Double], floor: Double) -> Bool {
    let late = Array(d.suffix(4))
    guard late.count >= 2 else { return false }
    if late.last! <= floor { return true }
    guard late.last! < late.first! else { return false }
    for k in 1..<late.count where late[k] > 1.1 * late[k - 1] && late[k] > floor { return false }
    return true
  }

  /// The independent global optimum of a convex case (p = 1 or p = 2), or nil.
  /// nil also when the dense solvers would be too large (n·N above
  /// `MaxMarginProblem.largestResidualSystem`); reports then say the comparison was skipped.
  static func globalOptimum(problem: MaxMarginProblem, depthExponent p: Double) -> [Double]? {
    let sp = problem.space
    guard problem.pointCount * sp.coordinateCount <= MaxMarginProblem.largestResidualSystem else { return nil }
    if abs(p - 2) < 1e-12 {
      // ½Σ mult ρ² : substitute ρ' = √mult ρ, A' = A diag(1/√mult) → hard-margin SVM.
      var scale = [Double](repeating: 1, count: sp.coordinateCount)
      for g in 0..<sp.groupCount { for c in sp.coordinates(of: g) { scale[c] = sp.multiplicity[g].squareRoot() } }
      let a = Matrix(rows: problem.pointCount, columns: sp.coordinateCount) { i, c in problem.marginMatrix[i, c] / scale[c] }
      let svm = hardMarginSVM(a)
      guard svm.status == .optimal else { return nil }
      return zip(svm.w, scale).map { $0 / $1 }
    }
    if abs(p - 1) < 1e-12 {
      if sp.isReal && sp.multiplicity.allSatisfy({ $0 == 1 }) {
        let lp = l1MaxMargin(problem.marginMatrix)
        return lp.status == .optimal ? lp.beta : nil
      }
      let groups = (0..<sp.groupCount).map { Array(sp.coordinates(of: $0)) }
      let socp = groupL1MaxMargin(problem.marginMatrix, groups: groups, weights: sp.multiplicity)
      return socp.status == .optimal ? socp.beta : nil
    }
    return nil
  }

  /// Strict imbalance per mode (spec §2.3): the two smallest |aₗⱼ(0)| must differ.
  static func signLock(_ state: [Double], network: LinearNetwork) -> (met: Bool, detail: String) {
    let sp = network.space, L = network.depth
    if state.allSatisfy({ $0 == 0 }) { return (false, "every parameter is 0: the origin is a stationary point") }
    guard L >= 2 else { return (true, "depth 1: ρ = a₁ moves freely (no product to lock)") }
    var worst = Double.infinity, worstMode = 0
    for g in 0..<sp.groupCount {
      let w = sp.isComplex[g] ? 2 : 1
      let base = L * sp.offsets[g]
      var mags: [Double] = []
      for l in 0..<L {
        var s = 0.0
        for c in 0..<w { s += state[base + l * w + c] * state[base + l * w + c] }
        mags.append(s.squareRoot())
      }
      mags.sort()
      let gap = mags[1] > 0 ? (mags[1] - mags[0]) / mags[1] : 0
      if gap < worst { worst = gap; worstMode = sp.modeIndex[g] }
    }
    let threshold = 1e-9
    if worst <= threshold {
      return (false, "mode \(worstMode): the two smallest |aₗⱼ(0)| differ by \(short(worst)) relative (≤ \(threshold))")
    }
    return (true, "smallest relative gap between the two smallest |aₗⱼ(0)| over modes: \(short(worst)) (mode \(worstMode))")
  }

  /// Lyu–Li (ε) residual in parameter space (spec §4.8 c), relative to ‖Θ̄‖, in the
  /// metric of the original parameters (M = multiplicities).
  static func lyuLiResidual(flow: ClassificationFlow, state: [Double]) -> Double {
    let obs = flow.observe(state)
    let gamma = obs.minimumMargin
    guard gamma > 0 else { return .infinity }
    let L = Double(flow.network.depth)
    let sqrtM = flow.metricWeights.map { $0.squareRoot() }
    let theta = zip(state, sqrtM).map { $0 * $1 / Elementary.pow(gamma, 1 / L) }
    let active = (0..<obs.margins.count).filter { obs.margins[$0] / gamma <= 1 + 1e-3 }
    // Not computed (NaN, "null" in JSON) when the dense NNLS would be too large.
    guard state.count * active.count <= MaxMarginProblem.largestResidualSystem else { return .nan }
    let grads = flow.marginGradients(state)
    let scale = Elementary.pow(gamma, (L - 1) / L)
    let h = Matrix(rows: state.count, columns: active.count) { c, k in grads[active[k], c] / scale / sqrtM[c] }
    let nnls = nonNegativeLeastSquares(h, theta)
    return nnls.residualNorm / max(theta.norm2, .leastNormalMagnitude)
  }
}

/// Hypothesis H2 (strict separability) with its evidence: the LP `separabilityMargin`
/// (t* with a Gordan witness when it is 0) when its dense simplex is affordable, otherwise a
/// certified separating direction (`separatingDirection`, conjugate gradients in O(nd) per
/// iteration); when neither decides, the hypothesis is undecided and the case inconclusive.
struct SeparabilityEvidence {
  var isSeparable: Bool
  /// Neither method decided (the LP was too large and the candidate direction did not separate).
  var undecided = false
  var detail: String
  /// Why the case stops when `isSeparable` is false.
  var reason = ""

  /// The LP is used while its (n + 2d) × (d + 1) constraint matrix has at most this many
  /// entries (4·10⁶: 32 MB, seconds for the dense simplex; n = 1000, d = 10⁴ would be 2·10⁸).
  static let largestLinearProgram = 4_000_000

  init(_ z: Matrix, lpPivots: Int? = nil) {
    let n = z.rows, d = z.columns
    let lpSize = (n + 2 * d) * (d + 1)
    if lpSize > Self.largestLinearProgram {
      if let direction = separatingDirection(z) {
        isSeparable = true
        detail = "separating direction certified without the LP (\(n)×\(d) is too large for the dense simplex): β = Zᵀu with ZZᵀu = 1 by \(direction.iterations) CG iterations has min_i z_iβ/‖β‖∞ = \(short(direction.margin)) > 0, each margin above its rounding bound"
        return
      }
      isSeparable = false
      undecided = true
      detail = "undecided: the minimum-norm interpolant of Zβ = 1 does not separate and the LP (\(n + 2 * d) × \(d + 1)) is too large for the dense simplex"
      reason = "separability could not be decided: \(detail); a smaller instance (or a sparse LP solver) would decide"
      return
    }
    let sep = separabilityMargin(z, maxIterations: lpPivots)
    guard sep.status == .optimal else {
      isSeparable = false
      undecided = true
      detail = "not decided: the LP stopped (\(sep.status))"
      reason = separabilityUndecided(sep)
      return
    }
    isSeparable = sep.isSeparable
    detail = sep.isSeparable
      ? "LP margin t* = \(short(sep.margin)) > 0"
      : "LP margin t* = \(short(sep.margin)) ≤ 0: no separator exists (Gordan witness λ ≥ 0, Σλ = 1, ‖Zᵀλ‖₁ = \(short(sep.witnessNorm1)))"
    reason = "the data are not linearly separable at double precision (LP margin t* = \(short(sep.margin)) ≤ its resolution \(short(sep.tolerance)); a margin below that would need log(1/Loss) beyond 1e12 to show), so Loss cannot fall below ℓ(0)"
  }
}

/// A number in 4 significant digits for reports.
public func short(_ x: Double) -> String {
  if x == 0 || !x.isFinite { return "\(x)" }
  let a = abs(x)
  if a >= 1e-3 && a < 1e5 {
    let digits = max(0, 3 - Int(Elementary.log10(a).rounded(.down)))
    let f = Elementary.pow(10, Double(digits))
    let r = (x * f).rounded() / f
    return digits == 0 ? String(Int(r)) : "\(r)"
  }
  let e = Int(Elementary.log10(a).rounded(.down))
  let m = (x / Elementary.pow(10, Double(e)) * 1000).rounded() / 1000
  return "\(m)e\(e)"
}
