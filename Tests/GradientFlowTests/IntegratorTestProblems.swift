import LinearAlgebra
import Testing

@testable import GradientFlow

// Test problems for the Rosenbrock integrator, with their sources and reference values.

enum IntegratorTestProblems {
  /// y' = −λy: the Dahlquist test equation; y(t) = y₀e^(−λt).
  static func linear(_ lambda: Double) -> DenseJacobianSystem {
    DenseJacobianSystem(
      dimension: 1, vectorField: { y, dy in dy[0] = -lambda * y[0] },
      jacobian: { _, j in j[0, 0] = -lambda })
  }

  /// The Hopf normal form y₁' = y₁(1 − r²) − y₂, y₂' = y₂(1 − r²) + y₁, r² = y₁² + y₂²:
  /// non-stiff, nonlinear and coupled, with the closed-form solution (in polar form
  /// r' = r(1 − r²), θ' = 1) r(t) = 1/√(1 + (1/r₀² − 1)e^(−2t)), θ(t) = θ₀ + t.
  /// `jacobianScale` and `dropNonlinearJacobian` give the approximate Jacobians of the
  /// W-method tests.
  static func hopf(jacobianScale: Double = 1, dropNonlinearJacobian: Bool = false)
    -> DenseJacobianSystem
  {
    DenseJacobianSystem(
      dimension: 2,
      vectorField: hopfField,
      jacobian: { y, j in
        if dropNonlinearJacobian {  // the linearization at r = 0 only
          j[0, 0] = 1
          j[0, 1] = -1
          j[1, 0] = 1
          j[1, 1] = 1
          return
        }
        let s = 1 - (y[0] * y[0] + y[1] * y[1])
        j[0, 0] = jacobianScale * (s - 2 * y[0] * y[0])
        j[0, 1] = jacobianScale * (-1 - 2 * y[0] * y[1])
        j[1, 0] = jacobianScale * (1 - 2 * y[0] * y[1])
        j[1, 1] = jacobianScale * (s - 2 * y[1] * y[1])
      })
  }

  static func hopfField(_ y: [Double], _ dy: inout [Double]) {
    let s = 1 - (y[0] * y[0] + y[1] * y[1])
    dy[0] = y[0] * s - y[1]
    dy[1] = y[1] * s + y[0]
  }

  static let hopfStart: [Double] = [0.5, 0]

  /// The exact Hopf solution from ``hopfStart`` at time t.
  static func hopfExact(_ t: Double) -> [Double] {
    let r0 = 0.5
    let r = 1 / (1 + (1 / (r0 * r0) - 1) * Elementary.exp(-2 * t)).squareRoot()
    return [r * Elementary.cos(t), r * Elementary.sin(t)]
  }

  /// Robertson's chemical kinetics (H. H. Robertson 1966; Hairer & Wanner, *Solving ODEs II*,
  /// §IV.1, eq. (1.4)), y(0) = (1, 0, 0). `jacobianScale` scales J; `dropSlowTerms` drops
  /// the ±0.04 entries (the slow reaction) from J; `dropThirdColumn` drops ∂f/∂y₃ (entries
  /// ±1e4·y₂, small since y₂ ≤ 4e-5).
  static func robertson(
    jacobianScale: Double = 1, dropSlowTerms: Bool = false, dropThirdColumn: Bool = false
  ) -> DenseJacobianSystem {
    DenseJacobianSystem(
      dimension: 3,
      vectorField: robertsonField,
      jacobian: { y, j in
        let slow = dropSlowTerms ? 0 : 0.04
        j[0, 0] = -slow
        j[0, 1] = 1e4 * y[2]
        j[0, 2] = 1e4 * y[1]
        j[1, 0] = slow
        j[1, 1] = -1e4 * y[2] - 6e7 * y[1]
        j[1, 2] = -1e4 * y[1]
        j[2, 1] = 6e7 * y[1]
        if dropThirdColumn {
          j[0, 2] = 0
          j[1, 2] = 0
        }
        for k in j.storage.indices { j.storage[k] *= jacobianScale }
      })
  }

