import LinearAlgebra
import Optimization
import Regularizers

/// Yun, Krishnan & Mobahi (ICLR 2021), Theorem 4 (spec §2.5): for a real orthogonally
/// decomposable network on underdetermined regression with the squared loss, started at
/// aₗ(0) = α η (l < L) and a_L(0) small, gradient flow converges to
/// argmin Q_{L,α,η}(ρ) s.t. XSᵀρ = y. This file holds the independent prediction; the
/// predicate, sweep and command line are not written yet (issue 3).
public enum Theorem4 {
  /// The separable potential of Q_{L,α,η} for the convex solvers.
  public static func potential(_ q: WeightedRegularizer) -> SeparablePotential {
    SeparablePotential(
      value: { q.value(coordinate: $0, $1) },
      gradient: { q.gradient(coordinate: $0, $1) },
      secondDerivative: { q.secondDerivative(coordinate: $0, $1) },
      gradientInverse: { q.gradientInverse(coordinate: $0, $1) })
  }

  /// argmin Q(ρ) s.t. Bρ = y by Newton on the smooth convex dual (spec §2.7), with its own
  /// feasibility and stationarity residuals, computed without reference to any trajectory.
  /// When the dual route does not converge (small α at large depth, where Q is nearly a
  /// weighted ℓ1 norm and the dual's curvature spans many decades), Newton on the null
  /// space of B is tried; the result says which converged.
  /// - Parameter options: the Newton budgets and stopping rules of both routes.
  public static func predictedLimit(predictionMatrix b: Matrix, targets y: [Double], regularizer q: WeightedRegularizer,
                                    options: SeparableConvexProgram.Options = .init()) -> SeparableConvexResult {
    let program = SeparableConvexProgram(b: b, y: y, potential: potential(q))
    let dual = program.solveDual(options: options)
    if dual.status == .optimal { return dual }
    let primal = program.solvePrimal(options: options)
    return primal.status == .optimal ? primal : dual
  }
}
