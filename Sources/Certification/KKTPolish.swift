import LinearAlgebra
import GradientFlow

/// A KKT point of `MaxMarginProblem` solved to near machine precision on a given support
/// and active set, with the checks that make it a certificate.
public struct KKTCertificate: Sendable {
  /// ρ* at unit margin (minᵢ (Aρ*)ᵢ = 1).
  public var point: [Double]
  /// λ* (one per data point; zero off the active set).
  public var multipliers: [Double]
  public var support: [Int]
  public var active: [Int]
  /// ‖mult|ρ|^{p−2}ρ − Aᵀλ‖ / ‖mult|ρ|^{p−2}ρ‖ over the support.
  public var stationarity: Double
  /// maxᵢ∈A |(Aρ)ᵢ − 1| and max(0, 1 − minᵢ (Aρ)ᵢ) over all points.
  public var activeResidual: Double
  public var infeasibility: Double
  /// min λ relative to max λ (≥ 0 required).
  public var minimumMultiplier: Double
  /// Off-support violation (p = 1: maxₕ ‖(Aᵀλ)ₕ‖/multₕ − 1; p > 1: max |(Aᵀλ)_off|).
  public var offSupportViolation: Double
  public var newtonIterations: Int

  /// The certificate's residual: the largest of stationarity, active-constraint residual,
  /// infeasibility, negative-multiplier size and off-support violation.
  public var residual: Double {
    max(stationarity, activeResidual, infeasibility, max(0, -minimumMultiplier), max(0, offSupportViolation))
  }

  /// Valid when the residual is at most `tolerance` (1e-10 by default: Newton on a
  /// system of condition κ reaches κ·ε; 1e-10 allows κ up to 10⁶).
  public func isValid(tolerance: Double = 1e-10) -> Bool { residual <= tolerance }
}

extension MaxMarginProblem {
  /// Solves the KKT equations on support groups P and active set A by damped Newton:
  ///
  ///   F₁ = mult|ρ|^{p−2}ρ − A_{A,P}ᵀλ = 0   (one equation per support coordinate)
  ///   F₂ = A_{A,P} ρ − 1 = 0                 (one per active point)
  ///
  /// with Jacobian [[H, −A_{A,P}ᵀ], [A_{A,P}, 0]], H the Hessian of (1/p)mult|ρ|^p:
  /// real coordinate mult(p−1)|ρ|^{p−2}; complex group mult|ρ|^{p−2}(I + (p−2)ρ̂ρ̂ᵀ).
  /// Each step is the minimum-norm least-squares solution (the system may be non-square
  /// for a wrong candidate), with backtracking on ‖F‖. Returns nil if a support group
  /// collapses to 0 or the iteration diverges.
  /// - Complexity: O(iterations · (|P| + |A|)³).
  public func polish(support: [Int], active: [Int], initialPoint: [Double], initialMultipliers: [Double],
                     maxIterations: Int = 60) -> KKTCertificate? {
    guard !support.isEmpty, !active.isEmpty else { return nil }
    let coords = support.flatMap { Array(space.coordinates(of: $0)) }
    let nc = coords.count, na = active.count
    var x = coords.map { initialPoint[$0] } + active.map { max(initialMultipliers[$0], 0) }
    let sub = Matrix(rows: na, columns: nc) { i, c in marginMatrix[active[i], coords[c]] }

    func full(_ x: [Double]) -> [Double] {
      var rho = [Double](repeating: 0, count: space.coordinateCount)
      for (k, c) in coords.enumerated() { rho[c] = x[k] }
      return rho
    }
    func residualVector(_ x: [Double]) -> [Double] {
      let rho = full(x)
      let grad = objectiveGradient(rho)
      let lam = Array(x[nc...])
      let atl = sub.transposedTimes(lam)
      var f = [Double](repeating: 0, count: nc + na)
      for k in 0..<nc { f[k] = grad[coords[k]] - atl[k] }
      let m = sub * Array(x[0..<nc])
      for i in 0..<na { f[nc + i] = m[i] - 1 }
      return f
    }
    var f = residualVector(x)
    var iterations = 0
    while iterations < maxIterations {
      let fn = f.norm2
      if !fn.isFinite { return nil }
      if fn <= 1e-15 * max(1, x.normInfinity) { break }
      var jac = Matrix(rows: nc + na, columns: nc + na)
      let rho = full(x)
      let mags = space.magnitudes(rho)
      var k = 0
      for g in support {
        let w = space.isComplex[g] ? 2 : 1
        let r = mags[g]
        if r == 0 { return nil }
        let base = space.multiplicity[g] * Elementary.pow(r, exponent - 2)
        let cs = Array(space.coordinates(of: g))
        for a in 0..<w {
          for b in 0..<w {
            let outer = rho[cs[a]] * rho[cs[b]] / (r * r)
            jac[k + a, k + b] = base * ((a == b ? 1 : 0) + (exponent - 2) * outer)
          }
        }
        k += w
      }
      for i in 0..<na {
        for c in 0..<nc {
          jac[c, nc + i] = -sub[i, c]
          jac[nc + i, c] = sub[i, c]
        }
      }
      let step = leastSquares(jac, f.map { -$0 }).x
      var t = 1.0
      var accepted = false
      for _ in 0..<40 {
        var trial = x
        trial.addScaled(step, by: t)
        let ft = residualVector(trial)
        if ft.norm2 < fn || ft.norm2 <= 1e-15 * max(1, trial.normInfinity) {
          x = trial; f = ft; accepted = true; break
        }
        t /= 2
      }
      iterations += 1
      if !accepted { break }
    }
    var lambda = [Double](repeating: 0, count: pointCount)
    for (k, i) in active.enumerated() { lambda[i] = x[nc + k] }
    return certify(point: full(x), multipliers: lambda, support: support, active: active, iterations: iterations)
  }

