import LinearAlgebra

// The closed forms of spec §2.5 (table "Closed forms, checked to 10⁻¹²") for L = 2, 3, 4.
// They are written independently of the general route (no shared solver), in forms free of
// cancellation, so that tests can compare the two. Each returns nil for L > 4.

extension DepthRegularizer {
  /// G_L(θ) from the table: θ (L = 2), gd θ = atan(sinh θ) (L = 3), tanh θ (L = 4).
  public func closedFormG(_ theta: Double) -> Double? {
    switch depth {
    case 2: return theta
    case 3: return Elementary.atan(Elementary.sinh(theta))
    case 4: return Elementary.tanh(theta)
    default: return nil
    }
  }

  /// h_L(τ) from the table: ½ sinh 2τ (L = 2); tan τ sec²τ on (−π/2, π/2) (L = 3);
  /// τ/(1 − τ²)² on (−1, 1) (L = 4). Evaluated as sin τ/cos³τ and τ/((1−τ)(1+τ))²; libm's
  /// exact argument reduction keeps cos τ accurate next to π/2. NaN outside the domain.
  public func closedFormH(_ tau: Double) -> Double? {
    switch depth {
    case 2:
      return Elementary.sinh(2 * tau) / 2
    case 3:
      guard Swift.abs(tau) <= DoubleDouble.halfPi.hi else { return .nan }
      let c = Elementary.cos(tau)
      return Elementary.sin(tau) / (c * c * c)
    case 4:
      guard Swift.abs(tau) <= 1 else { return .nan }
      let d = (1 - tau) * (1 + tau)
      return tau / (d * d)
    default:
      return nil
    }
  }

  /// q_L(z) from the table, nil for L > 4:
  /// * L = 2: ½[z asinh(2z) − √(z² + ¼) + ½], with √(z²+¼) − ½ = z²/(√(z²+¼) + ½);
  /// * L = 3: z atan t − t²/2, t the real root of t³ + t = z, here by the hyperbolic form of
  ///   Cardano's solution (Nickalls 1993): t = (2/√3) sinh(⅓ asinh((3√3/2) z));
  /// * L = 4: zτ − τ²/(2(1 − τ²)), τ ∈ (−1, 1) with τ = z(1 − τ²)², solved for τ when
  ///   |z| ≤ 1 and for ε = 1 − τ when |z| > 1 (so 1 − τ² = ε(2 − ε) keeps its digits).
  public func closedFormQ(_ z: Double) -> Double? {
    guard depth <= 4 else { return nil }
    guard !z.isNaN else { return .nan }
    let a = Swift.abs(z)
    if a == .infinity { return .infinity }
    switch depth {
    case 2:
      let r = Elementary.hypot(a, 0.5)
      let asinh2a = a < 1e300 ? Elementary.asinh(2 * a) : Elementary.log(a) + 2 * ln2
      return (a * asinh2a - a * (a / (r + 0.5))) / 2
    case 3:
      let k = 2.598076211353316  // 3√3/2
      let t = 1.1547005383792515 * Elementary.sinh(Elementary.asinh(k * a) / 3)  // 2/√3
      return a * Elementary.atan(t) - t * t / 2
    default:
      if a <= 1 {
        // ψ(τ) = τ − a(1 − τ²)², increasing on [0, 1): ψ′ = 1 + 4aτ(1 − τ²) > 0.
        let tau = safeguardedNewton(
          lo: 0, hi: 1, start: Swift.min(a, 0.5), relativeTolerance: 4 * Double.ulpOfOne
        ) { tau in
          let d = (1 - tau) * (1 + tau)
          return (tau - a * d * d, 1 + 4 * a * tau * d)
        }
        let d = (1 - tau) * (1 + tau)
        return a * tau - tau * tau / (2 * d)
      }
      // φ(ε) = a ε²(2 − ε)² − (1 − ε), increasing on (0, 1]; root ≈ 1/(2√a) for large a.
      let e = safeguardedNewton(
        lo: 0, hi: 1, start: Swift.min(0.5, 0.5 / a.squareRoot()), relativeTolerance: 4 * Double.ulpOfOne
      ) { e in
        let p = e * (2 - e)
        return (a * p * p - (1 - e), 2 * a * p * (2 - 2 * e) + 1)
      }
      let tau = 1 - e
      return a * tau - tau * tau / (2 * e * (2 - e))
    }
  }
}
