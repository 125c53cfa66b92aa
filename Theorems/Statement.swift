import Symbolic

/// Formats p compactly: 2 → "2", 0.5 → "0.5", 2/3 → "0.6667".
public func formatExponent(_ p: Double) -> String {
  if p == p.rounded() { return String(Int(p)) }
  return format4(p)
}

func format4(_ x: Double) -> String {
  let r = (x * 10000).rounded() / 10000
  return "\(r)"
}

/// A relation between two expressions in a statement, e.g. yᵢ Σⱼ x̃ᵢⱼρⱼ ≥ 1 for all i.
public struct Formula: Sendable {
  public enum Relation: String, Sendable {
    case equals = "=", atLeast = "≥", atMost = "≤", definedAs = "≔"

    var latex: String {
      switch self {
      case .equals: "="
      case .atLeast: "\\ge"
      case .atMost: "\\le"
      case .definedAs: "\\mathrel{:=}"
      }
    }
  }

  public var lhs: Expr
  public var relation: Relation
  public var rhs: Expr
  /// A quantifier or condition in words ("for all i", "for j with ρⱼ ≠ 0").
  public var condition: String?

  public init(_ lhs: Expr, _ relation: Relation, _ rhs: Expr, _ condition: String? = nil) {
    self.lhs = lhs
    self.relation = relation
    self.rhs = rhs
    self.condition = condition
  }

  public func rendered(_ style: RenderStyle) -> String {
    switch style {
    case .unicode:
      return lhs.rendered(.unicode) + " \(relation.rawValue) " + rhs.rendered(.unicode)
        + (condition.map { " " + $0 } ?? "")
    case .latex:
      return lhs.rendered(.latex) + " \(relation.latex) " + rhs.rendered(.latex)
        + (condition.map { " \\quad\\text{" + LaTeXProse.textMode($0) + "}" } ?? "")
    }
  }
}

/// The optimization problem a theorem's conclusion names, held as expressions: the reports,
/// `verify --list`, `--latex` and the docs render it from here, and the predicates
/// differentiate the same objective (nothing is retyped).
public struct OptimizationProblem: Sendable {
  /// The decision variable, e.g. ρ.
  public var variable: Expr
  /// The objective, e.g. Σⱼ (1/p)|ρⱼ|^p.
  public var objective: Expr
  public var constraints: [Formula]
  /// Definitions of the symbols and functions the objective and constraints use.
  public var definitions: [Formula]
  /// The first-order (KKT) condition, derived by differentiating the Lagrangian.
  public var stationarity: [Formula]

  public init(variable: Expr, objective: Expr, constraints: [Formula], definitions: [Formula] = [],
              stationarity: [Formula] = [])
  {
    self.variable = variable
    self.objective = objective
    self.constraints = constraints
    self.definitions = definitions
    self.stationarity = stationarity
  }

  /// "minimize Σⱼ … subject to … for all i" (definitions not included).
  public func rendered(_ style: RenderStyle) -> String {
    switch style {
    case .unicode:
      return "minimize " + objective.rendered(.unicode) + " over " + variable.rendered(.unicode)
        + " subject to " + constraints.map { $0.rendered(.unicode) }.joined(separator: ", ")
    case .latex:
      return "\\min_{" + variable.rendered(.latex) + "}\\ " + objective.rendered(.latex)
        + "\\quad\\text{subject to}\\quad " + constraints.map { $0.rendered(.latex) }.joined(separator: ",\\ ")
    }
  }
}

/// A theorem as the verifier states it. Setting and hypotheses are prose; the conclusion's
/// problem, its definitions and its stationarity condition are expressions.
public struct TheoremStatement: Sendable {
  public var identifier: String
  public var title: String
  public var reference: String
  /// The setting, one clause per entry.
  public var setting: [String]
  /// The conclusion's problem.
  public var problem: OptimizationProblem
  /// The conclusion's verb, e.g. "ρ(t)/‖ρ(t)‖ converges to a scaled KKT point of".
  public var conclusionVerb: String
  /// Named hypotheses with their statements.
  public var hypotheses: [(name: String, statement: String)]

  public init(identifier: String, title: String, reference: String, setting: [String], problem: OptimizationProblem,
              conclusionVerb: String, hypotheses: [(name: String, statement: String)])
  {
    self.identifier = identifier
    self.title = title
    self.reference = reference
    self.setting = setting
    self.problem = problem
    self.conclusionVerb = conclusionVerb
    self.hypotheses = hypotheses
  }

  /// The heading: "Theorem 2" or "woodworth2020".
  public var heading: String { identifier.first?.isNumber == true ? "Theorem \(identifier)" : identifier }

