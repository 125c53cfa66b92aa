import LinearAlgebra

// Inverses of F_L and G_L (spec §6: "invert F_L by bracketing and bisection or Newton";
// "G_L = g_L − ∫_θ^∞ sech^{L−2} for large θ").

extension DepthRegularizer {
  // MARK: F⁻¹, carried as t = sinh θ

  /// t = sinh F_L⁻¹(z) for z ≥ 0, i.e. the root t ≥ 0 of t (1 + t²)^{(L−1)/2} = z.
  /// Finite for every finite z (t ≤ max(z, z^{1/L})); +∞ for z = +∞.
  func sinhOfFinverse(_ z: Double) -> Double {
    if z == 0 || z == .infinity || z.isNaN { return z }
    switch depth {
    case 2: return sinhOfFinverseDepth2(z)
    case 3: return sinhOfFinverseDepth3(z)
    default: return sinhOfFinverseByNewton(z)
    }
  }

  /// L = 2: sinh 2θ = 2z, so sinh²θ = (cosh 2θ − 1)/2 = (√(1 + 4z²) − 1)/2
  /// = z² / (½ + √(¼ + z²)), free of cancellation and of overflow with hypot.
  func sinhOfFinverseDepth2(_ z: Double) -> Double {
    z / (0.5 + Elementary.hypot(0.5, z)).squareRoot()
  }

  /// L = 3: t³ + t = z. Cardano: t = A + B with A³, B³ = z/2 ± √(z²/4 + 1/27) and AB = −1/3.
  /// B = −1/(3A) and A + B would cancel for small z; instead use
  /// A³ + B³ = (A + B)(A² − AB + B²), so t = z / (A² + 1/3 + 1/(9A²)): all terms positive.
  /// One Newton step on t³ + t − z then removes the last ulps (skipped where t³ could overflow).
  func sinhOfFinverseDepth3(_ z: Double) -> Double {
    let a = Elementary.cbrt(z / 2 + Elementary.hypot(z / 2, 0.19245008972987526))  // 1/√27
    let a2 = a * a
    var t = z / (a2 + 1.0 / 3 + 1 / (9 * a2))
    if z < 1e300 {
      let residual = t.addingProduct(t * t, t) - z  // t + t³ − z
      t -= residual / (1 + 3 * t * t)
    }
    return t
  }

  /// General L: solve ψ(w) = w + ((L−1)/2)·log(1 + e^{2w}) − log z = 0 for w = log t.
  ///
  /// ψ is increasing and convex (ψ′ = 1 + (L−1)t²/(1+t²) ∈ [1, L]), and with
  /// c = 2^{(L−1)/2} the bounds t^L ≤ F ≤ c·t^L (t ≥ 1) and t ≤ F ≤ c·t (t ≤ 1) bracket the
  /// root: min(log z, log z / L) ≥ w ≥ min(log z − log c, (log z − log c)/L). For large z the
  /// upper end is log z / L, i.e. θ₀ ≈ log(2^L z)/L as in spec §6. Newton from the upper end of
  /// a convex increasing function decreases monotonically to the root; the bracket is a guard.
  ///
  /// The log form is accurate to ~ε·|log z| in w. Two Newton steps on the relative residual
  /// r = F/z − 1 = (t/z)(1 + t²)^{(L−1)/2} − 1 (no overflow: t/z ≤ 1 and the power ≤ z/t),
  /// Δ log t = −log(1 + r)/ψ′, bring t to a few ulps (see `onePlusSquarePower`).
  /// - Complexity: a handful of iterations (quadratic convergence from a bracket of width
  ///   ≤ (L−1)/2·log 2).
  func sinhOfFinverseByNewton(_ z: Double) -> Double {
    let logZ = Elementary.log(z)
    let halfPower = Double(depth - 1) / 2
    let logC = halfPower * ln2
    let hi = Swift.min(logZ, logZ / Double(depth))
    let lo = Swift.min(logZ - logC, (logZ - logC) / Double(depth))
    // The upper bound is asymptotically tight (relative gap ~ (L−1)/(2t²)); widen the bracket
    // by 1/64 so that rounding cannot put the root outside it.
    let w = safeguardedNewton(
      lo: lo - 1.0 / 64, hi: hi + 1.0 / 64, start: hi,
      relativeTolerance: 0, absoluteTolerance: 8 * Double.ulpOfOne * (1 + Swift.abs(logZ))
    ) { w in
      let value = w + halfPower * Elementary.softplus(2 * w) - logZ
      let slope = 1 + Double(depth - 1) / (1 + Elementary.exp(-2 * w))
      return (value, slope)
    }
    var t = Elementary.exp(w)
    for _ in 0..<2 {
      let r = (t / z) * onePlusSquarePower(t, halfPower) - 1
      if r == 0 { break }
      let slope = 1 + Double(depth - 1) * (t * t / (1 + t * t))
      t *= Elementary.exp(-Elementary.log1p(r) / slope)
    }
    return t
  }

