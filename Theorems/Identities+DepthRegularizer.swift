import Symbolic

/// The depth-L potential q_L of Theorem 4 (spec §2.5) and its closed forms, as identities.
///
/// Definitions (spec §2.5), for L ≥ 2:
///
///     G_L(θ) = ∫₀^θ sech^{L−2}(s) ds,   F_L(θ) = cosh^{L−1}θ · sinh θ,
///     h_L = F_L ∘ G_L⁻¹,   q_L(z) = ∫₀^z h_L⁻¹(t) dt.
///
/// The parametrized form q_L(z) = z·G_L(θ) − ½sinh²θ with θ = F_L⁻¹(z) is proved for a
/// symbolic depth L by differentiating in θ (`generalDepth()`): since h_L⁻¹ = G_L ∘ F_L⁻¹,
/// d/dθ q_L(F_L(θ)) = h_L⁻¹(F_L(θ))·F_L′(θ) = G_L(θ)·F_L′(θ), and
///
///     d/dθ [F_L G_L − ½sinh²θ] − G_L F_L′ = F_L·G_L′ − sinh θ cosh θ
///                                        = cosh^{L−1}θ sinh θ · sech^{L−2}θ − sinh θ cosh θ = 0,
///
/// with G_L′ = sech^{L−2} by the fundamental theorem of calculus (the real `derivative` of
/// the `Integral`), together with the value 0 at θ = 0 on both sides.
///
/// The closed forms for L = 2, 3, 4 (spec §2.5 table) are checked three ways
/// (`closedForms()`): (a) q_L(F_L(θ)) = F_L(θ)G_L(θ) − ½sinh²θ with the closed-form G_L,
/// (b) h_L(G_L(θ)) = F_L(θ), (c) q_L′(z) = h_L⁻¹(z) with h_L⁻¹ the implicit inverse of the
/// closed-form h_L. `definitionAgainstClosedForms()` and
/// `literalDefinitionAgainstClosedForms()` compare the definition (an integral of h_L⁻¹) with
/// the closed forms numerically; `limits()` checks g₃ = π/2 and g₄ = 1; `wrongClosedForms()`
/// holds false variants that must be refuted.
public enum DepthRegularizerIdentities {
  public static let theta = Symbol("θ")
  public static let z = Symbol("z")
  /// The depth as a symbol, for the general-L identities.
  public static let depth = Symbol("L")

  // Bound variables (distinct from every free symbol above, so substitution cannot capture).
  static let s = Symbol("s"), sigma = Symbol("σ"), t = Symbol("t"), tau = Symbol("τ"), w = Symbol("w")

  // MARK: Definitions

  /// G_L(θ) = ∫₀^θ sech^{L−2}(s) ds.
  public static func G(_ L: Expr, _ θ: Expr) -> Expr {
    .integral(Integral(Expr.sech(.symbol(s)).toThe(offset(L, -2)), s, from: 0, to: θ))
  }

  /// L + k, folded to a number when L is one (so that F₄ reads cosh³θ sinh θ).
  static func offset(_ L: Expr, _ k: Int) -> Expr {
    if let r = L.rationalValue, r.isInteger { return Expr(r.numerator + k) }
    return L + Expr(k)
  }

  /// F_L(θ) = cosh^{L−1}θ · sinh θ (odd, strictly increasing for L ≥ 1).
  public static func F(_ L: Expr, _ θ: Expr) -> Expr { Expr.cosh(θ).toThe(offset(L, -1)) * .sinh(θ) }

  /// F_L⁻¹ on ℝ.
  public static func FInverse(_ L: Expr) -> ImplicitInverse {
    ImplicitInverse(name: "F_L", variable: sigma, body: F(L, .symbol(sigma)))
  }

  /// z·G_L(θ) − ½sinh²θ at z = F_L(θ): the parametrized q_L(F_L(θ)).
  public static func parametrizedQ(_ L: Expr, _ θ: Expr) -> Expr {
    F(L, θ) * G(L, θ) - Expr.fraction(1, 2) * Expr.sinh(θ).toThe(2)
  }

