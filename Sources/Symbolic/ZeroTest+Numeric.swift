import LinearAlgebra

// MARK: - Numeric evaluation with an error estimate

/// The value of `e` at `point` and a running estimate of its floating-point error (forward
/// analysis: rounding of every operation, ≈ 2 ulp for library functions, propagated through
/// the operations' derivatives). Real semantics as in the rest of the module: a negative base
/// to a non-integer power needs an odd root order, log needs a positive argument; implicit
/// inverses are solved by bisection on their domain, integrals by composite Gauss–Legendre.
/// Throws `SymbolicError.evaluation` outside the domain or for opaque functions.
/// - Complexity: O(nodes), times the root search (≈ 100 body evaluations) or quadrature (120
///   integrand evaluations) per inverse or integral node.
func numericValueForZeroTest(_ e: Expr, at point: [Symbol: Double]) throws(SymbolicError) -> (value: Double, error: Double) {
  try ZeroTestEvaluator(values: point).evaluate(e)
}

struct ZeroTestEvaluator {
  var values: [Symbol: Double]
  static let u = 0x1p-53

  func evaluate(_ e: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let u = ZeroTestEvaluator.u
    switch e {
    case .number(let r):
      let v = r.doubleValue
      let exact = r.isInteger && r.numerator.magnitude <= (1 << 53)
      return (v, exact ? 0 : 2 * u * Swift.abs(v))
    case .constant:
      return (Double.pi, u * Double.pi)
    case .symbol(let s):
      guard let v = values[s] else { throw .evaluation("no value for the symbol \(s)") }
      return (v, 0)
    case .sum(let xs):
      var v = 0.0, err = 0.0
      for x in xs {
        let (a, ea) = try evaluate(x)
        v += a
        err += ea + u * Swift.abs(v)
      }
      return (v, err)
    case .product(let xs):
      var v = 1.0, err = 0.0
      for x in xs {
        let (a, ea) = try evaluate(x)
        let next = v * a
        err = Swift.abs(a) * err + Swift.abs(v) * ea + err * ea + u * Swift.abs(next)
        v = next
      }
      return (v, err)
    case .power(let b, let x):
      return try evaluatePower(b, x)
    case .function(let f, let x):
      let (a, ea) = try evaluate(x)
      let (v, d) = try ZeroTestEvaluator.apply(f, a, ea)
      let err = d * ea + 2 * u * Swift.abs(v)
      guard v.isFinite else { throw .evaluation("\(f.rawValue)(\(a)) is not finite") }
      return (v, err)
    case .opaque(let g, _):
      throw .evaluation("the opaque function \(g.name) has no value")
    case .inverse(let f, let y):
      return try solve(f, y)
    default:
      if case .integral(let i) = e { return try integrate(i) }
      throw .evaluation("an expression node the zero test cannot evaluate")
    }
  }

  func evaluatePower(_ b: Expr, _ x: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let u = ZeroTestEvaluator.u
    let (bv, be) = try evaluate(b)
    if let r = x.rationalValue {
      let k = r.doubleValue
      if r.isInteger {
        if bv == 0 && r.isNegative { throw .evaluation("0 to a negative power") }
        let v = Elementary.pow(bv, k)
        let d = bv == 0 ? (r == .one ? 1.0 : 0.0) : Swift.abs(k * v / bv)
        return (v, d * be + 2 * u * Swift.abs(v))
      }
      if bv == 0 {
        if r.isNegative { throw .evaluation("0 to a negative power") }
        return (0, Elementary.pow(be, k))
      }
      var v: Double
      if bv < 0 {
        guard r.denominator % 2 == 1 else { throw .evaluation("negative base \(bv) to the power \(r)") }
        v = Elementary.pow(-bv, k)
        if r.numerator % 2 != 0 { v = -v }
      } else {
        v = Elementary.pow(bv, k)
      }
      return (v, Swift.abs(k * v / bv) * be + 2 * u * Swift.abs(v))
    }
    let (xv, xe) = try evaluate(x)
    if bv > 0 {
      let v = Elementary.pow(bv, xv)
      return (v, Swift.abs(xv * v / bv) * be + Swift.abs(v * Elementary.log(bv)) * xe + 2 * u * Swift.abs(v))
    }
    if bv == 0 {
      guard xv > 0 else { throw .evaluation("0 to the power \(xv)") }
      return (0, Elementary.pow(be, xv))
    }
    guard xv == xv.rounded(), xe == 0 else { throw .evaluation("negative base \(bv) to the power \(xv)") }
    let v = Elementary.pow(bv, xv)
    return (v, Swift.abs(xv * v / bv) * be + 2 * u * Swift.abs(v))
  }

