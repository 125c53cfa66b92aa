import LinearAlgebra
@testable import Regularizers
import Testing

/// The closed forms of the spec §2.5 table (L = 2, 3, 4) against the general route, which uses
/// the reduction formula for G, Newton for G⁻¹ and (for L ≥ 4) for F⁻¹.
@Suite("Depth regularizer: closed forms of spec §2.5 vs the general route")
struct ClosedFormTests {
  @Test("closedFormQ = q to ≤ 1e-13 relative over z ∈ ±[1e-8, 1e12] (and on to 1e300), L = 2, 3, 4",
        arguments: 2...4)
  func qMatches(depth: Int) throws {
    let r = DepthRegularizer(depth: depth)
    var worst = WorstCase()
    for z in briefGrid {
      worst.record(relativeError(try #require(r.closedFormQ(z)), r.q(z)), at: "z = \(z)")
    }
    // Each side is within ~2 ulps of q (measured against 60-digit references: ≤ 1.5 ulps);
    // 1e-13 (450 ulps) is the brief's bound.
    #expect(worst.error <= 1e-13, "L = \(depth): \(worst), tolerance 1e-13")
    #expect(worst.error <= 16 * eps, "L = \(depth): \(worst), expected a few ulps")
    var far = WorstCase()
    for z in logGrid(decades: 12, 300, perDecade: 1) {
      far.record(relativeError(try #require(r.closedFormQ(z)), r.q(z)), at: "z = \(z)")
    }
    #expect(far.error <= 16 * eps, "L = \(depth): \(far) for z ∈ [1e12, 1e300], tolerance 16ε")
  }

  @Test("closedFormG = G and closedFormH = h over τ = h⁻¹(z), z ∈ ±[1e-8, 1e12], L = 2, 3, 4",
        arguments: 2...4)
  func gAndHMatch(depth: Int) throws {
    let r = DepthRegularizer(depth: depth)
    var worstG = WorstCase()
    var worstH = WorstCase()
    for z in briefGrid {
      let theta = r.Finverse(z)
      worstG.record(relativeError(try #require(r.closedFormG(theta)), r.G(theta)), at: "θ = \(theta)")
      // Same τ on both sides: the closed form (sin/cos³, τ/((1−τ)(1+τ))²) is exact to ~2 ulps
      // for that τ; the general route solves J(θ) = g − τ with g in double-double, and forms
      // h = t(1 + t²)^{(L−1)/2}: ~L ulps from the ulps of t (measured ≤ 8 ulps).
      let tau = r.hInverse(z)
      worstH.record(relativeError(try #require(r.closedFormH(tau)), r.h(tau)), at: "τ = \(tau)")
    }
    #expect(worstG.error <= 4 * eps, "L = \(depth): G \(worstG), tolerance 4ε")
    #expect(worstH.error <= 1e-13, "L = \(depth): h \(worstH), tolerance 1e-13")
    #expect(worstH.error <= 32 * eps, "L = \(depth): h \(worstH), expected ≤ 32 ulps")
  }

  @Test("Closed forms are nil for L > 4")
  func nilBeyondFour() {
    for depth in 5...8 {
      let r = DepthRegularizer(depth: depth)
      #expect(r.closedFormQ(1) == nil && r.closedFormG(1) == nil && r.closedFormH(0.1) == nil)
    }
  }

  @Test("F⁻¹ for L = 2 (asinh) and L = 3 (Cardano) agree with the general Newton route")
  func specialInversesMatchNewton() {
    var worst = WorstCase()
    for depth in 2...3 {
      let r = DepthRegularizer(depth: depth)
      for z in logGrid(decades: -300, 300, perDecade: 2) {
        let t = r.sinhOfFinverse(z)
        // Both are within ~1–2 ulps of t (measured); the closed forms are accurate by
        // construction (no cancellation), Newton by its residual polish.
        worst.record(relativeError(t, r.sinhOfFinverseByNewton(z)), at: "L = \(depth), z = \(z)")
        // t(1 + t²)^{(L−1)/2} = z: the residual of the cubic/quadratic is a few ulps.
        worst.record(relativeError(r.product(sinh: t), z) / Double(depth + 1), at: "residual, L = \(depth), z = \(z)")
      }
    }
    #expect(worst.error <= 4 * eps, "\(worst), tolerance 4ε")
  }

  @Test("Hand-checked values: q₂(1), q₃(2) (t = 1), q₄(1/(1−¼)²·½) (τ = ½)")
  func handValues() throws {
    // L = 2, z = 1: ½[asinh 2 − √(5/4) + ½].
    let q2 = 0.5 * (Elementary.asinh(2) - (1.25).squareRoot() + 0.5)
    // L = 3, z = 2: t³ + t = 2 has t = 1, so q = 2·atan(1) − ½ = π/2 − ½.
    let q3 = Double.pi / 2 - 0.5
    // L = 4, τ = ½: z = τ/(1 − τ²)² = 8/9, q = zτ − τ²/(2(1 − τ²)) = 4/9 − 1/6 = 5/18.
    let cases: [(Int, Double, Double)] = [(2, 1, q2), (3, 2, q3), (4, 8.0 / 9, 5.0 / 18)]
    for (depth, z, expected) in cases {
      let r = DepthRegularizer(depth: depth)
      // Reference values are rounded once or twice; q is accurate to a few ulps.
      #expect(relativeError(r.q(z), expected) <= 8 * eps, "L = \(depth): q(\(z)) = \(r.q(z)), expected \(expected)")
      #expect(relativeError(try #require(r.closedFormQ(z)), expected) <= 8 * eps)
    }
    #expect(relativeError(DepthRegularizer(depth: 3).Finverse(2), Elementary.asinh(1)) <= 2 * eps)
    #expect(relativeError(DepthRegularizer(depth: 4).hInverse(8.0 / 9), 0.5) <= 4 * eps)
  }
}
