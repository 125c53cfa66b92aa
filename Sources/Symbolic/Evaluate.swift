import LinearAlgebra

/// Values for numeric evaluation: symbols, and numeric implementations of opaque functions
/// and implicit inverses where the caller has a better one than root finding (e.g. the
/// library's h_L⁻¹ accurate to a few ulps).
public struct EvaluationContext: Sendable {
  public var values: [Symbol: Double]
  /// Keyed by `OpaqueFunction.key` ("ℓ", "ℓ′", …) or `ImplicitInverse.key` ("h_L⁻¹").
  public var functions: [String: @Sendable (Double) -> Double]

  public init(_ values: [Symbol: Double] = [:], functions: [String: @Sendable (Double) -> Double] = [:]) {
    self.values = values
    self.functions = functions
  }
}

extension OpaqueFunction {
  /// "ℓ", "ℓ′", "ℓ″", "ℓ⁽³⁾": the key of a numeric implementation in `EvaluationContext`.
  public var key: String {
    switch order {
    case 0: name
    case 1: name + "′"
    case 2: name + "″"
    default: name + "⁽\(order)⁾"
    }
  }
}

extension ImplicitInverse {
  /// "name⁻¹": the key of a numeric implementation in `EvaluationContext`.
  public var key: String { name + "⁻¹" }

  /// Solves f(t) = y for t in `domain`, f = body(variable), strictly monotone.
  ///
  /// Bracketing: on an unbounded side, t = ±1, ±2, ±4, … until f changes side of y (at most
  /// 2¹⁰²³); on a bounded side the bisection never evaluates f at the open end. Then
  /// bisection to the last representable split: ~60–1100 evaluations of the body, which is
  /// fine for checks (hot loops pass a numeric implementation instead).
  func solve(_ y: Double, _ context: EvaluationContext) throws(SymbolicError) -> Double {
    var ctx = context
    func f(_ t: Double) throws(SymbolicError) -> Double {
      ctx.values[variable] = t
      return try body.evaluate(ctx)
    }
    var lo = domain.lower, hi = domain.upper
    let start = domain.contains(0) ? 0.0 : (lo.isFinite && hi.isFinite ? (lo + hi) / 2 : (lo.isFinite ? lo + 1 : hi - 1))
    let f0 = try f(start)
    if f0 == y { return start }
    // Direction: compare with a second interior point.
    // (Halve the step while the body cannot be evaluated there.)
    var step = hi.isFinite ? (hi - start) / 2 : 1.0
    var probeValue: Double? = nil
    for _ in 0..<60 {
      if let v = try? f(start + step), v != f0 { probeValue = v; break }
      step /= 2
    }
    guard let pv = probeValue else { throw .evaluation("\(key)(\(y)): f is constant or undefined near \(start)") }
    let increasing = pv > f0
    // Move toward the side where f reaches y.
    let goUp = (f0 < y) == increasing
    if goUp { lo = start } else { hi = start }
    // A body that cannot be evaluated beyond some point (h_L = F_L ∘ G_L⁻¹ ends at g_L,
    // which depends on L and so is not in `domain`) is treated as lying beyond the root in
    // the search direction: the search only ever moves away from where f was evaluated.
    var lastValue = f0, stalls = 0
    func beyond(_ t: Double) throws(SymbolicError) -> Bool? {
      guard let v = try? f(t) else { return true }
      if v == y { return nil }
      // A bounded f (G_L(θ) → g_L) stops changing in floating point long before t does:
      // three doublings without change mean y is outside the range.
      if v == lastValue { stalls += 1 } else { stalls = 0 }
      lastValue = v
      if stalls >= 3 { throw .evaluation("\(key)(\(y)): f saturates at \(v) before reaching \(y)") }
      return goUp ? (v > y) == increasing : (v < y) == increasing
    }
    if goUp && !hi.isFinite {
      var step = 1.0
      while true {
        let t = start + step
        guard t.isFinite else { throw .evaluation("\(key)(\(y)): no bracket on (\(start), ∞)") }
        guard let b = try beyond(t) else { return t }
        if b { hi = t; break }
        lo = t
        step *= 2
      }
    } else if !goUp && !lo.isFinite {
      var step = 1.0
      while true {
        let t = start - step
        guard t.isFinite else { throw .evaluation("\(key)(\(y)): no bracket on (−∞, \(start))") }
        guard let b = try beyond(t) else { return t }
        if b { lo = t; break }
        hi = t
        step *= 2
      }
    }
    // Invariant: the root lies in (lo, hi). Illinois false position (Dowell & Jarratt,
    // BIT 11, 1971) where both ends have finite values of g = f − y, bisection otherwise
    // (an open domain end, or a point where the body is undefined); a bisection step is
    // forced whenever false position fails to halve the bracket, so the iteration count is
    // at most twice bisection's and typically ~10 evaluations.
    var gLo: Double? = lo.isFinite && domain.contains(lo) ? (try? f(lo)).map { $0 - y } : nil
    var gHi: Double? = hi.isFinite && domain.contains(hi) ? (try? f(hi)).map { $0 - y } : nil
    var side = 0
    var previousWidth = Double.infinity
    for _ in 0..<2200 {
      let width = hi - lo
      var t = lo + width / 2
      // False position only while it keeps shrinking the bracket at least by half per step
      // pair; otherwise bisect.
      if width <= previousWidth / 2 || previousWidth == .infinity, let a = gLo, let b = gHi, a.isFinite, b.isFinite, a != b {
        let candidate = lo - a * width / (b - a)
        if candidate > lo && candidate < hi { t = candidate }
      }
      previousWidth = width
      if t <= lo || t >= hi { break }
      guard let value = try? f(t) else {
        // Undefined: beyond the root in the search direction (see `beyond`).
        if goUp { hi = t; gHi = nil } else { lo = t; gLo = nil }
        side = 0
        continue
      }
      let g = value - y
      if g == 0 { return t }
      if (g < 0) == increasing {
        lo = t; gLo = g
        if side == -1, let b = gHi { gHi = b / 2 }
        side = -1
      } else {
        hi = t; gHi = g
        if side == 1, let a = gLo { gLo = a / 2 }
        side = 1
      }
      if hi - lo <= 2 * (Swift.abs(lo) + Swift.abs(hi)).ulp { break }
    }
    return lo + (hi - lo) / 2
  }
}

