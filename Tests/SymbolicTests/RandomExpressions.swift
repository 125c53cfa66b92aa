import PropertyChecking
@testable import Symbolic

/// Random expressions for property tests (simplification, zero testing, differentiation).
///
/// Expressions over the symbols x, y, z with small rationals n/d (|n| ≤ 3, 1 ≤ d ≤ 3),
/// sums and products of two or three operands, integer powers (squares and cubes of
/// anything; negative powers only of bases that stay away from 0: symbols — sampled from
/// (0.1, 2) — 1 + u², cosh u, exp u), half-integer powers of 1 + u², and the smooth functions
/// exp, sinh, cosh, tanh, arctan, arcsinh, sin, cos and log(1 + u²). Every expression is
/// therefore defined for positive x, y, z (it may overflow a Double for deeply nested
/// exponentials: callers discard non-finite values).
///
/// Shrinking offers the immediate subexpressions, then the node with one operand of a sum
/// or product dropped; every candidate is strictly smaller.
enum RandomExpressions {
  static let symbols: [Symbol] = [Symbol("x"), Symbol("y"), Symbol("z")]

  /// Expressions of depth at most `depth` (the generator's size is ignored).
  static func generator(depth: Int) -> Generator<Expr> {
    Generator(generate: { rng, _ in expression(&rng, depth: depth) }, shrink: shrink)
  }

  /// A point with every symbol uniform in (0.1, 2).
  static func point(_ rng: inout SeededGenerator) -> [Symbol: Double] {
    var p: [Symbol: Double] = [:]
    for s in symbols { p[s] = rng.uniform(in: 0.1...2.0) }
    return p
  }

  static func leaf(_ rng: inout SeededGenerator) -> Expr {
    if rng.integer(in: 0...2) < 2 { return .symbol(symbols[rng.integer(in: 0...(symbols.count - 1))]) }
    let n = rng.integer(in: -3...3), d = rng.integer(in: 1...3)
    return .fraction(n, d)
  }

  /// 1 + u²: positive, for safe negative and fractional powers and logarithms.
  static func onePlusSquare(_ u: Expr) -> Expr { .sum([.one, .power(u, 2)]) }

  static func expression(_ rng: inout SeededGenerator, depth: Int) -> Expr {
    if depth <= 0 || rng.integer(in: 0...4) == 0 { return leaf(&rng) }
    let d = depth - 1
    switch rng.integer(in: 0...11) {
    case 0, 1, 2:
      let n = rng.integer(in: 2...3)
      return .sum((0..<n).map { _ in expression(&rng, depth: d) })
    case 3, 4, 5:
      let n = rng.integer(in: 2...3)
      return .product((0..<n).map { _ in expression(&rng, depth: d) })
    case 6:
      return .power(expression(&rng, depth: d), Expr(rng.integer(in: 2...3)))
    case 7:
      let u = expression(&rng, depth: d)
      let bases: [Expr] = [.symbol(symbols[rng.integer(in: 0...2)]), onePlusSquare(u), .cosh(u), .exp(u)]
      return .power(bases[rng.integer(in: 0...3)], Expr(rng.integer(in: -2...(-1))))
    case 8:
      let exponents: [Expr] = [.fraction(1, 2), .fraction(-1, 2), .fraction(3, 2)]
      return .power(onePlusSquare(expression(&rng, depth: d)), exponents[rng.integer(in: 0...2)])
    default:
      let u = expression(&rng, depth: d)
      switch rng.integer(in: 0...8) {
      case 0: return .exp(u)
      case 1: return .sinh(u)
      case 2: return .cosh(u)
      case 3: return .tanh(u)
      case 4: return .arctan(u)
      case 5: return .arcsinh(u)
      case 6: return .sin(u)
      case 7: return .cos(u)
      default: return .log(onePlusSquare(u))
      }
    }
  }

  static func shrink(_ e: Expr) -> [Expr] {
    var out = e.children
    switch e {
    case .sum(let xs) where xs.count > 2:
      for i in xs.indices { out.append(.sum(xs.enumerated().filter { $0.offset != i }.map(\.element))) }
    case .product(let xs) where xs.count > 2:
      for i in xs.indices { out.append(.product(xs.enumerated().filter { $0.offset != i }.map(\.element))) }
    default:
      break
    }
    return out
  }
}
