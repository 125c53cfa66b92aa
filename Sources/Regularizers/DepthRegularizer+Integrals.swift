import LinearAlgebra

// G_L and its tail J_L = g_L − G_L, evaluated either from θ or from t = sinh θ.
//
// With n = L − 2 and I_n(θ) = ∫₀^θ sechⁿ, integration by parts (sechⁿ = sech^{n−2}·sech²,
// d tanh = sech²) gives the reduction formula
//
//     I_n = sech^{n−2}θ · tanh θ / (n−1) + (n−2)/(n−1) · I_{n−2},       n ≥ 2,
//
// with I_0 = θ and I_1 = gd θ = atan(sinh θ). For even n ≥ 2 the chain ends at
// I_2 = tanh θ (its I_0 coefficient is 0), so every even L has a closed form in tanh and sech;
// odd L reduce to gd θ. Every term is positive for θ > 0 and the coefficients are < 1, so a
// rounding error made early is damped, not amplified: the upward recurrence is stable and the
// result is accurate to a few ulps (measured: ≤ 2.5 ulps for L ≤ 12).
//
// At θ = ∞ the boundary term vanishes for n ≥ 3: g_n = (n−2)/(n−1)·g_{n−2}, g₁ = π/2, g₂ = 1.
// Equivalently g_L = (√π/2)·Γ((L−2)/2)/Γ((L−1)/2) (Wallis-type products).

extension DepthRegularizer {
  /// g for G′ = sechⁿ, to 106 bits; +∞ for n = 0.
  /// - Complexity: O(n).
  static func limitOfG(exponent n: Int) -> DoubleDouble {
    if n == 0 { return DoubleDouble(hi: .infinity, lo: 0) }
    var g = n.isMultiple(of: 2) ? DoubleDouble(hi: 1, lo: 0) : DoubleDouble.halfPi
    var m = n.isMultiple(of: 2) ? 4 : 3
    while m <= n {
      g = g.multiplied(by: Double(m - 2)).divided(by: Double(m - 1))
      m += 2
    }
    return g
  }

  /// I_n by the upward recurrence from sech θ, tanh θ and the base integral
  /// (θ for n = 0, gd θ for odd n; unused for even n ≥ 2).
  /// - Complexity: O(n).
  func recurrence(sech s: Double, tanh tv: Double, base: Double) -> Double {
    let n = exponent
    if n == 0 { return base }
    var value: Double
    var m: Int
    var sechPower: Double  // sech^{m−2} for the next m
    if n.isMultiple(of: 2) {
      value = tv  // I_2
      m = 4
      sechPower = s * s
    } else {
      value = base  // I_1
      m = 3
      sechPower = s
    }
    while m <= n {
      value = (sechPower * tv + Double(m - 2) * value) / Double(m - 1)
      sechPower *= s * s
      m += 2
    }
    return value
  }

  /// The tail J_n = ∫_θ^∞ sechⁿ (n ≥ 1) from sechⁿθ and y = 1/(1 + e^{2θ}):
  /// J_n = (sechⁿθ/n) Σₖ rₖ yᵏ, r₀ = 1, r_{k+1} = rₖ (n+k)/(n/2+1+k) (see `GComplement`).
  ///
  /// The ratio of consecutive terms is < 2y ≤ 1 and tends to y, so the series converges for all
  /// θ ≥ 0; it is summed until a term is below 2⁻⁵⁶ of the sum. Every term is positive.
  /// - Complexity: O(log ε / log y) terms for θ bounded away from 0, O(√n) more near 0.
  func tailSeries(sechPower: Double, y: Double) -> Double {
    let n = Double(exponent)
    var term = 1.0
    var sum = 1.0
    var k = 0.0
    while term > 0x1p-56 * sum && k < 100_000 {
      term *= (n + k) / (n / 2 + 1 + k) * y
      sum += term
      k += 1
    }
    return sechPower / n * sum
  }

  // MARK: Front ends from θ

  /// G_L(θ) for θ ≥ 0 (θ = +∞ allowed).
  func integral(theta: Double) -> Double {
    let base: Double
    switch exponent {
    case 0: base = theta
    case let n where !n.isMultiple(of: 2): base = Elementary.atan(Elementary.sinh(theta))
    default: base = 0
    }
    let s = 1 / Elementary.cosh(theta)
    let value = recurrence(sech: s, tanh: Elementary.tanh(theta), base: base)
    guard exponent >= 3, value > gTwoPart.hi / 2 else { return value }
    // Saturated: g − J rounds correctly from a tail accurate to a few ulps of itself.
    return gTwoPart.subtracting(tailSeries(sechPower: sechPower(theta: theta), y: yOf(theta: theta)))
  }

  /// g_L − G_L(θ) for θ ≥ 0 and L ≥ 3: the tail series where G ≥ g/2, g − G below.
  func complement(theta: Double) -> Double {
    let g = integral(theta: theta)
    if g <= gTwoPart.hi / 2 { return gTwoPart.subtracting(g) }
    return tailSeries(sechPower: sechPower(theta: theta), y: yOf(theta: theta))
  }

  /// sechⁿθ as cosh^{−n}θ: one rounding of cosh, then pow.
  func sechPower(theta: Double) -> Double { Elementary.pow(Elementary.cosh(theta), -Double(exponent)) }

  /// y = 1/(1 + e^{2θ}) ∈ (0, ½]; 0 when e^{2θ} overflows.
  func yOf(theta: Double) -> Double { 1 / (1 + Elementary.exp(2 * theta)) }

  // MARK: Front ends from t = sinh θ

  /// sech θ, tanh θ and y = 1/(1 + e^{2θ}) from t = sinh θ ≥ 0, without overflow:
  /// cosh θ = hypot(1, t), e^θ = t + cosh θ.
  func hyperbolic(sinh t: Double) -> (sech: Double, tanh: Double, y: Double) {
    let c = Elementary.hypot(1, t)
    let e = t + c
    return (1 / c, t / c, 1 / (1 + e * e))
  }

  /// G_L(asinh t) for t ≥ 0.
  func integral(sinh t: Double) -> Double {
    let base: Double
    switch exponent {
    case 0: base = Elementary.asinh(t)
    case let n where !n.isMultiple(of: 2): base = Elementary.atan(t)
    default: base = 0
    }
    let (s, tv, y) = hyperbolic(sinh: t)
    let value = recurrence(sech: s, tanh: t == .infinity ? 1 : tv, base: base)
    guard exponent >= 3, value > gTwoPart.hi / 2 else { return value }
    return gTwoPart.subtracting(tailSeries(sechPower: onePlusSquarePower(t, -Double(exponent) / 2), y: y))
  }

  /// g_L − G_L(asinh t) for t ≥ 0 and L ≥ 3.
  func complement(sinh t: Double) -> Double {
    let g = integral(sinh: t)
    if g <= gTwoPart.hi / 2 { return gTwoPart.subtracting(g) }
    return tailSeries(sechPower: onePlusSquarePower(t, -Double(exponent) / 2), y: hyperbolic(sinh: t).y)
  }
}