extension Expr {
  /// The value at the given symbol values.
  public func evaluate(_ values: [Symbol: Double]) throws(SymbolicError) -> Double {
    try evaluate(EvaluationContext(values))
  }

  /// The real value. Throws `SymbolicError.evaluation` for a missing symbol, a value outside
  /// a function's real domain (log of x ≤ 0, a negative base to a non-integer power with
  /// an even denominator, division by 0), or a non-finite result.
  ///
  /// Integrals use adaptive Gauss–Kronrod (7, 15) quadrature to a relative 1e-13.
  public func evaluate(_ context: EvaluationContext) throws(SymbolicError) -> Double {
    let v = try value(context)
    guard v.isFinite else { throw .evaluation("\(self.debugKey) is not finite (\(v))") }
    return v
  }

  /// A short structural key for messages (the renderer is not needed here).
  var debugKey: String {
    switch self {
    case .number(let r): r.description
    case .constant(let c): c.rawValue
    case .symbol(let s): s.description
    case .sum: "a sum"
    case .product: "a product"
    case .power: "a power"
    case .function(let f, _): f.rawValue + "(…)"
    case .opaque(let g, _): g.key + "(…)"
    case .inverse(let f, _): f.key + "(…)"
    case .integral: "an integral"
    case .indexedSum(let s): "Σ over \(s.index)"
    }
  }

