import LinearAlgebra

/// The one-dimensional implicit regularizer of depth-L gradient flow, q_L, and the functions
/// it is built from (spec §2.5, Theorem 4; §2.7 for the dual view; §6 for the numerics).
///
/// Per mode, with c² = a_l² − a_L² conserved and the parametrisation a_L = c·sinh θ,
/// |a_l| = c·cosh θ (l < L), the product is ρ = c^L F_L(θ) and gradient flow moves G_L(θ) by
/// c^{L−2} times a coordinate in range(SXᵀ). Hence, for L ≥ 2,
///
///     G_L(θ) = ∫₀^θ sech^{L−2}(s) ds,          F_L(θ) = cosh^{L−1}θ · sinh θ,
///     h_L = F_L ∘ G_L⁻¹ : (−g_L, g_L) → ℝ,     g_L = G_L(∞),
///     q_L(z) = ∫₀^z h_L⁻¹(t) dt = z·G_L(θ) − ½ sinh²θ,   θ = F_L⁻¹(z).
///
/// Check of the last formula by differentiation: with θ′ = 1/F′(θ),
/// d/dz [z G(θ) − ½ sinh²θ] = G(θ) + [z G′(θ) − sinh θ cosh θ]·θ′, and
/// z G′(θ) = cosh^{L−1}θ sinh θ · sech^{L−2}θ = sinh θ cosh θ, so the bracket vanishes and
/// q′(z) = G(F⁻¹(z)) = h⁻¹(z); q(0) = 0. The vanishing bracket also says that θ = F⁻¹(z)
/// maximises θ ↦ z G(θ) − ½ sinh²θ, so q is insensitive to first order to errors in θ.
///
/// Second derivative: q″(z) = G′(θ)·θ′ = sech^{L−2}θ / F′(θ), with
/// F′(θ) = (L−1) cosh^{L−2}θ sinh²θ + cosh^L θ = cosh^{L−2}θ (1 + L sinh²θ), so
///
///     q″(z) = 1 / h′(h⁻¹(z)) = sech^{2L−4}θ / (1 + L sinh²θ) = (1 + t²)^{−(L−2)} / (1 + L t²),
///
/// with t = sinh θ. Near 0, F⁻¹(z) = z − (3L−2)z³/6 + O(z⁵) and G(θ) = θ − (L−2)θ³/6 + O(θ⁵)
/// give h⁻¹(z) = z − 2(L−1)z³/3 + O(z⁵) and q(z) = z²/2 − (L−1)z⁴/6 + (L−1)(3L−2)z⁶/20
/// − (L−1)(2L−1)(4L−3)z⁸/42 + O(z¹⁰).
///
/// Internally the solution of F_L(θ) = z is carried as t = sinh θ, which is what q, q′ and q″
/// need; θ itself is formed only by `Finverse`. All functions are odd or even as the
/// mathematics says and are evaluated on |x|, then given their sign.
///
/// Accuracy, measured for L = 2…12 against 50-digit references over θ ∈ [10⁻¹⁰, 400] and
/// |z| ∈ [10⁻³⁰⁰, 10³⁰⁰] (the tests check the consequences in double precision): g_L correctly
/// rounded; G ≤ 2.5 ulps; g_L − G ≤ 5.5 ulps; F⁻¹ ≤ 1.5 ulps; h⁻¹ = q′ ≤ 2.5 ulps; q ≤ 3.6 ulps;
/// q″ ≤ ~1.2·L ulps (it is a power 2(L−1) of t, which carries ~½ ulp); h ≤ 6.5 ulps for
/// L ≤ 11, 19 ulps for L = 12 next to g_L. The closed forms of `closedFormQ` etc. ≤ 1.5 ulps.
public struct DepthRegularizer: Sendable, Hashable {
  /// The depth L ≥ 2.
  public let depth: Int

  /// g_L to ~106 bits (π/2 times a product of rationals for odd L, a product of rationals for
  /// even L); unused for L = 2.
  let gTwoPart: DoubleDouble

  /// A regularizer for depth `depth` ≥ 2 (precondition).
  public init(depth: Int) {
    precondition(depth >= 2, "DepthRegularizer needs depth L ≥ 2, got \(depth)")
    self.depth = depth
    self.gTwoPart = DepthRegularizer.limitOfG(exponent: depth - 2)
  }

  /// n = L − 2, the power of sech in G′.
  var exponent: Int { depth - 2 }

