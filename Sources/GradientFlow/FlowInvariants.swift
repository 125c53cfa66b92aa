import LinearAlgebra

/// Self-checks of the trajectory drivers, switched on with the linear-algebra checks by
/// `VERIFIER_INVARIANTS=1` (``LinearAlgebraInvariants/enabled``), in the spirit of
/// swift-collections' `Heap+Invariants.swift`. Each check traps with the observed value and
/// its bound when it fails; with the flag off nothing is evaluated, so results are the same
/// bit for bit. The checks only read the state.
///
/// **The tolerance model.** The integrator accepts a step when its error estimate e has
/// weighted RMS norm ≤ 1 with weights wₖ = atol + rtol·|yₖ| (``IntegratorTolerances``), so
/// Σₖ (eₖ/wₖ)² ≤ N and ‖e‖₂ ≤ √N·(atol + rtol·‖y‖_∞). The bounds below follow from that
/// to first order, times a safety factor for the estimate's own error (an order-2 estimate
/// of an order-3 step overestimates the true error; the factor covers the occasional step
/// where it does not).
///
/// Measured over the whole test suite with the flag on (414 tests): log(1/Loss) never fell
/// over an accepted step and the regression residual never rose (the allowances were never
/// touched), and the largest conservation drift was 7e-6 of its bound. The bounds are meant
/// to catch a wrong field, a broken retry or a lost invariant, never rounding.
public enum FlowInvariants {
  /// Whether the checks run: the process started with `VERIFIER_INVARIANTS=1`.
  public static var enabled: Bool { LinearAlgebraInvariants.enabled }

  /// Safety factor of every bound (see the type's documentation).
  public static let safety = 10.0

  /// Traps unless every entry of the accepted state is finite (the integrator rejects
  /// non-finite trial states, so a failure here is a driver bug).
  public static func checkFinite(_ state: [Double], step: Int, _ what: String) {
    for (k, x) in state.enumerated() where !x.isFinite {
      preconditionFailure("\(what): accepted step \(step) left coordinate \(k) of \(state.count) at \(x)")
    }
  }

  /// The drop of log(1/Loss) that one accepted step may show although the exact flow only
  /// raises it: safety · 120 · √N · rtol · max(1, |ℓ|), rtol the step's relative tolerance.
  ///
  /// Gradient flow raises log(1/Loss) = ℓ: dℓ/ds = ⟨G, dΘ/ds⟩ = c‖G‖² ≥ 0 on the clock of
  /// ``ClassificationFlow`` (G = −∇log Loss = Σᵢ pᵢ∇mᵢ, dΘ/ds = cG). To first order a step's
  /// error e moves ℓ by ⟨G, e⟩, and |⟨G, e⟩| ≤ ‖G‖·‖e‖ ≤ ‖G‖·√N·rtol·‖Θ‖ (atol is below
  /// rtol·‖Θ‖ here). The margins are homogeneous of degree L in Θ, so by Euler's identity
  /// ⟨G, Θ⟩ = L·Σᵢ pᵢmᵢ ≤ L·(ℓ + log n), hence ‖G‖·‖Θ‖ = L·Σᵢ pᵢmᵢ / cos∠(G, Θ). The angle
  /// closes as the direction converges (the KKT condition is G ∥ Θ); with L ≤ 12 and
  /// cos∠ ≥ 0.1 the drop is ≤ 120·√N·rtol·max(1, |ℓ|), and the check allows `safety` × that.
  /// With rtol ≤ 1e-6 and N ≤ 100 the allowance is ≤ 1.2% of ℓ per step: a field of the
  /// wrong sign or a broken checkpoint retry (a drop of a whole step's rise) is caught once
  /// the steps grow past it, which happens within a few steps.
  public static func logLossSlack(relativeTolerance rtol: Double, logInverseLoss: Double, dimension: Int) -> Double {
    safety * 120 * Double(dimension).squareRoot() * rtol * max(1, abs(logInverseLoss))
  }