  /// f(a) and |f′(a)| (for error propagation).
  static func apply(_ f: ElementaryFunction, _ a: Double, _ ea: Double) throws(SymbolicError) -> (Double, Double) {
    switch f {
    case .exp:
      let v = Elementary.exp(a)
      return (v, v)
    case .log:
      guard a > 0 else { throw .evaluation("log(\(a))") }
      return (Elementary.log(a), 1 / a)
    case .sin: return (Elementary.sin(a), Swift.abs(Elementary.cos(a)) + ea)
    case .cos: return (Elementary.cos(a), Swift.abs(Elementary.sin(a)) + ea)
    case .tan:
      let v = Elementary.tan(a)
      return (v, 1 + v * v)
    case .sec:
      let v = 1 / Elementary.cos(a)
      return (v, Swift.abs(v * Elementary.tan(a)))
    case .arctan: return (Elementary.atan(a), 1 / (1 + a * a))
    case .sinh: return (Elementary.sinh(a), Elementary.cosh(a))
    case .cosh: return (Elementary.cosh(a), Swift.abs(Elementary.sinh(a)) + ea * Elementary.cosh(a))
    case .tanh:
      let v = Elementary.tanh(a)
      return (v, 1 - v * v)
    case .sech:
      let v = 1 / Elementary.cosh(a)
      return (v, Swift.abs(v * Elementary.tanh(a)))
    case .arcsinh: return (Elementary.asinh(a), 1 / (1 + a * a).squareRoot())
    case .abs: return (Swift.abs(a), 1)
    case .sign:
      guard Swift.abs(a) > ea else { throw .evaluation("sign of a value indistinguishable from 0") }
      return (a > 0 ? 1 : a < 0 ? -1 : 0, 0)
    case .conjugate: return (a, 1)
    }
  }

  /// f⁻¹(y): bisection for body(t) = y over the domain, parametrized by s ∈ ℝ.
  func solve(_ f: ImplicitInverse, _ y: Expr) throws(SymbolicError) -> (value: Double, error: Double) {
    let (yv, ye) = try evaluate(y)
    let lower = f.domain.lower, upper = f.domain.upper
    func location(_ s: Double) -> Double {
      switch (lower.isFinite, upper.isFinite) {
      case (true, true): return lower + (upper - lower) / (1 + Elementary.exp(-s))
      case (true, false): return lower + Elementary.exp(s)
      case (false, true): return upper - Elementary.exp(s)
      case (false, false): return s
      }
    }
    var inner = self
    func body(_ t: Double) throws(SymbolicError) -> (value: Double, error: Double) {
      inner.values[f.variable] = t
      return try inner.evaluate(f.body)
    }
    let maxS = lower.isFinite || upper.isFinite ? 700.0 : 0x1p60
    var a = -1.0, b = 1.0
    var ga = try body(location(a)).value - yv, gb = try body(location(b)).value - yv
    while ga.sign == gb.sign && ga != 0 && gb != 0 {
      guard b < maxS else { throw .evaluation("\(f.name)⁻¹(\(yv)): no solution in the domain") }
      a *= 2; b *= 2
      ga = try body(location(a)).value - yv
      gb = try body(location(b)).value - yv
    }
    if ga == 0 { b = a } else if gb == 0 { a = b }
    for _ in 0..<2000 {
      let m = a + (b - a) / 2
      if m <= a || m >= b { break }
      let gm = try body(location(m)).value - yv
      if gm == 0 { a = m; b = m; break }
      if gm.sign == ga.sign { a = m; ga = gm } else { b = m }
    }
    let t = location(a + (b - a) / 2)
    let width = Swift.abs(location(b) - location(a))
    let (_, bodyError) = try body(t)
    let h = 1e-6 * Swift.max(1, Swift.abs(t))
    let tp = Swift.min(t + h, location(b) + h), tm = Swift.max(t - h, location(a) - h)
    var slope = 0.0
    if f.domain.contains(tp) && f.domain.contains(tm), tp > tm {
      slope = Swift.abs((try body(tp).value - body(tm).value) / (tp - tm))
    }
    let propagated = slope > 0 ? (ye + bodyError) / slope : 0
    return (t, propagated + width + 4 * ZeroTestEvaluator.u * Swift.abs(t))
  }

  static let gaussNodes: [Double] = [
    0, -0.538_469_310_105_683_1, 0.538_469_310_105_683_1, -0.906_179_845_938_664_0, 0.906_179_845_938_664_0,
  ]
  static let gaussWeights: [Double] = [
    0.568_888_888_888_888_9, 0.478_628_670_499_366_5, 0.478_628_670_499_366_5,
    0.236_926_885_056_189_1, 0.236_926_885_056_189_1,
  ]

  /// Composite 5-point Gauss–Legendre on 8 and 16 panels; the error estimate is their
  /// difference plus the rounding of the integrand values and the limits' errors.
  func integrate(_ i: Integral) throws(SymbolicError) -> (value: Double, error: Double) {
    let (a, ea) = try evaluate(i.lower), (b, eb) = try evaluate(i.upper)
    var inner = self
    func integrand(_ t: Double) throws(SymbolicError) -> (value: Double, error: Double) {
      inner.values[i.variable] = t
      return try inner.evaluate(i.integrand)
    }
    func rule(_ panels: Int) throws(SymbolicError) -> (value: Double, error: Double) {
      let h = (b - a) / Double(panels)
      var total = 0.0, err = 0.0
      for p in 0..<panels {
        let mid = a + (Double(p) + 0.5) * h
        for (x, w) in zip(ZeroTestEvaluator.gaussNodes, ZeroTestEvaluator.gaussWeights) {
          let (v, ev) = try integrand(mid + 0.5 * h * x)
          total += 0.5 * h * w * v
          err += Swift.abs(0.5 * h * w) * (ev + 2 * ZeroTestEvaluator.u * Swift.abs(v)) + ZeroTestEvaluator.u * Swift.abs(total)
        }
      }
      return (total, err)
    }
    let coarse = try rule(8), fine = try rule(16)
    let fa = try integrand(a).value, fb = try integrand(b).value
    return (fine.value, 10 * Swift.abs(fine.value - coarse.value) + fine.error + Swift.abs(fa) * ea + Swift.abs(fb) * eb)
  }
}
