import LinearAlgebra

/// The equality-constrained separable convex program
///
///     minimize  Σⱼ Qⱼ(ρⱼ)  subject to  B ρ = y,
///
/// with B of shape n × m (n < m, full row rank in the intended use) and every Qⱼ strictly
/// convex and C² (a ``SeparablePotential``). This is the regression limit of gradient flow
/// on real ODECO networks and diagonal networks: Theorem 4 and §2.7 of the specification,
/// Woodworth et al. (COLT 2020), Azulay et al. (ICML 2021).
///
/// KKT. The Lagrangian Σ Qⱼ(ρⱼ) − μᵀ(Bρ − y) is stationary in ρ when ∇Q(ρ) = Bᵀμ, that is
/// ρ = φ(Bᵀμ) with φⱼ = (Qⱼ′)⁻¹. Substituting into Bρ = y leaves n equations in μ,
///
///     B φ(Bᵀμ) = y,
///
/// which are the stationarity conditions of the smooth convex dual (the negated Lagrange
/// dual, Rockafellar, *Convex Analysis*, 1970, §31)
///
///     minimize_μ  F(μ) = Σⱼ Φⱼ([Bᵀμ]ⱼ) − yᵀμ,   ∇F = Bρ − y,   ∇²F = B·diag(φ′(Bᵀμ))·Bᵀ,
///
/// with Φⱼ the Legendre transform of Qⱼ and φⱼ′ = 1/Qⱼ″(φⱼ). Two independent routes solve it:
/// ``solveDual(options:)`` (Newton on F, n unknowns) and ``solvePrimal(options:)`` (Newton on
/// the null space of B, m − n unknowns). They share only the linear algebra, so agreement
/// between them is evidence for both.
///
/// Both return the certificate of §4.8(e): the feasibility residual ‖Bρ − y‖/‖y‖ and the
/// stationarity residual ‖∇Q(ρ) − Bᵀμ‖/‖∇Q(ρ)‖, recomputed from the returned (ρ, μ) with the
/// potential's `gradient` (not from the quantities the iteration carried).
public struct SeparableConvexProgram: Sendable {
  /// The constraint matrix B (n × m).
  public var b: Matrix
  /// The right-hand side y (length n).
  public var y: [Double]
  /// The potential Q.
  public var potential: SeparablePotential

  /// A program; an empty B and shape mismatches trap.
  public init(b: Matrix, y: [Double], potential: SeparablePotential) {
    precondition(b.rows > 0 && b.columns > 0, "B must be non-empty, got \(b.rows)×\(b.columns)")
    precondition(b.rows == y.count, "B is \(b.rows)×\(b.columns) but y has \(y.count) entries")
    self.b = b
    self.y = y
    self.potential = potential
  }

  /// Stopping rules and budgets shared by both routes.
  public struct Options: Sendable {
    /// Newton steps at most.
    public var maxIterations: Int
    /// Dual route: stop when ‖Bρ − y‖/‖y‖ ≤ tolerance. Primal route: stop when the projected
    /// gradient ‖Nᵀ∇Q(ρ)‖/‖∇Q(ρ)‖ ≤ tolerance (N an orthonormal basis of null(B)).
    public var tolerance: Double
    /// Stop when the squared Newton decrement λ² = gᵀH⁻¹g is at most this times the
    /// objective's scale (Σⱼ|sⱼρⱼ| + |F| for the dual, Σⱼ|Qⱼ| + |ρᵀ∇Q| for the primal) and the
    /// gradient norm has stagnated (see the solvers): λ²/2 estimates the remaining decrease
    /// of the objective, so below ≈ ε² of its scale nothing further is representable.
    public var decrementTolerance: Double
    /// A run that ends by its stopping rule is `.optimal` only if both recomputed residuals
    /// are at most this; it also separates consistent from inconsistent Bρ = y.
    public var acceptance: Double

