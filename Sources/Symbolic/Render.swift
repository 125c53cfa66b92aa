/// How `Expr.rendered(_:)` writes an expression.
public enum RenderStyle: Sendable {
  /// Plain text with Unicode mathematics (− · √ ∫, superscript exponents, subscript indices).
  /// `Expr(parsing:)` reads it back (integrals and implicit inverses excepted).
  case unicode
  /// LaTeX math-mode source for `$…$`; needs only `amsmath` (for `\operatorname`, `\lvert`).
  /// The output is ASCII.
  case latex
}

extension Expr {
  /// The expression in conventional mathematical notation, exactly as the tree is given (no
  /// simplification: `a + (−1)·b` reads "a − b", `2·x^(−1)` reads "2/x").
  ///
  /// The rules, in both styles:
  /// - Precedence, loosest first: sum < product and quotient < unary minus < power <
  ///   function application and atoms. Parentheses appear only where a lower-precedence
  ///   operand sits in a tighter position: a sum as a factor "(a + b)·c", a negation as a
  ///   factor or base "x·(−y)", "(−x)²", anything but an atom or a function application as
  ///   a base "(x²)³", "sinh(θ)²" (function powers are always written f(x)ⁿ, never fⁿx).
  /// - A product's coefficient is its leading number times every positive non-integer number
  ///   among its factors (so `x / 2`, the tree [x, 1/2], reads "x/2"); other numbers after
  ///   the first factor stay where they are ("x·2", "2·3", "x·(−1/2)"). This is the
  ///   renderer's only arithmetic.
  /// - Signs are folded: a term that is a negative number or a product with a negative
  ///   coefficient is written "− magnitude" ("a − 2b", "−x", "−t²/2").
  /// - A product with a factor whose exponent is negative (a negative number or a product
  ///   with a negative leading number), or with a non-integer coefficient, is a quotient:
  ///   those factors (with the exponent's sign dropped) and the coefficient's denominator go
  ///   below the bar ("2/x", "y/x" for x⁻¹·y, "arcsinh(2z)/2", "3x/(2y)"). Unicode writes
  ///   "N/D", parenthesizing a denominator of several factors; LaTeX writes `\frac{N}{D}`.
  ///   A lone power keeps its negative exponent ("x⁻¹", `x^{-1}`), and so does a number to
  ///   the power −1 inside a product ("x·4⁻¹": below the bar it would read as part of the
  ///   coefficient). [−1, x⁻¹] reads "−1/x".
  /// - A coefficient 1 is written only where the text would otherwise read differently:
  ///   "1/x" for [1, x⁻¹], "1·3·x" for [1, 3, x], "1(−x)" for [1, −x].
  /// - Factors: a leading number is juxtaposed ("2b", "2(a + b)", "2π·r"), spaced before a
  ///   function application ("2 sinh(θ)"); other factors are joined by "·" in Unicode and by
  ///   a space in LaTeX; a factor starting with a digit, and in LaTeX a multi-letter name,
  ///   gets "·" / `\cdot`, and in Unicode |…| after a number too ("2·|x|").
  /// - Exponent ½ is a square root: "√x", "√(x + 1)", `\sqrt{x + 1}`.
  /// - Exponents: Unicode superscripts for integers ("x²", "x⁻¹"); otherwise "^" and the
  ///   exponent, bare if it is a symbol or π ("α^L"), else parenthesized ("ρⱼ^(2/L)"). LaTeX
  ///   always `^{…}`. Inside an exponent sums have no spaces ("^(p−1)") and LaTeX writes
  ///   quotients inline (`\rho_{j}^{2/L}`).
  /// - Symbols: one index whose characters all have Unicode subscripts (digits, minus and
  ///   a e h i j k l m n o p r s t u v x ə β γ ρ φ χ) is written in subscripts ("ρⱼ", "v₁",
  ///   "x₁₂"); one single-character index otherwise as "_c" ("h_L"); anything else as
  ///   "_{i,j}" ("a_{l,j}"). LaTeX always `_{…}`. A name containing "_" ("h_L") is the part
  ///   before it with the part after it as a first index. Greek letters map to LaTeX
  ///   commands (ε is `\varepsilon`, φ is `\varphi`, ℓ is `\ell`); multi-letter names are
  ///   `\mathrm{…}` (symbols) or `\operatorname{…}` (functions).
  /// - Functions: "sinh(θ)" / `\sinh(\theta)`, sech and arcsinh and sign via
  ///   `\operatorname`; |x| / `\lvert x\rvert`; conjugation "conj(x)" / `\overline{x}`;
  ///   opaque functions with primes "ℓ′(u)", "ℓ″(u)", "ℓ‴(u)", "ℓ⁽⁴⁾(u)" / `\ell'(u)`,
  ///   `\ell^{(4)}(u)`; implicit inverses "h_L⁻¹(z)" / `h_{L}^{-1}(z)`; integrals
  ///   "∫₀^z h_L⁻¹(t) dt" / `\int_{0}^{z} h_{L}^{-1}(t)\,dt` (integer limits as sub- and
  ///   superscripts).
  /// - LaTeX parentheses around a `\frac`, `\sqrt` or `\int` are `\left( … \right)`.
  public func rendered(_ style: RenderStyle = .unicode) -> String {
    ExprRenderer(style: style, compact: false).piece(self).text
  }
}

