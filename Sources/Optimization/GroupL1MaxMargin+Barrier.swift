import LinearAlgebra

/// The pieces of ``groupL1MaxMargin(_:groups:weights:relativeGap:maxNewtonSteps:)``: the
/// barrier's Newton step and line-search change, the dual scaling, the certificate and the
/// KKT polish.
struct GroupBarrier {
  let a: Matrix
  let groups: [[Int]]
  let weights: [Double]

  /// An iterate (β, t) of the epigraph form, with its slacks s = Aβ − 1.
  ///
  /// The slacks are carried along and updated by s ← s + α·A Δβ instead of being recomputed
  /// as Aβ − 1: near the optimum the active sᵢ are about 1/(τλᵢ) ≈ 1e-11 while a_iβ ≈ 1, so
  /// recomputing them would leave only ~4 correct digits, and the barrier duals 1/(τsᵢ) would
  /// inherit the loss. Carried slacks differ from Aβ − 1 only by the rounding of the updates
  /// (about 1e-15 absolute): they are the exact slacks of constraints perturbed by that much.
  struct Point {
    var beta: [Double]
    var t: [Double]
    var s: [Double]

    /// (β + αΔβ, t + αΔt, s + α·AΔβ), with `slackDirection` = AΔβ.
    func moved(along d: [Double], slackDirection: [Double], by alpha: Double) -> Point {
      var next = self
      let p = beta.count
      for j in 0..<p { next.beta[j] += alpha * d[j] }
      for g in t.indices { next.t[g] += alpha * d[p + g] }
      for i in s.indices { next.s[i] += alpha * slackDirection[i] }
      return next
    }
  }

  /// A Δβ for the β part of a step direction.
  func slackDirection(_ d: [Double]) -> [Double] { a * Array(d[0..<a.columns]) }

  func groupNorm(_ beta: [Double], _ g: [Int]) -> Double { g.map { beta[$0] }.norm2 }

  func primalObjective(_ t: [Double]) -> Double { weights.dot(t) }

  /// sᵢ = a_iβ − 1.
  func slacks(_ beta: [Double]) -> [Double] { (a * beta).map { $0 - 1 } }

  /// t_g² − ‖β_g‖², as (t − ‖β_g‖)(t + ‖β_g‖) to keep the small factor's digits.
  private func coneSlack(_ t: Double, _ norm: Double) -> Double { (t - norm) * (t + norm) }

  /// The Newton step for φ_τ(β, t) = τ wᵀt − Σ log sᵢ − Σ_g log q_g, q_g = t_g² − ‖β_g‖²:
  ///
  ///     ∇_β = −Aᵀ(1/s) + Σ_g 2β_g/q_g,   ∂_{t_g} = τw_g − 2t_g/q_g,
  ///     ∇²_ββ = Aᵀdiag(1/s²)A + ⊕_g (2I/q_g + 4β_gβ_gᵀ/q_g²),
  ///     ∂²_{β_g t_g} = −4t_gβ_g/q_g²,   ∂²_{t_g t_g} = (2t_g² + 2‖β_g‖²)/q_g².
  ///
  /// The Hessian is positive definite (each cone barrier is strictly convex in (β_g, t_g));
  /// the step solves ∇²Δ = −∇ by Cholesky, and λ² = −∇ᵀΔ is the Newton decrement squared.
  /// Nil if the point is not strictly feasible or the factorization fails.
  /// - Complexity: O(m·p² + (p + G)³).
  func newtonStep(_ x: Point, tau: Double) -> (direction: [Double], decrementSquared: Double)? {
    let m = a.rows, p = a.columns, size = p + groups.count
    let s = x.s
    guard s.allSatisfy({ $0 > 0 }) else { return nil }
    var gradient = [Double](repeating: 0, count: size)
    var hessian = Matrix(rows: size, columns: size)
    hessian.storage.withUnsafeMutableBufferPointer { h in
      a.storage.withUnsafeBufferPointer { ap in
        for i in 0..<m {
          let inv = 1 / s[i], inv2 = inv * inv
          let row = i * p
          for j in 0..<p {
            let aij = ap[row + j]
            if aij == 0 { continue }
            gradient[j] -= inv * aij
            let f = inv2 * aij
            for k in j..<p { h[j * size + k] += f * ap[row + k] }
          }
        }
      }
      for (gi, g) in groups.enumerated() {
        let t = x.t[gi], norm = groupNorm(x.beta, g)
        let q = coneSlack(t, norm), q2 = q * q
        let col = p + gi
        gradient[col] += tau * weights[gi] - 2 * t / q
        for j in g {
          gradient[j] += 2 * x.beta[j] / q
          for k in g where k >= j { h[j * size + k] += (j == k ? 2 / q : 0) + 4 * x.beta[j] * x.beta[k] / q2 }
          h[min(j, col) * size + max(j, col)] += -4 * t * x.beta[j] / q2
        }
        h[col * size + col] += (2 * t * t + 2 * norm * norm) / q2
      }
      for j in 0..<size { for k in 0..<j { h[j * size + k] = h[k * size + j] } }
    }
    guard gradient.allSatisfy({ $0.isFinite }), let cholesky = try? CholeskyFactorization(hessian) else { return nil }
    let direction = cholesky.solve((-1) * gradient)
    let decrement = -gradient.dot(direction)
    guard decrement.isFinite else { return nil }
    return (direction, decrement)
  }