  // MARK: G⁻¹, carried as t = sinh θ

  /// F_L as a function of t = sinh θ: t·(1 + t²)^{(L−1)/2}, odd in t. A few ulps from an
  /// exact t; unlike F(θ) at large θ, it does not multiply the rounding of θ by L·θ.
  func product(sinh t: Double) -> Double {
    t * onePlusSquarePower(t, Double(depth - 1) / 2)
  }

  /// t = sinh G_L⁻¹(τ) for τ ≥ 0; +∞ once g_L − τ ≤ 0 to 106 bits, NaN for τ > `gInfinity`.
  /// The unknown is t rather than θ so that h = F(G⁻¹(τ)) can be formed from t.
  ///
  /// L = 2: t = sinh τ. Otherwise, with δ = g_L − τ formed to ~1 ulp of itself:
  /// * τ ≤ g/2: Newton on G(asinh t) − τ, slope (1 + t²)^{−(n+1)/2}, from t₀ = τ. The function
  ///   is concave (its slope decreases), so the iterates increase monotonically to the root;
  ///   G(asinh t) ≤ t gives the lower end of the bracket and J(θ) ≤ 2ⁿe^{−nθ}/n the upper end.
  /// * τ > g/2: Newton on log(δ/J), increasing with slope sech^{n+1}θ/J(θ) in t, inside the
  ///   bracket from e^{−nθ}/n ≤ J(θ) ≤ 2ⁿe^{−nθ}/n, i.e. θ ∈ [log(1/(nδ))/n, log(2ⁿ/(nδ))/n]
  ///   (width log 2), started at its upper end, the asymptotic solution. Working with δ rather
  ///   than τ keeps the result accurate for τ within ulps of g_L.
  /// - Complexity: a few iterations of O(L) (plus the tail series) each.
  func sinhOfInverseIntegral(_ tau: Double) -> Double {
    if depth == 2 { return Elementary.sinh(tau) }
    if tau > gTwoPart.hi { return .nan }
    let delta = gTwoPart.subtracting(tau)
    if delta <= 0 { return .infinity }
    let n = Double(exponent)
    // The bounds are asymptotically tight, so rounding could put the root just outside them:
    // widen by 1/64 in θ (the start stays at the asymptotic solution).
    let thetaUpper = (n * ln2 - Elementary.log(n * delta)) / n
    let upper = Elementary.sinh(thetaUpper + 1.0 / 64)
    if tau <= gTwoPart.hi / 2 {
      return safeguardedNewton(
        lo: tau, hi: Swift.max(upper, tau), start: tau, relativeTolerance: 4 * Double.ulpOfOne
      ) { t in
        (integral(sinh: t) - tau, onePlusSquarePower(t, -(n + 1) / 2))
      }
    }
    let lower = Elementary.sinh(Swift.max(0, -Elementary.log(n * delta) / n - 1.0 / 64))
    return safeguardedNewton(
      lo: lower, hi: upper, start: Elementary.sinh(thetaUpper), relativeTolerance: 4 * Double.ulpOfOne
    ) { t in
      let sechPower = onePlusSquarePower(t, -n / 2)
      let tail = tailSeries(sechPower: sechPower, y: hyperbolic(sinh: t).y)
      return (Elementary.log(delta / tail), sechPower / Elementary.hypot(1, t) / tail)
    }
  }
}
