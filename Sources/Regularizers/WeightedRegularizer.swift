import LinearAlgebra

/// The implicit regularizer Q_{L,α,η} of Theorem 4 (spec §2.5), for real-ODECO regression:
/// gradient flow started at scale α and shape η converges to argmin Q(ρ) s.t. XSᵀρ = y.
///
/// With cⱼ = α·ηⱼ (so cⱼ² = a_{l,j}² − a_{L,j}² is the conserved per-mode imbalance, spec §5)
/// and uⱼ = ρⱼ/cⱼ^L, u⁰ⱼ = ρⱼ(0)/cⱼ^L,
///
///     Q(ρ)        = Σⱼ cⱼ² [ q_L(uⱼ) − uⱼ · h_L⁻¹(u⁰ⱼ) ]                 (§2.5, "Regulariser")
///     ∂Q/∂ρⱼ      = cⱼ^{2−L} [ h_L⁻¹(uⱼ) − h_L⁻¹(u⁰ⱼ) ]                  (q′ = h⁻¹, chain rule)
///     ∂²Q/∂ρⱼ²    = cⱼ^{2−2L} q_L″(uⱼ),   off-diagonal entries 0          (Q is separable)
///
/// The linear tilt −uⱼ h⁻¹(u⁰ⱼ) makes ∇Q vanish at ρ(0), the start of the flow; it is zero
/// when ρ(0) = 0 (last layer started at 0), and then Q = α² Σⱼ ηⱼ² q_L(ρⱼ/(αηⱼ)^L), the boxed
/// formula of §2.5. The dual certificate of predicate T4 is ∇Q(ρ_GF) ∈ range(SXᵀ) (§4.8(e)).
///
/// Differences h⁻¹(u) − h⁻¹(u⁰) of two saturated values (both near ±g_L, the α → 0 regime) are
/// formed as differences of tails J(θ⁰) − J(θ), so the gradient keeps its relative accuracy
/// where h⁻¹ itself has only absolute accuracy ε·g_L.
public struct WeightedRegularizer: Sendable {
  /// The one-dimensional regularizer q_L.
  public let regularizer: DepthRegularizer
  /// The initialization scale α > 0.
  public let alpha: Double
  /// The initialization shape ηⱼ > 0.
  public let shape: [Double]
  /// ρ(0), the product at initialization (zeros by default).
  public let initialProduct: [Double]
  /// cⱼ = α·ηⱼ.
  public let modeScales: [Double]

  /// cⱼ^L, cⱼ², cⱼ^{2−L}, cⱼ^{2−2L} and u⁰ⱼ = ρⱼ(0)/cⱼ^L.
  let productScales: [Double]
  let squaredScales: [Double]
  let gradientScales: [Double]
  let hessianScales: [Double]
  let initialArguments: [Double]

  /// Q_{L,α,η} for depth L ≥ 2, scale α > 0, shape η (all > 0) and initial product ρ(0)
  /// (same length as η; nil for zeros). Preconditions check these.
  public init(depth: Int, alpha: Double, shape: [Double], initialProduct: [Double]? = nil) {
    precondition(alpha > 0 && alpha.isFinite, "WeightedRegularizer needs a finite scale α > 0, got \(alpha)")
    precondition(shape.allSatisfy { $0 > 0 && $0.isFinite }, "WeightedRegularizer needs shape ηⱼ > 0, got \(shape)")
    let rho0 = initialProduct ?? [Double](repeating: 0, count: shape.count)
    precondition(
      rho0.count == shape.count,
      "Initial product of length \(rho0.count) for a shape of length \(shape.count)")
    regularizer = DepthRegularizer(depth: depth)
    self.alpha = alpha
    self.shape = shape
    self.initialProduct = rho0
    modeScales = shape.map { alpha * $0 }
    let l = Double(depth)
    productScales = modeScales.map { Elementary.pow($0, l) }
    squaredScales = modeScales.map { $0 * $0 }
    gradientScales = modeScales.map { Elementary.pow($0, 2 - l) }
    hessianScales = modeScales.map { Elementary.pow($0, 2 - 2 * l) }
    initialArguments = zip(rho0, productScales).map { $0 / $1 }
  }

  /// The number of modes m.
  public var dimension: Int { shape.count }

  /// The depth L.
  public var depth: Int { regularizer.depth }

  /// Q(ρ) = Σⱼ cⱼ² [q_L(ρⱼ/cⱼ^L) − (ρⱼ/cⱼ^L) h_L⁻¹(ρⱼ(0)/cⱼ^L)] (spec §2.5).
  /// - Complexity: O(m·L).
  public func value(_ rho: [Double]) -> Double {
    checkLength(rho)
    var sum = 0.0
    for j in rho.indices {
      sum += squaredScales[j] * regularizer.tiltedQ(rho[j] / productScales[j], initialArguments[j])
    }
    return sum
  }