  private func value(_ c: EvaluationContext) throws(SymbolicError) -> Double {
    switch self {
    case .number(let r): return r.doubleValue
    case .constant(.pi): return Double.pi
    case .symbol(let s):
      guard let v = c.values[s] else { throw .evaluation("no value for the symbol \(s)") }
      return v
    case .sum(let xs):
      var total = 0.0
      for x in xs { total += try x.value(c) }
      return total
    case .product(let xs):
      var total = 1.0
      for x in xs { total *= try x.value(c) }
      return total
    case .power(let b, let e):
      return try Expr.realPower(b.value(c), exponent: e, exponentValue: e.value(c))
    case .function(let f, let u):
      return try Expr.apply(f, u.value(c))
    case .opaque(let g, let u):
      guard let impl = c.functions[g.key] else { throw .evaluation("no numeric implementation of \(g.key)") }
      return impl(try u.value(c))
    case .inverse(let f, let x):
      let y = try x.value(c)
      if let impl = c.functions[f.key] { return impl(y) }
      return try f.solve(y, c)
    case .integral(let i):
      let a = try i.lower.value(c), b = try i.upper.value(c)
      var ctx = c
      let integrand = i.integrand, variable = i.variable
      return try Quadrature.integrate(from: a, to: b) { (t: Double) throws(SymbolicError) -> Double in
        ctx.values[variable] = t
        return try integrand.value(ctx)
      }
    case .indexedSum(let s):
      throw .evaluation("Σ over \(s.index) has no concrete range (use expandingSum(over:_:))")
    }
  }

  /// b^e on the reals: integer exponents by `pow` (any sign of b); a rational exponent p/q in
  /// lowest terms with q odd is the real root sign(b)^p·|b|^{p/q}; otherwise b must be ≥ 0.
  static func realPower(_ b: Double, exponent: Expr, exponentValue e: Double) throws(SymbolicError) -> Double {
    if b >= 0 || e == e.rounded() {
      if b == 0 && e < 0 { throw .evaluation("0 to the negative power \(e)") }
      return Elementary.pow(b, e)
    }
    if case .number(let r) = exponent, r.denominator % 2 == 1 {
      let magnitude = Elementary.pow(-b, e)
      return r.numerator % 2 == 0 ? magnitude : -magnitude
    }
    throw .evaluation("negative base \(b) to the non-integer power \(e)")
  }

  static func apply(_ f: ElementaryFunction, _ x: Double) throws(SymbolicError) -> Double {
    switch f {
    case .exp: return Elementary.exp(x)
    case .log:
      guard x > 0 else { throw .evaluation("log of \(x) ≤ 0") }
      return Elementary.log(x)
    case .sin: return Elementary.sin(x)
    case .cos: return Elementary.cos(x)
    case .tan: return Elementary.tan(x)
    case .sec: return 1 / Elementary.cos(x)
    case .arctan: return Elementary.atan(x)
    case .sinh: return Elementary.sinh(x)
    case .cosh: return Elementary.cosh(x)
    case .tanh: return Elementary.tanh(x)
    case .sech: return 1 / Elementary.cosh(x)
    case .arcsinh: return Elementary.asinh(x)
    case .abs: return Swift.abs(x)
    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .conjugate: return x
    }
  }
}

// MARK: - Complex evaluation