  /// Checks a candidate (ρ, λ) on the full problem and packages it as a certificate (nil if
  /// a support group has collapsed to 0).
  func certify(point rho: [Double], multipliers lambda: [Double], support: [Int], active: [Int],
               iterations: Int) -> KKTCertificate? {
    let coords = support.flatMap { Array(space.coordinates(of: $0)) }
    let mags = space.magnitudes(rho)
    let top = mags.max() ?? 0
    guard top > 0, support.allSatisfy({ mags[$0] > 1e-9 * top }) else { return nil }
    let grad = objectiveGradient(rho)
    let atl = marginMatrix.transposedTimes(lambda)
    let gs = coords.map { grad[$0] }
    let stat = zip(gs, coords.map { atl[$0] }).map { $0 - $1 }.norm2 / max(gs.norm2, .leastNormalMagnitude)
    let m = margins(rho)
    let activeRes = active.map { abs(m[$0] - 1) }.max() ?? 0
    let infeasible = max(0, 1 - (m.min() ?? 1))
    let lmax = max(lambda.max() ?? 0, .leastNormalMagnitude)
    let lmin = active.map { lambda[$0] }.min() ?? 0
    let off = offSupportViolation(atl, support: support) ?? 0
    return KKTCertificate(point: rho, multipliers: lambda, support: support, active: active,
                          stationarity: stat, activeResidual: activeRes, infeasibility: infeasible,
                          minimumMultiplier: lmin / lmax, offSupportViolation: off,
                          newtonIterations: iterations)
  }

  /// The p = 2 KKT point on an active set, solved in the dual: stationarity
  /// mult_g ρ_g = (Aᵀλ)_g on every group (p = 2 puts every group on the support, real or
  /// complex alike, since ∇(½ mult|ρ_g|²) = mult ρ_g) gives ρ = M⁻¹Aᵀλ, and the active
  /// constraints A_A ρ = 1 become the |A| × |A| system
  ///   (A_A M⁻¹ A_Aᵀ) λ_A = 1,
  /// symmetric positive definite when the active rows are independent (Cholesky, then
  /// one step of iterative refinement). The result is checked on the full problem like any
  /// candidate (`certify`), so a wrong active set is rejected, not trusted.
  /// - Complexity: O(|A|² N + |A|³), memory O(|A|² + N): no (N + |A|)² Newton system.
  public func polishDual(active: [Int]) -> KKTCertificate? {
    precondition(abs(exponent - 2) < 1e-12, "polishDual solves the p = 2 problem, this one has p = \(exponent)")
    guard !active.isEmpty else { return nil }
    let n = space.coordinateCount, na = active.count
    var invMult = [Double](repeating: 1, count: n)
    for g in 0..<space.groupCount { for c in space.coordinates(of: g) { invMult[c] = 1 / space.multiplicity[g] } }
    // Rows of A_A scaled by M^{−1/2}: the Gram matrix is then R Rᵀ.
    var r = Matrix(rows: na, columns: n)
    for (k, i) in active.enumerated() { for c in 0..<n { r[k, c] = marginMatrix[i, c] * invMult[c].squareRoot() } }
    // R Rᵀ, lower triangle by row dot products (rows are contiguous), mirrored.
    var gram = Matrix(rows: na, columns: na)
    r.storage.withUnsafeBufferPointer { rs in
      for i in 0..<na {
        for k in 0...i {
          var acc = 0.0
          for c in 0..<n { acc += rs[i * n + c] * rs[k * n + c] }
          gram[i, k] = acc
          gram[k, i] = acc
        }
      }
    }
    guard let chol = try? CholeskyFactorization(gram) else { return nil }
    let ones = [Double](repeating: 1, count: na)
    var lam = chol.solve(ones)
    let residual = zip(ones, gram * lam).map { $0 - $1 }
    lam.addScaled(chol.solve(residual), by: 1)
    var lambda = [Double](repeating: 0, count: pointCount)
    for (k, i) in active.enumerated() { lambda[i] = lam[k] }
    let atl = marginMatrix.transposedTimes(lambda)
    let rho = (0..<n).map { atl[$0] * invMult[$0] }
    return certify(point: rho, multipliers: lambda, support: Array(0..<space.groupCount), active: active, iterations: 1)
  }
}
