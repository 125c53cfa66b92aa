import LinearAlgebra
@testable import Regularizers
import Testing

/// q_L, q_L′ = h_L⁻¹ and q_L″ (spec §2.5): expansions at 0 and ∞, derivative identities.
@Suite("Depth regularizer: q, q′, q″")
struct RegularizerFunctionTests {
  @Test("q(z) = z²/2 − (L−1)z⁴/6 + (L−1)(3L−2)z⁶/20 − (L−1)(2L−1)(4L−3)z⁸/42 + O(z¹⁰), L = 2…10",
        arguments: 2...10)
  func expansionAtZero(depth: Int) {
    // Coefficients by series reversion of F and composition with G (checked symbolically);
    // the next one is (L−1)(5L−4)(5L−3)(5L−2)/432 < 0.29 L⁴.
    let r = DepthRegularizer(depth: depth)
    let l = Double(depth)
    var worst = WorstCase()
    for z in [1e-7, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 1e-2, 3e-2] {
      let z2 = z * z
      let c8 = (l - 1) * (2 * l - 1) * (4 * l - 3) / 42
      let expansion = z2 * (0.5 + z2 * (-(l - 1) / 6 + z2 * ((l - 1) * (3 * l - 2) / 20 - z2 * c8)))
      // Remainder ≤ 0.29 L⁴ z¹⁰ (×1.1 for the higher terms); q is accurate to a few ulps of z²/2
      // (the formula route loses one bit to z·G − ½sinh²θ cancellation).
      let bound = 0.32 * l * l * l * l * z2 * z2 * z2 * z2 * z2 + 8 * eps * z2 / 2
      worst.record(Swift.abs(r.q(z) - expansion) / bound, at: "z = \(z)")
      worst.record(Swift.abs(r.q(-z) - expansion) / bound, at: "z = −\(z)")
    }
    #expect(worst.error <= 1, "L = \(depth): |q − expansion| / bound = \(worst.error) at \(worst.location)")
  }

  @Test("The Taylor branch of q joins the closed formula at its threshold, L = 2…10", arguments: 2...10)
  func seriesJoin(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    let z = r.seriesThreshold
    let below = r.q(z.nextDown)
    let above = r.q(z)
    let formula = z * r.hInverse(z) - Elementary.pow(r.sinhOfFinverse(z), 2) / 2
    // Both sides approximate z²/2 to a few ulps; one ulp of z changes q by 2 ulps.
    #expect(relativeError(below, above) <= 8 * eps, "L = \(depth): q jumps by \(relativeError(below, above))")
    #expect(relativeError(r.series(z), formula) <= 8 * eps, "L = \(depth): series vs formula at the threshold")
  }

  @Test("q(z)/|z| → g_L: g_L − q/z = (L/(2(L−2))) z^{−(L−2)/L} [1 − ((L−1)(L−2)/L²) z^{−2/L} + …], L = 3…8",
        arguments: 3...8)
  func linearGrowth(depth: Int) {
    // Derivation: t^L(1 + t⁻²)^{(L−1)/2} = z, J(θ) = (sechⁿθ/n)(1 + O(e^{−2θ})) and
    // g − q/z = J(θ) + t²/(2z); expanding in s = t⁻² ≈ z^{−2/L} gives the two terms above.
    let r = DepthRegularizer(depth: depth)
    let l = Double(depth)
    let c2 = (l - 1) * (l - 2) / (l * l)
    for z in [1e3, 1e6, 1e9] {
      let leading = l / (2 * (l - 2)) * Elementary.pow(z, -(l - 2) / l)
      let ratio = (r.gInfinity - r.q(z) / z) / leading
      let correction = c2 * Elementary.pow(z, -2 / l)
      // The next term is O(z^{−4/L}) relative to the leading one, i.e. a fraction
      // O(z^{−2/L}) ≤ 2% of `correction` here; rounding of q/z adds ε·g_L/(leading·correction).
      let observed = (1 - ratio) / correction
      let tolerance = 0.02 + 4 * eps * r.gInfinity / (leading * correction)
      #expect(Swift.abs(observed - 1) <= tolerance, "L = \(depth), z = \(z): (1 − ratio)/correction = \(observed)")
      #expect(Swift.abs(r.q(-z) / z - r.gInfinity) <= 1.01 * leading)
    }
    #expect(Swift.abs(r.q(1e300) / 1e300 - r.gInfinity) <= 4 * eps * r.gInfinity)
  }

  @Test("q₂(z) = ½|z| log(4|z|) − |z|/2 + ¼ − 1/(32|z|) + O(|z|⁻³)")
  func logarithmicGrowth() {
    let r = DepthRegularizer(depth: 2)
    for z in [10.0, 1e3, 1e6, 1e9, 1e12, 1e100, 1e300] {
      let main = 0.5 * z * Elementary.log(4 * z) - z / 2 + 0.25
      // Remainder −1/(32z) + O(z⁻³) (from asinh 2z = log 4z + 1/(16z²) − … and
      // √(z² + ¼) = z + 1/(8z) − …); rounding: a few ulps of q.
      let tolerance = 1 / (32 * z) * 1.01 + 8 * eps * main
      #expect(Swift.abs(r.q(z) - main) <= tolerance, "z = \(z): q₂ − expansion = \(r.q(z) - main)")
      #expect(Swift.abs(r.q(-z) / (0.5 * z * Elementary.log(4 * z)) - 1) <= 1 / Elementary.log(4 * z))
    }
    let z = 100.0
    let remainder = r.q(z) - (0.5 * z * Elementary.log(4 * z) - z / 2 + 0.25)
    #expect(Swift.abs(remainder * 32 * z + 1) <= 1e-3, "32z·remainder = \(remainder * 32 * z), expected −1")
  }

