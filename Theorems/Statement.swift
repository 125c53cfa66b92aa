/// The exponent of a max-margin problem, as the theorem states it.
public enum MarginExponent: Sendable, Equatable {
  /// p = a / L for depth L (Theorem 2: 2/L).
  case perDepth(numerator: Int)
  /// A fixed p (e.g. 2 for the SVM, or a claim under test with --against-norm).
  case fixed(Double)

  /// The value for a network of depth L.
  public func value(depth: Int) -> Double {
    switch self {
    case .perDepth(let a): Double(a) / Double(depth)
    case .fixed(let p): p
    }
  }

  /// "2/L", or the number.
  public var symbol: String {
    switch self {
    case .perDepth(let a): "\(a)/L"
    case .fixed(let p): formatExponent(p)
    }
  }
}

/// Formats p compactly: 2 → "2", 0.5 → "0.5", 2/3 → "0.6667".
public func formatExponent(_ p: Double) -> String {
  if p == p.rounded() { return String(Int(p)) }
  let s = String(format4(p))
  return s
}

func format4(_ x: Double) -> String {
  let r = (x * 10000).rounded() / 10000
  return "\(r)"
}

/// The optimization problem a theorem's conclusion names, rendered for reports.
public protocol ProblemSpec: Sendable {
  /// The problem in one line.
  var rendered: String { get }
  /// The first-order condition the verifier checks.
  var stationarityRendered: String { get }
}

/// A max-margin problem min ‖ρ‖_p s.t. yᵢ (Sxᵢ)ᵀρ ≥ 1 in a named space.
public struct MaxMarginSpec: ProblemSpec, Equatable {
  public var exponent: MarginExponent
  /// "ρ" in the transformed space, "β" in the input space.
  public var variable: String
  /// How the i-th margin reads, e.g. "yᵢ (S xᵢ)ᵀρ".
  public var marginExpression: String

  /// "minimize ‖ρ‖_{2/L} subject to yᵢ (S xᵢ)ᵀρ ≥ 1 for all i".
  public var rendered: String {
    "minimize ‖\(variable)‖_{\(exponent.symbol)} subject to \(marginExpression) ≥ 1 for all i"
  }

  /// The KKT stationarity condition with the objective normalized as (1/p)Σ|ρⱼ|^p.
  public var stationarityRendered: String {
    "|\(variable)ⱼ|^{p−2} \(variable)ⱼ = conj([S Σᵢ λᵢ yᵢ xᵢ]ⱼ) on the support, λ ≥ 0, λᵢ(margin − 1) = 0, p = \(exponent.symbol)"
  }
}

/// A theorem as the verifier states it: the reports, `--list` and the docs render these
/// fields; nothing is pasted prose of the whole statement.
public struct TheoremStatement: Sendable {
  public var identifier: String
  public var title: String
  public var reference: String
  /// The setting, one clause per entry.
  public var setting: [String]
  /// The conclusion's problem.
  public var problem: any ProblemSpec
  /// The conclusion's verb, e.g. "converges in direction to a KKT (first-order stationary) point of".
  public var conclusionVerb: String
  /// Named hypotheses with their statements.
  public var hypotheses: [(name: String, statement: String)]

  /// One line: "Theorem 2 (…): … converges in direction to … minimize ‖ρ‖_{2/L} …".
  public var oneLine: String { "Theorem \(identifier) — \(title): \(conclusionVerb) \(problem.rendered)" }

  /// The full statement as text.
  public func rendered() -> String {
    var out = "Theorem \(identifier) — \(title)\n  (\(reference))\n"
    out += "  Setting: " + setting.joined(separator: "; ") + ".\n"
    out += "  Hypotheses:\n"
    for (k, h) in hypotheses.enumerated() { out += "    H\(k + 1) [\(h.name)] \(h.statement)\n" }
    out += "  Conclusion: \(conclusionVerb)\n      \(problem.rendered)\n"
    out += "  Stationarity checked: \(problem.stationarityRendered)\n"
    return out
  }
}

/// An interpolation problem min Σⱼ Qⱼ(ρⱼ) s.t. XSᵀρ = y (Theorem 4 and its neighbours).
public struct InterpolationSpec: ProblemSpec, Equatable {
  /// How the regularizer reads, e.g. "Q_{L,α,η}(ρ) = α² Σⱼ ηⱼ² q_L(ρⱼ / (α^L ηⱼ^L))".
  public var regularizer: String
  /// How q reads, e.g. "q_L(z) = ∫₀^z h_L⁻¹, h_L = F_L ∘ G_L⁻¹".
  public var definition: String

  public var rendered: String { "minimize \(regularizer) subject to X Sᵀρ = y;  \(definition)" }
  public var stationarityRendered: String { "∇Q(ρ) ∈ range(S Xᵀ), X Sᵀρ = y" }
}
