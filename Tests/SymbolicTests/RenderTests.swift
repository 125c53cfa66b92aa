import Foundation
import Testing

@testable import Symbolic

/// Representative expressions with their exact renderings, shared by the render, parse and
/// LaTeX-compile tests.
struct RenderSample: Sendable, CustomTestStringConvertible {
  var expression: Expr
  var unicode: String
  var latex: String
  /// Whether `Expr(parsing: unicode)` must equal `expression` (false where the rendering
  /// forgets the factor order or a nesting; it must still render identically).
  var parsesToSame: Bool = true
  /// Whether the Unicode text parses at all (integrals and implicit inverses do not).
  var parses: Bool = true

  var testDescription: String { unicode }
}

enum RenderSamples {
  static let a = Expr.variable("a"), b = Expr.variable("b"), c = Expr.variable("c")
  static let p = Expr.variable("p"), q = Expr.variable("q"), r = Expr.variable("r")
  static let s = Expr.variable("s"), t = Expr.variable("t"), u = Expr.variable("u")
  static let x = Expr.variable("x"), y = Expr.variable("y"), z = Expr.variable("z")
  static let L = Expr.variable("L"), α = Expr.variable("α"), θ = Expr.variable("θ")
  static let τ = Expr.variable("τ"), ρj = Expr.variable("ρ", "j"), ηj = Expr.variable("η", "j")
  static let hL = ImplicitInverse(
    name: "h_L", variable: Symbol("u"), body: .sinh(u) * u.toThe(2), domain: .realLine)

