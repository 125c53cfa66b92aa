import LinearAlgebra

/// The group-ℓ1 max-margin problem min Σ_g w_g‖β_g‖₂ s.t. Aβ ≥ 1 and its certificate.
///
/// Dual: max 1ᵀλ s.t. λ ≥ 0, ‖(Aᵀλ)_g‖ ≤ w_g for every group. KKT: (Aᵀλ)_g = w_g β_g/‖β_g‖ on
/// the support, ‖(Aᵀλ)_g‖ ≤ w_g off it, λᵢ(a_iβ − 1) = 0.
public struct GroupL1MaxMarginResult: Sendable {
  /// `.optimal`, `.infeasible` (no β has Aβ ≥ 1), or `.iterationLimit`.
  public var status: SolverStatus
  /// The minimizer β (exact zeros off the support when `polished`).
  public var beta: [Double]
  /// Σ_g w_g‖β_g‖₂.
  public var objective: Double
  /// Dual variables λ ≥ 0 (when `.infeasible`: a Gordan witness, Σλ = 1, Aᵀλ ≈ 0).
  public var lambda: [Double]
  /// Groups (indices into `groups`) with ‖β_g‖ > 1e-8 · max_h ‖β_h‖.
  public var support: [Int]
  /// Constraints with a_iβ ≤ 1 + 1e-9.
  public var active: [Int]
  /// objective − 1ᵀλ. When λ is dual feasible this bounds the suboptimality of β.
  public var dualityGap: Double
  /// max over support groups of ‖(Aᵀλ)_g − w_g β_g/‖β_g‖‖ and over the others of
  /// (‖(Aᵀλ)_g‖ − w_g)⁺.
  public var stationarityResidual: Double
  /// max(0, 1 − min_i a_iβ).
  public var marginViolation: Double
  /// max_i λᵢ|a_iβ − 1|.
  public var complementarity: Double
  /// Newton steps of the barrier method plus those of the polish.
  public var iterations: Int
  /// Whether the final KKT polish was accepted.
  public var polished: Bool
}

