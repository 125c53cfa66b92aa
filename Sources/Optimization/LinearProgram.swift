import LinearAlgebra

/// How a solver ended.
public enum SolverStatus: Sendable, Hashable {
  /// An optimum was found; its residuals are in the result.
  case optimal
  /// No feasible point exists (a certificate is in the result where the method gives one).
  case infeasible
  /// The objective is unbounded below on the feasible set.
  case unbounded
  /// The iteration budget ran out first.
  case iterationLimit
}

/// A dense linear program
///
///     minimize cᵀx  subject to  A x ≤ b,  A_eq x = b_eq,  x_j ≥ 0 for j with bound `.nonNegative`,
///
/// for small problems (up to a few hundred variables and constraints).
///
/// Multipliers follow the Lagrangian L = cᵀx + uᵀ(Ax − b) + vᵀ(A_eq x − b_eq) − sᵀx with
/// u ≥ 0 and reduced costs s = c + Aᵀu + A_eqᵀv, where s_j ≥ 0 for a non-negative variable and
/// s_j = 0 for a free one. The dual is max −bᵀu − b_eqᵀv, and for feasible x, (u, v)
///
///     cᵀx − (−bᵀu − b_eqᵀv) = uᵀ(b − Ax) + sᵀx ≥ 0,
///
/// so a zero gap with zero primal and dual infeasibility certifies optimality.
public struct LinearProgram: Sendable {
  /// The bound on one variable.
  public enum VariableBound: Sendable, Hashable {
    case free
    case nonNegative
  }

  /// Objective coefficients (length n).
  public var c: [Double]
  /// Inequality constraints A x ≤ b (A is m × n, possibly m = 0).
  public var a: Matrix
  public var b: [Double]
  /// Equality constraints A_eq x = b_eq (p × n, possibly p = 0).
  public var aEq: Matrix
  public var bEq: [Double]
  /// One bound per variable.
  public var bounds: [VariableBound]

  /// A linear program; omitted constraint blocks are empty and omitted bounds are all
  /// `.nonNegative` (the textbook standard form). Shape mismatches trap.
  public init(
    c: [Double], a: Matrix? = nil, b: [Double] = [], aEq: Matrix? = nil, bEq: [Double] = [],
    bounds: [VariableBound]? = nil
  ) {
    let n = c.count
    self.c = c
    self.a = a ?? Matrix(rows: 0, columns: n)
    self.b = b
    self.aEq = aEq ?? Matrix(rows: 0, columns: n)
    self.bEq = bEq
    self.bounds = bounds ?? Array(repeating: .nonNegative, count: n)
    precondition(self.a.columns == n && self.a.rows == b.count,
                 "A is \(self.a.rows)×\(self.a.columns) but c has \(n) entries and b has \(b.count)")
    precondition(self.aEq.columns == n && self.aEq.rows == bEq.count,
                 "A_eq is \(self.aEq.rows)×\(self.aEq.columns) but c has \(n) entries and b_eq has \(bEq.count)")
    precondition(self.bounds.count == n, "\(self.bounds.count) bounds for \(n) variables")
  }

