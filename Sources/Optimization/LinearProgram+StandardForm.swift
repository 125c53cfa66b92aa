import LinearAlgebra

/// The standard form min c̃ᵀx̃ s.t. Ãx̃ = b̃ ≥ 0, x̃ ≥ 0 of a ``LinearProgram``.
///
/// Columns: one per original variable (x_j, or x_j⁺ for a free one), then x_j⁻ for each free
/// variable, then one slack per inequality, then the artificials. Row r is multiplied by
/// σ_r = sign(b_r) (σ = +1 for b_r = 0) so that b̃ ≥ 0. An inequality row with σ = +1 starts
/// with its slack basic; every other row starts with an artificial basic. Both kinds of
/// initial column are the unit vector e_r, so the first tableau is [Ã | b̃] itself.
struct StandardForm {
  let matrix: Matrix
  let rhs: [Double]
  /// Phase-2 costs: c on x⁺, −c on x⁻, 0 on slacks and artificials.
  let cost: [Double]
  let rowSign: [Double]
  let plusColumn: [Int]
  /// The x⁻ column of a free variable, or −1.
  let minusColumn: [Int]
  let inequalityCount: Int
  let artificialStart: Int
  let initialBasis: [Int]

  init(_ lp: LinearProgram) {
    let n = lp.c.count, m1 = lp.a.rows, m = m1 + lp.aEq.rows
    plusColumn = Array(0..<n)
    var minus = [Int](repeating: -1, count: n)
    var next = n
    for j in 0..<n where lp.bounds[j] == .free {
      minus[j] = next
      next += 1
    }
    minusColumn = minus
    let slackStart = next
    artificialStart = slackStart + m1
    inequalityCount = m1
    var b = lp.b  // (`+` on [Double] adds elementwise; append to concatenate)
    b.append(contentsOf: lp.bEq)
    rowSign = b.map { $0 < 0 ? -1 : 1 }
    rhs = zip(rowSign, b).map { $0 * $1 }
    var basis = [Int]()
    var artificial = artificialStart
    for r in 0..<m {
      if r < m1 && rowSign[r] > 0 {
        basis.append(slackStart + r)
      } else {
        basis.append(artificial)
        artificial += 1
      }
    }
    initialBasis = basis
    var t = Matrix(rows: m, columns: artificial)
    for r in 0..<m {
      let sigma = rowSign[r]
      for j in 0..<n {
        let v = sigma * (r < m1 ? lp.a[r, j] : lp.aEq[r - m1, j])
        t[r, j] = v
        if minus[j] >= 0 { t[r, minus[j]] = -v }
      }
      if r < m1 { t[r, slackStart + r] = sigma }
      if basis[r] >= artificialStart { t[r, basis[r]] = 1 }
    }
    matrix = t
    var c = [Double](repeating: 0, count: artificial)
    for j in 0..<n {
      c[j] = lp.c[j]
      if minus[j] >= 0 { c[minus[j]] = -lp.c[j] }
    }
    cost = c
  }

  /// The first tableau [Ã | b̃], row-major.
  var tableauEntries: [Double] {
    var e = [Double]()
    e.reserveCapacity(matrix.rows * (matrix.columns + 1))
    for r in 0..<matrix.rows {
      e.append(contentsOf: matrix.row(r))
      e.append(rhs[r])
    }
    return e
  }

  /// x_j = x̃_j⁺ − x̃_j⁻.
  func originalPoint(_ xStandard: [Double]) -> [Double] {
    plusColumn.indices.map { j in
      xStandard[plusColumn[j]] - (minusColumn[j] >= 0 ? xStandard[minusColumn[j]] : 0)
    }
  }

  /// Standard-form duals y (Ãᵀy ≤ c̃) to the original multipliers: y' = σ∘y undoes the row
  /// flips; the slack column σ_r e_r has reduced cost −y'_r ≥ 0, so u = −y'_ineq ≥ 0, and
  /// v = −y'_eq; then c − Aᵀy'_ineq − A_eqᵀy'_eq = c + Aᵀu + A_eqᵀv = s.
  func originalMultipliers(_ y: [Double]) -> (u: [Double], v: [Double]) {
    let signed = zip(rowSign, y).map { -$0 * $1 }
    return (Array(signed[0..<inequalityCount]), Array(signed[inequalityCount...]))
  }
}