  /// q_L(z) = ∫₀^z G_L(F_L⁻¹(t)) dt, using h_L⁻¹ = (F_L ∘ G_L⁻¹)⁻¹ = G_L ∘ F_L⁻¹.
  public static func qFromInverse(_ L: Expr, _ zValue: Expr) -> Expr {
    .integral(Integral(G(L, .inverse(FInverse(L), .symbol(t))), t, from: 0, to: zValue))
  }

  /// g_L = G_L(∞) for L = 2, 3, 4 (∞, π/2, 1): h_L = F_L ∘ G_L⁻¹ is defined on the range
  /// (−g_L, g_L) of G_L, which is the range of h_L⁻¹.
  static func halfWidth(_ L: Int) -> Double {
    switch L {
    case 2: .infinity
    case 3: Double.pi / 2
    case 4: 1
    default: preconditionFailure("g_L is tabulated for L = 2, 3, 4")
    }
  }

  /// h_L⁻¹ from the literal definition h_L = F_L ∘ G_L⁻¹, with G_L⁻¹ the implicit inverse of
  /// the integral G_L: the implicit inverse of w ↦ F_L(G_L⁻¹(w)) on (−g_L, g_L).
  public static func hInverseFromDefinition(_ L: Int) -> ImplicitInverse {
    let gInverse = ImplicitInverse(name: "G_\(L)", variable: sigma, body: G(Expr(L), .symbol(sigma)))
    let g = halfWidth(L)
    return ImplicitInverse(name: "h_\(L) (definition)", variable: w,
                           body: F(Expr(L), .inverse(gInverse, .symbol(w))), domain: OpenInterval(-g, g))
  }

  /// q_L(z) = ∫₀^z h_L⁻¹(t) dt with the literal h_L (nested implicit inverses and integrals).
  public static func qFromDefinition(_ L: Int, _ zValue: Expr) -> Expr {
    .integral(Integral(.inverse(hInverseFromDefinition(L), .symbol(t)), t, from: 0, to: zValue))
  }

  // MARK: Closed forms (spec §2.5 table)

  /// G₂ = θ, G₃ = arctan(sinh θ) (the Gudermannian), G₄ = tanh θ.
  public static func closedG(_ L: Int, _ θ: Expr) -> Expr {
    switch L {
    case 2: θ
    case 3: .arctan(.sinh(θ))
    case 4: .tanh(θ)
    default: preconditionFailure("closed forms are tabulated for L = 2, 3, 4")
    }
  }

  /// h₂(τ) = ½ sinh 2τ, h₃(τ) = tan τ sec²τ on (−π/2, π/2), h₄(τ) = τ/(1 − τ²)² on (−1, 1).
  public static func closedH(_ L: Int, _ τ: Expr) -> Expr {
    switch L {
    case 2: Expr.fraction(1, 2) * Expr.sinh(2 * τ)
    case 3: Expr.tan(τ) * Expr.sec(τ).toThe(2)
    case 4: τ * (1 - τ.toThe(2)).toThe(-2)
    default: preconditionFailure("closed forms are tabulated for L = 2, 3, 4")
    }
  }

  /// h_L⁻¹ as the implicit inverse of the closed-form h_L on its domain (−g_L, g_L).
  public static func closedHInverse(_ L: Int) -> ImplicitInverse {
    let g = halfWidth(L)
    return ImplicitInverse(name: "h_\(L)", variable: tau, body: closedH(L, .symbol(tau)), domain: OpenInterval(-g, g))
  }

  /// The real root t of t³ + t = z (t ↦ t³ + t is strictly increasing on ℝ).
  public static let cubicInverse = ImplicitInverse(
    name: "c", variable: t, body: Expr.symbol(t).toThe(3) + .symbol(t))