  /// g_L = G_L(∞) = (√π/2)·Γ((L−2)/2)/Γ((L−1)/2) for L ≥ 3, and +∞ for L = 2 (spec §2.5).
  ///
  /// Computed from the recurrence of the integrals at θ = ∞ (the boundary term vanishes):
  /// g_{n+2} = (n−2)/(n−1)·g_n with g₃ = π/2, g₄ = 1; hence g₅ = π/4, g₆ = 2/3, …
  public var gInfinity: Double { depth == 2 ? .infinity : gTwoPart.hi }

  // MARK: - G and F

  /// G_L(θ) = ∫₀^θ sech^{L−2}(s) ds: odd, increasing, G(±∞) = ±g_L.
  ///
  /// L = 2: θ; L = 3: gd θ = atan(sinh θ); L = 4: tanh θ; general L by the reduction formula
  /// ∫sech^m = sech^{m−2}·tanh/(m−1) + (m−2)/(m−1)∫sech^{m−2} (a sum of positive terms,
  /// hence stable), and for large θ as g_L minus the convergent tail series (see
  /// `GComplement`). Accurate to a few ulps.
  /// - Complexity: O(L) (plus O(log ε / log y) terms of the tail series when saturated).
  public func G(_ theta: Double) -> Double {
    guard !theta.isNaN else { return .nan }
    return Double(signOf: theta, magnitudeOf: integral(theta: Swift.abs(theta)))
  }

  /// g_L − G_L(θ) without cancellation when G_L(θ) is close to g_L (L ≥ 3; +∞ for L = 2).
  ///
  /// For θ ≥ 0 this is the tail J(θ) = ∫_θ^∞ sech^n, n = L − 2. The substitution
  /// v = 1/(1 + e^{2s}) gives sech² s = 4v(1−v) and ds = −dv/(2v(1−v)), so
  /// J(θ) = 2^{n−1} B(y; n/2, n/2) with y = 1/(1 + e^{2θ}) ≤ ½, an incomplete beta function.
  /// The hypergeometric series B(y; a, b) = y^a(1−y)^b/a · Σₖ (a+b)ₖ/(a+1)ₖ yᵏ
  /// (Abramowitz & Stegun 26.5.4 / DLMF 8.17.8) has positive terms, and y^{n/2}(1−y)^{n/2} =
  /// sechⁿθ/2ⁿ, so J(θ) = (sechⁿθ / n) Σₖ (n)ₖ/(n/2+1)ₖ yᵏ.
  public func GComplement(_ theta: Double) -> Double {
    guard !theta.isNaN else { return .nan }
    if depth == 2 { return theta == .infinity ? .nan : .infinity }
    if theta < 0 { return gTwoPart.hi + (integral(theta: -theta) + gTwoPart.lo) }
    return complement(theta: theta)
  }

  /// F_L(θ) = cosh^{L−1}θ · sinh θ: odd and increasing, F(θ) ~ e^{Lθ}/2^L. Evaluated as
  /// t(1 + t²)^{(L−1)/2} with t = sinh θ (see `onePlusSquarePower`): a few ulps.
  public func F(_ theta: Double) -> Double { product(sinh: Elementary.sinh(theta)) }

  /// F_L′(θ) = cosh^{L−2}θ · (1 + L sinh²θ).
  public func FPrime(_ theta: Double) -> Double {
    let t = Elementary.sinh(theta)
    return onePlusSquarePower(t, Double(depth - 2) / 2) * (1 + Double(depth) * t * t)
  }

  /// F_L⁻¹(z): odd, with F⁻¹(z) ~ log(2^L |z|)/L for large |z|. Finite for every finite z.
  ///
  /// L = 2: asinh(2z)/2. L = 3: t = sinh θ is the real root of t³ + t = z (Cardano in a
  /// cancellation-free form). L ≥ 4: safeguarded Newton in log sinh θ, then a Newton polish on
  /// the relative residual. See `sinhOfFinverse(_:)`.
  public func Finverse(_ z: Double) -> Double {
    guard !z.isNaN else { return .nan }
    let a = Swift.abs(z)
    let theta: Double
    if depth == 2 {
      // asinh(2a)/2, with 2a kept finite: asinh x = log 2x to double precision for x > 1e300.
      theta = a < 1e300 ? Elementary.asinh(2 * a) / 2 : (Elementary.log(a) + 2 * ln2) / 2
    } else {
      theta = Elementary.asinh(sinhOfFinverse(a))
    }
    return Double(signOf: z, magnitudeOf: theta)
  }