extension Expr: CustomStringConvertible {
  /// The Unicode rendering, `rendered(.unicode)`.
  public var description: String { rendered(.unicode) }
}

// MARK: - Glyph tables (shared with the parser)

/// Unicode sub- and superscript characters, primes, and the LaTeX names of letters.
enum RenderGlyphs {
  static let superscriptDigits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
  static let subscriptDigits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
  static let superscriptMinus: Character = "⁻"
  static let subscriptMinus: Character = "₋"

  /// Letters with a Unicode subscript form.
  static let subscriptLetters: [Character: Character] = [
    "a": "ₐ", "e": "ₑ", "h": "ₕ", "i": "ᵢ", "j": "ⱼ", "k": "ₖ", "l": "ₗ", "m": "ₘ", "n": "ₙ",
    "o": "ₒ", "p": "ₚ", "r": "ᵣ", "s": "ₛ", "t": "ₜ", "u": "ᵤ", "v": "ᵥ", "x": "ₓ", "ə": "ₔ",
    "β": "ᵦ", "γ": "ᵧ", "ρ": "ᵨ", "φ": "ᵩ", "χ": "ᵪ",
  ]

  /// Every subscript character (digits, minus, letters) mapped back to its ordinary form.
  static let fromSubscript: [Character: Character] = {
    var map: [Character: Character] = [subscriptMinus: "-"]
    for (k, c) in subscriptDigits.enumerated() { map[c] = Character(String(k)) }
    for (plain, sub) in subscriptLetters { map[sub] = plain }
    return map
  }()

  /// Superscript digits mapped to their values.
  static let fromSuperscriptDigit: [Character: Int] = {
    var map: [Character: Int] = [:]
    for (k, c) in superscriptDigits.enumerated() { map[c] = k }
    return map
  }()

  /// The integer in superscripts, "⁻¹²".
  static func superscript(_ n: Int) -> String {
    let digits = String(n.magnitude).map { superscriptDigits[$0.wholeNumberValue ?? 0] }
    return (n < 0 ? String(superscriptMinus) : "") + String(digits)
  }

  /// The text in subscripts, or nil when a character has no subscript form.
  static func subscripted(_ text: String) -> String? {
    var out = ""
    for ch in text {
      if let d = ch.wholeNumberValue, ch.isASCII {
        out.append(subscriptDigits[d])
      } else if ch == "-" {
        out.append(subscriptMinus)
      } else if let s = subscriptLetters[ch] {
        out.append(s)
      } else {
        return nil
      }
    }
    return out.isEmpty ? nil : out
  }