    public init(
      maxIterations: Int = 200, tolerance: Double = 1e-14, decrementTolerance: Double = 1e-28,
      acceptance: Double = 1e-8
    ) {
      self.maxIterations = maxIterations
      self.tolerance = tolerance
      self.decrementTolerance = decrementTolerance
      self.acceptance = acceptance
    }
  }

  // MARK: - Route 1: Newton on the dual

  /// Solves the program by damped Newton on the dual F(μ) = Σⱼ Φⱼ([Bᵀμ]ⱼ) − yᵀμ from μ = 0
  /// (Boyd & Vandenberghe, *Convex Optimization*, 2004, §9.5 and §10.2).
  ///
  /// Step. With s = Bᵀμ, ρ = φ(s), g = Bρ − y and wⱼ = 1/Qⱼ″(ρⱼ), the Newton step solves
  /// (B·diag(w)·Bᵀ)Δ = −g. The Gram matrix is never formed: with A = diag(√w)·Bᵀ (m × n),
  /// B·diag(w)·Bᵀ = AᵀA = P·RᵀR·Pᵀ from the pivoted QR A·P = Q·R, and Δ follows from two
  /// triangular solves. The rows of A are sorted by decreasing norm first, which keeps
  /// Householder QR accurate under the wildly different row scales that come with badly
  /// scaled potentials (Qⱼ″ from 1e-12 to 1e12; Cox & Higham, BIT 38, 1998). If R has
  /// numerical rank r < n (B rank deficient), the basic solution on the leading r × r block
  /// is used; it is still a descent direction.
  ///
  /// Carried s. The iteration keeps s alongside μ and updates both by increments,
  /// s ← s + t·BᵀΔ, instead of recomputing s = Bᵀμ. Where Qⱼ″ is tiny (φⱼ′ huge), sⱼ is small by
  /// cancellation and Bᵀμ gives it only to ε·‖Bⱼ‖‖μ‖ absolute, which φⱼ then magnifies; an
  /// increment's error shrinks with the step, so the carried s keeps refining (iterative
  /// refinement; with Q″ from 1e-12 to 1e12 this takes ‖Bρ − y‖/‖y‖ from 1e-9 to 1e-16). The
  /// drift between s and Bᵀμ is what the stationarity residual measures.
  ///
  /// Line search. Backtracking from t = 1, halving, with the Armijo test
  /// F(μ + tΔ) ≤ F(μ) + 10⁻⁴·t·gᵀΔ; a trial with a non-finite ρ or F (φ overflowing) is
  /// rejected like a failed test. Close to the optimum the change in F drops below its
  /// rounding error (≈ 16ε·Σⱼ(|sⱼρⱼ| + |Qⱼ(ρⱼ)|)); there a trial is accepted when F does not
  /// rise beyond that error and ‖g‖ decreases. After 60 halvings the run stops.
  ///
  /// Stopping rule, checked before each step: (1) ‖Bρ − y‖/‖y‖ ≤ `tolerance` (default 1e-14;
  /// absolute when y = 0); (2) λ² = −gᵀΔ ≤ `decrementTolerance`·scale (default 1e-28) while
  /// the last step reduced ‖g‖ by less than half (at the rounding floor ‖g‖ stagnates; before
  /// it, Newton still halves ‖g‖ per step, and a small λ² alone can hide a relative error in
  /// coordinates with tiny gradient); (3) the line search fails; (4) `maxIterations` steps.
  /// Status: `.optimal` when (1)–(3) ended the run and both recomputed residuals are
  /// ≤ `acceptance`; `.infeasible` when y is not in range(B) (checked by least squares, with
  /// a certificate); `.iterationLimit` otherwise, with the reason in
  /// ``SeparableConvexResult/stopReason``. Never an unflagged answer: a run that did not
  /// converge says so, whatever the reason.
  ///
  /// Requires Φⱼ finite at 0 (φⱼ(0) finite), since the iteration starts at μ = 0.
  ///
  /// - Complexity: O(m·n²) per Newton step (the QR), plus O(m·n) per line-search trial.
  public func solveDual(options: Options = Options()) -> SeparableConvexResult {
    let n = b.rows, m = b.columns
    let bt = b.transposed
    let yNorm = y.norm2
    let relative = { (r: Double) in yNorm > 0 ? r / yNorm : r }
    var state = dualState(mu: [Double](repeating: 0, count: n), s: [Double](repeating: 0, count: m))
    var iterations = 0, decrement = 0.0, previousNorm = Double.infinity
    var stop = SeparableConvexResult.StopReason.iterationLimit
    while true {
      guard state.isFinite else {
        stop = .nonFinite
        break
      }
      if relative(state.residualNorm) <= options.tolerance {
        stop = .tolerance
        break
      }
      if iterations >= options.maxIterations {
        stop = .iterationLimit
        break
      }
      let weights = (0..<m).map { 1 / potential.secondDerivative($0, state.rho[$0]) }
      guard let system = WeightedGramSystem(rows: bt, weights: weights) else {
        stop = .nonFinite
        break
      }
      let delta = system.solve(state.residual.scaled(by: -1))
      decrement = -state.residual.dot(delta)
      if decrement <= options.decrementTolerance * state.scale && state.residualNorm > 0.5 * previousNorm {
        stop = .newtonDecrement
        break
      }
      let image = bt * delta
      guard let next = lineSearch(from: state, slope: -decrement, trial: { t in
        var mu = state.mu, s = state.carried
        mu.addScaled(delta, by: t)
        s.addScaled(image, by: t)
        return dualState(mu: mu, s: s)
      }) else {
        stop = .lineSearchFailure
        break
      }
      previousNorm = state.residualNorm
      state = next
      iterations += 1
    }
    return certificate(rho: state.rho, mu: state.mu, stop: stop, iterations: iterations,
                       decrement: decrement, options: options)
  }