  /// φ_τ(x + αd) − φ_τ(x), or nil if x + αd is not strictly feasible. Computed term by term as
  /// τ wᵀΔt − Σ log1p(Δsᵢ/sᵢ) − Σ log1p(Δq_g/q_g) with Δs = A Δβ and
  /// Δq_g = 2t_gΔt_g + Δt_g² − 2β_g·Δβ_g − ‖Δβ_g‖², so that a small change is not lost against
  /// the large value τ wᵀt.
  func change(from x: Point, along d: [Double], slackDirection: [Double], alpha: Double, tau: Double) -> Double? {
    let p = a.columns
    let db = (0..<p).map { alpha * d[$0] }
    let s = x.s, ds = alpha * slackDirection
    var total = 0.0
    for i in s.indices {
      if s[i] + ds[i] <= 0 { return nil }
      total -= Elementary.log1p(ds[i] / s[i])
    }
    for (gi, g) in groups.enumerated() {
      let t = x.t[gi], dt = alpha * d[p + gi]
      let next = g.map { x.beta[$0] + db[$0] }.norm2
      if t + dt <= next { return nil }
      var dq = 2 * t * dt + dt * dt
      for j in g { dq -= 2 * x.beta[j] * db[j] + db[j] * db[j] }
      total -= Elementary.log1p(dq / coneSlack(t, groupNorm(x.beta, g)))
      total += tau * weights[gi] * dt
    }
    return total.isFinite ? total : nil
  }

  /// κ = max_g ‖(Aᵀλ)_g‖/w_g; λ/κ is dual feasible.
  func dualScale(_ lambda: [Double]) -> Double {
    let v = a.transposedTimes(lambda)
    return groups.indices.map { groupNorm(v, groups[$0]) / weights[$0] }.max() ?? 0
  }

  /// All residuals of (β, λ), recomputed from the data.
  func certificate(beta: [Double], lambda: [Double]) -> GroupL1MaxMarginResult {
    let margins = a * beta, v = a.transposedTimes(lambda)
    let norms = groups.map { groupNorm(beta, $0) }
    let largest = norms.max() ?? 0
    let support = groups.indices.filter { norms[$0] > 1e-8 * largest && norms[$0] > 0 }
    let inSupport = Set(support)
    var stationarity = 0.0
    for (gi, g) in groups.enumerated() {
      if inSupport.contains(gi) {
        let r = g.map { v[$0] - weights[gi] * beta[$0] / norms[gi] }
        stationarity = max(stationarity, r.norm2)
      } else {
        stationarity = max(stationarity, groupNorm(v, g) - weights[gi])
      }
    }
    let objective = weights.dot(norms)
    return GroupL1MaxMarginResult(
      status: .optimal, beta: beta, objective: objective, lambda: lambda, support: support,
      active: margins.indices.filter { margins[$0] <= 1 + 1e-9 },
      dualityGap: objective - lambda.reduce(0, +), stationarityResidual: stationarity,
      marginViolation: max(0, 1 - (margins.min() ?? 1)),
      complementarity: margins.indices.map { abs(lambda[$0] * (margins[$0] - 1)) }.max() ?? 0,
      iterations: 0, polished: false)
  }