  static let all: [RenderSample] = [
    RenderSample(expression: .sum([a, .product([-1, b])]), unicode: "a − b", latex: "a - b"),
    RenderSample(expression: -x, unicode: "−x", latex: "-x"),
    RenderSample(expression: .product([2, .power(x, -1)]), unicode: "2/x", latex: "\\frac{2}{x}"),
    RenderSample(expression: .power(x, -1), unicode: "x⁻¹", latex: "x^{-1}"),
    RenderSample(
      expression: .product([.power(x, -1), y]), unicode: "y/x", latex: "\\frac{y}{x}", parsesToSame: false),
    RenderSample(expression: .sum([a, .product([-2, b])]), unicode: "a − 2b", latex: "a - 2b"),
    // Built with the operators: [a, [−1, 2, b]] reads the same and parses to [a, [−2, b]].
    RenderSample(expression: a - 2 * b, unicode: "a − 2b", latex: "a - 2b", parsesToSame: false),
    RenderSample(expression: (a + b).toThe(2), unicode: "(a + b)²", latex: "(a + b)^{2}"),
    RenderSample(
      expression: .power(ρj, .product([2, .power(L, -1)])), unicode: "ρⱼ^(2/L)", latex: "\\rho_{j}^{2/L}"),
    RenderSample(
      expression: .product([.power(.abs(ρj), p - 1), .sign(ρj)]),
      unicode: "|ρⱼ|^(p−1)·sign(ρⱼ)",
      latex: "\\lvert \\rho_{j}\\rvert^{p-1} \\operatorname{sign}(\\rho_{j})"),
    RenderSample(
      expression: .product([
        α.toThe(2), ηj.toThe(2),
        .opaque(
          OpaqueFunction("q"),
          .product([ρj, .power(α, .product([-1, L])), .power(ηj, .product([-1, L]))])),
      ]),
      unicode: "α²·ηⱼ²·q(ρⱼ/(α^L·ηⱼ^L))",
      latex: "\\alpha^{2} \\eta_{j}^{2} q\\left(\\frac{\\rho_{j}}{\\alpha^{L} \\eta_{j}^{L}}\\right)"),
    RenderSample(
      expression: .product([.fraction(1, 2), .arcsinh(2 * z)]),
      unicode: "arcsinh(2z)/2", latex: "\\frac{\\operatorname{arcsinh}(2z)}{2}"),
    RenderSample(
      expression: .sum([z * .arctan(t), .product([.fraction(-1, 2), t.toThe(2)])]),
      unicode: "z·arctan(t) − t²/2", latex: "z \\arctan(t) - \\frac{t^{2}}{2}"),
    RenderSample(
      expression: z * .arctan(t) - t.toThe(2) / 2,
      unicode: "z·arctan(t) − t²/2", latex: "z \\arctan(t) - \\frac{t^{2}}{2}", parsesToSame: false),
    RenderSample(
      expression: .product([τ, .power(1 - τ.toThe(2), -2)]),
      unicode: "τ/(1 − τ²)²", latex: "\\frac{\\tau}{(1 - \\tau^{2})^{2}}"),
    RenderSample(
      expression: .product([.power(.cosh(θ), L - 1), .sinh(θ)]),
      unicode: "cosh(θ)^(L−1)·sinh(θ)", latex: "\\cosh(\\theta)^{L-1} \\sinh(\\theta)"),
    RenderSample(
      expression: .integral(Integral(.power(.sech(s), L - 2), Symbol("s"), from: 0, to: θ)),
      unicode: "∫₀^θ sech(s)^(L−2) ds",
      latex: "\\int_{0}^{\\theta} \\operatorname{sech}(s)^{L-2}\\,ds", parses: false),
    RenderSample(expression: .inverse(hL, z), unicode: "h_L⁻¹(z)", latex: "h_{L}^{-1}(z)", parses: false),
    RenderSample(
      expression: .integral(Integral(.inverse(hL, t), Symbol("t"), from: 0, to: z)),
      unicode: "∫₀^z h_L⁻¹(t) dt", latex: "\\int_{0}^{z} h_{L}^{-1}(t)\\,dt", parses: false),
    RenderSample(
      expression: .sqrt(z.toThe(2) + .fraction(1, 4)),
      unicode: "√(z² + 1/4)", latex: "\\sqrt{z^{2} + \\frac{1}{4}}"),
    RenderSample(
      expression: .opaque(
        OpaqueFunction("ℓ", order: 1), .variable("y", "i") * .opaque(OpaqueFunction("f"), .variable("x", "i"))),
      unicode: "ℓ′(yᵢ·f(xᵢ))", latex: "\\ell'(y_{i} f(x_{i}))"),
    RenderSample(expression: .opaque(OpaqueFunction("ℓ", order: 2), u), unicode: "ℓ″(u)", latex: "\\ell''(u)"),
    RenderSample(expression: .conjugate(ρj), unicode: "conj(ρⱼ)", latex: "\\overline{\\rho_{j}}"),
    RenderSample(expression: .variable("a", "l", "j"), unicode: "a_{l,j}", latex: "a_{l,j}"),
    RenderSample(
      expression: .variable("v", 1) + .variable("x", 12) + .variable("w", "L"),
      unicode: "v₁ + x₁₂ + w_L", latex: "v_{1} + x_{12} + w_{L}"),
    RenderSample(expression: .sqrt(x), unicode: "√x", latex: "\\sqrt{x}"),
    RenderSample(expression: .power(x, .fraction(-1, 2)), unicode: "x^(−1/2)", latex: "x^{-1/2}"),
    RenderSample(expression: -(a + b), unicode: "−(a + b)", latex: "-(a + b)"),
    RenderSample(expression: (-x).toThe(2), unicode: "(−x)²", latex: "(-x)^{2}"),
    RenderSample(expression: -(x.toThe(2)), unicode: "−x²", latex: "-x^{2}"),
    RenderSample(expression: .fraction(-3, 4), unicode: "−3/4", latex: "-\\frac{3}{4}"),
    RenderSample(
      expression: .exp(.product([.fraction(-1, 2), x.toThe(2)])),
      unicode: "exp(−x²/2)", latex: "\\exp\\left(-\\frac{x^{2}}{2}\\right)"),
    RenderSample(expression: .product([2, .pi, r]), unicode: "2π·r", latex: "2\\pi r"),
    RenderSample(expression: a / (b + c), unicode: "a/(b + c)", latex: "\\frac{a}{b + c}"),
    RenderSample(
      expression: .product([.fraction(3, 2), x, .power(y, -1)]), unicode: "3x/(2y)", latex: "\\frac{3x}{2y}"),
    RenderSample(expression: .sinh(θ).toThe(2), unicode: "sinh(θ)²", latex: "\\sinh(\\theta)^{2}"),
    RenderSample(expression: (x + 1) / 2, unicode: "(x + 1)/2", latex: "\\frac{x + 1}{2}", parsesToSame: false),
    RenderSample(expression: 2 * .sinh(θ), unicode: "2 sinh(θ)", latex: "2\\sinh(\\theta)"),
    RenderSample(
      expression: .log(x) + .sec(x) * .tan(x) - .cos(x) * .sin(x) + .tanh(x),
      unicode: "log(x) + sec(x)·tan(x) − cos(x)·sin(x) + tanh(x)",
      latex: "\\log(x) + \\sec(x) \\tan(x) - \\cos(x) \\sin(x) + \\tanh(x)"),
    RenderSample(expression: x.toThe(.pi) * .abs(2 * x), unicode: "x^π·|2x|", latex: "x^{\\pi} \\lvert 2x\\rvert"),
    RenderSample(expression: 2 * .abs(x), unicode: "2·|x|", latex: "2\\lvert x\\rvert"),
    RenderSample(expression: .product([2, 3]), unicode: "2·3", latex: "2 \\cdot 3"),
    RenderSample(expression: .power(.power(x, 2), 3), unicode: "(x²)³", latex: "(x^{2})^{3}"),
    RenderSample(
      expression: .product([x, .fraction(1, 2)]), unicode: "x/2", latex: "\\frac{x}{2}", parsesToSame: false),
    RenderSample(expression: .product([x, 2]), unicode: "x·2", latex: "x \\cdot 2"),
    RenderSample(expression: -x / 2, unicode: "−x/2", latex: "-\\frac{x}{2}", parsesToSame: false),
    RenderSample(
      expression: .product([x, .power(y, .fraction(-1, 2))]), unicode: "x/√y", latex: "\\frac{x}{\\sqrt{y}}"),
    RenderSample(expression: .product([-1, .power(x, -1)]), unicode: "−1/x", latex: "-\\frac{1}{x}"),
    RenderSample(expression: .product([1, .power(x, -1)]), unicode: "1/x", latex: "\\frac{1}{x}"),
    RenderSample(expression: .product([1, -x]), unicode: "1(−x)", latex: "1(-x)"),
    RenderSample(expression: .product([x, .power(4, -1)]), unicode: "x·4⁻¹", latex: "x \\cdot 4^{-1}"),
    RenderSample(expression: .sum([-a, b]), unicode: "−a + b", latex: "-a + b"),
    RenderSample(expression: .sum([a, .product([-1, -b])]), unicode: "a − (−b)", latex: "a - (-b)"),
    RenderSample(expression: .sum([a, .product([-1, -3])]), unicode: "a − (−3)", latex: "a - (-3)"),
    RenderSample(expression: .sum([a, -3]), unicode: "a − 3", latex: "a - 3"),
    RenderSample(expression: .variable("h_L"), unicode: "h_L", latex: "h_{L}", parsesToSame: false),
    RenderSample(expression: .variable("h", "L"), unicode: "h_L", latex: "h_{L}"),
    RenderSample(
      expression: .variable("loss") * .variable("ab", "ij"),
      unicode: "loss·abᵢⱼ", latex: "\\mathrm{loss} \\cdot \\mathrm{ab}_{ij}"),
    RenderSample(
      expression: .opaque(OpaqueFunction("ℓ", order: 4), u), unicode: "ℓ⁽⁴⁾(u)", latex: "\\ell^{(4)}(u)"),
    RenderSample(expression: .opaque(OpaqueFunction("h_L", order: 1), u), unicode: "h_L′(u)", latex: "h_{L}'(u)"),
    RenderSample(expression: .opaque(OpaqueFunction("loss"), u), unicode: "loss(u)", latex: "\\operatorname{loss}(u)"),
    RenderSample(
      expression: .sqrt(.sinh(x / 2)) + .exp(x).toThe(x - 1),
      unicode: "√(sinh(x/2)) + exp(x)^(x−1)",
      latex: "\\sqrt{\\sinh\\left(\\frac{x}{2}\\right)} + \\exp(x)^{x-1}", parsesToSame: false),
    RenderSample(
      expression: .function(.abs, .product([.fraction(1, 2), x])) * .variable("x̄"),
      unicode: "|x/2|·x̄", latex: "\\left\\lvert \\frac{x}{2}\\right\\rvert \\bar{x}"),
    RenderSample(
      expression: .integral(Integral(2 * t + 1, Symbol("t"), from: .variable("a", 1), to: .pi / 2)),
      unicode: "∫_a₁^(π/2) (2t + 1) dt",
      latex: "\\int_{a_{1}}^{\\frac{\\pi}{2}} (2t + 1)\\,dt", parses: false),
    RenderSample(
      expression: .integral(Integral(.variable("ρ", "j"), Symbol("ρ", "j"), from: -1, to: 1)),
      unicode: "∫₋₁¹ ρⱼ dρⱼ", latex: "\\int_{-1}^{1} \\rho_{j}\\,d\\rho_{j}", parses: false),
    RenderSample(
      expression: .product([3, .power(x, .product([-2, .power(L, -1)]))]),
      unicode: "3/x^(2/L)", latex: "\\frac{3}{x^{2/L}}"),
    RenderSample(
      expression: .variable("ε") * .variable("κ") * .variable("λ") * .variable("σ"),
      unicode: "ε·κ·λ·σ", latex: "\\varepsilon \\kappa \\lambda \\sigma"),
    RenderSample(
      expression: .product([.variable("β"), .variable("γ"), .variable("δ"), .variable("μ"), .variable("ξ")]),
      unicode: "β·γ·δ·μ·ξ", latex: "\\beta \\gamma \\delta \\mu \\xi"),
  ]
}

