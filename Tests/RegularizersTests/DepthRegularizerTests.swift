import LinearAlgebra
import Regularizers
import Testing

/// G_L, g_L, F_L and the inverses (spec §2.5, §6). Each tolerance is stated with its reason;
/// the failure message prints the worst observed error next to it.
@Suite("Depth regularizer: G, g, F and their inverses")
struct DepthRegularizerTests {
  @Test("g_L: g₃ = π/2, g₄ = 1, g₅ = π/4, g₆ = 2/3 exactly as doubles; g₂ = +∞")
  func knownLimits() {
    // g_L is built in double-double (106 bits), so its leading part is the correctly rounded
    // value, which is what .pi/2, 1, .pi/4 and 2.0/3 are: equality is expected.
    let expected: [(Int, Double)] = [(3, .pi / 2), (4, 1), (5, .pi / 4), (6, 2.0 / 3)]
    for (depth, value) in expected {
      let g = DepthRegularizer(depth: depth).gInfinity
      #expect(g == value, "L = \(depth): g = \(g), expected \(value)")
    }
    #expect(DepthRegularizer(depth: 2).gInfinity == .infinity)
  }

  @Test("g_L = (√π/2)Γ((L−2)/2)/Γ((L−1)/2) and g_L = G_L(∞), L = 3…40")
  func gammaFormula() {
    for depth in 3...40 {
      let r = DepthRegularizer(depth: depth)
      let a = Elementary.lgamma(Double(depth - 2) / 2)
      let b = Elementary.lgamma(Double(depth - 1) / 2)
      let reference = Double.pi.squareRoot() / 2 * Elementary.exp(a - b)
      // lgamma is accurate to ~1 ulp of its value, so exp(a − b) carries ~ε(|a| + |b|) of
      // relative error; g_L itself is correctly rounded.
      let tolerance = 4 * eps * (2 + Swift.abs(a) + Swift.abs(b))
      let error = relativeError(r.gInfinity, reference)
      #expect(error <= tolerance, "L = \(depth): relative error \(error), tolerance \(tolerance)")
      #expect(r.G(.infinity) == r.gInfinity, "L = \(depth): G(∞) = \(r.G(.infinity))")
      #expect(r.G(-.infinity) == -r.gInfinity)
    }
  }

  @Test("G_L and g_L − G_L match Gauss–Legendre quadrature of sech^{L−2}, L = 5…8", arguments: 5...8)
  func quadrature(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    let n = Double(depth - 2)
    let integrand = { (s: Double) in Elementary.pow(Elementary.cosh(s), -n) }
    var worstG = WorstCase()
    var worstTail = WorstCase()
    for theta in [1e-6, 1e-3, 0.05, 0.3, 0.7, 1, 1.5, 2, 3, 5, 8, 13, 20, 35] {
      let g = GaussLegendre.twenty.integrate(integrand, from: 0, to: theta, width: 0.25)
      worstG.record(relativeError(r.G(theta), g), at: "θ = \(theta)")
      worstG.record(relativeError(r.G(-theta), -g), at: "θ = −\(theta)")
      // The tail beyond θ + 40 is below e^{−40n} ≤ e^{−120} of the tail: negligible.
      let tail = GaussLegendre.twenty.integrate(integrand, from: theta, to: theta + 40, width: 0.25)
      worstTail.record(relativeError(r.GComplement(theta), tail), at: "θ = \(theta)")
    }
    // G is accurate to ~2 ulps (sum of positive terms); the compensated 20-point rule to ~2 ulps
    // (rounded nodes, weights and integrand values, averaging out over the nodes).
    #expect(worstG.error <= 8 * eps, "L = \(depth): G vs quadrature \(worstG), tolerance 8ε")
    // The tail series is accurate to a few ulps of the tail, not of g_L: that is its purpose.
    #expect(worstTail.error <= 16 * eps, "L = \(depth): g − G vs quadrature \(worstTail), tolerance 16ε")
  }

