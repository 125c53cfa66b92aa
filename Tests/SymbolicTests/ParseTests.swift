import Testing

import PropertyChecking
@testable import Symbolic

/// The parse error's message and offset, or nil when the text parses or fails otherwise.
private func parseFailure(_ text: String) -> (message: String, offset: Int)? {
  do {
    _ = try Expr(parsing: text)
    return nil
  } catch {
    if case .parse(let message, let offset) = error { return (message, offset) }
    return nil
  }
}

@Suite("Parsing")
struct ParseTests {
  typealias E = Expr
  static let x = Expr.variable("x"), y = Expr.variable("y"), z = Expr.variable("z")
  static let a = Expr.variable("a"), b = Expr.variable("b"), L = Expr.variable("L")

  @Test(
    "the Unicode rendering parses back to a tree that renders identically",
    arguments: RenderSamples.all.filter(\.parses))
  func roundTrip(_ sample: RenderSample) throws {
    let parsed = try Expr(parsing: sample.unicode)
    #expect(parsed.rendered(.unicode) == sample.unicode)
    #expect(parsed.rendered(.latex) == sample.latex)
    if sample.parsesToSame {
      #expect(parsed == sample.expression)
    }
  }

  @Test(
    "integrals and implicit inverses are reported as unsupported",
    arguments: RenderSamples.all.filter { !$0.parses })
  func unsupported(_ sample: RenderSample) {
    #expect {
      _ = try Expr(parsing: sample.unicode)
    } throws: { error in
      if case .unsupported = error as? SymbolicError { true } else { false }
    }
  }

  @Test(
    "ASCII and alternative spellings",
    arguments: [
      ("2*x^2 - sqrt(x+1)", E.sum([.product([2, x.toThe(2)]), .product([-1, .sqrt(x + 1)])])),
      ("a - b", .sum([a, .product([-1, b])])),
      ("a-2*b", .sum([a, .product([-2, b])])),
      ("a - (-b)", .sum([a, .product([-1, .product([-1, b])])])),
      ("x*(-1/2)", .product([x, .fraction(-1, 2)])),
      ("-x", .product([-1, x])),
      ("-3", E(-3)),
      ("1/2", .fraction(1, 2)),
      ("0.25", .fraction(1, 4)),
      ("½x", .product([.fraction(1, 2), x])),
      ("x^-1", .power(x, -1)),
      ("x^(-1/2)", .power(x, .fraction(-1, 2))),
      ("x^(2/L)", .power(x, .product([2, .power(L, -1)]))),
      ("x^y^z", .power(x, .power(y, z))),
      ("pi*r^2", .product([.pi, Expr.variable("r").toThe(2)])),
      ("2x y", .product([2, x, y])),
      ("α^L ηⱼ^L", .product([.power(.variable("α"), L), .power(.variable("η", "j"), L)])),
      ("x·y/z", .product([x, y, .power(z, -1)])),
      ("a/b/c", .product([a, .power(b, -1), .power(.variable("c"), -1)])),
      ("x/y^2", .product([x, .power(y, -2)])),
      ("x_1 + x_{12} + a_{l,j} + x_{-1} + x₋₁ + rho_j", .sum([
        .variable("x", 1), .variable("x", 12), .variable("a", "l", "j"), .variable("x", -1), .variable("x", -1),
        .variable("rho", "j"),
      ])),
      ("h_L", .variable("h", "L")),
      ("f'(x) + g''(x) + ℓ⁽⁴⁾(x)", .sum([
        .opaque(OpaqueFunction("f", order: 1), x), .opaque(OpaqueFunction("g", order: 2), x),
        .opaque(OpaqueFunction("ℓ", order: 4), x),
      ])),
      ("h_L′(u) + fⱼ(u) + F_{l,j}(u)", .sum([
        .opaque(OpaqueFunction("h_L", order: 1), .variable("u")), .opaque(OpaqueFunction("f_j"), .variable("u")),
        .opaque(OpaqueFunction("F_{l,j}"), .variable("u")),
      ])),
      ("abs(x) + |y|", .sum([.abs(x), .abs(y)])),
      ("|a|·|b|", .product([.abs(a), .abs(b)])),
      ("||x| + 1|", .abs(.abs(x) + 1)),
      ("2|x|", .product([2, .abs(x)])),
      ("ln(x) + sgn(x) + conj(z) + atan(x) + asinh(x)", .sum([
        .log(x), .sign(x), .conjugate(z), .arctan(x), .arcsinh(x),
      ])),
      ("exp(-x)", .exp(.product([-1, x]))),
      ("sinh (x)", .sinh(x)),
      ("2√x + √(x + 1)", .sum([.product([2, .sqrt(x)]), .sqrt(x + 1)])),
      ("  a  +  b  ", a + b),
      ("π + pi", .sum([.pi, .pi])),
      ("loss(x)", .opaque(OpaqueFunction("loss"), x)),
      ("3x/(2y)", .product([.fraction(3, 2), x, .power(y, -1)])),
    ] as [(String, Expr)])
  func spellings(_ text: String, _ expected: Expr) throws {
    #expect(try Expr(parsing: text) == expected)
  }

  @Test(
    "errors name what was expected and where",
    arguments: [
      ("", 0, "empty"),
      ("2 + ", 4, "expected an expression, found the end of the input"),
      ("(a + b", 6, "expected “)” to close the “(” at offset 0, found the end of the input"),
      ("sinh x", 4, "expected “(” after the function name “sinh”"),
      ("x $ y", 2, "found “$”"),
      ("a + )", 4, "expected an expression, found “)”"),
      ("x)", 1, "unmatched “)”"),
      ("|x", 2, "expected “|” to close the “|” at offset 0"),
      ("x_", 2, "expected an index after “_”"),
      ("a_{l,}", 5, "expected an index"),
      ("ℓ′ + 1", 2, "expected “(” after the primed function “ℓ”"),
      ("1/0", 2, "division by zero"),
      ("99999999999999999999", 0, "too large"),
      ("x⁻", 2, "expected superscript digits after “⁻”"),
      ("x^", 2, "expected an exponent after “^”"),
      ("ρⱼ + #", 5, "found “#”"),
      ("2 ** x", 3, "expected an expression"),
    ] as [(String, Int, String)])
  func errors(_ text: String, _ offset: Int, _ message: String) throws {
    let failure = try #require(parseFailure(text))
    #expect(failure.offset == offset)
    #expect(failure.message.contains(message), "message: \(failure.message)")
  }

  @Test("error descriptions carry the offset")
  func errorDescription() {
    let message = "expected “)” to close the “(” at offset 0, found the end of the input"
    let error = SymbolicError.parse(message, offset: 6)
    #expect(parseFailure("(a + b").map { SymbolicError.parse($0.message, offset: $0.offset) } == error)
    #expect(error.description.hasPrefix("parse error at offset 6: expected “)”"))
  }
}