@Suite("Rendering")
struct RenderTests {
  @Test("Unicode rendering", arguments: RenderSamples.all)
  func unicode(_ sample: RenderSample) {
    #expect(sample.expression.rendered(.unicode) == sample.unicode)
    #expect(sample.expression.description == sample.unicode)
  }

  @Test("LaTeX rendering", arguments: RenderSamples.all)
  func latex(_ sample: RenderSample) {
    let text = sample.expression.rendered(.latex)
    #expect(text == sample.latex)
    let ascii = text.allSatisfy { $0.isASCII }
    #expect(ascii, "LaTeX output must be ASCII")
  }
}

/// Where pdflatex is, if it is on PATH (the LaTeX compile check is skipped, visibly, when not).
enum LaTeXToolchain {
  static let pdflatex: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = String(directory) + "/pdflatex"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }()
}

@Suite("Rendering: LaTeX compiles")
struct LaTeXCompileTests {
  /// Every sample's LaTeX, one per paragraph in `$…$`, in a standard article with amsmath and
  /// amssymb; `pdflatex -halt-on-error` must succeed without missing characters.
  @Test(
    "all sample renderings compile with pdflatex",
    .enabled(if: LaTeXToolchain.pdflatex != nil, "pdflatex is not on PATH: LaTeX compile check skipped"),
    .timeLimit(.minutes(1)))
  func latexCompiles() throws {
    let pdflatex = try #require(LaTeXToolchain.pdflatex)
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("symbolic-latex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    var document = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
    for sample in RenderSamples.all {
      document += "$" + sample.expression.rendered(.latex) + "$\\par\n"
    }
    document += "\\end{document}\n"
    try document.write(to: directory.appendingPathComponent("expressions.tex"), atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: pdflatex)
    process.arguments = ["-halt-on-error", "-interaction=nonstopmode", "-no-shell-escape", "expressions.tex"]
    process.currentDirectoryURL = directory
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()

    let log = (try? String(contentsOf: directory.appendingPathComponent("expressions.log"), encoding: .utf8)) ?? ""
    #expect(process.terminationStatus == 0, "pdflatex failed; end of its log:\n\(log.suffix(3000))")
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("expressions.pdf").path))
    #expect(!log.contains("Missing character"), "a character has no glyph:\n\(log.suffix(3000))")
  }
}