  /// q₂(z) = ½[z·arcsinh(2z) − √(z² + 1/4) + ½];
  /// q₃(z) = z·arctan t − t²/2 with t³ + t = z;
  /// q₄(z) = zτ − τ²/(2(1 − τ²)) with τ = h₄⁻¹(z) ∈ (−1, 1), i.e. τ = z(1 − τ²)².
  public static func closedQ(_ L: Int, _ zValue: Expr) -> Expr {
    switch L {
    case 2:
      return Expr.fraction(1, 2)
        * (zValue * .arcsinh(2 * zValue) - Expr.sqrt(zValue.toThe(2) + .fraction(1, 4)) + .fraction(1, 2))
    case 3:
      let root = Expr.inverse(cubicInverse, zValue)
      return zValue * .arctan(root) - root.toThe(2) / 2
    case 4:
      let root = Expr.inverse(closedHInverse(4), zValue)
      return zValue * root - root.toThe(2) * (2 * (1 - root.toThe(2))).toThe(-1)
    default:
      preconditionFailure("closed forms are tabulated for L = 2, 3, 4")
    }
  }

  // MARK: Identities

  /// The parametrized form of q_L for a symbolic depth L:
  /// - "q_L general L: derivative" — d/dθ[F_L G_L − ½sinh²θ] = G_L(θ)·F_L′(θ), both sides by
  ///   `derivative` (proved: after FTC it is cosh^{L−1} sinh · sech^{L−2} = sinh cosh, power
  ///   collection with a symbolic exponent);
  /// - "q_L general L: value at 0" — F_L(0)G_L(0) − ½sinh²0 = 0 (proved);
  /// - "q_L general L: from the definition (derivative)" — d/dθ ∫₀^{F_L(θ)} G_L(F_L⁻¹(t)) dt =
  ///   d/dθ[F_L G_L − ½sinh²θ]: Leibniz gives G_L(F_L⁻¹(F_L(θ)))·F_L′(θ), so this is proved
  ///   when the engine uses the witness F_L⁻¹(F_L(θ)) = θ, and checked numerically otherwise;
  /// - "q_L general L: from the definition (value)" — ∫₀^{F_L(θ)} G_L(F_L⁻¹(t)) dt =
  ///   F_L G_L − ½sinh²θ, numeric only (an integral of an implicit inverse: checked).
  ///
  /// Numeric fallback: θ ∈ [−2, 2], L ∈ [2, 6] (real, not only integer), 16 points (8 for the
  /// value from the definition, which nests a bisection inside a quadrature), tolerance
  /// 1e-9 absolute + relative: quadrature to 1e-13 relative and bisection to one ulp leave
  /// errors ≲ 1e-11 for the magnitudes met (|F_L| ≤ cosh⁵2·sinh 2 ≈ 3·10³).
  public static func generalDepth() -> [Identity] {
    let L = Expr.symbol(depth), θ = Expr.symbol(theta)
    let Q = parametrizedQ(L, θ)
    let tolerance = NumericTolerance(
      absolute: 1e-9, relative: 1e-9,
      justification: "quadrature to 1e-13 relative, bisection to 1 ulp: errors ≲1e-11 at |F_L| ≤ 3e3")
    let ranges: [Symbol: ClosedRange<Double>] = [theta: -2...2, depth: 2...6]
    let check = NumericCheck(ranges: ranges, count: 16, tolerance: tolerance)
    var slow = check
    slow.count = 8
    let dQ = Q.derivative(withRespectTo: theta)
    return [
      Identity(name: "q_L general L: derivative", lhs: dQ,
               rhs: G(L, θ) * F(L, θ).derivative(withRespectTo: theta),
               statement: "d/dθ [F_L(θ)G_L(θ) − ½sinh²θ] = G_L(θ)·F_L′(θ), L symbolic",
               numericCheck: check),
      Identity(name: "q_L general L: value at 0", lhs: Q.substituting(theta, with: 0), rhs: 0,
               statement: "F_L(0)G_L(0) − ½sinh²0 = 0 = q_L(0), L symbolic",
               numericCheck: NumericCheck(ranges: ranges, count: 4, tolerance: tolerance)),
      Identity(name: "q_L general L: from the definition (derivative)",
               lhs: qFromInverse(L, F(L, θ)).derivative(withRespectTo: theta), rhs: dQ,
               statement: "d/dθ ∫₀^{F_L(θ)} h_L⁻¹(t) dt = d/dθ [F_L G_L − ½sinh²θ], h_L⁻¹ = G_L ∘ F_L⁻¹",
               numericCheck: check),
      Identity(name: "q_L general L: from the definition (value)", lhs: qFromInverse(L, F(L, θ)), rhs: Q,
               statement: "∫₀^{F_L(θ)} G_L(F_L⁻¹(t)) dt = F_L(θ)G_L(θ) − ½sinh²θ",
               numericCheck: slow),
    ]
  }