  /// One line: "Theorem 2 — …: … minimize … subject to …".
  /// The symbols' definitions (p ≔ 2/L, x̃ᵢⱼ ≔ …) are appended; the functions' are not.
  public var oneLine: String {
    let symbols = problem.definitions.filter { if case .symbol = $0.lhs { true } else { false } }
    return "\(heading) — \(title): \(conclusionVerb) \(problem.rendered(.unicode))"
      + (symbols.isEmpty ? "" : ", where " + symbols.map { $0.rendered(.unicode) }.joined(separator: ", "))
  }

  /// The full statement as Unicode text.
  public func rendered() -> String {
    var out = "\(heading) — \(title)\n  (\(reference))\n"
    out += "  Setting: " + setting.joined(separator: "; ") + ".\n"
    out += "  Hypotheses:\n"
    for (k, h) in hypotheses.enumerated() { out += "    H\(k + 1) [\(h.name)] \(h.statement)\n" }
    out += "  Conclusion: \(conclusionVerb)\n      \(problem.rendered(.unicode))\n"
    if !problem.definitions.isEmpty {
      out += "    where " + problem.definitions.map { $0.rendered(.unicode) }.joined(separator: ";\n          ") + "\n"
    }
    if !problem.stationarity.isEmpty {
      out += "  Stationarity (derived):\n"
      for f in problem.stationarity { out += "      " + f.rendered(.unicode) + "\n" }
    }
    return out
  }

  /// The statement as a LaTeX fragment for a document with `amsmath` and `amssymb`
  /// prose through `LaTeXProse`, expressions through the LaTeX renderer.
  public func latex() -> String {
    var out = "\\paragraph{\(LaTeXProse.textMode(heading)): \(LaTeXProse.textMode(title))}\n"
    out += "(\(LaTeXProse.textMode(reference)))\n\n"
    out += "\\textbf{Setting.} " + setting.map(LaTeXProse.textMode).joined(separator: "; ") + ".\n\n"
    out += "\\textbf{Hypotheses.}\n\\begin{enumerate}\n"
    for h in hypotheses { out += "  \\item[] \\textit{\(LaTeXProse.textMode(h.name))}: \(LaTeXProse.textMode(h.statement))\n" }
    out += "\\end{enumerate}\n\n"
    out += "\\textbf{Conclusion.} \(LaTeXProse.textMode(conclusionVerb))\n"
    out += "\\[\n  \(problem.rendered(.latex))\n\\]\n"
    if !problem.definitions.isEmpty {
      out += "where\n\\begin{align*}\n"
      out += problem.definitions.map { "  &" + $0.rendered(.latex) }.joined(separator: " \\\\\n") + "\n\\end{align*}\n"
    }
    if !problem.stationarity.isEmpty {
      out += "\\textbf{Stationarity (derived).}\n\\begin{align*}\n"
      out += problem.stationarity.map { "  &" + $0.rendered(.latex) }.joined(separator: " \\\\\n") + "\n\\end{align*}\n"
    }
    return out
  }
}

/// Conversion of the statements' Unicode prose to LaTeX text mode: ASCII passes through
/// (with LaTeX's special characters escaped), mathematical characters become inline math,
/// and `_{…}`/`^{…}` groups become math sub/superscripts. A character without a mapping is
/// kept and listed by `unmappedCharacters`, which the tests require to be empty for every
/// statement, so that the output compiles with pdflatex.
public enum LaTeXProse {
  static let math: [Character: String] = [
    "α": "\\alpha", "β": "\\beta", "γ": "\\gamma", "δ": "\\delta", "ε": "\\varepsilon", "η": "\\eta",
    "θ": "\\theta", "κ": "\\kappa", "λ": "\\lambda", "μ": "\\mu", "ρ": "\\rho", "σ": "\\sigma", "τ": "\\tau",
    "φ": "\\varphi", "ψ": "\\psi", "ω": "\\omega", "Θ": "\\Theta", "Σ": "\\Sigma", "Π": "\\Pi", "Δ": "\\Delta",
    "ℓ": "\\ell", "𝓜": "\\mathcal{M}", "∇": "\\nabla", "∂": "\\partial", "∞": "\\infty",
    "‖": "\\|", "≥": "\\ge", "≤": "\\le", "≠": "\\ne", "≈": "\\approx", "→": "\\to", "←": "\\leftarrow",
    "⊗": "\\otimes", "⊙": "\\odot", "∘": "\\circ", "⋯": "\\cdots", "…": "\\ldots", "·": "\\cdot", "×": "\\times",
    "∈": "\\in", "∑": "\\sum", "∫": "\\int", "√": "\\surd", "±": "\\pm", "∓": "\\mp", "⟨": "\\langle", "⟩": "\\rangle",
    "−": "-", "ℝ": "\\mathbb{R}", "ℂ": "\\mathbb{C}", "≔": "\\mathrel{:=}", "˙": "\\dot{}", "Θ̇": "\\dot\\Theta",
    "x̃": "\\tilde{x}", "½": "\\tfrac{1}{2}", "↦": "\\mapsto", "W̄": "\\bar{W}", "β̂": "\\hat{\\beta}",
    "ρ̂": "\\hat{\\rho}", "F̂": "\\hat{F}", "ŵ": "\\hat{w}",
  ]
  /// Sub- and superscript characters; a run of them becomes one `_{…}` or `^{…}`.
  static let subscripts: [Character: String] = [
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₊": "+", "₋": "-",
    "ᵢ": "i", "ⱼ": "j", "ₗ": "l", "ₖ": "k", "ₙ": "n", "ₘ": "m", "ₜ": "t", "ₓ": "x",
  ]
  static let superscripts: [Character: String] = [
    "ᵀ": "\\top ", "ᴴ": "H", "⁻": "-", "¹": "1", "²": "2", "³": "3", "⁴": "4",
  ]
  static let text: [Character: String] = [
    "—": "---", "–": "--", "’": "'", "“": "``", "”": "''", "§": "\\S{}", "✓": "(yes)", "✗": "(no)",
  ]