  @Test("g_L − G_L(θ): +∞ for L = 2, g_L + G_L(|θ|) for θ < 0, 0 at θ = ∞")
  func complementEdges() {
    #expect(DepthRegularizer(depth: 2).GComplement(3) == .infinity)
    for depth in 3...8 {
      let r = DepthRegularizer(depth: depth)
      #expect(r.GComplement(0) == r.gInfinity)
      #expect(r.GComplement(.infinity) == 0)
      let e = relativeError(r.GComplement(-0.8), r.gInfinity + r.G(0.8))
      #expect(e <= 2 * eps, "L = \(depth): g − G(−0.8) off by \(e)")
    }
  }

  @Test("F⁻¹(F(θ)) = θ for θ ∈ [10⁻⁸, 700/L], L = 2…10", arguments: 2...10)
  func inverseOfF(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    var worst = WorstCase()
    for theta in logGrid(decades: -8, 2, perDecade: 9) where theta < 700 / Double(depth) {
      worst.record(relativeError(r.Finverse(r.F(theta)), theta), at: "θ = \(theta)")
      worst.record(relativeError(r.Finverse(r.F(-theta)), -theta), at: "θ = −\(theta)")
    }
    // F⁻¹ has relative condition number F/(θF′) ≤ 1, so a few ulps in F(θ) and a few in the
    // inversion stay a few ulps in θ.
    #expect(worst.error <= 8 * eps, "L = \(depth): \(worst), tolerance 8ε")
  }

  @Test("F(F⁻¹(z)) = z for |z| ∈ [10⁻³⁰⁰, 10³⁰⁰] without overflow, L = 2…10", arguments: 2...10)
  func roundTripThroughF(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    var worst = WorstCase()
    for magnitude in logGrid(decades: -300, 300, perDecade: 1) {
      for z in [magnitude, -magnitude] {
        let theta = r.Finverse(z)
        #expect(theta.isFinite, "L = \(depth): F⁻¹(\(z)) = \(theta)")
        // Rounding θ to a double perturbs F by the condition number θF′(θ)/F(θ) ≈ 1 + Lθ (≈ 700
        // at z = 10³⁰⁰): the round trip cannot be better than that many half-ulps.
        let condition = Swift.abs(theta * r.FPrime(theta) / r.F(theta))
        worst.record(relativeError(r.F(theta), z) / (1 + condition), at: "z = \(z)")
      }
    }
    #expect(worst.error <= 4 * eps, "L = \(depth): error/(1 + cond) \(worst), tolerance 4ε")
    #expect(r.Finverse(.greatestFiniteMagnitude).isFinite)
    #expect(r.Finverse(.infinity) == .infinity && r.Finverse(-.infinity) == -.infinity)
  }

  @Test("h(h⁻¹(z)) = z over ±[10⁻⁸, 10¹²] and h⁻¹(h(τ)) = τ over (−g_L, g_L), L = 2…8", arguments: 2...8)
  func hRoundTrips(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    var worstZ = WorstCase()
    for z in briefGrid {
      let tau = r.hInverse(z)
      // τ is a double within a few ulps of h⁻¹(z); h magnifies that by its condition number
      // κ = τh′(τ)/h(τ) = h⁻¹(z)/(z q″(z)), up to ~10⁹ for L = 8 at z = 10¹². The ratio of the
      // error to (1 + κ) is what the implementation controls.
      let kappa = tau / (z * r.qSecond(z))
      worstZ.record(relativeError(r.h(tau), z) / (1 + kappa), at: "z = \(z), κ = \(kappa)")
    }
    #expect(worstZ.error <= 8 * eps, "L = \(depth): h(h⁻¹(z)) error/(1 + κ) \(worstZ), tolerance 8ε")

    let g = depth == 2 ? 30 : r.gInfinity
    var worstTau = WorstCase()
    let fractions = (1...19).map { Double($0) / 20 } + [0.99, 0.999, 1 - 1e-6, 1 - 1e-10, 1e-9]
    for fraction in fractions {
      let tau = fraction * g
      // h⁻¹ has condition number 1/κ ≤ 1, so h's error (a few ulps times κ) returns to a few ulps.
      worstTau.record(relativeError(r.hInverse(r.h(tau)), tau), at: "τ = \(fraction)·g")
      worstTau.record(relativeError(r.hInverse(r.h(-tau)), -tau), at: "τ = −\(fraction)·g")
    }
    #expect(worstTau.error <= 8 * eps, "L = \(depth): h⁻¹(h(τ)) \(worstTau), tolerance 8ε")
  }