  /// Solves the program by a two-phase dense tableau simplex method, then refines the
  /// final basis with an LU factorization so that the returned vertex is exact to rounding.
  ///
  /// Method (Dantzig; Chvátal, *Linear Programming*, 1983, ch. 2–3, 8):
  /// 1. Standard form: a free x_j is split as x_j⁺ − x_j⁻; each inequality gets a slack; rows
  ///    are negated where the right-hand side is negative, so that b̃ ≥ 0.
  /// 2. Phase 1 minimizes the sum of artificial variables (one per row without a usable
  ///    slack). A positive optimum means infeasible; its duals y give a Farkas certificate.
  ///    Artificials left basic at zero are pivoted out, or their row is dropped as redundant.
  /// 3. Phase 2 minimizes c̃ᵀx̃ from that basis; Dantzig pricing with a Bland fallback
  ///    after a run of degenerate pivots (see `SimplexTableau`), so it cannot cycle.
  /// 4. Refinement: with the final basis B, solve B x_B = b̃ and Bᵀy = c̃_B by LU, each with
  ///    one step of iterative refinement, and recompute the reduced costs d = c̃ − Ãᵀy. If the
  ///    refined x_B or d violate their signs beyond tolerance (the tableau drifted), the
  ///    tableau is rebuilt as B⁻¹[Ã | b̃] and the simplex continues (at most 4 rounds).
  /// 5. All residuals are recomputed on the original data from the returned (x, u, v).
  ///
  /// - Parameter maxIterations: pivot budget over both phases; default 20·(rows + columns),
  ///   at least 1000.
  /// - Complexity: O(m·N) per pivot (m rows, N = n + free variables + m + artificials), and
  ///   O(m³) per refinement; the number of pivots is typically O(m + N).
  public func solve(maxIterations: Int? = nil) -> LinearProgramResult {
    let form = StandardForm(self)
    let m = form.matrix.rows, width = form.matrix.columns
    let limit = maxIterations ?? max(1000, 20 * (m + width))
    var iterations = 0
    var tableau = SimplexTableau(
      rows: m, columns: width, entries: form.tableauEntries, basis: form.initialBasis,
      pivotTolerance: 1e-9 * max(form.matrix.maxAbs, .leastNormalMagnitude))
    var rowMap = Array(0..<m)

    // Phase 1: minimize the sum of the artificials.
    if form.artificialStart < width {
      let phase1 = (0..<width).map { $0 >= form.artificialStart ? 1.0 : 0.0 }
      tableau.optimalityTolerance = 1e-11
      tableau.price(phase1)
      let outcome = tableau.iterate(limit: limit, iterations: &iterations)
      if outcome != .optimal { return failure(.iterationLimit, form, tableau, iterations) }
      let infeasibility = -tableau.costRow[width]
      if infeasibility > 1e-9 * max(1, form.rhs.normInfinity) {
        // y_r = c_e − d_e for the initial basic column e = e_r of row r.
        let y = (0..<m).map { r in phase1[form.initialBasis[r]] - tableau.costRow[form.initialBasis[r]] }
        var result = failure(.infeasible, form, tableau, iterations)
        result.farkasCertificate = farkas(standardDuals: y, form)
        return result
      }
      // Drive artificials out of the basis, or drop their rows as redundant.
      for r in stride(from: tableau.rows - 1, through: 0, by: -1) where tableau.basis[r] >= form.artificialStart {
        var q = -1
        var best = tableau.pivotTolerance
        for j in 0..<form.artificialStart where abs(tableau.entry(r, j)) > best {
          best = abs(tableau.entry(r, j))
          q = j
        }
        if q >= 0 {
          tableau.pivot(row: r, column: q)
        } else {
          tableau.removeRow(r)
          rowMap.remove(at: r)
        }
      }
      for j in form.artificialStart..<width { tableau.canEnter[j] = false }
    }

    // Phase 2 with refinement rounds.
    tableau.optimalityTolerance = 1e-11 * max(c.normInfinity, .leastNormalMagnitude)
    tableau.price(form.cost)
    var refined: RefinedBasis?
    for _ in 0..<4 {
      let outcome = tableau.iterate(limit: limit, iterations: &iterations)
      switch outcome {
      case .iterationLimit:
        return failure(.iterationLimit, form, tableau, iterations)
      case .unbounded(let q):
        var result = failure(.unbounded, form, tableau, iterations)
        result.unboundedRay = ray(column: q, form, tableau)
        return result
      case .optimal:
        break
      }
      guard let candidate = RefinedBasis(form, tableau, rowMap) else { break }
      refined = candidate
      if candidate.isOptimal { break }
      tableau = candidate.rebuiltTableau(form, tableau)
    }

    // Map the (refined) vertex and duals back to the original variables and rows.
    var xStandard = tableau.solution
    var yStandard = [Double](repeating: 0, count: m)
    if let refined {
      xStandard = refined.x
      for (i, r) in rowMap.enumerated() { yStandard[r] = refined.y[i] }
    } else {
      let y = tableau.duals(form.cost, form, rowMap: rowMap)
      for (i, r) in rowMap.enumerated() { yStandard[r] = y[i] }
    }
    let x = form.originalPoint(xStandard)
    var (u, v) = form.originalMultipliers(yStandard)
    let dualTolerance = 1e-9 * max(c.normInfinity, 1)
    for i in u.indices where u[i] < 0 && u[i] > -dualTolerance { u[i] = 0 }
    return certified(.optimal, x: x, u: u, v: v, iterations: iterations)
  }

  /// A result whose residuals are recomputed from (x, u, v) on the original data.
  func certified(_ status: SolverStatus, x: [Double], u: [Double], v: [Double], iterations: Int) -> LinearProgramResult {
    let ax = a * x, aeqx = aEq * x
    let s = c.adding(a.transposedTimes(u)).adding(aEq.transposedTimes(v))
    var primal = 0.0, dual = 0.0, complementarity = 0.0
    for i in 0..<a.rows {
      primal = max(primal, ax[i] - b[i])
      dual = max(dual, -u[i])
      complementarity = max(complementarity, abs(u[i] * (b[i] - ax[i])))
    }
    for i in 0..<aEq.rows { primal = max(primal, abs(aeqx[i] - bEq[i])) }
    for j in 0..<c.count {
      if bounds[j] == .nonNegative {
        primal = max(primal, -x[j])
        dual = max(dual, -s[j])
        complementarity = max(complementarity, abs(s[j] * x[j]))
      } else {
        dual = max(dual, abs(s[j]))
      }
    }
    let objective = c.dot(x)
    let gap = abs(objective + b.dot(u) + bEq.dot(v))
    return LinearProgramResult(
      status: status, x: x, objective: objective, inequalityMultipliers: u, equalityMultipliers: v,
      reducedCosts: s, primalInfeasibility: primal, dualInfeasibility: dual, dualityGap: gap,
      complementarity: complementarity, iterations: iterations)
  }