  /// F, ρ and g at μ, with s = Bᵀμ carried (see ``solveDual(options:)``).
  private func dualState(mu: [Double], s: [Double]) -> NewtonState {
    let rho = s.indices.map { potential.gradientInverse($0, s[$0]) }
    var f = -y.dot(mu), magnitude = abs(f), scale = 0.0
    for j in s.indices {
      let sRho = s[j] * rho[j], q = potential.value(j, rho[j])
      f += sRho - q
      magnitude += abs(sRho) + abs(q)
      scale += abs(sRho)
    }
    let residual = (b * rho).subtracting(y)
    let finite = f.isFinite && rho.allSatisfy(\.isFinite)
    return NewtonState(
      mu: mu, carried: s, rho: rho, objective: f, magnitude: magnitude,
      scale: max(scale + abs(f), .leastNormalMagnitude),
      residual: residual, residualNorm: finite ? residual.norm2 : .infinity, isFinite: finite)
  }

  // MARK: - Shared pieces

  /// Backtracking along t ↦ trial(t) from t = 1 (see ``solveDual(options:)``); nil after 60
  /// halvings. `slope` is the directional derivative gᵀΔ < 0 at t = 0.
  func lineSearch(from state: NewtonState, slope: Double, trial: (Double) -> NewtonState) -> NewtonState? {
    var t = 1.0
    for _ in 0..<60 {
      let next = trial(t)
      if next.isFinite {
        if next.objective <= state.objective + 1e-4 * t * slope { return next }
        let noise = 16 * Double.ulpOfOne * (state.magnitude + next.magnitude)
        if next.objective - state.objective <= noise && next.residualNorm < state.residualNorm { return next }
      }
      t *= 0.5
    }
    return nil
  }