  @Test("G⁻¹ inverts G, also within ulps of g_L; h = F∘G⁻¹; edges at ±g_L and beyond")
  func inverseOfG() {
    for depth in 3...8 {
      let r = DepthRegularizer(depth: depth)
      let n = Double(depth - 2)
      var worstTau = WorstCase()
      var worstTheta = WorstCase()
      for theta in [1e-9, 1e-3, 0.2, 1, 3, 8, 15, 25] where r.G(theta) < r.gInfinity {
        let tau = r.G(theta)
        let back = r.GInverse(tau)
        // G(G⁻¹(τ)) = τ to a few ulps of τ: G is evaluated to ~2 ulps at a θ within ulps.
        worstTau.record(relativeError(r.G(back), tau), at: "θ = \(theta)")
        // θ itself: G⁻¹ has condition number G/(θG′) = G coshⁿθ/θ (~10⁵ at θ = 3 for L = 8,
        // and e^{nθ} beyond), so the error in θ is a few ulps times 1 + that.
        let condition = tau * Elementary.pow(Elementary.cosh(theta), n) / theta
        worstTheta.record(relativeError(back, theta) / (1 + condition), at: "θ = \(theta), cond \(condition)")
      }
      #expect(worstTau.error <= 4 * eps, "L = \(depth): G(G⁻¹(τ)) \(worstTau), tolerance 4ε")
      #expect(worstTheta.error <= 4 * eps, "L = \(depth): G⁻¹(G(θ)) error/(1 + cond) \(worstTheta), tolerance 4ε")
      // The rounded g_L may lie below the true one (then G⁻¹ is finite but large) or above it
      // (then +∞); beyond it, NaN.
      let g = r.gInfinity
      #expect(r.GInverse(g) == .infinity || r.GInverse(g) > 5, "L = \(depth): G⁻¹(g) = \(r.GInverse(g))")
      #expect(r.h(g) >= r.h(g.nextDown) && r.h(-g) == -r.h(g))
      #expect(r.h(g.nextUp).isNaN && r.GInverse(-g.nextUp).isNaN)
      let e = relativeError(r.h(0.3 * g), r.F(r.GInverse(0.3 * g)))
      // Two routes to F(θ): from t = sinh θ and from the rounded θ (condition ≈ 1 + Lθ, θ < 1).
      #expect(e <= 16 * eps, "L = \(depth): h vs F∘G⁻¹ differ by \(e)")
    }
  }

  @Test("Symmetries and special values: odd G, F, F⁻¹, h, h⁻¹; even q, q″; 0, ±∞, NaN")
  func symmetriesAndSpecialValues() {
    for depth in 2...9 {
      let r = DepthRegularizer(depth: depth)
      for x in [1e-7, 0.3, 2.5, 40.0] {
        #expect(r.G(-x) == -r.G(x) && r.F(-x) == -r.F(x) && r.Finverse(-x) == -r.Finverse(x))
        #expect(r.hInverse(-x) == -r.hInverse(x) && r.q(-x) == r.q(x) && r.qSecond(-x) == r.qSecond(x))
        let tau = 0.4 * Swift.min(r.gInfinity, 2)
        #expect(r.h(-tau) == -r.h(tau))
      }
      #expect(r.q(0) == 0 && r.qSecond(0) == 1 && r.hInverse(0) == 0 && r.h(0) == 0 && r.G(0) == 0)
      #expect(r.q(.infinity) == .infinity && r.qSecond(.infinity) == 0)
      #expect(r.hInverse(.infinity) == r.gInfinity && r.hInverse(-.infinity) == -r.gInfinity)
      #expect(r.q(.nan).isNaN && r.h(.nan).isNaN && r.hInverse(.nan).isNaN && r.G(.nan).isNaN)
      #expect(r.q(1e300).isFinite && r.hInverse(1e300).isFinite && r.qSecond(1e300) >= 0)
    }
  }

  @Test("Depth L < 2 is a precondition failure")
  func depthPrecondition() async {
    await #expect(processExitsWith: .failure) { _ = DepthRegularizer(depth: 1) }
  }
}