extension SimplexTableau {
  /// Duals read off the cost row: for a row whose initial basic column is e_r,
  /// d_{e_r} = c_{e_r} − y_r, so y_r = c_{e_r} − d_{e_r} (rows in tableau order).
  func duals(_ cost: [Double], _ form: StandardForm, rowMap: [Int]) -> [Double] {
    rowMap.map { r in cost[form.initialBasis[r]] - costRow[form.initialBasis[r]] }
  }
}

/// The final basis re-solved by LU: B x_B = b̃ and Bᵀy = c̃_B, each with one step of iterative
/// refinement (x ← x + B⁻¹(b̃ − Bx)), then the reduced costs d = c̃ − Ãᵀy.
struct RefinedBasis {
  /// The full standard-form point (zeros off the basis; tiny negatives from rounding set to 0).
  let x: [Double]
  /// Duals in tableau row order.
  let y: [Double]
  let isOptimal: Bool
  private let lu: LUFactorization
  private let basicValues: [Double]
  private let rowMap: [Int]

  /// Nil when the basis matrix is numerically singular (the tableau values are then used).
  /// - Complexity: O(k³ + k·N) for k rows and N columns.
  init?(_ form: StandardForm, _ tableau: SimplexTableau, _ rowMap: [Int]) {
    let k = tableau.rows
    guard k > 0 else { return nil }
    let basisMatrix = Matrix(rows: k, columns: k) { i, l in form.matrix[rowMap[i], tableau.basis[l]] }
    guard let lu = try? LUFactorization(basisMatrix),
          let luT = try? LUFactorization(basisMatrix.transposed) else { return nil }
    let b = rowMap.map { form.rhs[$0] }
    var xb = lu.solve(b)
    xb.addScaled(lu.solve(b - basisMatrix * xb), by: 1)
    let cb = tableau.basis.map { form.cost[$0] }
    var y = luT.solve(cb)
    y.addScaled(luT.solve(cb - basisMatrix.transposedTimes(y)), by: 1)
    guard xb.allSatisfy({ $0.isFinite }), y.allSatisfy({ $0.isFinite }) else { return nil }

    let primalTolerance = 1e-9 * max(1, b.normInfinity)
    let dualTolerance = 1e-9 * max(form.cost.normInfinity, .leastNormalMagnitude)
    var optimal = xb.allSatisfy { $0 >= -primalTolerance }
    var isBasic = [Bool](repeating: false, count: form.matrix.columns)
    for j in tableau.basis { isBasic[j] = true }
    for j in 0..<form.artificialStart where !isBasic[j] {
      var d = form.cost[j]
      for i in 0..<k { d -= y[i] * form.matrix[rowMap[i], j] }
      if d < -dualTolerance {
        optimal = false
        break
      }
    }
    var x = [Double](repeating: 0, count: form.matrix.columns)
    for (i, j) in tableau.basis.enumerated() { x[j] = xb[i] < 0 && xb[i] >= -primalTolerance ? 0 : xb[i] }
    self.x = x
    self.y = y
    self.isOptimal = optimal
    self.lu = lu
    self.basicValues = xb.map { max($0, 0) }
    self.rowMap = rowMap
  }

  /// A fresh tableau B⁻¹[Ã | b̃] on this basis, priced with the phase-2 costs.
  func rebuiltTableau(_ form: StandardForm, _ old: SimplexTableau) -> SimplexTableau {
    let rows = form.matrix.selectingRows(rowMap)
    let body = lu.solve(rows)
    var entries = [Double]()
    entries.reserveCapacity(old.rows * (old.columns + 1))
    for i in 0..<old.rows {
      for j in 0..<old.columns { entries.append(body[i, j]) }
      entries.append(basicValues[i])
    }
    // Basic columns are exactly unit vectors.
    for (i, q) in old.basis.enumerated() {
      for l in 0..<old.rows { entries[l * (old.columns + 1) + q] = l == i ? 1 : 0 }
    }
    var t = SimplexTableau(
      rows: old.rows, columns: old.columns, entries: entries, basis: old.basis,
      pivotTolerance: old.pivotTolerance)
    t.canEnter = old.canEnter
    t.optimalityTolerance = old.optimalityTolerance
    t.price(form.cost)
    return t
  }
}
