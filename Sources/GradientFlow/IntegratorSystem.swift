// The contract between the stiff integrator and the vector fields it integrates, and the
// small value types (tolerances, statistics, errors) that describe a run.

/// An autonomous ODE y' = f(y) that can solve linear systems with its (approximate) Jacobian.
///
/// The integrator never forms or factors a Jacobian: it asks the system to prepare once per
/// attempted step and then to solve with the shifted matrix (shift·I − J), shift = 1/(h·γ).
/// This lets the caller exploit structure (block, low-rank plus diagonal via Woodbury, …).
/// Because the integrator is a Rosenbrock *W*-method (``RosenbrockIntegrator``), J need only
/// approximate ∂f/∂y: its order is kept for any J, and stability for stiff problems needs J
/// to capture the stiff part of the spectrum.
///
/// Implementations should copy the contents of the arrays they are handed rather than keep
/// references to them, so the integrator's work buffers stay uniquely referenced and are
/// not copied on the next write.
public protocol StiffSystem {
  var dimension: Int { get }
  /// Writes f(y) into `derivative` (already sized to `dimension`).
  mutating func evaluate(_ y: [Double], into derivative: inout [Double])
  /// Called once per attempted step with the state and f(y): prepare whatever the solves need (Jacobian J ≈ ∂f/∂y at y). `shift` is 1/(h·γ).
  mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws
  /// Overwrites b with (shift·I − J)⁻¹ b for the shift of the last prepareSolves call.
  mutating func solveShifted(_ b: inout [Double]) throws
}

/// Componentwise error tolerances.
///
/// The local error estimate eᵢ of a step from y to ŷ is measured in the weighted RMS norm
///
///     ‖e‖ = sqrt( (1/n) Σᵢ (eᵢ / wᵢ)² ),   wᵢ = absolute + relative · max(|yᵢ|, |ŷᵢ|),
///
/// (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4, eq. (4.10)–(4.11)); a step is
/// accepted when ‖e‖ ≤ 1.
public struct IntegratorTolerances: Sendable, Equatable {
  /// Relative tolerance (dimensionless).
  public var relative: Double
  /// Absolute tolerance, in the units of the state.
  public var absolute: Double

  /// Both must be non-negative and not both zero. With `absolute` = 0 a component that is
  /// exactly zero at both ends of a step must have a zero error estimate.
  public init(relative: Double, absolute: Double) {
    precondition(
      relative >= 0 && absolute >= 0 && relative + absolute > 0,
      "Tolerances must be non-negative and not both zero, got relative \(relative), absolute \(absolute)"
    )
    self.relative = relative
    self.absolute = absolute
  }
}

/// Work counters of a ``RosenbrockIntegrator``, cumulative over its lifetime.
public struct IntegratorStatistics: Sendable, Equatable {
  /// Calls of ``StiffSystem/evaluate(_:into:)`` made by the integrator (finite-difference
  /// evaluations a system makes for itself are not counted here).
  public var evaluations: Int
  /// Calls of ``StiffSystem/solveShifted(_:)``.
  public var solves: Int
  /// Calls of ``StiffSystem/prepareSolves(at:derivative:shift:)``.
  public var preparations: Int
  /// Steps accepted.
  public var acceptedSteps: Int
  /// Attempts rejected: error too large, non-finite trial state, or a failed solve.
  public var rejectedSteps: Int

  public init(
    evaluations: Int = 0, solves: Int = 0, preparations: Int = 0, acceptedSteps: Int = 0,
    rejectedSteps: Int = 0
  ) {
    self.evaluations = evaluations
    self.solves = solves
    self.preparations = preparations
    self.acceptedSteps = acceptedSteps
    self.rejectedSteps = rejectedSteps
  }
}

/// Why the integrator could not take a step.
public enum IntegratorError: Error, Equatable {
  /// The controller asked for a step below 1e-14 · max(|t|, 1): the solution is probably
  /// singular (finite-time blow-up) near `time`, or the tolerances are unattainable.
  case stepSizeUnderflow(time: Double, stepSize: Double)
  /// The state handed in, or f at it, is not finite.
  case nonFiniteState(time: Double)
  /// ``StiffSystem/prepareSolves(at:derivative:shift:)`` or ``StiffSystem/solveShifted(_:)``
  /// threw on ``RosenbrockIntegrator/maximumConsecutiveSolveFailures`` consecutive attempts.
  case solveFailed(time: Double)
}
