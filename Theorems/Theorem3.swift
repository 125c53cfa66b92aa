import Symbolic

/// Yun, Krishnan & Mobahi (ICLR 2021), Theorem 3 (spec §2.4): a linear fully-connected network
/// of any depth and widths, trained by gradient flow on separable data with the exponential
/// or logistic loss, has β(t) = W₁⋯W_{L−1}w_L converging in direction to the hard-margin SVM
/// direction ŵ, and its layers align as rank-one matrices (Ji & Telgarsky 2019, spec §4.2).
public enum Theorem3 {
  public static let statement = TheoremStatement(
    identifier: "3",
    title: "fully-connected networks on separable data: the ℓ2 max margin at every depth",
    reference: "Yun, Krishnan & Mobahi, ICLR 2021, Thm 3; spec §2.4, §4.2, §4.8 a",
    setting: [
      "f(x) = xᵀW₁W₂⋯W_{L−1}w_L, any depth L and widths, β = W₁⋯W_{L−1}w_L",
      "gradient flow on Loss = Σᵢ ℓ(yᵢ f(xᵢ)), ℓ exponential or logistic",
      "also: σ₂(Wₗ)/σ₁(Wₗ) → 0 and adjacent singular vectors align",
    ],
    problem: l2MaxMargin(variable: "β"),
    conclusionVerb: "β(t)/‖β(t)‖ converges to the direction of the solution of",
    hypotheses: [
      (name: "separable", statement: "some β has yᵢ xᵢᵀβ > 0 for all i (the LP of Theorem 2)"),
      (name: "loss below ℓ(0)", statement: "Loss(Θ(t₀)) < ℓ(0) for some t₀"),
    ])

  /// min ½ Σⱼ βⱼ² s.t. yᵢ Σⱼ xᵢⱼβⱼ ≥ 1 (the hard-margin SVM), with the KKT condition derived
  /// from its Lagrangian: βⱼ = Σᵢ λᵢyᵢxᵢⱼ. Shared by Theorem 3 and Soudry et al. (2018).
  public static func l2MaxMargin(variable name: String) -> OptimizationProblem {
    let b = Expr.variable(name, "j"), x = Expr.variable("x", "i", "j"), y = Expr.variable("y", "i")
    let lambda = Expr.variable("λ", "i")
    let objective = Expr.sum(over: "j", b.toThe(2) / 2)
    let margin = y * .sum(over: "j", x * b)
    let multiplierTerm = Expr.sum(over: "i", lambda * (margin - 1))
    let coordinate = Symbol(name, "j")
    return OptimizationProblem(
      variable: .variable(name), objective: objective,
      constraints: [Formula(margin, .atLeast, 1, "for all i")],
      stationarity: [
        .stationarity(objective: objective, multiplierTerm: multiplierTerm, withRespectTo: coordinate, "for all j"),
        Formula(lambda, .atLeast, 0, "for all i, and λᵢ = 0 unless yᵢ Σⱼ xᵢⱼβⱼ = 1"),
      ])
  }
}