  /// For L = 2, 3, 4, with the closed forms of the spec §2.5 table:
  /// - (a) "q_L closed form at F_L(θ)": closed q_L(F_L(θ)) = F_L(θ)·G_L(θ) − ½sinh²θ with the
  ///   closed-form G_L. Exact proof needs the exp rewriting of sinh/cosh/tanh, and for L = 3, 4
  ///   the implicit-inverse witnesses t = sinh θ (t³ + t = cosh²θ sinh θ) and τ = tanh θ
  ///   (τ/(1 − τ²)² = cosh³θ sinh θ), for L = 2 arcsinh(sinh 2θ) = 2θ and
  ///   √(cosh²θ sinh²θ + 1/4) = ½cosh 2θ (a perfect square);
  /// - (b) "h_L closed form at G_L(θ)": h_L(G_L(θ)) = F_L(θ). L = 2, 4 are exp-rational; L = 3
  ///   needs tan(arctan u) = u and sec²(arctan u) = 1 + u²;
  /// - (c) "q_L′ = h_L⁻¹": d/dz closed q_L(z) = h_L⁻¹(z), h_L⁻¹ the implicit inverse of the
  ///   closed-form h_L. For L = 4 the root in q₄ is the same implicit inverse, and the
  ///   difference vanishes by the defining relation h₄(h₄⁻¹(z)) = z; for L = 2, 3 it needs a
  ///   witness relating two different inverses (h₂⁻¹(z) = ½arcsinh 2z, h₃⁻¹(z) = arctan t).
  ///
  /// Numeric fallback: (a), (b) θ ∈ [−2, 2], 32 points; (c) z ∈ [−5, 5], 64 points.
  /// Tolerance 1e-9 relative + 1e-10 absolute: the implicit inverses are solved by bisection
  /// to one ulp, and their conditioning is mild on these ranges (|h_L′| ≥ 1 and t′ = 1/(3t² + 1)
  /// ≤ 1, so an ulp in the root moves q_L by ≲ |z|·ulp); the values are O(10²) at most
  /// (q₄(F₄(2)) ≈ 1.8·10²), so rounding is ≲ 1e-12 relative.
  public static func closedForms() -> [Identity] {
    let θ = Expr.symbol(theta), zE = Expr.symbol(z)
    let tolerance = NumericTolerance(
      absolute: 1e-10, relative: 1e-9,
      justification: "bisection to 1 ulp of a well-conditioned root, rounding ≲1e-12 relative")
    let thetaCheck = NumericCheck(ranges: [theta: -2...2], count: 32, tolerance: tolerance)
    let zCheck = NumericCheck(ranges: [z: -5...5], count: 64, tolerance: tolerance)
    var out: [Identity] = []
    for L in 2...4 {
      out.append(Identity(
        name: "q_\(L) closed form at F_\(L)(θ)", lhs: closedQ(L, F(Expr(L), θ)),
        rhs: F(Expr(L), θ) * closedG(L, θ) - Expr.fraction(1, 2) * Expr.sinh(θ).toThe(2),
        statement: "q_\(L)(F_\(L)(θ)) = F_\(L)(θ)·G_\(L)(θ) − ½sinh²θ (closed forms)", numericCheck: thetaCheck))
    }
    for L in 2...4 {
      out.append(Identity(
        name: "h_\(L) closed form at G_\(L)(θ)", lhs: closedH(L, closedG(L, θ)), rhs: F(Expr(L), θ),
        statement: "h_\(L)(G_\(L)(θ)) = F_\(L)(θ) (closed forms)", numericCheck: thetaCheck))
    }
    // (c′) The same relation with z = h_L(τ): q_L′(h_L(τ)) = τ. This form is exact wherever
    // the engine can undo the inverses (τ is a subexpression of h_L(τ) for L = 4; for L = 2,
    // arcsinh(sinh 2τ) = 2τ by the log rewrite; for L = 3 the remaining arctan(tan τ) = τ
    // holds only on (−π/2, π/2), which the engine does not assume, so it is checked there).
    // σ ranges inside h_L's domain (−g_L, g_L): g_2 = ∞, g_3 = π/2, g_4 = 1; outside it the
    // relation is false (h₄ is not injective on ℝ), and sampling there refutes it. (σ, not τ:
    // τ is the bound variable of the implicit inverses, and a witness may not contain it.)
    for L in 2...4 {
      let range: ClosedRange<Double> = L == 4 ? -0.95...0.95 : -1.5...1.5
      let derivative = closedQ(L, zE).derivative(withRespectTo: z)
      out.append(Identity(
        name: "q_\(L)′(h_\(L)(σ)) = σ", lhs: derivative.substituting(z, with: closedH(L, .symbol(sigma))), rhs: .symbol(sigma),
        statement: "d/dz q_\(L)(z) at z = h_\(L)(σ) equals σ for σ ∈ [\(range.lowerBound), \(range.upperBound)] ⊂ (−g_\(L), g_\(L)) (closed forms; the parametrized form of q_\(L)′ = h_\(L)⁻¹)",
        numericCheck: NumericCheck(ranges: [sigma: range], count: 32, tolerance: tolerance),
        zeroTestOptions: ZeroTestOptions(ranges: [sigma: range])))
    }
    for L in 2...4 {
      out.append(Identity(
        name: "q_\(L)′ = h_\(L)⁻¹", lhs: closedQ(L, zE).derivative(withRespectTo: z),
        rhs: .inverse(closedHInverse(L), zE),
        statement: "d/dz q_\(L)(z) = h_\(L)⁻¹(z) (closed q_\(L); h_\(L)⁻¹ the implicit inverse of the closed h_\(L))",
        numericCheck: zCheck))
    }
    return out
  }