extension Expr {
  /// The value for complex symbol values (for the Wirtinger-derived conditions of complex
  /// modes). Supports numbers, π, symbols, sums, products, integer powers of any value and
  /// real powers of non-negative reals (e.g. |ρ|^{p−2}), exp, log (principal branch), abs
  /// (modulus), sign (z/|z|, 0 at 0) and conjugation; other functions only at real
  /// arguments.
  public func evaluate(complex values: [Symbol: Complex]) throws(SymbolicError) -> Complex {
    switch self {
    case .number(let r): return Complex(r.doubleValue, 0)
    case .constant(.pi): return Complex(Double.pi, 0)
    case .symbol(let s):
      guard let v = values[s] else { throw .evaluation("no value for the symbol \(s)") }
      return v
    case .sum(let xs):
      var total = Complex(0, 0)
      for x in xs { total = total + (try x.evaluate(complex: values)) }
      return total
    case .product(let xs):
      var total = Complex(1, 0)
      for x in xs { total = total * (try x.evaluate(complex: values)) }
      return total
    case .power(let b, let e):
      let base = try b.evaluate(complex: values)
      let ev = try e.evaluate(complex: values)
      guard ev.im == 0 else { throw .evaluation("complex exponent") }
      let k = ev.re
      if base.im == 0 && (base.re >= 0 || k == k.rounded()) {
        return Complex(try Expr.realPower(base.re, exponent: e, exponentValue: k), 0)
      }
      guard k == k.rounded(), Swift.abs(k) <= 64 else {
        throw .evaluation("complex base to the non-integer power \(k)")
      }
      var result = Complex(1, 0)
      for _ in 0..<Int(Swift.abs(k)) { result = result * base }
      if k < 0 {
        let m = result.re * result.re + result.im * result.im
        guard m > 0 else { throw .evaluation("0 to a negative power") }
        result = Complex(result.re / m, -result.im / m)
      }
      return result
    case .function(let f, let u):
      let z = try u.evaluate(complex: values)
      let modulus = (z.re * z.re + z.im * z.im).squareRoot()
      switch f {
      case .abs: return Complex(modulus, 0)
      case .conjugate: return Complex(z.re, -z.im)
      case .sign: return modulus == 0 ? Complex(0, 0) : Complex(z.re / modulus, z.im / modulus)
      case .exp:
        let r = Elementary.exp(z.re)
        return Complex(r * Elementary.cos(z.im), r * Elementary.sin(z.im))
      case .log:
        guard modulus > 0 else { throw .evaluation("log of 0") }
        return Complex(Elementary.log(modulus), Elementary.atan2(z.im, z.re))
      default:
        guard z.im == 0 else { throw .evaluation("\(f.rawValue) of a complex argument") }
        return Complex(try Expr.apply(f, z.re), 0)
      }
    case .indexedSum(let s):
      throw .evaluation("Σ over \(s.index) has no concrete range (use expandingSum(over:_:))")
    case .opaque, .inverse, .integral:
      var real: [Symbol: Double] = [:]
      for (s, v) in values {
        guard v.im == 0 else { throw .evaluation("\(debugKey) at a complex argument") }
        real[s] = v.re
      }
      return Complex(try evaluate(real), 0)
    }
  }
}

// MARK: - Compiled closures

/// An expression compiled to a closure over a fixed list of variables, for hot loops.
/// Domain errors give NaN instead of throwing (callers check finiteness).
public struct CompiledExpression: Sendable {
  public let variables: [Symbol]
  private let body: @Sendable ([Double]) -> Double

  /// Compiles `expression` with `variables` as the argument order. Every free symbol must
  /// be listed; opaque functions and implicit inverses must have implementations in
  /// `functions` (checked here).
  public init(_ expression: Expr, variables: [Symbol],
              functions: [String: @Sendable (Double) -> Double] = [:]) throws(SymbolicError)
  {
    let missing = expression.freeSymbols.subtracting(variables)
    guard missing.isEmpty else {
      throw .evaluation("compiling: no argument for \(missing.map(\.description).sorted().joined(separator: ", "))")
    }
    self.variables = variables
    let index = Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($1, $0) })
    self.body = try CompiledExpression.compile(expression, index, functions)
  }

  public func callAsFunction(_ arguments: [Double]) -> Double {
    precondition(arguments.count == variables.count, "expected \(variables.count) arguments")
    return body(arguments)
  }

  private static func compile(_ e: Expr, _ index: [Symbol: Int], _ fns: [String: @Sendable (Double) -> Double])
    throws(SymbolicError) -> @Sendable ([Double]) -> Double
  {
    switch e {
    case .number(let r):
      let v = r.doubleValue
      return { _ in v }
    case .constant(.pi):
      return { _ in Double.pi }
    case .symbol(let s):
      let k = index[s]!
      return { $0[k] }
    case .sum(let xs):
      var parts: [@Sendable ([Double]) -> Double] = []
      for x in xs { parts.append(try compile(x, index, fns)) }
      let ps = parts
      return { a in ps.reduce(0.0) { $0 + $1(a) } }
    case .product(let xs):
      var parts: [@Sendable ([Double]) -> Double] = []
      for x in xs { parts.append(try compile(x, index, fns)) }
      let ps = parts
      return { a in ps.reduce(1.0) { $0 * $1(a) } }
    case .power(let b, let ex):
      let base = try compile(b, index, fns)
      if case .number(let r) = ex {
        let k = r.doubleValue
        if r.isInteger && r.numerator == 2 { return { a in let x = base(a); return x * x } }
        if r.isInteger && r.numerator == 1 { return base }
        if r.isInteger && r.numerator == -1 { return { a in 1 / base(a) } }
        let oddRoot = r.denominator % 2 == 1, evenNumerator = r.numerator % 2 == 0
        return { a in
          let x = base(a)
          if x >= 0 || r.isInteger { return Elementary.pow(x, k) }
          guard oddRoot else { return .nan }
          let m = Elementary.pow(-x, k)
          return evenNumerator ? m : -m
        }
      }
      let exponent = try compile(ex, index, fns)
      return { a in
        let x = base(a), k = exponent(a)
        return x >= 0 || k == k.rounded() ? Elementary.pow(x, k) : .nan
      }
    case .function(let f, let u):
      let arg = try compile(u, index, fns)
      return { a in (try? Expr.apply(f, arg(a))) ?? .nan }
    case .opaque(let g, let u):
      guard let impl = fns[g.key] else { throw .evaluation("compiling: no numeric implementation of \(g.key)") }
      let arg = try compile(u, index, fns)
      return { a in impl(arg(a)) }
    case .inverse(let f, let x):
      let arg = try compile(x, index, fns)
      if let impl = fns[f.key] { return { a in impl(arg(a)) } }
      let functions = fns
      return { a in (try? f.solve(arg(a), EvaluationContext([:], functions: functions))) ?? .nan }
    case .indexedSum(let s):
      throw .evaluation("compiling: Σ over \(s.index) has no concrete range (use expandingSum(over:_:))")
    case .integral:
      // Integrals evaluate through the interpreter with the bound values.
      let symbols = index
      let functions = fns
      return { a in
        var values: [Symbol: Double] = [:]
        for (s, k) in symbols { values[s] = a[k] }
        return (try? e.evaluate(EvaluationContext(values, functions: functions))) ?? .nan
      }
    }
  }
}