/// Random trees without integrals and implicit inverses, in every shape the renderer treats
/// specially (signs, quotients, roots, rational exponents, indices, primes). Half of the sums
/// and products are flattened as the `Expr` operators flatten them, half are left nested.
enum RenderRandomExpressions {
  static let leaves: [Expr] = [
    .variable("x"), .variable("y"), .variable("ρ", "j"), .variable("a", "l", "j"), .variable("v", 1),
    .variable("h", "L"), .variable("α"), .variable("θ"), .variable("loss"), .variable("x", 12), .pi,
  ]

  static func expression(_ rng: inout SeededGenerator, depth: Int) -> Expr {
    if depth <= 0 || rng.integer(in: 0...4) == 0 {
      switch rng.integer(in: 0...4) {
      case 0: return Expr(rng.integer(in: -3...5))
      case 1: return .fraction(rng.integer(in: -3...3), rng.integer(in: 2...4))
      default: return leaves[rng.integer(in: 0...(leaves.count - 1))]
      }
    }
    let d = depth - 1
    let e: Expr
    switch rng.integer(in: 0...8) {
    case 0: e = .sum((0..<rng.integer(in: 2...3)).map { _ in expression(&rng, depth: d) })
    case 1:
      // Numbers only in front: a run of numbers reads as one ("(−1/6)" is a number).
      e = .product([expression(&rng, depth: d)] + (1..<rng.integer(in: 2...3)).map { _ in nonNumeric(&rng, depth: d) })
    case 2:
      let exponents: [Expr] = [2, 3, -1, -2, .fraction(1, 2), .fraction(-1, 2), .fraction(2, 3), .variable("L")]
      let x = rng.integer(in: 0...3) == 0 ? expression(&rng, depth: d) : exponents[rng.integer(in: 0...7)]
      e = .power(expression(&rng, depth: d), x)
    case 3:
      let f = ElementaryFunction.allCases[rng.integer(in: 0...(ElementaryFunction.allCases.count - 1))]
      e = .function(f, expression(&rng, depth: d))
    case 4:
      let name = ["f", "ℓ", "q", "h_L"][rng.integer(in: 0...3)]
      e = .opaque(OpaqueFunction(name, order: rng.integer(in: 0...4)), expression(&rng, depth: d))
    case 5: e = .product([Expr(rng.integer(in: -3...(-1))), nonNumeric(&rng, depth: d)])
    case 6: e = .product([expression(&rng, depth: d), .power(expression(&rng, depth: d), -1)])
    case 7: e = .product([.fraction(rng.integer(in: -3...3), rng.integer(in: 2...5)), nonNumeric(&rng, depth: d)])
    default: e = .sum([expression(&rng, depth: d), .product([-1, expression(&rng, depth: d)])])
    }
    return rng.integer(in: 0...1) == 0 ? e.flattenedOnce : e
  }

