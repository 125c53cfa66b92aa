import LinearAlgebra

// MARK: - Route 2: Newton on the null space of B

extension SeparableConvexProgram {
  /// Solves the program by damped Newton on the null space of B: every feasible point is
  /// ρ = ρ₀ + N·w, with ρ₀ = B⁺y the minimum-norm solution and N (m × k, k = m − rank B) an
  /// orthonormal basis of null(B), so the program is the unconstrained
  ///
  ///     minimize_w  f(w) = Σⱼ Qⱼ([ρ₀ + N·w]ⱼ),   ∇f = Nᵀ∇Q(ρ),   ∇²f = Nᵀ·diag(Q″(ρ))·N
  ///
  /// (Boyd & Vandenberghe, *Convex Optimization*, 2004, §10.1.2, elimination of equality
  /// constraints).
  ///
  /// Null space. Pivoted QR of Bᵀ: Bᵀ·P = Q·R with numerical rank r; the first r columns of Q
  /// span range(Bᵀ) and the last m − r span its orthogonal complement null(B) (Golub–Van Loan,
  /// *Matrix Computations*, 4th ed., §5.4.1). They are formed as Q·e_i, i = r, …, m − 1.
  ///
  /// Step and line search as in ``solveDual(options:)``, with A = diag(√Q″(ρ))·N in place of
  /// diag(√w)·Bᵀ and the Armijo test on f. ρ₀ must lie in the domain of Q (f(0) finite).
  /// As there, the iterate ρ is carried and updated by increments ρ ← ρ + t·NΔ rather than
  /// recomputed as ρ₀ + N·w: where Qⱼ″ is huge, ρⱼ is small by cancellation and Qⱼ′(ρⱼ)
  /// magnifies its absolute error ε·‖ρ‖ (with Q″ from 1e-12 to 1e12 the stationarity residual
  /// stays at 0.1–0.7 when recomputed, and reaches 3e-16 when carried). The drift of the carried ρ
  /// off {Bρ = y} is what the feasibility residual measures.
  ///
  /// Stopping rule, checked before each step: (1) ‖Nᵀ∇Q(ρ)‖/‖∇Q(ρ)‖ ≤ `tolerance` (default
  /// 1e-14; the first-order condition ∇Q(ρ) ∈ range(Bᵀ)); (2) λ² ≤ `decrementTolerance`·scale
  /// while ‖Nᵀ∇Q‖ stagnates; (3) the line search fails; (4) `maxIterations` steps. If y ∉ range(B)
  /// (‖y − BB⁺y‖ > `acceptance`·‖y‖) no step is taken and the result is `.infeasible` with a
  /// certificate. The multiplier is μ = argmin ‖∇Q(ρ) − Bᵀμ‖ (least squares, as in §4.8(e)),
  /// and the status rule is that of the dual route.
  ///
  /// - Complexity: O(m²·n) once (QR of Bᵀ and the basis N), then O(m·k²) per Newton step and
  ///   O(m·k) per line-search trial.
  public func solvePrimal(options: Options = Options()) -> SeparableConvexResult {
    let n = b.rows, m = b.columns
    if let z = inconsistencyCertificate(acceptance: options.acceptance) {
      let rho0 = leastSquares(b, y).x
      var result = certificate(rho: rho0, mu: [Double](repeating: 0, count: n), stop: .inconsistentConstraints,
                               iterations: 0, decrement: 0, options: options)
      result.status = .infeasible
      result.infeasibilityCertificate = z
      return result
    }
    let rho0 = leastSquares(b, y).x
    let null = nullSpaceBasis()
    let k = null.columns
    var state = primalState(w: [Double](repeating: 0, count: k), rho: rho0, null: null)
    var iterations = 0, decrement = 0.0, previousNorm = Double.infinity
    var stop = SeparableConvexResult.StopReason.iterationLimit
    while true {
      guard state.isFinite else {
        stop = .nonFinite
        break
      }
      if state.residualNorm <= options.tolerance * state.residualScale {
        stop = .tolerance
        break
      }
      if iterations >= options.maxIterations {
        stop = .iterationLimit
        break
      }
      let curvature = (0..<m).map { potential.secondDerivative($0, state.rho[$0]) }
      guard let system = WeightedGramSystem(rows: null, weights: curvature) else {
        stop = .nonFinite
        break
      }
      let delta = system.solve(state.residual.scaled(by: -1))
      decrement = -state.residual.dot(delta)
      if decrement <= options.decrementTolerance * state.scale && state.residualNorm > 0.5 * previousNorm {
        stop = .newtonDecrement
        break
      }
      let direction = null * delta
      guard let next = lineSearch(from: state, slope: -decrement, trial: { t in
        var w = state.mu, rho = state.rho
        w.addScaled(delta, by: t)
        rho.addScaled(direction, by: t)
        return primalState(w: w, rho: rho, null: null)
      }) else {
        stop = .lineSearchFailure
        break
      }
      previousNorm = state.residualNorm
      state = next
      iterations += 1
    }
    let gradient = state.rho.indices.map { potential.gradient($0, state.rho[$0]) }
    let mu = gradient.allSatisfy(\.isFinite)
      ? leastSquares(b.transposed, gradient).x : [Double](repeating: .nan, count: n)
    return certificate(rho: state.rho, mu: mu, stop: stop, iterations: iterations, decrement: decrement,
                       options: options)
  }