  private func failure(_ status: SolverStatus, _ form: StandardForm, _ tableau: SimplexTableau, _ iterations: Int)
    -> LinearProgramResult
  {
    certified(status, x: form.originalPoint(tableau.solution), u: [Double](repeating: 0, count: a.rows),
              v: [Double](repeating: 0, count: aEq.rows), iterations: iterations)
  }

  /// The Farkas certificate from phase-1 duals y: with y' = σ∘y (undoing the row flips),
  /// u = −y'_ineq, v = −y'_eq satisfy u ≥ 0, Aᵀu + A_eqᵀv ≥ 0 (= 0 on free variables) and
  /// bᵀu + b_eqᵀv = −(phase-1 optimum) < 0; scaled so that bᵀu + b_eqᵀv = −1.
  private func farkas(standardDuals y: [Double], _ form: StandardForm) -> FarkasCertificate {
    var (u, v) = form.originalMultipliers(y)
    let bound = b.dot(u) + bEq.dot(v)
    let scale = bound < 0 ? -1 / bound : 1
    u = scale * u
    v = scale * v
    let s = a.transposedTimes(u).adding(aEq.transposedTimes(v))
    var residual = u.reduce(0) { max($0, -$1) }
    for j in 0..<c.count { residual = max(residual, bounds[j] == .nonNegative ? -s[j] : abs(s[j])) }
    return FarkasCertificate(
      inequalityMultipliers: u, equalityMultipliers: v, bound: b.dot(u) + bEq.dot(v), residual: residual)
  }

  /// The ray x̃_q = 1, x̃_B = −(B⁻¹Ã)_q along which the objective falls without bound,
  /// mapped to the original variables and scaled to unit max-norm.
  private func ray(column q: Int, _ form: StandardForm, _ tableau: SimplexTableau) -> UnboundedRay {
    var direction = [Double](repeating: 0, count: form.matrix.columns)
    direction[q] = 1
    for i in 0..<tableau.rows { direction[tableau.basis[i]] = -tableau.entry(i, q) }
    var d = form.originalPoint(direction)
    let norm = d.normInfinity
    if norm > 0 { d = (1 / norm) * d }
    var residual = (a * d).reduce(0) { max($0, $1) }
    residual = max(residual, (aEq * d).normInfinity)
    for j in 0..<c.count where bounds[j] == .nonNegative { residual = max(residual, -d[j]) }
    return UnboundedRay(direction: d, slope: c.dot(d), residual: residual)
  }
}

/// The result of ``LinearProgram/solve(maxIterations:)``. Every residual is recomputed from
/// the returned x, u, v on the original data (absolute, max-norm).
public struct LinearProgramResult: Sendable {
  public var status: SolverStatus
  /// The optimal vertex (`.optimal`), the last phase-1 point (`.infeasible`), or the last
  /// basic feasible point (`.unbounded`, `.iterationLimit`).
  public var x: [Double]
  /// cᵀx.
  public var objective: Double
  /// u ≥ 0, one per row of A (zero unless `.optimal`).
  public var inequalityMultipliers: [Double]
  /// v, one per row of A_eq (zero unless `.optimal`).
  public var equalityMultipliers: [Double]
  /// s = c + Aᵀu + A_eqᵀv.
  public var reducedCosts: [Double]
  /// max of (Ax − b)⁺, |A_eq x − b_eq|, (−x_j)⁺ over non-negative variables.
  public var primalInfeasibility: Double
  /// max of (−u)⁺, (−s_j)⁺ over non-negative variables, |s_j| over free ones.
  public var dualInfeasibility: Double
  /// |cᵀx + bᵀu + b_eqᵀv|, the gap between the primal and dual objectives.
  public var dualityGap: Double
  /// max of |uᵢ(b − Ax)ᵢ| and |s_j x_j|.
  public var complementarity: Double
  /// Simplex pivots over both phases.
  public var iterations: Int
  /// When `.unbounded`: a direction of unbounded descent.
  public var unboundedRay: UnboundedRay?
  /// When `.infeasible`: a Farkas certificate.
  public var farkasCertificate: FarkasCertificate?
}

/// A direction d with A d ≤ 0, A_eq d = 0, d_j ≥ 0 on non-negative variables and cᵀd < 0.
public struct UnboundedRay: Sendable {
  /// d, scaled to ‖d‖∞ = 1.
  public var direction: [Double]
  /// cᵀd (negative).
  public var slope: Double
  /// max violation of A d ≤ 0, A_eq d = 0, d_N ≥ 0.
  public var residual: Double
}

/// Multipliers (u ≥ 0, v) with Aᵀu + A_eqᵀv ≥ 0 on non-negative variables, = 0 on free ones,
/// and bᵀu + b_eqᵀv < 0: no x can satisfy the constraints, since then
/// 0 ≤ (Aᵀu + A_eqᵀv)ᵀx ≤ bᵀu + b_eqᵀv < 0 (Farkas' lemma).
public struct FarkasCertificate: Sendable {
  public var inequalityMultipliers: [Double]
  public var equalityMultipliers: [Double]
  /// bᵀu + b_eqᵀv, normalized to −1.
  public var bound: Double
  /// max violation of u ≥ 0 and of the sign conditions on Aᵀu + A_eqᵀv.
  public var residual: Double
}