  /// The tree as an S-expression, for failure messages (two trees can render alike).
  static func tree(_ e: Expr) -> String {
    switch e {
    case .number(let r): return r.description
    case .constant: return "π"
    case .symbol(let s): return s.description
    case .sum(let xs): return "(+ " + xs.map(tree).joined(separator: " ") + ")"
    case .product(let xs): return "(* " + xs.map(tree).joined(separator: " ") + ")"
    case .power(let b, let x): return "(^ " + tree(b) + " " + tree(x) + ")"
    case .function(let f, let x): return "(" + f.rawValue + " " + tree(x) + ")"
    case .opaque(let g, let x): return "(" + g.name + String(repeating: "'", count: g.order) + " " + tree(x) + ")"
    case .inverse(let f, let x): return "(inverse " + f.name + " " + tree(x) + ")"
    case .integral(let i): return "(integral " + tree(i.integrand) + ")"
    case .indexedSum(let sum): return "(sum " + sum.index + " " + tree(sum.body) + ")"
    }
  }

  /// An expression that does not read as a number.
  static func nonNumeric(_ rng: inout SeededGenerator, depth: Int) -> Expr {
    let e = expression(&rng, depth: depth)
    return RenderShape.isNumeric(e) ? .variable("x") : e
  }

  static let generator = Generator<Expr>(
    generate: { rng, size in expression(&rng, depth: 1 + size / 3) },
    shrink: { $0.children })
}

@Suite("Parsing: random round trips")
struct RandomRoundTripTests {
  @Test("parse(render(e)) renders as e, and its tree is a fixed point of render-then-parse")
  func roundTrip() {
    let outcome = checkProperty(
      "round trip", seed: 0x5EED_0F_7E47, cases: 3000, size: 1...12, generator: RenderRandomExpressions.generator
    ) { e in
      let text = e.rendered()
      let parsed: Expr
      do { parsed = try Expr(parsing: text) } catch { return .fail("“\(text)” does not parse: \(error)") }
      if parsed.rendered() != text {
        return .fail("“\(text)” reads back as “\(parsed.rendered())” (tree \(RenderRandomExpressions.tree(e)))")
      }
      if parsed.rendered(.latex) != e.rendered(.latex) {
        return .fail("LaTeX of “\(text)”: \(e.rendered(.latex)) became \(parsed.rendered(.latex))")
      }
      guard let again = try? Expr(parsing: parsed.rendered()), again == parsed else {
        return .fail("“\(text)” is not a fixed point")
      }
      return .pass
    }
    #expect(outcome.passed, "\(outcome)")
  }
}