/// The group-ℓ1 max margin: min Σ_g w_g‖β_g‖₂ s.t. Aβ ≥ 1, where `groups` partitions the
/// coordinates (sizes 1 or 2 in this project: a size-2 group is the (Re, Im) pair of a complex
/// Fourier mode; the method works for any size). This is the ℓ1 max margin over complex
/// modes, the limit direction of depth-2 linear convolutional networks (Gunasekar et al.
/// 2018; Yun, Krishnan & Mobahi 2021). With all groups of size 1 and unit weights it is
/// ``l1MaxMargin(_:)``.
///
/// Method: a second-order cone program min Σ w_g t_g s.t. Aβ ≥ 1, ‖β_g‖ ≤ t_g, solved by the
/// log-barrier method (Boyd & Vandenberghe, *Convex Optimization*, 2004, §11.3):
///
///     minimize  τ·Σ_g w_g t_g − Σᵢ log(a_iβ − 1) − Σ_g log(t_g² − ‖β_g‖²)
///
/// by damped Newton steps (backtracking line search, α = 0.25, factor ½; the change in the
/// objective is computed from log1p of relative changes so that it stays accurate when τ is
/// large), for τ = τ₀, 20τ₀, …. The barrier has parameter θ = m + 2G (each cone term has
/// degree 2), so a central point is θ/τ-suboptimal; the loop stops at θ/τ ≤ `relativeGap` ×
/// objective. Start: the separability LP gives β̂ with Aβ̂ ≥ t*·1, t* > 0, and β₀ = 2β̂/t*,
/// t_g = ‖β₀_g‖ + ‖β₀‖/√G; τ₀ = θ/f₀ (B&V §11.3.1). If t* ≤ tolerance the problem is
/// infeasible and the LP's Gordan witness is returned.
///
/// Duals: on the central path λᵢ = 1/(τ(a_iβ − 1)) (i.e. μ/slack with μ = 1/τ), evaluated
/// with slacks carried through the iteration rather than recomputed (see `GroupBarrier.Point`:
/// recomputing a_iβ − 1 ≈ 1e-11 would cost ~7 digits; carried, the certified gap of the
/// barrier alone is ~6e-12 relative on the fixtures instead of ~1e-3). They are
/// divided by κ = max_g ‖(Aᵀλ)_g‖/w_g, which makes them dual feasible, so 1ᵀλ is a lower
/// bound and objective − 1ᵀλ a certified gap.
///
/// Polish: the support S (groups where ‖β_g‖/max‖β‖ exceeds the dual slack
/// 1 − ‖(Aᵀλ)_g‖/w_g) and the active set 𝒜 (constraints where λᵢ/‖λ‖∞ exceeds the slack
/// a_iβ − 1) are read off the barrier solution, and Newton's method is run on the KKT
/// equations A_{𝒜S}β_S = 1, A_{𝒜S}ᵀλ_𝒜 = (w_g β_g/‖β_g‖)_{g∈S}, whose Jacobian
/// [[A_{𝒜S}, 0], [−W·blockdiag((I − u_g u_gᵀ)/‖β_g‖), A_{𝒜S}ᵀ]] (u_g = β_g/‖β_g‖) is
/// nonsingular at a nondegenerate solution. The polished point replaces the barrier one only
/// if it is feasible to rounding and its KKT error is smaller.
///
/// - Parameters:
///   - weights: w_g > 0 per group (default all 1).
///   - relativeGap: stop the barrier when θ/τ ≤ relativeGap × objective.
///   - maxNewtonSteps: budget over all centerings.
///   - polish: run the KKT polish (on by default; off to inspect the barrier alone).
/// - Returns: the status is `.optimal` when the returned certificate's KKT error (the largest
///   of stationarity, margin violation, −min λ, and gap and complementarity relative to the
///   objective) is at most 1e-8; otherwise `.iterationLimit`.
/// - Complexity: O(m·p² + (p + G)³) per Newton step for m constraints, p coordinates and G
///   groups; typically a few hundred steps.
public func groupL1MaxMargin(
  _ a: Matrix, groups: [[Int]], weights: [Double]? = nil, relativeGap: Double = 1e-10,
  maxNewtonSteps: Int = 2000, polish: Bool = true
) -> GroupL1MaxMarginResult {
  let m = a.rows, p = a.columns, groupCount = groups.count
  precondition(m > 0 && p > 0, "groupL1MaxMargin needs a non-empty A, got \(m)×\(p)")
  let w = weights ?? [Double](repeating: 1, count: groupCount)
  precondition(w.count == groupCount && w.allSatisfy { $0 > 0 && $0.isFinite },
               "Need \(groupCount) positive weights, got \(w)")
  var covered = [Int](repeating: 0, count: p)
  for g in groups {
    precondition(!g.isEmpty, "Empty group in \(groups)")
    for j in g {
      precondition(j >= 0 && j < p, "Coordinate \(j) out of range for \(p) columns")
      covered[j] += 1
    }
  }
  precondition(covered.allSatisfy { $0 == 1 }, "groups must partition 0..<\(p), got \(groups)")

  let problem = GroupBarrier(a: a, groups: groups, weights: w)
  let separability = separabilityMargin(a)
  guard separability.isSeparable else {
    var result = problem.certificate(beta: [Double](repeating: 0, count: p), lambda: separability.lambda)
    result.status = .infeasible
    return result
  }

  // Strictly feasible start.
  let beta0 = (2 / separability.margin) * separability.beta
  let spread = beta0.norm2 / Double(groupCount).squareRoot()
  var point = GroupBarrier.Point(
    beta: beta0, t: groups.map { g in problem.groupNorm(beta0, g) + spread }, s: problem.slacks(beta0))
  let theta = Double(m + 2 * groupCount)
  var tau = theta / problem.primalObjective(point.t)
  var steps = 0
  var status = SolverStatus.optimal

  outer: while true {
    // Centering by damped Newton, at most 100 steps per τ. It ends when λ²/2 ≤ 1e-12, or
    // when λ² < 1e-4 (inside the quadratic region) fails to fall fourfold: the decrement has
    // reached the rounding floor of this τ (it does once τ·wᵀt dwarfs the log terms).
    var previousDecrement = Double.infinity
    for _ in 0..<100 {
      if steps >= maxNewtonSteps {
        status = .iterationLimit
        break outer
      }
      guard let step = problem.newtonStep(point, tau: tau) else { break outer }
      let decrement = step.decrementSquared
      if decrement / 2 <= 1e-12 || (decrement < 1e-4 && decrement > 0.25 * previousDecrement) { break }
      previousDecrement = decrement
      let slackDirection = problem.slackDirection(step.direction)
      var alpha = 1.0
      var accepted = false
      while alpha >= 1e-14 {
        if let change = problem.change(
          from: point, along: step.direction, slackDirection: slackDirection, alpha: alpha, tau: tau),
           change <= -0.25 * alpha * step.decrementSquared {
          accepted = true
          break
        }
        alpha *= 0.5
      }
      steps += 1
      // No acceptable step, or one too small to change the point: also the rounding floor.
      if !accepted { break }
      let next = point.moved(along: step.direction, slackDirection: slackDirection, by: alpha)
      if next.beta == point.beta && next.t == point.t { break }
      point = next
    }
    if theta / tau <= relativeGap * problem.primalObjective(point.t) { break }
    tau *= 20
  }

  // Barrier duals λᵢ = 1/(τ sᵢ), scaled to be dual feasible.
  var lambda = point.s.map { 1 / (tau * max($0, .leastNormalMagnitude)) }
  let kappa = problem.dualScale(lambda)
  if kappa > 0 { lambda = (1 / kappa) * lambda }
  var result = problem.certificate(beta: point.beta, lambda: lambda)
  result.iterations = steps
  if polish, let polished = problem.polish(beta: point.beta, slacks: point.s, lambda: lambda) {
    var candidate = problem.certificate(beta: polished.beta, lambda: polished.lambda)
    if candidate.marginViolation <= 1e-12, candidate.kktError < result.kktError {
      candidate.polished = true
      candidate.iterations = steps + polished.iterations
      result = candidate
    } else {
      result.iterations += polished.iterations
    }
  }
  // `.optimal` only when the certificate holds: KKT error ≤ 1e-8 (relative to the objective).
  result.status = status == .optimal && result.kktError <= 1e-8 ? .optimal : .iterationLimit
  return result
}

extension GroupL1MaxMarginResult {
  /// The largest KKT violation relative to the objective scale.
  var kktError: Double {
    let scale = max(objective, .leastNormalMagnitude)
    return max(stationarityResidual, marginViolation, abs(dualityGap) / scale, complementarity / scale,
               -(lambda.min() ?? 0))
  }
}
