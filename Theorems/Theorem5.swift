import Symbolic

/// Yun, Krishnan & Mobahi (ICLR 2021), Theorem 5 (spec §2.6): deep linear fully-connected
/// networks on underdetermined regression, from Wₗ(0) = α W̄ₗ, converge to an interpolant
/// β^∞(α) with β^∞(α) → β_min = Xᵀ(XXᵀ)⁻¹y as α → 0. At a finite α the limit is not exactly
/// the minimum-norm interpolant (the null-space part of W₁(0) is frozen, spec §2.6), so the
/// verifier checks the trend in α, never equality.
public enum Theorem5 {
  public static let statement = TheoremStatement(
    identifier: "5",
    title: "fully-connected networks on underdetermined regression: minimum ℓ2 norm as α → 0",
    reference: "Yun, Krishnan & Mobahi, ICLR 2021, Thm 5; spec §2.6",
    setting: [
      "f(x) = xᵀW₁⋯W_{L−1}w_L, gradient flow on ½ Σᵢ (f(xᵢ) − yᵢ)²",
      "Wₗ(0) = α W̄ₗ with the last layer started at 0",
    ],
    problem: problem,
    conclusionVerb: "as α → 0, the interpolating limit β^∞(α) converges to the solution of",
    hypotheses: [
      (name: "underdetermined", statement: "n < d and X of full row rank"),
      (name: "initialization", statement: "Wₗ(0) = α W̄ₗ, α > 0, w_L(0) = 0"),
    ])

  /// min ½ Σⱼ βⱼ² s.t. Σⱼ Xᵢⱼβⱼ = yᵢ, with βⱼ = Σᵢ μᵢXᵢⱼ derived from the Lagrangian.
  public static let problem: OptimizationProblem = {
    let b = Expr.variable("β", "j"), x = Expr.variable("X", "i", "j"), mu = Expr.variable("μ", "i")
    let objective = Expr.sum(over: "j", b.toThe(2) / 2)
    let constraint = Expr.sum(over: "j", x * b)
    let multiplierTerm = Expr.sum(over: "i", mu * (constraint - .variable("y", "i")))
    let coordinate = Symbol("β", "j")
    return OptimizationProblem(
      variable: .variable("β"), objective: objective,
      constraints: [Formula(constraint, .equals, .variable("y", "i"), "for all i")],
      stationarity: [
        .stationarity(objective: objective, multiplierTerm: multiplierTerm, withRespectTo: coordinate, "for all j"),
      ])
  }()
}
