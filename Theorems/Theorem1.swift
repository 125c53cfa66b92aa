import Symbolic

/// Yun, Krishnan & Mobahi (ICLR 2021), Theorem 1 (spec §2.2): for any linear tensor network
/// f(x; Θ) = 𝓜(x)·(v₁,…,v_L) on separable data with the exponential or logistic loss, once
/// Loss < ℓ(0), the layers converge in direction and (v̂₁,…,v̂_L) is a singular-vector tuple of
/// 𝓜(u^∞), u^∞ = Σᵢ νᵢyᵢxᵢ a non-negative combination of the support points. Equivalently
/// (spec §2.2, "equivalent checkable form"), Θ/‖Θ‖ is a KKT direction of Lyu & Li's
/// parameter-space margin problem.
public enum Theorem1 {
  public static let statement = TheoremStatement(
    identifier: "1",
    title: "linear tensor networks on separable data: singular-vector tuples of the data tensor",
    reference: "Yun, Krishnan & Mobahi, ICLR 2021, Thm 1; spec §2.2, §4.6, §4.8 c",
    setting: [
      "L-layer linear tensor network f(x; Θ) = 𝓜(x)·(v₁, …, v_L): fully-connected, convolutional with short filters, diagonal, full-length convolutional, or a given tensor",
      "gradient flow on Loss = Σᵢ ℓ(yᵢ f(xᵢ)), ℓ exponential or logistic",
    ],
    problem: problem,
    conclusionVerb: "Θ(t)/‖Θ(t)‖ converges to a KKT direction of",
    hypotheses: [
      (name: "linear tensor network", statement: "x ↦ 𝓜(x) linear (by construction for every architecture offered)"),
      (name: "separable", statement: "some β has yᵢ xᵢᵀβ > 0 for all i (the LP of Theorem 2)"),
      (name: "loss below ℓ(0)", statement: "Loss(Θ(t₀)) < ℓ(0) for some t₀"),
    ])

  /// Lyu & Li's margin problem min ½ Σₗ ‖vₗ‖² s.t. yᵢ f(xᵢ; Θ) ≥ 1. Multilinearity makes f
  /// linear in each layer: f(x; Θ) = Σₖ v_{l,k} g_{l,k}(x) with g_l(x) = 𝓜(x)·(v₁,…,I,…,v_L)
  /// independent of v_l, so the constraint of layer l is written through g and the KKT
  /// condition is derived by differentiating the Lagrangian with respect to v_{l,k}:
  /// v_{l,k} = Σᵢ λᵢ yᵢ g_{l,k}(xᵢ) — the singular-vector-tuple equations of spec §2.2 with
  /// u = Σᵢ λᵢyᵢxᵢ (g is linear in x).
  public static let problem: OptimizationProblem = {
    let v = Expr.variable("v", "l", "k"), g = Expr.variable("g", "i", "l", "k")
    let y = Expr.variable("y", "i"), lambda = Expr.variable("λ", "i")
    let objective = Expr.sum(over: "l", .sum(over: "k", v.toThe(2) / 2))
    let margin = y * .sum(over: "k", v * g)
    let multiplierTerm = Expr.sum(over: "i", lambda * (margin - 1))
    let coordinate = Symbol("v", "l", "k")
    return OptimizationProblem(
      variable: .variable("Θ"),
      objective: objective,
      constraints: [Formula(margin, .atLeast, 1, "for all i and every layer l (f(xᵢ) written through layer l)")],
      definitions: [
        Formula(g, .definedAs, .opaque(OpaqueFunction("M"), .variable("x", "i")),
                "·(v₁, …, I, …, v_L), coordinate k: the contraction of every layer but l (independent of v_l)"),
      ],
      stationarity: [
        .stationarity(objective: objective, multiplierTerm: multiplierTerm, withRespectTo: coordinate,
                      "for every layer l and coordinate k"),
        Formula(lambda, .atLeast, 0, "for all i, and λᵢ = 0 unless yᵢ f(xᵢ) = 1"),
      ])
  }()
}