  /// Traps when log(1/Loss) fell by more than ``logLossSlack(relativeTolerance:logInverseLoss:dimension:)``
  /// over an accepted step, or the state is not finite.
  public static func checkClassificationStep(state: [Double], before: Double, after: Double,
                                             relativeTolerance rtol: Double, step: Int) {
    checkFinite(state, step: step, "classification flow")
    let slack = logLossSlack(relativeTolerance: rtol, logInverseLoss: max(abs(before), abs(after)),
                             dimension: state.count)
    precondition(
      after.isFinite && after >= before - slack,
      "classification flow: log(1/Loss) fell from \(before) to \(after) over accepted step \(step), more than the slack \(slack) (rtol \(rtol), N = \(state.count))")
  }

  /// Traps when the relative residual r = ‖f(Θ) − y‖/‖y‖ rose over an accepted step by more
  /// than safety · 1200 · √N · (rtol·(1 + r) + atol), or the state is not finite.
  ///
  /// The squared loss falls along the exact flow (d Loss/dt = −‖∇Loss‖²). To first order a
  /// step's error e moves the predictions f by J_f·e, with ‖e‖ ≤ √N·(atol + rtol·‖Θ‖). For
  /// predictions homogeneous of degree L, Euler's identity gives J_f·Θ = L·f with
  /// ‖f‖ ≤ ‖y‖·(1 + r); ‖J_f‖·‖Θ‖ exceeds L·‖f‖ by the conditioning of J_f along Θ, taken
  /// as ≤ 100 (with L ≤ 12: the 1200). There is no alignment to lean on here, so the factor
  /// is 10× that of the classification check.
  public static func checkRegressionStep(state: [Double], before: Double, after: Double,
                                         tolerances: IntegratorTolerances, step: Int) {
    checkFinite(state, step: step, "regression flow")
    let slack = safety * 1200 * Double(state.count).squareRoot()
      * (tolerances.relative * (1 + before) + tolerances.absolute)
    precondition(
      after.isFinite && after <= before + slack,
      "regression flow: the relative residual rose from \(before) to \(after) over accepted step \(step), more than the slack \(slack) (rtol \(tolerances.relative), N = \(state.count))")
  }

  /// The drift allowed to the conserved quantities |aₗ|² − |a_L|² (relative to the scale S
  /// of the squared magnitudes) after K accepted steps: safety·4·(K + 1)·√N·(rtol + atol/√S).
  ///
  /// An error e changes |a|² by ≤ 2|a|·‖e‖ + ‖e‖² with ‖e‖ ≤ √N·(atol + rtol·√S), i.e. by
  /// ≤ 2√N·(rtol + atol/√S) relative to S (first order); a difference of two such
  /// quantities doubles it (the 4), and the errors of K steps add at worst linearly (they
  /// add like a random walk in practice). S only grows along the classification flows, so
  /// the current S bounds the earlier ones.
  public static func conservationBound(steps: Int, dimension: Int, tolerances: IntegratorTolerances,
                                       scale: Double) -> Double {
    let s = max(scale, .leastNormalMagnitude).squareRoot()
    return safety * 4 * Double(steps + 1) * Double(dimension).squareRoot()
      * (tolerances.relative + tolerances.absolute / s)
  }

  /// Traps when a recorded conservation drift exceeds ``conservationBound(steps:dimension:tolerances:scale:)``.
  public static func checkConservation(drift: Double, steps: Int, dimension: Int, tolerances: IntegratorTolerances,
                                       scale: Double, _ what: String) {
    let bound = conservationBound(steps: steps, dimension: dimension, tolerances: tolerances, scale: scale)
    precondition(
      drift.isFinite && drift <= bound,
      "\(what): conservation drift \(drift) after \(steps) accepted steps exceeds \(bound) (rtol \(tolerances.relative), atol \(tolerances.absolute), N = \(dimension), scale \(scale))")
  }
}