  /// (d) The definition q_L(z) = ∫₀^z h_L⁻¹(t) dt against the closed q_L, for L = 2, 3, 4,
  /// numerically (checked), with h_L⁻¹ = (F_L ∘ G_L⁻¹)⁻¹ = G_L ∘ F_L⁻¹: each integrand value
  /// is one bisection on F_L and one quadrature of sech^{L−2}, so 8 points of z ∈ [−3, 3]
  /// cost ~0.3 s in a debug build. Tolerance 1e-9 relative + 1e-10 absolute: two quadratures
  /// to 1e-13 relative and a bisection to one ulp give ≲ 1e-12.
  ///
  /// `literalDefinitionAgainstClosedForms` is the same comparison with h_L⁻¹ as the implicit
  /// inverse of w ↦ F_L(G_L⁻¹(w)), G_L⁻¹ the implicit inverse of the integral G_L.
  public static func definitionAgainstClosedForms(points: Int = 8) -> [Identity] {
    let tolerance = NumericTolerance(
      absolute: 1e-10, relative: 1e-9, justification: "two quadratures (1e-13) and a bisection (1 ulp): ≲1e-12")
    return (2...4).map { L in
      Identity(name: "q_\(L) definition (G_\(L) ∘ F_\(L)⁻¹) = closed form", lhs: qFromInverse(Expr(L), .symbol(z)),
               rhs: closedQ(L, .symbol(z)),
               statement: "∫₀^z G_\(L)(F_\(L)⁻¹(t)) dt = closed q_\(L)(z)",
               numericCheck: NumericCheck(ranges: [z: -3...3], count: points, tolerance: tolerance))
    }
  }