  /// An orthonormal basis of null(B) as the columns of an m × (m − rank B) matrix.
  func nullSpaceBasis() -> Matrix {
    let m = b.columns
    let qr = QRFactorization(b.transposed, pivoting: true)
    let rank = qr.rank()
    var basis = Matrix(rows: m, columns: m - rank)
    for i in rank..<m {
      var e = [Double](repeating: 0, count: m)
      e[i] = 1
      let column = qr.applyQ(e)
      for j in 0..<m { basis[j, i - rank] = column[j] }
    }
    return basis
  }

  /// f and the projected gradient Nᵀ∇Q(ρ) at ρ = ρ₀ + N·w, with ρ carried.
  private func primalState(w: [Double], rho: [Double], null: Matrix) -> NewtonState {
    let gradient = rho.indices.map { potential.gradient($0, rho[$0]) }
    var f = 0.0, magnitude = 0.0
    for j in rho.indices {
      let q = potential.value(j, rho[j])
      f += q
      magnitude += abs(q)
    }
    let projected = null.transposedTimes(gradient)
    let finite = f.isFinite && rho.allSatisfy(\.isFinite) && gradient.allSatisfy(\.isFinite)
    let scale = magnitude + abs(rho.dot(gradient))
    return NewtonState(
      mu: w, carried: rho, rho: rho, objective: f, magnitude: magnitude, scale: max(scale, .leastNormalMagnitude),
      residual: projected, residualNorm: finite ? projected.norm2 : .infinity, isFinite: finite,
      residualScale: gradient.norm2)
  }
}

// MARK: - Newton machinery shared by both routes

/// One Newton iterate: `mu` is the unknown (μ for the dual, w for the primal), `residual` the
/// gradient of the objective (Bρ − y, or Nᵀ∇Q(ρ)).
struct NewtonState {
  var mu: [Double]
  /// The variable updated by increments: s = Bᵀμ (dual) or ρ (primal).
  var carried: [Double]
  var rho: [Double]
  var objective: Double
  /// Σ of the absolute values of the terms summed into `objective`: its rounding scale.
  var magnitude: Double
  /// The scale that the Newton decrement is compared with.
  var scale: Double
  var residual: [Double]
  var residualNorm: Double
  var isFinite: Bool
  /// ‖∇Q(ρ)‖ (primal route; the denominator of its stopping test).
  var residualScale: Double = 1
}

/// The Newton system (Mᵀ·diag(w)·M)·x = r for M given by its rows (m × p) and w ≥ 0, solved
/// through A = diag(√w)·M without forming the Gram matrix.
///
/// The rows of A are sorted by decreasing max-norm, then A·P = Q·R (pivoted Householder QR);
/// AᵀA = P·RᵀR·Pᵀ, so x = P·R⁻¹R⁻ᵀ·Pᵀr. Householder QR with column pivoting on row-sorted A
/// is row-wise backward stable (Cox & Higham, "Stability of Householder QR factorization for
/// weighted least squares problems", 1998; Powell & Reid, 1969), so the accuracy of x is
/// governed by the conditioning of A after row scaling is removed, not by cond(AᵀA) =
/// cond(A)². With numerical rank r < p only the leading r × r block of R is used (the basic
/// solution, zero in the trailing pivoted coordinates).
struct WeightedGramSystem {
  private let factor: Matrix
  private let permutation: [Int]
  private let rank: Int

  /// Nil if a weight is negative, NaN or infinite.
  /// - Complexity: O(m·p²).
  init?(rows: Matrix, weights: [Double]) {
    precondition(rows.rows == weights.count, "\(weights.count) weights for \(rows.rows) rows")
    guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else { return nil }
    let m = rows.rows, p = rows.columns
    guard m > 0 && p > 0 else {
      factor = Matrix(rows: 0, columns: p)
      permutation = Array(0..<p)
      rank = 0
      return
    }
    var a = Matrix(rows: m, columns: p)
    for j in 0..<m {
      let root = weights[j].squareRoot()
      for i in 0..<p { a[j, i] = root * rows[j, i] }
    }
    let order = (0..<m).map { (a.row($0).normInfinity, $0) }.sorted { $0.0 > $1.0 }.map(\.1)
    a = a.selectingRows(order)
    let qr = QRFactorization(a, pivoting: true)
    factor = qr.r
    permutation = qr.permutation
    rank = qr.rank()
  }

  /// x with (AᵀA)x = r (the basic solution when A is rank deficient).
  /// - Complexity: O(p²).
  func solve(_ r: [Double]) -> [Double] {
    var z = (0..<rank).map { r[permutation[$0]] }
    // R₁₁ᵀ z = v₁ (forward substitution).
    for i in 0..<rank {
      var s = z[i]
      for j in 0..<i { s -= factor[j, i] * z[j] }
      z[i] = s / factor[i, i]
    }
    // R₁₁ x′ = z (back substitution).
    var i = rank - 1
    while i >= 0 {
      var s = z[i]
      for j in (i + 1)..<rank { s -= factor[i, j] * z[j] }
      z[i] = s / factor[i, i]
      i -= 1
    }
    var x = [Double](repeating: 0, count: r.count)
    for i in 0..<rank { x[permutation[i]] = z[i] }
    return x
  }
}