  /// Primes for a derivative order: ′ ″ ‴, then ⁽ⁿ⁾.
  static func primes(_ order: Int) -> String {
    switch order {
    case 0: ""
    case 1: "′"
    case 2: "″"
    case 3: "‴"
    default: "⁽" + superscript(order) + "⁾"
    }
  }

  /// Whether Unicode text starts with a function applied: a name with its index, primes or
  /// "⁻¹" directly followed by "(" ("sinh(θ)²", "ℓ′(u)", "h_L⁻¹(z)"; not "x²", "loss").
  static func startsWithApplication(_ text: String) -> Bool {
    guard let first = text.first, first.isLetter else { return false }
    for c in text {
      if c == "(" { return true }
      let decoration = c.isLetter || c.isNumber || "_{},′″‴'⁽⁾⁻".contains(c) || fromSubscript[c] != nil
      if !decoration { return false }
    }
    return false
  }

  /// LaTeX commands for Greek and other letters.
  static let latexLetters: [Character: String] = [
    "α": "\\alpha", "β": "\\beta", "γ": "\\gamma", "δ": "\\delta", "ε": "\\varepsilon",
    "ϵ": "\\epsilon", "ζ": "\\zeta", "η": "\\eta", "θ": "\\theta", "ϑ": "\\vartheta",
    "ι": "\\iota", "κ": "\\kappa", "λ": "\\lambda", "μ": "\\mu", "ν": "\\nu", "ξ": "\\xi",
    "ο": "o", "π": "\\pi", "ϖ": "\\varpi", "ρ": "\\rho", "ϱ": "\\varrho", "σ": "\\sigma",
    "ς": "\\varsigma", "τ": "\\tau", "υ": "\\upsilon", "φ": "\\varphi", "ϕ": "\\phi",
    "χ": "\\chi", "ψ": "\\psi", "ω": "\\omega",
    "Γ": "\\Gamma", "Δ": "\\Delta", "Θ": "\\Theta", "Λ": "\\Lambda", "Ξ": "\\Xi", "Π": "\\Pi",
    "Σ": "\\Sigma", "Υ": "\\Upsilon", "Φ": "\\Phi", "Ψ": "\\Psi", "Ω": "\\Omega",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
    "ℓ": "\\ell", "ı": "\\imath", "ȷ": "\\jmath", "ħ": "\\hbar", "∂": "\\partial",
    "∞": "\\infty",
  ]

  /// Combining accents on a letter and their LaTeX commands.
  static let latexAccents: [Unicode.Scalar: String] = [
    "\u{0302}": "\\hat", "\u{0303}": "\\tilde", "\u{0304}": "\\bar", "\u{0305}": "\\bar",
    "\u{0307}": "\\dot", "\u{0308}": "\\ddot", "\u{20D7}": "\\vec",
  ]

  /// One character in LaTeX: a command for Greek letters, an accent command for an accented
  /// letter, an escape for TeX's special characters, else the character itself.
  static func latex(_ ch: Character) -> String {
    if let command = latexLetters[ch] { return command }
    let scalars = Array(ch.unicodeScalars)
    if scalars.count > 1, let accent = latexAccents[scalars[scalars.count - 1]] {
      var base = String.UnicodeScalarView()
      base.append(contentsOf: scalars.dropLast())
      return accent + "{" + latex(Character(String(base))) + "}"
    }
    switch ch {
    case "#", "$", "%", "&", "{", "}", "_": return "\\" + String(ch)
    case "\\": return "\\backslash "
    case "^": return "\\hat{}"
    case "~": return "\\sim "
    default: return String(ch)
    }
  }

  /// Concatenates LaTeX fragments, inserting a space where a control word would otherwise
  /// run into a following letter (`\alpha` + `b` is `\alpha b`, not `\alphab`).
  static func latexJoin(_ parts: [String]) -> String {
    var out = ""
    for part in parts {
      if let first = part.first, first.isLetter, endsWithControlWord(out) { out += " " }
      out += part
    }
    return out
  }

