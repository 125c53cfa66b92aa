import GradientFlow
import Certification
import Symbolic

/// The identities each theorem rests on, checked symbolically on every run of `verify`
/// (`proved` exactly, `checked` numerically with a stated tolerance, or `refuted`), and
/// listed in the report and in the JSON's top-level `identities`.
///
/// The results are computed once per process (`static let`), so a sweep pays for them once.
extension Theorem2 {
  /// Spec §2.1 and §5: the conservation laws behind Theorem 2's proof for the networks of
  /// a run (equal layer norms of every multilinear network; per-mode balancedness of
  /// diagonal and of real ODECO networks, which makes |aₗⱼ| equal across layers in the
  /// limit, spec §2.3), and the derived stationarity condition against the spec's form.
  /// Convolutional networks are complex ODECO networks: only the multilinear law is stated
  /// for them. (Fully-connected networks' WₗᵀWₗ − Wₗ₊₁Wₗ₊₁ᵀ are Theorems 1 and 3's.)
  public static func identities(networks: Set<NetworkKind> = Set(NetworkKind.allCases)) -> [Identity] {
    ConservationLaws.multilinear() + (networks.contains(.diagonal) ? ConservationLaws.diagonal() : [])
      + (networks.contains(.orthogonallyDecomposable) ? ConservationLaws.odeco() : []) + stationarityIdentities()
  }

  /// The derived gradients of (1/p)|ρⱼ|^p (`MaxMarginObjective`) equal the forms the spec
  /// states, |ρⱼ|^{p−1} sign(ρⱼ) (real) and |ρⱼ|^{p−2} ρⱼ (complex, Wirtinger), where ρⱼ ≠ 0.
  static func stationarityIdentities() -> [Identity] {
    let rho = Expr.symbol(MaxMarginObjective.mode), p = Expr.symbol(MaxMarginObjective.exponent)
    let check = NumericCheck(ranges: [MaxMarginObjective.mode: 0.1...3, MaxMarginObjective.exponent: 0.1...2], count: 16,
                             tolerance: NumericTolerance(absolute: 1e-12, relative: 1e-12,
                                                         justification: "a few roundings of pow on O(1) values"))
    return [
      Identity(name: "stationarity: ∂/∂ρⱼ (1/p)|ρⱼ|^p = |ρⱼ|^(p−1)·sign(ρⱼ)",
               lhs: MaxMarginObjective.realGradient, rhs: Expr.abs(rho).toThe(p - 1) * .sign(rho),
               statement: "the derived real gradient equals the spec §2.3 form", numericCheck: check),
      Identity(name: "stationarity: 2∂/∂ρ̄ⱼ (1/p)|ρⱼ|^p = |ρⱼ|^(p−2)·ρⱼ",
               lhs: MaxMarginObjective.complexGradient, rhs: Expr.abs(rho).toThe(p - 2) * rho,
               statement: "the derived Wirtinger gradient equals the spec §2.3 form (checked on real values of ρⱼ)",
               numericCheck: check),
    ]
  }

  /// `identities(networks:)` checked; each group is checked once per process.
  public static func identityResults(networks: Set<NetworkKind> = Set(NetworkKind.allCases)) -> [IdentityResult] {
    IdentityGroups.multilinear + (networks.contains(.diagonal) ? IdentityGroups.diagonal : [])
      + (networks.contains(.orthogonallyDecomposable) ? IdentityGroups.odeco : []) + IdentityGroups.stationarity
  }

  /// Each group of `identities(networks:)`, checked on first use (thread-safe `static let`).
  enum IdentityGroups {
    static let multilinear = ConservationLaws.multilinear().map { $0.check() }
    static let diagonal = ConservationLaws.diagonal().map { $0.check() }
    static let odeco = parallelMap(ConservationLaws.odeco()) { $0.check() }
    static let stationarity = Theorem2.stationarityIdentities().map { $0.check() }
  }
}

extension Theorem4 {
  /// Spec §2.5 and §5: the per-mode law c² = aₗ² − a_L² of real ODECO networks (step 1 of
  /// the derivation), q_L = z·G_L(θ) − ½ sinh²θ for a symbolic L, the closed forms of
  /// q_L and h_L for L = 2, 3, 4, the definition ∫₀ h_L⁻¹ against them, g_L, and the derived
  /// ∂Q/∂ρⱼ against the spec's form.
  public static func identities() -> [Identity] {
    ConservationLaws.odeco() + DepthRegularizerIdentities.generalDepth() + DepthRegularizerIdentities.closedForms()
      + DepthRegularizerIdentities.definitionAgainstClosedForms() + DepthRegularizerIdentities.limits()
      + [gradientIdentity()]
  }