  /// The §4.8(e) certificate of (ρ, μ), recomputed from the data, and the status.
  func certificate(
    rho: [Double], mu: [Double], stop: SeparableConvexResult.StopReason, iterations: Int, decrement: Double,
    options: Options
  ) -> SeparableConvexResult {
    let yNorm = y.norm2
    let finite = rho.allSatisfy(\.isFinite) && mu.allSatisfy(\.isFinite)
    let gradient = rho.indices.map { potential.gradient($0, rho[$0]) }
    let feasibility = finite ? (b * rho).subtracting(y).norm2 / (yNorm > 0 ? yNorm : 1) : .infinity
    let gradientNorm = gradient.norm2
    let gap = finite ? gradient.subtracting(b.transposedTimes(mu)).norm2 : .infinity
    let stationarity = gradientNorm > 0 ? gap / gradientNorm : gap
    let objective = rho.indices.reduce(0.0) { $0 + potential.value($1, rho[$1]) }
    var result = SeparableConvexResult(
      status: .iterationLimit, stopReason: stop, rho: rho, mu: mu, objective: objective, iterations: iterations,
      feasibilityResidual: feasibility, stationarityResidual: stationarity, newtonDecrement: decrement,
      infeasibilityCertificate: nil)
    let stoppedByRule = stop == .tolerance || stop == .newtonDecrement || stop == .lineSearchFailure
    if stoppedByRule && feasibility <= options.acceptance && stationarity <= options.acceptance {
      result.status = .optimal
    } else if let z = inconsistencyCertificate(acceptance: options.acceptance) {
      result.status = .infeasible
      result.infeasibilityCertificate = z
    }
    return result
  }

  /// When y ∉ range(B): ẑ = (y − BB⁺y)/‖y − BB⁺y‖, so Bᵀẑ ≈ 0 and yᵀẑ = ‖y − BB⁺y‖ > 0,
  /// and no ρ has Bρ = y (ẑᵀBρ = 0 ≠ ẑᵀy). Nil when ‖y − BB⁺y‖ ≤ acceptance·‖y‖.
  func inconsistencyCertificate(acceptance: Double) -> [Double]? {
    let ls = leastSquares(b, y)
    guard ls.residualNorm > acceptance * y.norm2 else { return nil }
    let z = y.subtracting(b * ls.x)
    return z.scaled(by: 1 / z.norm2)
  }
}

/// The result of ``SeparableConvexProgram/solveDual(options:)`` or
/// ``SeparableConvexProgram/solvePrimal(options:)``.
public struct SeparableConvexResult: Sendable {
  /// Why the Newton loop ended.
  public enum StopReason: Sendable, Hashable {
    /// The route's residual test (feasibility for the dual, projected gradient for the primal).
    case tolerance
    /// The Newton decrement fell below its tolerance.
    case newtonDecrement
    /// No step length in 60 halvings passed the line search.
    case lineSearchFailure
    /// The step budget ran out.
    case iterationLimit
    /// Bρ = y has no solution (found before any step; primal route).
    case inconsistentConstraints
    /// A value, derivative or the start point was NaN, infinite, or had Qⱼ″ ≤ 0.
    case nonFinite
  }

  /// `.optimal` (certified: see the solvers), `.infeasible` (y ∉ range(B), with a
  /// certificate), or `.iterationLimit` (no certified optimum; see `stopReason`).
  public var status: SolverStatus
  public var stopReason: StopReason
  /// The minimizer ρ (dual route: φ(Bᵀμ); primal route: ρ₀ + Nw).
  public var rho: [Double]
  /// The multiplier μ (dual route: the Newton iterate; primal route: argmin ‖∇Q(ρ) − Bᵀμ‖).
  public var mu: [Double]
  /// Σⱼ Qⱼ(ρⱼ).
  public var objective: Double
  /// Newton steps taken.
  public var iterations: Int
  /// ‖Bρ − y‖/‖y‖ (absolute when y = 0).
  public var feasibilityResidual: Double
  /// ‖∇Q(ρ) − Bᵀμ‖/‖∇Q(ρ)‖ (absolute when ∇Q(ρ) = 0).
  public var stationarityResidual: Double
  /// The last squared Newton decrement λ² = gᵀH⁻¹g computed (0 if none).
  public var newtonDecrement: Double
  /// When `.infeasible`: a unit ẑ with Bᵀẑ ≈ 0 and yᵀẑ > 0.
  public var infeasibilityCertificate: [Double]?
}