  static func robertsonField(_ y: [Double], _ dy: inout [Double]) {
    dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
    dy[2] = 3e7 * y[1] * y[1]
    dy[1] = -dy[0] - dy[2]
  }

  /// Robertson at t = 1e5. Not tabulated in the literature to this precision: computed
  /// offline with SciPy 1.17 `solve_ivp` (Radau, BDF and LSODA with the exact Jacobian,
  /// rtol 1e-12, atol 1e-20/1e-24/1e-20), which agree to ≥ 10 digits (y₁ ≈ 0.01786 matches
  /// the commonly quoted value).
  static let robertsonAt1e5: [Double] = [
    1.7865921142098645e-2, 7.27475146843596e-8, 9.821340061103873e-1,
  ]

  /// Robertson at t = 1e11: the reference solution of the problem ROBER in the *Test Set for
  /// IVP Solvers* (F. Mazzia & C. Magherini, University of Bari, release 2.4, 2008), which the
  /// offline SciPy runs reproduce to ~1e-12 relative.
  static let robertsonAt1e11: [Double] = [
    0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050,
  ]

  /// Van der Pol in the unscaled form y₁' = y₂, y₂' = μ(1 − y₁²)y₂ − y₁, μ = 1000, from (2, 0).
  static func vanDerPol(mu: Double = 1000) -> DenseJacobianSystem {
    DenseJacobianSystem(
      dimension: 2,
      vectorField: { y, dy in
        dy[0] = y[1]
        dy[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0]
      },
      jacobian: { y, j in
        j[0, 1] = 1
        j[1, 0] = -2 * mu * y[0] * y[1] - 1
        j[1, 1] = mu * (1 - y[0] * y[0])
      })
  }

  /// Van der Pol (μ = 1000) from (2, 0) at t = 2000, after one full period (≈ 1614.3: the
  /// upward jump crosses y₁ = 0 at t ≈ 1614.285). Computed offline with SciPy 1.17 Radau and
  /// LSODA at rtol 1e-12, atol 1e-14 (agreeing to 10 digits).
  static let vanDerPolAt2000: [Double] = [1.7061677321705848, -8.928097010252237e-4]

  /// y' = y², y(0) = 1: y = 1/(1 − t) blows up at t = 1.
  static func blowUp() -> DenseJacobianSystem {
    DenseJacobianSystem(
      dimension: 1, vectorField: { y, dy in dy[0] = y[0] * y[0] },
      jacobian: { y, j in j[0, 0] = 2 * y[0] })
  }
}

/// A system whose preparation throws on its first `failures` calls (or always, if nil).
struct FailingSystem: StiffSystem {
  struct Refused: Error {}
  var inner: DenseJacobianSystem
  var failures: Int?
  var dimension: Int { inner.dimension }

  mutating func evaluate(_ y: [Double], into derivative: inout [Double]) {
    inner.evaluate(y, into: &derivative)
  }

  mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws {
    if let remaining = failures {
      if remaining > 0 {
        failures = remaining - 1
        throw Refused()
      }
    } else {
      throw Refused()
    }
    try inner.prepareSolves(at: y, derivative: derivative, shift: shift)
  }

  mutating func solveShifted(_ b: inout [Double]) throws { try inner.solveShifted(&b) }
}

/// Integrates from `time` to `end` by repeated ``RosenbrockIntegrator/advance(_:time:state:limit:)``.
func integrate<S: StiffSystem>(
  _ system: inout S, _ integrator: inout RosenbrockIntegrator, state: inout [Double],
  from start: Double, to end: Double
) throws(IntegratorError) {
  var time = start
  while time < end {
    _ = try integrator.advance(&system, time: &time, state: &state, limit: end)
  }
}

/// Largest componentwise relative error max |xᵢ − rᵢ| / |rᵢ|.
func maxRelativeError(_ x: [Double], _ reference: [Double]) -> Double {
  zip(x, reference).map { abs($0 - $1) / abs($1) }.max() ?? 0
}

/// Largest componentwise absolute error.
func maxAbsoluteError(_ x: [Double], _ reference: [Double]) -> Double {
  zip(x, reference).map { abs($0 - $1) }.max() ?? 0
}