  /// Newton's method on the KKT equations restricted to the identified support S and active
  /// set 𝒜 (see the polish paragraph of `groupL1MaxMargin`). Unknowns y = (β_S, λ_𝒜);
  ///
  ///     F(y) = [A_{𝒜S}β_S − 1;  A_{𝒜S}ᵀλ_𝒜 − (w_g β_g/‖β_g‖)_{g∈S}],
  ///
  /// and since ∂(β/‖β‖)/∂β = (I − uuᵀ)/‖β‖, J = [[A_{𝒜S}, 0], [−W⊕(I − u_g u_gᵀ)/‖β_g‖, A_{𝒜S}ᵀ]].
  /// Steps solve J Δ = −F by LU (minimum-norm least squares if J is singular); the iterate with
  /// the smallest ‖F‖∞ is returned after at most 20 steps or when ‖F‖∞ stops decreasing.
  func polish(beta: [Double], slacks s: [Double], lambda: [Double])
    -> (beta: [Double], lambda: [Double], iterations: Int)?
  {
    let v = a.transposedTimes(lambda)
    let norms = groups.map { groupNorm(beta, $0) }
    let largestNorm = norms.max() ?? 0, largestLambda = lambda.max() ?? 0
    guard largestNorm > 0, largestLambda > 0 else { return nil }
    let support = groups.indices.filter {
      norms[$0] > 0 && norms[$0] / largestNorm > 1 - groupNorm(v, groups[$0]) / weights[$0]
    }
    let active = lambda.indices.filter { lambda[$0] / largestLambda > s[$0] }
    let coordinates = support.flatMap { groups[$0] }
    let nb = coordinates.count, nl = active.count
    guard nb > 0, nl > 0 else { return nil }
    let sub = a.selectingRows(active).selectingColumns(coordinates)  // A_{𝒜S}
    var y = coordinates.map { beta[$0] }
    y.append(contentsOf: active.map { lambda[$0] })

    // Group g ∈ S occupies positions offsets[k]..<offsets[k] + size in β_S.
    var offsets = [Int]()
    var next = 0
    for g in support {
      offsets.append(next)
      next += groups[g].count
    }

    func residual(_ y: [Double]) -> [Double]? {
      let b = Array(y[0..<nb]), l = Array(y[nb...])
      var f = (sub * b).map { $0 - 1 }
      var top = sub.transposedTimes(l)
      for (k, g) in support.enumerated() {
        let range = offsets[k]..<(offsets[k] + groups[g].count)
        let norm = range.map { b[$0] }.norm2
        guard norm > 0 else { return nil }
        for r in range { top[r] -= weights[g] * b[r] / norm }
      }
      f.append(contentsOf: top)
      return f
    }

    guard var f = residual(y) else { return nil }
    var best = (y: y, error: f.normInfinity)
    var iterations = 0
    while iterations < 20 {
      let size = nb + nl
      var jacobian = Matrix(rows: size, columns: size)
      for r in 0..<nl {
        for c in 0..<nb {
          jacobian[r, c] = sub[r, c]  // ∂(A_{𝒜S}β_S)/∂β_S
          jacobian[nl + c, nb + r] = sub[r, c]  // ∂(A_{𝒜S}ᵀλ_𝒜)/∂λ_𝒜
        }
      }
      for (k, g) in support.enumerated() {
        let range = offsets[k]..<(offsets[k] + groups[g].count)
        let norm = range.map { y[$0] }.norm2
        for r in range {
          for c in range {
            let projector = (r == c ? 1 : 0) - y[r] * y[c] / (norm * norm)
            jacobian[nl + r, c] = -weights[g] * projector / norm
          }
        }
      }
      let rhs = (-1) * f
      let step: [Double]
      if let lu = try? LUFactorization(jacobian) { step = lu.solve(rhs) } else { step = leastSquares(jacobian, rhs).x }
      iterations += 1
      let candidate = y.adding(step)
      guard step.allSatisfy({ $0.isFinite }), let fc = residual(candidate) else { break }
      y = candidate
      f = fc
      let error = f.normInfinity
      if error < best.error {
        let progress = error < 0.5 * best.error
        best = (y, error)
        if !progress { break }
      } else {
        break
      }
    }
    var outBeta = [Double](repeating: 0, count: a.columns)
    for (k, j) in coordinates.enumerated() { outBeta[j] = best.y[k] }
    var outLambda = [Double](repeating: 0, count: a.rows)
    for (k, i) in active.enumerated() { outLambda[i] = best.y[nb + k] }
    return (outBeta, outLambda, iterations)
  }
}