  static func endsWithControlWord(_ s: String) -> Bool {
    var i = s.endIndex
    var sawLetter = false
    while i > s.startIndex {
      let j = s.index(before: i)
      let c = s[j]
      if c.isASCII && c.isLetter {
        sawLetter = true
        i = j
      } else {
        return sawLetter && c == "\\"
      }
    }
    return false
  }

  /// A multi-character or single-character text in LaTeX, letter by letter.
  static func latexText(_ s: String) -> String { latexJoin(s.map(latex)) }
}

// MARK: - Renderer

/// Binding strength of a rendered piece, loosest first.
private enum RenderLevel: Int, Comparable {
  case sum = 1, product, negation, power, atom

  static func < (lhs: RenderLevel, rhs: RenderLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

private struct RenderedPiece {
  var text: String
  var level: RenderLevel
}

/// Sign folding and the structural questions the renderer (and the parser) ask of a tree.
enum RenderShape {
  /// (true, m) when `e` reads "−m": a negative number or a product with a negative
  /// coefficient. m drops the sign and a coefficient 1, except (when `keepingOneAboveBar`)
  /// before a lone factor that goes below the bar ("−1/x").
  static func split(_ e: Expr, keepingOneAboveBar: Bool = true) -> (negative: Bool, magnitude: Expr) {
    switch e {
    case .number(let r) where r.isNegative:
      guard let m = try? r.negated() else { return (false, e) }
      return (true, .number(m))
    case .product(let factors):
      guard let (c, rest) = coefficient(factors), c.isNegative, let m = try? c.negated() else {
        return (false, e)
      }
      if m == .one {
        // −1/x, not −x⁻¹: a lone factor that goes below the bar keeps the 1 above it.
        if keepingOneAboveBar, rest.count == 1, goesBelowBar(rest[0]) { return (true, .product([.one, rest[0]])) }
        return (true, rest.isEmpty ? .one : rest.count == 1 ? rest[0] : .product(rest))
      }
      return (true, .product([.number(m)] + rest))
    default:
      return (false, e)
    }
  }

  /// A product's coefficient and its other factors: the leading number (if any) times every
  /// positive non-integer number among the factors (the 1/2 that `x / 2` appends). Other
  /// numbers after the first factor stay in place ("x·2", "x·(−1/2)"). Nil when there is no
  /// such number or the exact product overflows.
  static func coefficient(_ factors: [Expr]) -> (Rational, [Expr])? {
    var c: Rational? = nil
    var rest: [Expr] = []
    for (k, f) in factors.enumerated() {
      if case .number(let r) = f, k == 0 || (!r.isInteger && !r.isNegative) {
        guard let product = try? (c ?? .one).multiplied(by: r) else { return nil }
        c = product
      } else {
        rest.append(f)
      }
    }
    return c.map { ($0, rest) }
  }

  /// Whether a product's factor is written below the bar: a power with a negative exponent,
  /// except a number to the power −1 ("4⁻¹"), a power −1 of one such factor ("(x⁻²)⁻¹") and
  /// an exponent negated twice, which stay visible powers.
  static func goesBelowBar(_ f: Expr) -> Bool {
    guard case .power(let b, let x) = f else { return false }
    let (negative, magnitude) = split(x, keepingOneAboveBar: false)
    guard negative, !split(magnitude).negative else { return false }
    return !(magnitude.isOne && (isNumeric(b) || goesBelowBar(b)))
  }

  /// A number, or a product of numbers: it reads as a number.
  static func isNumeric(_ e: Expr) -> Bool {
    switch e {
    case .number: true
    case .product(let factors): factors.allSatisfy(isNumeric)
    default: false
    }
  }

  /// Whether a product renders as a plain list of factors: no negative, zero or fractional
  /// coefficient, no leading 1, no number after the first factor and no negative exponent.
  /// A divisor "(2y)" of that shape is divided factor by factor when parsed.
  static func isPlainFactorList(_ factors: [Expr]) -> Bool {
    if let (c, _) = coefficient(factors), c.isNegative || c.isZero || !c.isInteger { return false }
    if factors.dropFirst().contains(where: { $0.rationalValue != nil }) { return false }
    if factors.first == .one { return false }  // a written 1, "(1(−y))", is there for a reason
    return !factors.contains { f in
      guard case .power(_, let x) = f else { return false }
      return split(x).negative
    }
  }
}

/// A rendered list of factors: the text, how many parts it has, and its level.
private struct RenderedFactors {
  var text: String
  var parts: Int
  var level: RenderLevel
}

private struct ExprRenderer {
  let style: RenderStyle
  /// Inside an exponent: sums without spaces around the operator, and LaTeX quotients inline.
  let compact: Bool

  var latex: Bool { style == .latex }
  /// Quotients as "a/b" (Unicode always; LaTeX inside exponents).
  var inlineQuotients: Bool { !latex || compact }
  var minus: String { latex ? "-" : "−" }

  func piece(_ e: Expr) -> RenderedPiece {
    let (negative, magnitude) = RenderShape.split(e)
    if negative { return negation(magnitude) }
    switch e {
    case .number(let r): return number(r)
    case .constant(let c):
      switch c {
      case .pi: return RenderedPiece(text: latex ? "\\pi" : "π", level: .atom)
      }
    case .symbol(let s): return RenderedPiece(text: symbol(s), level: .atom)
    case .sum(let terms): return sum(terms)
    case .product(let factors): return product(factors)
    case .power(let b, let x): return power(b, x)
    case .function(let f, let x): return function(f, x)
    case .opaque(let g, let x):
      let name = functionName(g.name) + (latex ? latexPrimes(g.order) : RenderGlyphs.primes(g.order))
      return RenderedPiece(text: name + parenthesized(piece(x).text), level: .atom)
    case .inverse(let f, let x):
      let name = functionName(f.name) + (latex ? "^{-1}" : "⁻¹")
      return RenderedPiece(text: name + parenthesized(piece(x).text), level: .atom)
    case .integral(let i): return integral(i)
    case .indexedSum(let sum):
      // Σⱼ body; the body is parenthesized when it is itself a sum, and the whole binds like
      // a sum (so "yᵢ·(Σⱼ x̃ᵢⱼ·ρⱼ)" stays unambiguous).
      let body = text(piece(sum.body), atLeast: .product)
      if latex { return RenderedPiece(text: "\\sum_{" + sum.index + "} " + body, level: .sum) }
      return RenderedPiece(text: "Σ" + (RenderGlyphs.subscripted(sum.index) ?? "_" + sum.index) + " " + body, level: .sum)
    }
  }

  // MARK: Pieces

  func parenthesized(_ text: String) -> String {
    if latex && (text.contains("\\frac") || text.contains("\\sqrt") || text.contains("\\int")) {
      return "\\left(" + text + "\\right)"
    }
    return "(" + text + ")"
  }

  /// The piece's text, parenthesized when it binds looser than `minimum`.
  func text(_ p: RenderedPiece, atLeast minimum: RenderLevel) -> String {
    p.level < minimum ? parenthesized(p.text) : p.text
  }

  func number(_ r: Rational) -> RenderedPiece {
    let n = String(r.numerator.magnitude)
    let body: RenderedPiece
    if r.isInteger {
      body = RenderedPiece(text: n, level: .atom)
    } else if inlineQuotients {
      body = RenderedPiece(text: n + "/" + String(r.denominator), level: .product)
    } else {
      body = RenderedPiece(text: "\\frac{" + n + "}{" + String(r.denominator) + "}", level: .power)
    }
    // Only Int.min reaches here negative (its magnitude is not an Int).
    return r.isNegative ? RenderedPiece(text: minus + body.text, level: .negation) : body
  }

  func negation(_ magnitude: Expr) -> RenderedPiece {
    RenderedPiece(text: minus + signedOperand(magnitude), level: .negation)
  }

  /// The text after a minus sign: parenthesized if it is a sum or itself negative.
  func signedOperand(_ magnitude: Expr) -> String {
    let p = piece(magnitude)
    return p.level < .product || p.level == .negation ? parenthesized(p.text) : p.text
  }

  func sum(_ terms: [Expr]) -> RenderedPiece {
    if terms.isEmpty { return RenderedPiece(text: "0", level: .atom) }
    if terms.count == 1 { return piece(terms[0]) }
    let plus = compact ? "+" : " + "
    let minusOperator = compact ? minus : " " + minus + " "
    var out = ""
    // Numeric terms last when the sum would otherwise open with a number and a positive term
    // can lead, as written by hand: "p − 1", not "−1 + p" (the canonical order puts numbers
    // first); "1 − τ²" keeps its order.
    let symbolic = terms.filter { !RenderShape.isNumeric($0) }
    let leadsWithNumber = terms.first.map(RenderShape.isNumeric) ?? false
    let ordered = leadsWithNumber && !(symbolic.first.map { RenderShape.split($0).negative } ?? true)
      ? symbolic + terms.filter(RenderShape.isNumeric) : terms
    for (k, term) in ordered.enumerated() {
      let (negative, magnitude) = RenderShape.split(term)
      if k == 0 && !negative {
        out = text(piece(magnitude), atLeast: .product)  // a leading "−3π" needs no parentheses
      } else {
        out += (k == 0 ? minus : negative ? minusOperator : plus) + signedOperand(magnitude)
      }
    }
    return RenderedPiece(text: out, level: .sum)
  }

  func product(_ factors: [Expr]) -> RenderedPiece {
    if factors.isEmpty { return RenderedPiece(text: "1", level: .atom) }
    if factors.count == 1 { return piece(factors[0]) }
    var coefficient = Rational.one
    var rest = factors
    if let (c, others) = RenderShape.coefficient(factors), !c.isNegative {
      coefficient = c
      rest = others
    }
    var above: [Expr] = [], below: [Expr] = []
    for f in rest {
      // A number (or product of numbers) to the power −1 stays a visible power ("2·4⁻¹"):
      // below the bar it would read as part of the coefficient.
      if RenderShape.goesBelowBar(f), case .power(let b, let x) = f {
        let magnitude = RenderShape.split(x, keepingOneAboveBar: false).magnitude
        below.append(magnitude.isOne ? b : .power(b, magnitude))
      } else {
        above.append(f)
      }
    }
    let numeratorCoefficient = coefficient.numerator.magnitude
    let denominatorCoefficient = UInt(coefficient.denominator)
    // A coefficient 1 is omitted, unless a number factor would then stand first and read as
    // the coefficient ("1·3/4" is [1/4, 3], not 3/4), or a lone factor reading negative would
    // make the product read negative ("1(−x)" is [1, −x]).
    let loneNegative = above.count == 1 && below.isEmpty && denominatorCoefficient == 1
      && RenderShape.split(above[0]).negative
    let omitOne = numeratorCoefficient == 1 && above.first?.rationalValue == nil && !loneNegative
    if below.isEmpty && denominatorCoefficient == 1 {
      let f = factorList(omitOne && !above.isEmpty ? nil : numeratorCoefficient, above)
      return RenderedPiece(text: f.text, level: f.level)
    }
    let top = factorList(omitOne ? nil : numeratorCoefficient, above)
    let bottom = factorList(denominatorCoefficient == 1 ? nil : denominatorCoefficient, below)
    if !inlineQuotients {
      return RenderedPiece(text: "\\frac{" + top.text + "}{" + bottom.text + "}", level: .power)
    }
    let topText = top.parts == 1 && top.level < .power ? parenthesized(top.text) : top.text
    let bottomText = bottom.parts > 1 || bottom.level < .power ? parenthesized(bottom.text) : bottom.text
    return RenderedPiece(text: topText + "/" + bottomText, level: .product)
  }

  /// Factors joined as a product; a single part is returned bare (its own level).
  func factorList(_ coefficient: UInt?, _ factors: [Expr]) -> RenderedFactors {
    var parts: [String] = []
    if let c = coefficient { parts.append(String(c)) }
    if coefficient == nil && factors.isEmpty { parts.append("1") }
    if parts.isEmpty && factors.count == 1 {
      let p = piece(factors[0])
      return RenderedFactors(text: p.text, parts: 1, level: p.level)
    }
    for f in factors { parts.append(text(piece(f), atLeast: .power)) }
    if parts.count == 1 { return RenderedFactors(text: parts[0], parts: 1, level: .atom) }
    var out = parts[0]
    for k in 1..<parts.count {
      let t = parts[k]
      // A leading integer (the coefficient, or an integer factor when the coefficient is 1)
      // is juxtaposed: the parser reads it back as the coefficient either way.
      let afterCoefficient = k == 1 && parts[0].allSatisfy { $0.isASCII && $0.isNumber }
      let startsWithDigit = t.first.map { $0.isASCII && $0.isNumber } ?? false
      if latex {
        // Juxtaposed multi-letter names would read as one word: \mathrm{ab} \cdot \mathrm{cd}.
        let word = t.hasPrefix("\\mathrm") || parts[k - 1].hasPrefix("\\mathrm")
        out += startsWithDigit || word ? " \\cdot " : afterCoefficient ? "" : " "
      } else if startsWithDigit || !afterCoefficient || t.hasPrefix("|") {
        out += "·"
      } else if RenderGlyphs.startsWithApplication(t) {
        out += " "
      }
      out += t
    }
    return RenderedFactors(text: out, parts: parts.count, level: .product)
  }

  func power(_ b: Expr, _ x: Expr) -> RenderedPiece {
    if x == .number(.half) {
      let radicand = piece(b)
      if latex { return RenderedPiece(text: "\\sqrt{" + radicand.text + "}", level: .power) }
      let inner = isBare(radicand, digitsAllowed: true) ? radicand.text : "(" + radicand.text + ")"
      return RenderedPiece(text: "√" + inner, level: .power)
    }
    let base = text(piece(b), atLeast: .atom)
    let exponent = ExprRenderer(style: style, compact: true)
    if latex {
      return RenderedPiece(text: base + "^{" + exponent.piece(x).text + "}", level: .power)
    }
    if case .number(let r) = x, r.isInteger {
      return RenderedPiece(text: base + RenderGlyphs.superscript(r.numerator), level: .power)
    }
    let e = exponent.piece(x)
    return RenderedPiece(text: base + (isBare(e) ? "^" + e.text : "^(" + e.text + ")"), level: .power)
  }

  func function(_ f: ElementaryFunction, _ x: Expr) -> RenderedPiece {
    let argument = piece(x).text
    if latex {
      let text: String
      switch f {
      case .abs:
        let tall = argument.contains("\\frac") || argument.contains("\\int")
        text = tall ? "\\left\\lvert " + argument + "\\right\\rvert" : "\\lvert " + argument + "\\rvert"
      case .conjugate:
        text = "\\overline{" + argument + "}"
      case .sech, .arcsinh, .sign:
        text = "\\operatorname{" + f.rawValue + "}" + parenthesized(argument)
      default:
        text = "\\" + f.rawValue + parenthesized(argument)
      }
      return RenderedPiece(text: text, level: .atom)
    }
    switch f {
    case .abs: return RenderedPiece(text: "|" + argument + "|", level: .atom)
    case .conjugate: return RenderedPiece(text: "conj(" + argument + ")", level: .atom)
    default: return RenderedPiece(text: f.rawValue + "(" + argument + ")", level: .atom)
    }
  }

  func integral(_ i: Integral) -> RenderedPiece {
    let integrand = piece(i.integrand)
    let body = integrand.level < .product ? parenthesized(integrand.text) : integrand.text
    let variable = symbol(i.variable)
    if latex {
      let lower = piece(i.lower).text, upper = piece(i.upper).text
      return RenderedPiece(
        text: "\\int_{" + lower + "}^{" + upper + "} " + body + "\\,d" + variable, level: .product)
    }
    let text = "∫" + limit(i.lower, below: true) + limit(i.upper, below: false) + " " + body + " d" + variable
    return RenderedPiece(text: text, level: .product)
  }

  /// A Unicode integration limit: integers in sub/superscripts, else "_x" or "_(…)".
  func limit(_ e: Expr, below: Bool) -> String {
    if case .number(let r) = e, r.isInteger {
      if below {
        return RenderGlyphs.subscripted(String(r.numerator)) ?? "_(" + piece(e).text + ")"
      }
      return RenderGlyphs.superscript(r.numerator)
    }
    let t = ExprRenderer(style: style, compact: true).piece(e)
    let mark = below ? "_" : "^"
    return isBare(t) ? mark + t.text : mark + "(" + t.text + ")"
  }

  /// Whether a Unicode exponent, limit or radicand needs no parentheses: a name (a symbol,
  /// π) or, under a root, an integer; not a function application or |…|.
  func isBare(_ p: RenderedPiece, digitsAllowed: Bool = false) -> Bool {
    guard p.level == .atom, let first = p.text.first, !p.text.contains("("), !p.text.contains("|") else {
      return false
    }
    return digitsAllowed || !first.isNumber
  }

  // MARK: Names

  /// A name "h_L" is "h" with a leading index "L" (split at the first underscore; braces
  /// around the suffix are dropped and commas in it separate indices).
  func splitName(_ name: String) -> (base: String, indices: [SymbolIndex]) {
    guard let u = name.firstIndex(of: "_"), u != name.startIndex else { return (name, []) }
    var suffix = name[name.index(after: u)...]
    if suffix.hasPrefix("{") && suffix.hasSuffix("}") && suffix.count >= 2 {
      suffix = suffix.dropFirst().dropLast()
    }
    guard !suffix.isEmpty else { return (name, []) }
    let indices = suffix.split(separator: ",", omittingEmptySubsequences: false).map { part -> SymbolIndex in
      let s = String(part)
      return Int(s).map { .number($0) } ?? .name(s)
    }
    return (String(name[..<u]), indices)
  }

  func symbol(_ s: Symbol) -> String {
    let (base, nameIndices) = splitName(s.name)
    return named(base, indices: nameIndices + s.indices, function: false)
  }

  func functionName(_ name: String) -> String {
    let (base, indices) = splitName(name)
    return named(base, indices: indices, function: true)
  }

  func named(_ base: String, indices: [SymbolIndex], function: Bool) -> String {
    if latex {
      var name: String
      if base.count == 1 {
        name = RenderGlyphs.latexText(base)
      } else if base.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
        name = (function ? "\\operatorname{" : "\\mathrm{") + base + "}"
      } else {
        name = "\\mathrm{" + RenderGlyphs.latexText(base) + "}"
      }
      if !indices.isEmpty {
        name += "_{" + indices.map(latexIndex).joined(separator: ",") + "}"
      }
      return name
    }
    if indices.isEmpty { return base }
    let texts = indices.map(\.description)
    if texts.count == 1 {
      if let sub = RenderGlyphs.subscripted(texts[0]) { return base + sub }
      if texts[0].count == 1 { return base + "_" + texts[0] }
    }
    return base + "_{" + texts.joined(separator: ",") + "}"
  }

  func latexIndex(_ i: SymbolIndex) -> String {
    switch i {
    case .number(let k): String(k)
    case .name(let s): RenderGlyphs.latexText(s)
    }
  }

  func latexPrimes(_ order: Int) -> String {
    (1...3).contains(order) ? String(repeating: "'", count: order) : order == 0 ? "" : "^{(" + String(order) + ")}"
  }
}