  /// ∇Q(ρ)ⱼ = cⱼ^{2−L} [h_L⁻¹(ρⱼ/cⱼ^L) − h_L⁻¹(ρⱼ(0)/cⱼ^L)] (spec §2.5); zero at ρ = ρ(0).
  /// - Complexity: O(m·L).
  public func gradient(_ rho: [Double]) -> [Double] {
    checkLength(rho)
    return rho.indices.map { j in
      gradientScales[j] * regularizer.hInverseDifference(rho[j] / productScales[j], initialArguments[j])
    }
  }

  /// The diagonal of ∇²Q(ρ): cⱼ^{2−2L} q_L″(ρⱼ/cⱼ^L) > 0 (Q is separable and strictly convex).
  /// - Complexity: O(m).
  public func hessianDiagonal(_ rho: [Double]) -> [Double] {
    checkLength(rho)
    return rho.indices.map { j in hessianScales[j] * regularizer.qSecond(rho[j] / productScales[j]) }
  }

  func checkLength(_ rho: [Double]) {
    precondition(rho.count == dimension, "ρ of length \(rho.count) for a regularizer of dimension \(dimension)")
  }
}

// MARK: - Stable differences used above

extension DepthRegularizer {
  /// h⁻¹(z) − h⁻¹(z⁰). When both values are on the same side and past g_L/2 (L ≥ 3), the
  /// difference of tails J(θ⁰) − J(θ) avoids subtracting two numbers close to ±g_L.
  func hInverseDifference(_ z: Double, _ z0: Double) -> Double {
    guard depth >= 3, z != 0, z0 != 0, (z > 0) == (z0 > 0) else { return hInverse(z) - hInverse(z0) }
    let t = sinhOfFinverse(Swift.abs(z))
    let t0 = sinhOfFinverse(Swift.abs(z0))
    let value = integral(sinh: t)
    let value0 = integral(sinh: t0)
    let half = gTwoPart.hi / 2
    let difference =
      value > half && value0 > half
      ? complement(sinh: t0) - complement(sinh: t)
      : value - value0
    return Double(signOf: z, magnitudeOf: 1) * difference
  }

  /// q(z) − z·h⁻¹(z⁰) = z·[h⁻¹(z) − h⁻¹(z⁰)] − ½ sinh²F⁻¹(z), the tilted per-mode term of Q,
  /// with the bracket from `hInverseDifference` (q(z) = z·h⁻¹(z) − ½ sinh²θ, see `q`).
  func tiltedQ(_ z: Double, _ z0: Double) -> Double {
    if z0 == 0 { return q(z) }
    // |h⁻¹(z⁰)| < g_L, so the term grows like (g_L − |h⁻¹(z⁰)|)|z| or faster: +∞ at z = ±∞.
    guard z.isFinite else { return z.isNaN ? .nan : .infinity }
    if Swift.abs(z) < seriesThreshold { return q(z) - z * hInverse(z0) }
    let t = sinhOfFinverse(Swift.abs(z))
    return z * hInverseDifference(z, z0) - t * t / 2
  }
}

// MARK: - One coordinate at a time (for separable solvers)

extension WeightedRegularizer {
  /// Qⱼ(ρ) = cⱼ²[q(ρ/cⱼ^L) − (ρ/cⱼ^L) h⁻¹(ρⱼ(0)/cⱼ^L)].
  public func value(coordinate j: Int, _ rho: Double) -> Double {
    squaredScales[j] * regularizer.tiltedQ(rho / productScales[j], initialArguments[j])
  }

  /// Qⱼ′(ρ) = cⱼ^{2−L}[h⁻¹(ρ/cⱼ^L) − h⁻¹(ρⱼ(0)/cⱼ^L)].
  public func gradient(coordinate j: Int, _ rho: Double) -> Double {
    gradientScales[j] * regularizer.hInverseDifference(rho / productScales[j], initialArguments[j])
  }

  /// Qⱼ″(ρ) = cⱼ^{2−2L} q″(ρ/cⱼ^L).
  public func secondDerivative(coordinate j: Int, _ rho: Double) -> Double {
    hessianScales[j] * regularizer.qSecond(rho / productScales[j])
  }

  /// (Qⱼ′)⁻¹(s) = cⱼ^L h(cⱼ^{L−2} s + h⁻¹(ρⱼ(0)/cⱼ^L)): the mode's limit as a function of its
  /// dual coordinate s (spec §2.7's φⱼ). For L ≥ 3, h is defined on (−g_L, g_L); outside it
  /// the value is ±∞ (the dual objective is +∞ there, and line searches back off).
  public func gradientInverse(coordinate j: Int, _ s: Double) -> Double {
    let tau = s / gradientScales[j] + regularizer.hInverse(initialArguments[j])
    if depth >= 3 && abs(tau) >= regularizer.gInfinity { return tau > 0 ? .infinity : -.infinity }
    let value = productScales[j] * regularizer.h(tau)
    return value.isNaN ? (tau > 0 ? .infinity : -.infinity) : value
  }
}
