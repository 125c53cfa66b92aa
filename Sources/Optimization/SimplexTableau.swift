import LinearAlgebra

/// A dense simplex tableau for a standard-form problem min c̃ᵀx̃ s.t. Ãx̃ = b̃, x̃ ≥ 0:
/// the rows hold [B⁻¹Ã | B⁻¹b̃] and the cost row holds the reduced costs
/// d = c̃ − Ãᵀy (with Bᵀy = c̃_B) followed by −c̃_Bᵀx_B.
///
/// This is the engine behind ``LinearProgram/solve(maxIterations:)``; the caller builds the
/// first tableau, chooses the costs of each phase, and refines the final basis with an LU
/// factorization (the tableau is only trusted to name a basis, not to give its values).
///
/// Pricing is Dantzig's rule (most negative reduced cost). After `stallLimit` consecutive
/// degenerate pivots the method switches to Bland's rule (smallest eligible index enters,
/// ties in the ratio test go to the smallest basic index), which cannot cycle
/// (Bland 1977, "New finite pivoting rules for the simplex method"); it switches back after
/// the first pivot that makes progress. Between stalls the objective strictly decreases, so
/// no basis repeats and the method terminates.
///
/// - Complexity: O(m · N) per pivot for m rows and N columns.
struct SimplexTableau {
  enum Outcome: Equatable {
    case optimal
    case unbounded(column: Int)
    case iterationLimit
  }

  private(set) var rows: Int
  let columns: Int
  /// rows × (columns + 1), row-major; the last column is the basic solution B⁻¹b̃.
  private(set) var entries: [Double]
  /// Reduced costs d_j (columns entries), then −(objective value).
  private(set) var costRow: [Double]
  /// The basic column of each row.
  private(set) var basis: [Int]
  /// Columns allowed to enter the basis (artificial columns are barred in phase 2).
  var canEnter: [Bool]
  /// A pivot element must exceed this (absolute; the caller scales it to the data).
  let pivotTolerance: Double
  /// A column enters only if its reduced cost is below −optimalityTolerance.
  var optimalityTolerance: Double

  /// A tableau from its rows [B⁻¹Ã | B⁻¹b̃] and its basis.
  init(rows: Int, columns: Int, entries: [Double], basis: [Int], pivotTolerance: Double) {
    precondition(entries.count == rows * (columns + 1) && basis.count == rows,
                 "Tableau of \(rows)×\(columns) needs \(rows * (columns + 1)) entries and \(rows) basic columns")
    self.rows = rows
    self.columns = columns
    self.entries = entries
    self.basis = basis
    self.costRow = [Double](repeating: 0, count: columns + 1)
    self.canEnter = [Bool](repeating: true, count: columns)
    self.pivotTolerance = pivotTolerance
    self.optimalityTolerance = 0
  }

  @inline(__always) func entry(_ i: Int, _ j: Int) -> Double { entries[i * (columns + 1) + j] }
  @inline(__always) func rhs(_ i: Int) -> Double { entries[i * (columns + 1) + columns] }

  /// Sets the reduced-cost row for costs `c` (length `columns`):
  /// d_j = c_j − Σᵢ c_{B(i)} T_{ij}, and the last slot −Σᵢ c_{B(i)} (B⁻¹b̃)ᵢ.
  mutating func price(_ c: [Double]) {
    precondition(c.count == columns, "Costs of length \(c.count) for a tableau with \(columns) columns")
    // (`+` on [Double] is elementwise in LinearAlgebra, so append instead of concatenating.)
    var d = c
    d.append(0)
    let w = columns + 1
    for i in 0..<rows {
      let cb = c[basis[i]]
      if cb == 0 { continue }
      for j in 0..<w { d[j] -= cb * entries[i * w + j] }
    }
    for i in 0..<rows { d[basis[i]] = 0 }
    costRow = d
  }

  /// Gauss–Jordan pivot on (r, q): column q becomes the unit vector e_r and enters the basis.
  /// - Complexity: O(rows · columns).
  mutating func pivot(row r: Int, column q: Int) {
    let w = columns + 1, m = rows
    entries.withUnsafeMutableBufferPointer { t in
      let inv = 1 / t[r * w + q]
      for j in 0..<w { t[r * w + j] *= inv }
      t[r * w + q] = 1
      for i in 0..<m where i != r {
        let f = t[i * w + q]
        if f == 0 { continue }
        for j in 0..<w { t[i * w + j] -= f * t[r * w + j] }
        t[i * w + q] = 0
      }
    }
    let f = costRow[q]
    if f != 0 {
      for j in 0..<w { costRow[j] -= f * entries[r * w + j] }
      costRow[q] = 0
    }
    basis[r] = q
  }

  /// Deletes row r (a redundant equality whose basic variable is an artificial at zero).
  mutating func removeRow(_ r: Int) {
    let w = columns + 1
    entries.removeSubrange((r * w)..<((r + 1) * w))
    basis.remove(at: r)
    rows -= 1
  }

  /// The basic solution, with zeros for the nonbasic columns.
  var solution: [Double] {
    var x = [Double](repeating: 0, count: columns)
    for i in 0..<rows { x[basis[i]] = rhs(i) }
    return x
  }

  /// Runs simplex pivots until optimal, unbounded, or `iterations` reaches `limit`.
  ///
  /// The ratio test takes min over T_iq > pivotTolerance of max(x_Bi, 0)/T_iq (tiny negative
  /// basic values from rounding count as 0); near-ties (within 1e-12 relative) go to the
  /// largest pivot element for stability, or to the smallest basic index under Bland's rule.
  mutating func iterate(limit: Int, iterations: inout Int) -> Outcome {
    let stallLimit = max(10, rows)
    var degenerateRun = 0
    var bland = false
    let w = columns + 1
    while true {
      var q = -1
      var best = -optimalityTolerance
      for j in 0..<columns where canEnter[j] && costRow[j] < best {
        q = j
        if bland { break }
        best = costRow[j]
      }
      if q < 0 { return .optimal }
      if iterations >= limit { return .iterationLimit }

      var r = -1
      var bestRatio = Double.infinity
      var bestPivot = 0.0
      for i in 0..<rows {
        let a = entries[i * w + q]
        if a <= pivotTolerance { continue }
        let ratio = max(entries[i * w + columns], 0) / a
        let tie = 1e-12 * max(1, bestRatio.isFinite ? bestRatio : 1)
        if r < 0 || ratio < bestRatio - tie {
          r = i
          bestRatio = ratio
          bestPivot = a
        } else if ratio <= bestRatio + tie {
          let better = bland ? basis[i] < basis[r] : a > bestPivot
          if better {
            r = i
            bestRatio = min(bestRatio, ratio)
            bestPivot = a
          }
        }
      }
      if r < 0 { return .unbounded(column: q) }
      // The objective falls by θ·|d_q|; a pivot that does not lower it is degenerate.
      let decrease = bestRatio * abs(costRow[q])
      pivot(row: r, column: q)
      iterations += 1
      if decrease <= 1e-14 * max(1, abs(costRow[columns])) {
        degenerateRun += 1
        if degenerateRun > stallLimit { bland = true }
      } else {
        degenerateRun = 0
        bland = false
      }
    }
  }
}
