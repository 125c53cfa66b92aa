import LinearAlgebra

/// A separable potential Q(ρ) = Σⱼ Qⱼ(ρⱼ) whose terms are strictly convex and C² on ℝ, given
/// by closures that receive the coordinate j and the value ρⱼ (or sⱼ).
///
/// The dual solver needs the inverse of the gradient, φⱼ = (Qⱼ′)⁻¹, because the minimizer of
/// Σ Qⱼ(ρⱼ) on {Bρ = y} is ρ = φ(Bᵀμ) for some μ (§2.7 of the specification). Its Legendre
/// transform Φⱼ(s) = sup_ρ (sρ − Qⱼ(ρ)) = s·φⱼ(s) − Qⱼ(φⱼ(s)) has Φⱼ′ = φⱼ and
/// Φⱼ″ = φⱼ′ = 1/Qⱼ″(φⱼ(s)) (differentiate Qⱼ′(φⱼ(s)) = s).
///
/// The closures are not checked against each other; ``SeparableConvexProgram`` recomputes
/// its residuals from `gradient`, so an inconsistent `gradientInverse` shows up as a large
/// stationarity residual rather than a silently wrong answer.
public struct SeparablePotential: Sendable {
  /// Qⱼ(ρ).
  public var value: @Sendable (Int, Double) -> Double
  /// Qⱼ′(ρ).
  public var gradient: @Sendable (Int, Double) -> Double
  /// Qⱼ″(ρ) > 0.
  public var secondDerivative: @Sendable (Int, Double) -> Double
  /// φⱼ(s) = (Qⱼ′)⁻¹(s).
  public var gradientInverse: @Sendable (Int, Double) -> Double

  public init(
    value: @escaping @Sendable (Int, Double) -> Double,
    gradient: @escaping @Sendable (Int, Double) -> Double,
    secondDerivative: @escaping @Sendable (Int, Double) -> Double,
    gradientInverse: @escaping @Sendable (Int, Double) -> Double
  ) {
    self.value = value
    self.gradient = gradient
    self.secondDerivative = secondDerivative
    self.gradientInverse = gradientInverse
  }

  /// The Legendre transform Φⱼ(s) = s·φⱼ(s) − Qⱼ(φⱼ(s)).
  public func conjugate(_ j: Int, _ s: Double) -> Double {
    let rho = gradientInverse(j, s)
    return s * rho - value(j, rho)
  }
}

// MARK: - Standard potentials

extension SeparablePotential {
  /// Qⱼ(ρ) = ρ²/(2dⱼ) with dⱼ > 0: the weighted-ℓ2 (large-initialization) limit of §2.5,
  /// where dⱼ = ηⱼ^{2(L−1)}. Then Qⱼ′ = ρ/dⱼ, Qⱼ″ = 1/dⱼ and φⱼ(s) = dⱼ·s.
  public static func weightedQuadratic(weights d: [Double]) -> SeparablePotential {
    precondition(d.allSatisfy { $0 > 0 && $0.isFinite }, "weightedQuadratic needs finite positive weights")
    return SeparablePotential(
      value: { j, rho in 0.5 * rho * (rho / d[j]) },
      gradient: { j, rho in rho / d[j] },
      secondDerivative: { j, _ in 1 / d[j] },
      gradientInverse: { j, s in d[j] * s })
  }

  /// The hyperbolic entropy of scale kⱼ > 0,
  ///
  ///     Qⱼ(ρ) = ρ·asinh(ρ/kⱼ) − √(ρ² + kⱼ²) + kⱼ,
  ///
  /// the implicit bias of depth-2 diagonal networks (Woodworth et al., COLT 2020, with
  /// kⱼ = 2α²; Azulay et al., ICML 2021, Thm 4.1, with kⱼ = 2(u₀ⱼ² + v₀ⱼ²), up to a factor).
  ///
  /// Derivatives: d/dρ[ρ·asinh(ρ/k)] = asinh(ρ/k) + ρ/√(ρ² + k²) and d/dρ √(ρ² + k²) =
  /// ρ/√(ρ² + k²), so Qⱼ′ = asinh(ρ/kⱼ), Qⱼ″ = 1/√(ρ² + kⱼ²) and φⱼ(s) = kⱼ·sinh(s); the
  /// conjugate is Φⱼ(s) = kⱼ(cosh s − 1). As kⱼ → 0, Qⱼ(ρ) = |ρ|·log(1/kⱼ) + O(|ρ| log|ρ|):
  /// the minimizer tends to the ℓ1 interpolant; as kⱼ → ∞, Qⱼ(ρ) ≈ ρ²/(2kⱼ) (weighted ℓ2).
  ///
  /// Evaluated without cancellation: −√(ρ² + k²) + k = −ρ²/(√(ρ² + k²) + k), written as
  /// −ρ·(ρ/(hypot(ρ, k) + k)) so that nothing overflows for huge ρ.
  public static func hyperbolicEntropy(scales k: [Double]) -> SeparablePotential {
    precondition(k.allSatisfy { $0 > 0 && $0.isFinite }, "hyperbolicEntropy needs finite positive scales")
    return SeparablePotential(
      value: { j, rho in
        let r = Elementary.hypot(rho, k[j])
        return rho * Elementary.asinh(rho / k[j]) - rho * (rho / (r + k[j]))
      },
      gradient: { j, rho in Elementary.asinh(rho / k[j]) },
      secondDerivative: { j, rho in 1 / Elementary.hypot(rho, k[j]) },
      gradientInverse: { j, s in k[j] * Elementary.sinh(s) })
  }
}
