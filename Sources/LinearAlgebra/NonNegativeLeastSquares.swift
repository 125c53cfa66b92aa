/// The result of ``nonNegativeLeastSquares(_:_:maxIterations:tolerance:)``, carrying the
/// quantities of its optimality (KKT) conditions.
public struct NonNegativeLeastSquaresResult: Sendable, Equatable {
  /// The computed minimiser; every entry is ≥ 0, entries outside `passiveSet` are 0.
  public var x: [Double]
  /// ‖b − A·x‖₂.
  public var residualNorm: Double
  /// The dual vector w = Aᵀ(b − A·x) = −½∇‖Ax − b‖² at `x`.
  public var dual: [Double]
  /// The passive set P, ascending: the indices where x is free (positive).
  public var passiveSet: [Int]
  /// Number of main-loop iterations: attempts to move an index into the passive set
  /// (each followed by at most |P| + 1 least-squares subproblem solves).
  public var iterations: Int
  /// Whether the method stopped by its optimality test (not by the iteration cap) and the
  /// returned point satisfies the KKT conditions to `tolerance`: x ≥ 0, w_j ≤ tolerance
  /// for j ∉ P, |w_j| ≤ tolerance for j ∈ P.
  public var converged: Bool
  /// The absolute tolerance on w used in the final test (the argument, or the default
  /// evaluated at the returned x).
  public var tolerance: Double

  public init(x: [Double], residualNorm: Double, dual: [Double], passiveSet: [Int],
              iterations: Int, converged: Bool, tolerance: Double) {
    self.x = x
    self.residualNorm = residualNorm
    self.dual = dual
    self.passiveSet = passiveSet
    self.iterations = iterations
    self.converged = converged
    self.tolerance = tolerance
  }
}