// MARK: - Quadrature

/// Adaptive Gauss–Kronrod (7, 15) quadrature (Piessens et al., QUADPACK, 1983, §2.2.2): on
/// each interval the difference between the 15-point Kronrod and the embedded 7-point Gauss
/// estimates bounds the error; intervals are bisected until the bound is below
/// max(1e-13·|total|, 1e-300), to a depth of 40.
enum Quadrature {
  static let kronrodNodes: [Double] = [
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0,
  ]
  static let kronrodWeights: [Double] = [
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
  ]
  /// Gauss weights for the nodes with odd index in `kronrodNodes` (1, 3, 5, 7).
  static let gaussWeights: [Double] = [
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327,
  ]

  static func integrate(from a: Double, to b: Double, _ f: (Double) throws(SymbolicError) -> Double)
    throws(SymbolicError) -> Double
  {
    if a == b { return 0 }
    let (whole, wholeError) = try rule(a, b, f)
    return try refine(a, b, whole, wholeError, f, depth: 0, tolerance: max(1e-13 * Swift.abs(whole), 1e-300))
  }

  private static func refine(_ a: Double, _ b: Double, _ estimate: Double, _ error: Double,
                             _ f: (Double) throws(SymbolicError) -> Double, depth: Int, tolerance: Double)
    throws(SymbolicError) -> Double
  {
    if error <= tolerance || depth >= 40 { return estimate }
    let m = (a + b) / 2
    let (left, le) = try rule(a, m, f)
    let (right, re) = try rule(m, b, f)
    return try refine(a, m, left, le, f, depth: depth + 1, tolerance: tolerance / 2)
      + refine(m, b, right, re, f, depth: depth + 1, tolerance: tolerance / 2)
  }

  private static func rule(_ a: Double, _ b: Double, _ f: (Double) throws(SymbolicError) -> Double)
    throws(SymbolicError) -> (Double, Double)
  {
    let c = (a + b) / 2, h = (b - a) / 2
    var kronrod = 0.0, gauss = 0.0
    for (k, x) in kronrodNodes.enumerated() {
      let values = x == 0 ? [try f(c)] : [try f(c - h * x), try f(c + h * x)]
      let s = values.reduce(0, +)
      kronrod += kronrodWeights[k] * s
      if k % 2 == 1 { gauss += gaussWeights[k / 2] * s }
    }
    return (kronrod * h, Swift.abs((kronrod - gauss) * h))
  }
}