  /// (d, literal) q_L(z) = ∫₀^z h_L⁻¹(t) dt with h_L = F_L ∘ G_L⁻¹ taken literally: G_L the
  /// integral, G_L⁻¹ its implicit inverse, h_L⁻¹ the implicit inverse of the composition;
  /// numeric only (checked). Very slow by construction — each integrand value is a
  /// bisection whose every step is a bisection over a quadrature: measured 26 s (L = 2) to
  /// 70 s (L = 4) per point in a debug build — so `points` defaults to 1. Tolerance 1e-8
  /// relative + 1e-10 absolute: three nested approximations (quadrature 1e-13, bisection to
  /// the noise of the function it inverts, outer quadrature 1e-13) give ≲ 1e-11.
  public static func literalDefinitionAgainstClosedForms(points: Int = 1) -> [Identity] {
    let tolerance = NumericTolerance(
      absolute: 1e-10, relative: 1e-8, justification: "nested quadrature (1e-13) and bisections: ≲1e-11")
    return (2...4).map { L in
      Identity(name: "q_\(L) literal definition (F_\(L) ∘ G_\(L)⁻¹)⁻¹ = closed form", lhs: qFromDefinition(L, .symbol(z)),
               rhs: closedQ(L, .symbol(z)),
               statement: "∫₀^z (F_\(L) ∘ G_\(L)⁻¹)⁻¹(t) dt = closed q_\(L)(z)",
               numericCheck: NumericCheck(ranges: [z: -3...3], count: points, tolerance: tolerance))
    }
  }

  /// g_L = G_L(∞): G₃(40) = π/2 and G₄(40) = 1 up to the tail ∫₄₀^∞ sech^{L−2} ≤ 2e^{−40} ≈ 8.5e-18
  /// (so these are approximate equalities: checked with tolerance 1e-12 absolute, never
  /// proved — the exact test must not prove them, as G_L(40) ≠ g_L).
  public static func limits() -> [Identity] {
    let tolerance = NumericTolerance(
      absolute: 1e-12, relative: 0, justification: "tail ≤ 2e^{−40} ≈ 8.5e-18, quadrature 1e-13 relative")
    return [
      Identity(name: "g_3 = π/2 (G_3(40))", lhs: G(3, 40), rhs: .pi / 2,
               statement: "G_3(∞) ≈ G_3(40) = π/2", numericCheck: NumericCheck(count: 1, tolerance: tolerance)),
      Identity(name: "g_4 = 1 (G_4(40))", lhs: G(4, 40), rhs: 1,
               statement: "G_4(∞) ≈ G_4(40) = 1", numericCheck: NumericCheck(count: 1, tolerance: tolerance)),
    ]
  }

  /// False closed forms that must be refuted, stated like (a):
  /// - q₄ with the wrong constant τ²/(3(1 − τ²));
  /// - q₂ with arcsinh(z) instead of arcsinh(2z).
  public static func wrongClosedForms() -> [Identity] {
    let θ = Expr.symbol(theta)
    let check = NumericCheck(ranges: [theta: -2...2], count: 32)
    func wrongQ4(_ zValue: Expr) -> Expr {
      let root = Expr.inverse(closedHInverse(4), zValue)
      return zValue * root - root.toThe(2) * (3 * (1 - root.toThe(2))).toThe(-1)
    }
    func wrongQ2(_ zValue: Expr) -> Expr {
      Expr.fraction(1, 2) * (zValue * .arcsinh(zValue) - Expr.sqrt(zValue.toThe(2) + .fraction(1, 4)) + .fraction(1, 2))
    }
    let rhs: (Int) -> Expr = { L in F(Expr(L), θ) * closedG(L, θ) - Expr.fraction(1, 2) * Expr.sinh(θ).toThe(2) }
    return [
      Identity(name: "WRONG q_4 with τ²/(3(1 − τ²))", lhs: wrongQ4(F(4, θ)), rhs: rhs(4),
               statement: "zτ − τ²/(3(1 − τ²)) at z = F_4(θ) equals F_4 G_4 − ½sinh²θ", numericCheck: check),
      Identity(name: "WRONG q_2 with arcsinh(z)", lhs: wrongQ2(F(2, θ)), rhs: rhs(2),
               statement: "½[z arcsinh z − √(z² + 1/4) + ½] at z = F_2(θ) equals F_2 G_2 − ½sinh²θ", numericCheck: check),
    ]
  }
}