/// The solution of min ‖A·x − b‖₂ subject to x ≥ 0, by the active-set algorithm of
/// Lawson & Hanson (*Solving Least Squares Problems*, 1974, ch. 23, Algorithm NNLS).
///
/// Optimality. x ≥ 0 is optimal iff, with w = Aᵀ(b − Ax), w_j ≤ 0 wherever x_j = 0 and
/// w_j = 0 wherever x_j > 0 (KKT; the problem is convex, so these suffice).
///
/// Method. Keep a passive set P (free variables) and x with x_j > 0 on P, x_j = 0 off it.
/// 1. Compute w. If no j ∉ P has w_j > tol, stop: KKT holds to tol.
/// 2. Move t = argmax_{j∉P} w_j into P.
/// 3. Solve the unconstrained problem on P: z = argmin ‖A_P·z − b‖ (minimum-norm, by
///    ``leastSquares(_:_:relativeTolerance:)``, so a rank-deficient A_P is harmless).
/// 4. If z_j > 0 on P, set x = z and go to 1. Otherwise step from x towards z as far as
///    feasibility allows, α = min_{j∈P, z_j≤0} x_j/(x_j − z_j), x ← x + α(z − x); move
///    the blocking index (set exactly to 0) and any other j with x_j ≤ 0 out of P; go to 3.
///
/// In exact arithmetic the residual decreases strictly at every return to 1, so no passive
/// set repeats and the method terminates (L–H ch. 23). In floating point it can cycle
/// when w_t > 0 is rounding noise: the newly entered z_t then comes out ≤ 0, α = 0, and t
/// leaves at once. Three guards: (a) only w_t > tol counts as positive; (b) as in the
/// original code, if the first solve after t enters has z_t ≤ 0, t is rejected and barred
/// until x next changes; (c) at most `maxIterations` main-loop iterations (steps 1–4;
/// each runs at most |P| + 1 subproblem solves, since every step back empties a slot).
///
/// - Parameters:
///   - maxIterations: cap on main-loop iterations; default 3·n (the ITMAX of L–H's
///     code). When hit, the current feasible x, optimal on its passive set, is returned
///     with `converged == false`.
///   - tolerance: absolute tolerance on w. Default: 10·max(m, n)·ε·‖A‖_F·(‖b‖ + ‖A‖_F‖x‖),
///     re-evaluated at the current x — the rounding level of w. A backward-stable
///     subproblem solve returns x with (A + δA)ᵀ(b − (A + δA)x) = 0, ‖δA‖ = O(mnε‖A‖)
///     (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Thm. 20.3), so
///     the computed w = Aᵀ(b − Ax) can be as large as ‖δA‖(‖r‖ + ‖A‖‖x‖) with ‖r‖ ≤ ‖b‖
///     (the residual never exceeds its starting value). The ‖A‖‖x‖ term matters when a
///     passive set is ill-conditioned and x is large compared with ‖b‖/‖A‖; a tolerance
///     proportional to ‖b‖ alone is then violated by pure rounding.
/// - Precondition: `b.count == a.rows`.
/// - Complexity: O(m·|P|·min(m, |P|)) per subproblem (one pivoted QR of A_P), O(m·n) to
///   form w; at most `maxIterations`·(n + 1) subproblems in all (in the tests, fewer than
///   1.6·n main-loop iterations).
public func nonNegativeLeastSquares(
  _ a: Matrix, _ b: [Double], maxIterations: Int? = nil, tolerance: Double? = nil
) -> NonNegativeLeastSquaresResult {
  precondition(b.count == a.rows, "NNLS with matrix \(a.rows)×\(a.columns) and right-hand side of length \(b.count)")
  let m = a.rows, n = a.columns
  let cap = maxIterations ?? 3 * n
  let normA = a.frobeniusNorm, normB = b.norm2
  let unit = 10 * Double(Swift.max(m, n)) * Double.ulpOfOne * normA
  func currentTolerance(_ x: [Double]) -> Double { tolerance ?? unit * (normB + normA * x.norm2) }

  func dual(_ x: [Double]) -> [Double] {
    var r = a * x
    for i in 0..<m { r[i] = b[i] - r[i] }
    return a.transposedTimes(r)
  }

  var x = [Double](repeating: 0, count: n)
  var isPassive = [Bool](repeating: false, count: n)
  var isBarred = [Bool](repeating: false, count: n)
  var w = dual(x)
  var tol = currentTolerance(x)
  var iterations = 0
  var stoppedByTest = false

  outer: while true {
    // Step 1–2: the most promising free index, among those not barred.
    var entering = -1
    var best = tol
    for j in 0..<n where !isPassive[j] && !isBarred[j] && w[j] > best {
      entering = j
      best = w[j]
    }
    if entering < 0 {
      stoppedByTest = true
      break
    }
    if iterations >= cap { break }
    iterations += 1
    isPassive[entering] = true
    var firstSolve = true
    // Steps 3–4. Every pass that does not accept z removes the blocking index from P, so
    // this loop ends after at most |P| + 1 solves (with P = ∅, z is empty and accepted).
    while true {
      let passive = (0..<n).filter { isPassive[$0] }
      let z = leastSquares(a.selectingColumns(passive), b).x
      if firstSolve {
        firstSolve = false
        // Guard (b): in exact arithmetic w_t > 0 and x optimal on P imply z_t > 0 (L–H
        // ch. 23); if rounding broke that promise, adding t cannot make progress.
        if let k = passive.firstIndex(of: entering), z[k] <= 0 {
          isPassive[entering] = false
          isBarred[entering] = true
          continue outer
        }
      }
      // Step 4: accept z, or step back to the boundary of the feasible set.
      var alpha = 1.0
      var blocking = -1
      for (k, j) in passive.enumerated() where z[k] <= 0 {
        let ratio = x[j] <= 0 ? 0 : x[j] / (x[j] - z[k])
        if ratio < alpha || blocking < 0 {
          alpha = ratio
          blocking = j
        }
      }
      if blocking < 0 {
        for (k, j) in passive.enumerated() { x[j] = z[k] }
        break
      }
      for (k, j) in passive.enumerated() { x[j] += alpha * (z[k] - x[j]) }
      x[blocking] = 0
      for j in passive where x[j] <= 0 {
        x[j] = 0
        isPassive[j] = false
      }
    }
    w = dual(x)
    tol = currentTolerance(x)
    for j in 0..<n { isBarred[j] = false }
  }

  w = dual(x)
  tol = currentTolerance(x)
  var r = a * x
  for i in 0..<m { r[i] = b[i] - r[i] }
  let passiveSet = (0..<n).filter { isPassive[$0] }
  var kkt = true
  for j in 0..<n {
    if x[j] < 0 || (isPassive[j] ? Swift.abs(w[j]) > tol : w[j] > tol) { kkt = false }
  }
  return NonNegativeLeastSquaresResult(
    x: x, residualNorm: r.norm2, dual: w, passiveSet: passiveSet,
    iterations: iterations, converged: stoppedByTest && kkt, tolerance: tol)
}