  /// Points where the derivative identities are checked, and a step for each.
  static let derivativePoints: [Double] = [1e-3, 0.05, 0.3, 1, 2.5, 7, 60, 1e3, 1e6].flatMap { [$0, -$0] }

  @Test("q′ = h⁻¹, q″ = 1/h′(h⁻¹), F′ and G′ = sech^{L−2} by five-point differences, L = 2…8",
        arguments: 2...8)
  func derivativeIdentities(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    var worst = WorstCase()
    for z in Self.derivativePoints {
      // Step h = 10⁻³|x|: truncation ~ (h/|x|)⁴ ~ 10⁻¹² relative for these smooth functions
      // (their scale of variation is |x| or larger), rounding ~ ε/(h/|x|) ~ 10⁻¹³.
      let h = 1e-3 * Swift.abs(z)
      let dq = fivePointDerivative(r.q, at: z, step: h)
      worst.record(relativeError(dq, r.qPrime(z)), at: "q′(\(z))")
      // Where h⁻¹ is within a small fraction of g_L, difference its tail g − h⁻¹ = J(F⁻¹(z))
      // instead (q″ is even): h⁻¹ itself only has absolute accuracy ε·g_L there.
      let d2q =
        Swift.abs(z) > 2 && depth > 2
        ? -fivePointDerivative({ r.GComplement(r.Finverse($0)) }, at: Swift.abs(z), step: h)
        : fivePointDerivative(r.hInverse, at: z, step: h)
      worst.record(relativeError(d2q, r.qSecond(z)), at: "q″(\(z))")
      // F′ and G′ (both even) at θ = |z|/8 ≤ 80/L, with a step that also resolves F's scale
      // 1/L. Past θ = 1, G′ = −(g − G)′ is differenced through the tail g − G, which keeps its
      // relative accuracy where G itself is within ulps of g_L.
      let theta = Swift.abs(z) / 8
      if theta < 80 / Double(depth) {
        let step = 1e-3 * Swift.min(theta, 1 / Double(depth))
        worst.record(relativeError(fivePointDerivative(r.F, at: theta, step: step), r.FPrime(theta)),
                     at: "F′(\(theta))")
        let sechPower = Elementary.pow(Elementary.cosh(theta), -Double(depth - 2))
        let dG =
          theta > 1 && depth > 2
          ? -fivePointDerivative(r.GComplement, at: theta, step: step)
          : fivePointDerivative(r.G, at: theta, step: step)
        worst.record(relativeError(dG, sechPower), at: "G′(\(theta))")
      }
      // h′(τ) = 1/q″(h(τ)) at τ = h⁻¹(z), for moderate z (h is ill-conditioned for large z).
      if Swift.abs(z) <= 7 {
        let tau = r.hInverse(z)
        // h has a pole at ±g_L: the step must also resolve the distance g − |τ|.
        let step = 1e-3 * Swift.min(Swift.abs(tau), r.gInfinity - Swift.abs(tau))
        let dh = fivePointDerivative(r.h, at: tau, step: step)
        worst.record(relativeError(dh * r.qSecond(r.h(tau)), 1), at: "h′(\(tau))")
      }
    }
    #expect(worst.error <= 1e-9, "L = \(depth): \(worst), tolerance 1e-9")
  }

  @Test("q(b) − q(a) = ∫ₐᵇ h⁻¹ and h⁻¹(b) − h⁻¹(a) = ∫ₐᵇ q″ by Gauss–Legendre, L = 2…8", arguments: 2...8)
  func integralIdentities(depth: Int) {
    let r = DepthRegularizer(depth: depth)
    let intervals: [(Double, Double)] = [(0, 0.5), (0.5, 3), (3, 40), (-2, 1), (40, 1000)]
    var worst = WorstCase()
    for (a, b) in intervals {
      // Panels of width ≤ max(|a|, 1)/8 resolve the variation (scale ~|z| or 1) to rounding.
      let width = Swift.max(Swift.abs(a), 1) / 8
      let integralOfHInverse = GaussLegendre.twenty.integrate(r.hInverse, from: a, to: b, width: width)
      // Both sides are differences of values accurate to a few ulps: measure against their size.
      let scaleQ = Swift.abs(r.q(a)) + Swift.abs(r.q(b))
      worst.record(Swift.abs(r.q(b) - r.q(a) - integralOfHInverse) / scaleQ, at: "q on [\(a), \(b)]")
      let integralOfQSecond = GaussLegendre.twenty.integrate(r.qSecond, from: a, to: b, width: width)
      let scaleH = Swift.abs(r.hInverse(a)) + Swift.abs(r.hInverse(b))
      worst.record(Swift.abs(r.hInverse(b) - r.hInverse(a) - integralOfQSecond) / scaleH, at: "h⁻¹ on [\(a), \(b)]")
    }
    #expect(worst.error <= 16 * eps, "L = \(depth): \(worst), tolerance 16ε")
  }
}