  // MARK: - h, h⁻¹, q and its derivatives

  /// G_L⁻¹(τ) for |τ| < g_L: odd, NaN for |τ| > `gInfinity`.
  ///
  /// At τ = ±`gInfinity` the result is ±∞ if the rounded g_L is at or above the true one, and
  /// finite (large) if it is below, since G⁻¹ is then evaluated at a point of its domain.
  public func GInverse(_ tau: Double) -> Double {
    guard !tau.isNaN else { return .nan }
    if depth == 2 { return tau }
    return Double(signOf: tau, magnitudeOf: Elementary.asinh(sinhOfInverseIntegral(Swift.abs(tau))))
  }

  /// h_L(τ) = F_L(G_L⁻¹(τ)) on (−g_L, g_L): odd, increasing, h′(0) = 1, a pole at ±g_L
  /// (edges as for `GInverse`).
  ///
  /// Solved for t = sinh G⁻¹(τ), then h = t(1 + t²)^{(L−1)/2}. Near τ = g_L the solve uses
  /// J(θ) = g_L − τ with g_L held to 106 bits, so the result is accurate for the given τ even
  /// though the map has condition number τh′/h ≈ L·g_L·coshⁿθ there.
  public func h(_ tau: Double) -> Double {
    guard !tau.isNaN else { return .nan }
    return Double(signOf: tau, magnitudeOf: product(sinh: sinhOfInverseIntegral(Swift.abs(tau))))
  }

  /// h_L⁻¹(z) = G_L(F_L⁻¹(z)) = q_L′(z): odd, increasing, → ±g_L as z → ±∞.
  public func hInverse(_ z: Double) -> Double {
    guard !z.isNaN else { return .nan }
    return Double(signOf: z, magnitudeOf: integral(sinh: sinhOfFinverse(Swift.abs(z))))
  }

  /// q_L(z) = ∫₀^z h_L⁻¹ = z·G_L(θ) − ½ sinh²θ with θ = F_L⁻¹(z): even, convex, C².
  ///
  /// The Taylor polynomial through z⁶ is used for |z| < 10⁻³/√L (truncation below 4·10⁻¹⁹
  /// relative); elsewhere the formula loses at most one bit (z·G ≈ 2·½sinh²θ near 0, and the
  /// second term is negligible for large z). q(z) ~ g_L|z| for L ≥ 3 and
  /// q₂(z) ~ ½|z| log(4|z|).
  public func q(_ z: Double) -> Double {
    guard !z.isNaN else { return .nan }
    let a = Swift.abs(z)
    if a < seriesThreshold { return series(a) }
    if a == .infinity { return .infinity }
    let t = sinhOfFinverse(a)
    return a * integral(sinh: t) - t * t / 2
  }

  /// q_L′(z) = h_L⁻¹(z).
  public func qPrime(_ z: Double) -> Double { hInverse(z) }

  /// q_L″(z) = 1/h′(h⁻¹(z)) = sech^{L−2}θ / F′(θ) = (1 + t²)^{−(L−2)} / (1 + L t²), where
  /// t = sinh F⁻¹(z). Even, q″(0) = 1, and q″(z) ~ |z|^{−2(L−1)/L}/L → 0 for large |z|
  /// (t^L ~ |z|).
  public func qSecond(_ z: Double) -> Double {
    guard !z.isNaN else { return .nan }
    let t = sinhOfFinverse(Swift.abs(z))
    return onePlusSquarePower(t, -Double(depth - 2)) / (1 + Double(depth) * t * t)
  }

  // MARK: - Series near zero

  /// Below this |z|, q uses its Taylor polynomial through z⁶; the first omitted term,
  /// −(L−1)(2L−1)(4L−3)z⁸/42, is then below 4·10⁻¹⁹ relative to z²/2.
  var seriesThreshold: Double { 1e-3 / Double(depth).squareRoot() }

  /// q(z) = z²/2 − (L−1)z⁴/6 + (L−1)(3L−2)z⁶/20 + O(z⁸) (series reversion of F and
  /// composition with G; coefficients checked symbolically).
  func series(_ a: Double) -> Double {
    let l = Double(depth)
    let a2 = a * a
    return a2 * (0.5 + a2 * (-(l - 1) / 6 + a2 * (l - 1) * (3 * l - 2) / 20))
  }
}

/// log 2.
let ln2 = 0.6931471805599453