  /// The text-mode LaTeX of a prose string.
  public static func textMode(_ prose: String) -> String {
    var out = ""
    var chars = Array(prose)
    var i = 0
    var inMath = false
    func openMath() { if !inMath { out += "$"; inMath = true } }
    func closeMath() { if inMath { out += "$"; inMath = false } }
    while i < chars.count {
      let c = chars[i]
      if (c == "_" || c == "^"), i + 1 < chars.count, chars[i + 1] == "{",
         let close = chars[(i + 2)...].firstIndex(of: "}")
      {
        openMath()
        let inner = String(chars[(i + 2)..<close])
        out += "\(c){" + mathMode(inner) + "}"
        i = close + 1
        continue
      }
      if (c == "_" || c == "^"), i + 1 < chars.count, chars[i + 1].isLetter || chars[i + 1].isNumber {
        openMath()
        out += "\(c){" + mathMode(String(chars[i + 1])) + "}"
        i += 2
        continue
      }
      if subscripts[c] != nil || superscripts[c] != nil {
        let table = subscripts[c] != nil ? subscripts : superscripts
        var run = ""
        while i < chars.count, let piece = table[chars[i]] { run += piece; i += 1 }
        openMath()
        out += (table == subscripts ? "_{" : "^{") + run + "}"
        continue
      }
      if let m = math[c] {
        openMath()
        out += m + (m.last?.isLetter == true ? " " : "")
      } else if let t = text[c] {
        closeMath()
        out += t
      } else if c.isASCII {
        closeMath()
        switch c {
        case "%", "&", "#", "$", "_", "{", "}": out += "\\\(c)"
        case "\\": out += "\\textbackslash{}"
        case "~": out += "\\textasciitilde{}"
        case "^": out += "\\textasciicircum{}"
        case "<", ">", "|": out += "$\(c)$"
        default: out.append(c)
        }
      } else {
        closeMath()
        out.append(c)
      }
      i += 1
    }
    closeMath()
    chars.removeAll()
    return out
  }

  /// Math-mode LaTeX of a short formula written in the prose's characters.
  static func mathMode(_ s: String) -> String {
    var out = ""
    for c in s {
      if let m = math[c] {
        out += m + (m.last?.isLetter == true ? " " : "")
      } else if let m = subscripts[c] {
        out += "_{\(m)}"
      } else if let m = superscripts[c] {
        out += "^{\(m)}"
      } else {
        out.append(c)
      }
    }
    return out
  }

  /// Non-ASCII characters of `prose` with no mapping (they would not compile with pdflatex).
  public static func unmappedCharacters(_ prose: String) -> Set<Character> {
    Set(prose.filter {
      !$0.isASCII && math[$0] == nil && text[$0] == nil && subscripts[$0] == nil && superscripts[$0] == nil
    })
  }
}

extension Formula {
  /// The KKT stationarity condition ∂objective/∂x = ∂(multiplier term)/∂x, both sides derived
  /// by differentiation and simplified (the Lagrangian is objective − multiplier term).
  static func stationarity(objective: Expr, multiplierTerm: Expr, withRespectTo x: Symbol, _ condition: String) -> Formula {
    Formula(objective.derivative(withRespectTo: x).simplifiedOrUnchanged, .equals,
            multiplierTerm.derivative(withRespectTo: x).simplifiedOrUnchanged, condition)
  }
}