  /// ∂Q/∂ρⱼ derived = α^{2−L} ηⱼ^{2−L} h_L⁻¹(ρⱼ/(α^L ηⱼ^L)) (spec §2.5).
  static func gradientIdentity() -> Identity {
    let a = Expr.symbol(scale), eta = Expr.symbol(shape), L = Expr.symbol(depth)
    let spec = a.toThe(2 - L) * eta.toThe(2 - L) * .inverse(h, .symbol(mode) / (a.toThe(L) * eta.toThe(L)))
    return Identity(name: "∂Q/∂ρⱼ derived = α^(2−L) ηⱼ^(2−L) h_L⁻¹(ρⱼ/(α^L ηⱼ^L))", lhs: regularizerGradient, rhs: spec,
                    statement: "differentiating Q_{L,α,η} gives the spec §2.5 gradient")
  }

  public static let identityResults: [IdentityResult] = identities().map { $0.check() }
}

extension NeighbourTheorem {
  /// The exact invariants of spec §4.4–4.5 as conservation laws of the models' gradient flow
  /// under any loss of the outputs: w₊ⱼw₋ⱼ (Woodworth, D = 2), w₊ⱼ^{2−D} + w₋ⱼ^{2−D}
  /// (D = 3, 4), u±ⱼ² − v±ⱼ² (Azulay); d = 2, n = 2.
  public func identities() -> [Identity] {
    let x = { (i: Int, j: Int) in Expr.variable("x", .number(i), .number(j)) }
    let ell = OpaqueFunction("ℓ")
    func model(_ params: [Symbol], _ beta: (Int) -> Expr) -> GradientFlowModel {
      let loss = Expr.sum(over: 1...2) { i in Expr.opaque(ell, Expr.sum(over: 1...2) { j in x(i, j) * beta(j) }) }
      return GradientFlowModel(parameters: params, loss: loss)
    }
    switch self {
    case .woodworth2020:
      return [2, 3, 4].flatMap { D -> [Identity] in
        let wp = (1...2).map { Symbol("w₊", .number($0)) }, wm = (1...2).map { Symbol("w₋", .number($0)) }
        let flow = model(wp + wm) { j in Expr.symbol(wp[j - 1]).toThe(D) - Expr.symbol(wm[j - 1]).toThe(D) }
        return (1...2).map { j in
          let p = Expr.symbol(wp[j - 1]), m = Expr.symbol(wm[j - 1])
          let invariant = D == 2 ? p * m : p.toThe(2 - D) + m.toThe(2 - D)
          return flow.conservationLaw(
            invariant, name: "woodworth D=\(D): " + (D == 2 ? "w₊ⱼw₋ⱼ" : "w₊ⱼ^(2−D) + w₋ⱼ^(2−D)") + " conserved (j = \(j))",
            numericCheck: NumericCheck(defaultRange: 0.2...1.5, count: 8, functions: NumericCheck.exponentialLoss()))
        }
      }
    case .azulay2021:
      let names = ["u₊", "v₊", "u₋", "v₋"]
      let s = names.map { n in (1...2).map { Symbol(n, .number($0)) } }
      let flow = model(s.flatMap { $0 }) { j in
        Expr.symbol(s[0][j - 1]) * .symbol(s[1][j - 1]) - Expr.symbol(s[2][j - 1]) * .symbol(s[3][j - 1])
      }
      return [(0, 1, "+"), (2, 3, "−")].flatMap { (u, v, sign) in
        (1...2).map { j in
          flow.conservationLaw(Expr.symbol(s[u][j - 1]).toThe(2) - Expr.symbol(s[v][j - 1]).toThe(2),
                               name: "azulay: u\(sign)ⱼ² − v\(sign)ⱼ² conserved (j = \(j))")
        }
      }
    }
  }

  public var identityResults: [IdentityResult] {
    switch self {
    case .woodworth2020: NeighbourTheorem.woodworthResults
    case .azulay2021: NeighbourTheorem.azulayResults
    }
  }

  static let woodworthResults = NeighbourTheorem.woodworth2020.identities().map { $0.check() }
  static let azulayResults = NeighbourTheorem.azulay2021.identities().map { $0.check() }
}
