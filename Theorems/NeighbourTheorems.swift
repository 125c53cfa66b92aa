import Symbolic
import LinearAlgebra
import GradientFlow
import Optimization
import PropertyChecking

/// Woodworth et al. (COLT 2020) and Azulay et al. (ICML 2021, Thm 4.1): closed-form implicit
/// regularizers of separable models on underdetermined regression (spec §4.4–4.5).
public enum NeighbourTheorem: String, CaseIterable, Sendable {
  case woodworth2020
  case azulay2021

  public var statement: TheoremStatement {
    switch self {
    case .woodworth2020:
      TheoremStatement(
        identifier: "woodworth2020", title: "β = w₊^D − w₋^D from w±(0) = α: the flow minimizes Q^D_α",
        reference: "Woodworth et al., COLT 2020; spec §4.4",
        setting: ["β = w₊^D − w₋^D entrywise, gradient flow on ½‖Xβ − y‖², w₊(0) = w₋(0) = α·1"],
        problem: NeighbourTheorem.woodworthProblem,
        conclusionVerb: "the flow converges to zero loss at",
        hypotheses: [(name: "underdetermined", statement: "n < d and X of full row rank"),
                     (name: "initialization", statement: "w₊(0) = w₋(0) = α·1, α > 0")])
    case .azulay2021:
      TheoremStatement(
        identifier: "azulay2021", title: "β = u₊v₊ − u₋v₋ from u±(0) = u₀, v±(0) = v₀: the flow minimizes Q_k",
        reference: "Azulay et al., ICML 2021, Thm 4.1; spec §4.5",
        setting: ["two-layer diagonal network with the ± construction, gradient flow on ½‖Xβ − y‖²"],
        problem: NeighbourTheorem.azulayProblem,
        conclusionVerb: "the flow converges to zero loss at",
        hypotheses: [(name: "underdetermined", statement: "n < d and X of full row rank"),
                     (name: "initialization", statement: "u₊(0) = u₋(0) = u₀, v₊(0) = v₋(0) = v₀ (so β(0) = 0)")])
    }
  }
}

extension NeighbourTheorem {
  /// Woodworth et al. (spec §4.4): Q^D_α(β) = α^D Σⱼ q_D(βⱼ/α^D) with q_D = ∫₀ h_D⁻¹,
  /// h_D(u) = (1 − u)^{−D/(D−2)} − (1 + u)^{−D/(D−2)} on (−1, 1) for D ≥ 3, and
  /// q₂(z) = 2 − √(4 + z²) + z·arcsinh(z/2). Stationarity derived from the Lagrangian.
  static let woodworthProblem: OptimizationProblem = {
    let beta = Symbol("β", "j"), D = Expr.variable("D"), alpha = Expr.variable("α")
    let u = Symbol("u"), z = Expr.variable("z")
    let exponent = -D / (D - 2)
    let h = ImplicitInverse(name: "h_D", variable: u,
                            body: (1 - Expr.symbol(u)).toThe(exponent) - (1 + Expr.symbol(u)).toThe(exponent),
                            domain: OpenInterval(-1, 1))
    let t = Symbol("t")
    let qD = { (x: Expr) in Expr.integral(Integral(.inverse(h, .symbol(t)), t, from: 0, to: x)) }
    let term = alpha.toThe(D) * .opaque(OpaqueFunction("q_D"), .symbol(beta) / alpha.toThe(D))
    return interpolationProblem(
      variable: "β", term: term, mode: beta, unfold: ("q_D", qD),
      definitions: [
        Formula(.opaque(OpaqueFunction("q_D"), z), .definedAs, qD(z), "for D ≥ 3"),
        Formula(.opaque(OpaqueFunction("h_D"), .symbol(u)), .definedAs, h.body, "on (−1, 1)"),
        Formula(.opaque(OpaqueFunction("q_2"), z), .definedAs, 2 - .sqrt(4 + z.toThe(2)) + z * .arcsinh(z / 2)),
      ])
  }()

  /// Azulay et al. Thm 4.1 (spec §4.5):
  /// Q_k(β) = Σⱼ (kⱼ/4)[1 − √(1 + 4βⱼ²/kⱼ²) + (2βⱼ/kⱼ) arcsinh(2βⱼ/kⱼ)], kⱼ = 2(u₀ⱼ² + v₀ⱼ²).
  static let azulayProblem: OptimizationProblem = {
    let beta = Symbol("β", "j"), k = Expr.variable("k", "j"), b = Expr.symbol(beta)
    let term = k / 4 * (1 - .sqrt(1 + 4 * b.toThe(2) / k.toThe(2)) + 2 * b / k * .arcsinh(2 * b / k))
    return interpolationProblem(
      variable: "β", term: term, mode: beta, unfold: nil,
      definitions: [
        Formula(k, .definedAs, 2 * (Expr.variable("u", 0, "j").toThe(2) + Expr.variable("v", 0, "j").toThe(2))),
      ])
  }()

  /// minimize Σⱼ term subject to Σⱼ Xᵢⱼ βⱼ = yᵢ, with ∂term/∂βⱼ = Σᵢ μᵢ Xᵢⱼ derived.
  static func interpolationProblem(variable: String, term: Expr, mode: Symbol, unfold: (String, (Expr) -> Expr)?,
                                   definitions: [Formula]) -> OptimizationProblem
  {
    let x = Expr.variable("X", "i", "j"), mu = Expr.variable("μ", "i")
    let constraint = Expr.sum(over: "j", x * .symbol(mode))
    let multiplierTerm = Expr.sum(over: "i", mu * (constraint - .variable("y", "i")))
    let unfolded = unfold.map { term.replacingOpaque($0.0, with: $0.1) } ?? term
    return OptimizationProblem(
      variable: .variable(variable), objective: .sum(over: "j", term),
      constraints: [Formula(constraint, .equals, .variable("y", "i"), "for all i")],
      definitions: definitions,
      stationarity: [.stationarity(objective: unfolded, multiplierTerm: multiplierTerm, withRespectTo: mode, "for all j")])
  }
}

/// Woodworth's h_D and its inverse, and q_D by parts: q_D(z) = z u − H(u), u = h_D⁻¹(z),
/// H(u) = ∫₀ᵘ h_D = ((1−u)^{1−p} + (1+u)^{1−p} − 2)/(p − 1), p = D/(D−2).
struct WoodworthFunctions: Sendable {
  let depth: Int
  var p: Double { Double(depth) / Double(depth - 2) }
  func h(_ u: Double) -> Double { Elementary.pow(1 - u, -p) - Elementary.pow(1 + u, -p) }
  func hPrime(_ u: Double) -> Double { p * (Elementary.pow(1 - u, -p - 1) + Elementary.pow(1 + u, -p - 1)) }
  /// h⁻¹(z) on (−1, 1) by bisection then Newton (h is odd and increasing).
  func hInverse(_ z: Double) -> Double {
    if z == 0 { return 0 }
    let s = z < 0 ? -1.0 : 1.0, t = abs(z)
    var lo = 0.0, hi = 1.0
    for _ in 0..<60 { let mid = (lo + hi) / 2; if h(mid) < t { lo = mid } else { hi = mid } }
    var u = (lo + hi) / 2
    for _ in 0..<3 { let f = h(u) - t; let step = f / hPrime(u); if u - step > 0 && u - step < 1 { u -= step } }
    return s * u
  }
  func bigH(_ u: Double) -> Double { (Elementary.pow(1 - u, 1 - p) + Elementary.pow(1 + u, 1 - p) - 2) / (p - 1) }
  func q(_ z: Double) -> Double { let u = hInverse(z); return z * u - bigH(u) }
}

extension NeighbourTheorem {
  /// The model, its initial state, the predicted regularizer and the exact invariant.
  func setup(depth: Int, alpha: Double, shape s: Double, d: Int)
    -> (model: SeparableParametrization, state: [Double], potential: SeparablePotential, invariant: @Sendable ([Double]) -> Double) {
    switch self {
    case .woodworth2020:
      let D = depth, a = alpha
      let state = Array(repeating: a, count: 2 * d)
      let scale = Elementary.pow(a, Double(D))
      let potential: SeparablePotential
      if D == 2 {
        // Q = α² q(β/α²), q′ = asinh(z/2), q″ = 1/√(4 + z²); φ(s) = 2α² sinh(s).
        potential = SeparablePotential(
          value: { _, b in let z = b / scale; return scale * (2 - (4 + z * z).squareRoot() + z * Elementary.asinh(z / 2)) },
          gradient: { _, b in Elementary.asinh(b / scale / 2) },
          secondDerivative: { _, b in let z = b / scale; return 1 / (scale * (4 + z * z).squareRoot()) },
          gradientInverse: { _, sv in 2 * scale * Elementary.sinh(sv) })
      } else {
        let w = WoodworthFunctions(depth: D)
        potential = SeparablePotential(
          value: { _, b in scale * w.q(b / scale) },
          gradient: { _, b in w.hInverse(b / scale) },
          secondDerivative: { _, b in 1 / (scale * w.hPrime(w.hInverse(b / scale))) },
          gradientInverse: { _, sv in abs(sv) >= 1 ? (sv > 0 ? .infinity : -.infinity) : scale * w.h(sv) })
      }
      // D = 2: w₊w₋ = α²; D ≥ 3: w₊^{2−D} + w₋^{2−D} = 2α^{2−D}. Reported as max relative drift.
      let invariant: @Sendable ([Double]) -> Double = { st in
        var worst = 0.0
        for j in stride(from: 0, to: st.count, by: 2) {
          let v = D == 2 ? st[j] * st[j + 1] / (a * a)
            : (Elementary.pow(st[j], Double(2 - D)) + Elementary.pow(st[j + 1], Double(2 - D))) / (2 * Elementary.pow(a, Double(2 - D)))
          worst = max(worst, abs(v - 1))
        }
        return worst
      }
      return (.woodworth(depth: D), state, potential, invariant)
    case .azulay2021:
      let u0 = (alpha * (1 - s) / (1 + s)).squareRoot(), v0 = (alpha * (1 + s) / (1 - s)).squareRoot()
      let k = 2 * (u0 * u0 + v0 * v0)
      var state: [Double] = []
      for _ in 0..<d { state += [u0, v0, u0, v0] }
      // Q′ = ½ asinh(2β/k), Q″ = 1/(k√(1 + 4β²/k²)), φ(s) = (k/2) sinh(2s).
      let potential = SeparablePotential(
        value: { _, b in let z = 2 * b / k; return k / 4 * (1 - (1 + z * z).squareRoot() + z * Elementary.asinh(z)) },
        gradient: { _, b in Elementary.asinh(2 * b / k) / 2 },
        secondDerivative: { _, b in let z = 2 * b / k; return 1 / (k * (1 + z * z).squareRoot()) },
        gradientInverse: { _, sv in k / 2 * Elementary.sinh(2 * sv) })
      // u±² − v±² is conserved per coordinate.
      let c0 = u0 * u0 - v0 * v0
      let invariant: @Sendable ([Double]) -> Double = { st in
        var worst = 0.0
        for j in stride(from: 0, to: st.count, by: 2) { worst = max(worst, abs(st[j] * st[j] - st[j + 1] * st[j + 1] - c0)) }
        return worst / max(abs(c0), u0 * u0 + v0 * v0)
      }
      return (.azulay, state, potential, invariant)
    }
  }

  /// Checks the theorem on data (X, y): the flow's limit against argmin Q (dual Newton),
  /// with the exact invariant along the path. `claimedDepth` (Woodworth only) checks the
  /// same flow against Q of another depth, which must be refuted.
  /// `budget` bounds the flow (`--max-seconds`, `--max-steps`).
  public func check(inputs x: Matrix, targets y: [Double], depth: Int, alpha: Double, shape: Double = 0,
                    claimedDepth: Int? = nil, seed: UInt64 = 0, budget: FlowBudget = FlowBudget()) -> NeighbourResult {
    var r = NeighbourResult(theorem: self, seed: seed, depth: depth, alpha: alpha, shape: shape, verdict: .inconclusive, reason: "")
    let rank = QRFactorization(x.transposed).rank(relativeTolerance: 1e-10)
    guard x.rows < x.columns, rank == x.rows, alpha > 0, abs(shape) < 1, self == .azulay2021 || depth >= 2 else {
      r.verdict = .hypothesisNotMet
      r.reason = "needs n < d, X of full row rank, α > 0 and |s| < 1 (n = \(x.rows), d = \(x.columns), rank \(rank))"
      return r
    }
    let (model, state, potential, invariant) = setup(depth: depth, alpha: alpha, shape: shape, d: x.columns)
    var options = RegressionOptions()
    options.tolerances = IntegratorTolerances(relative: 1e-10, absolute: 1e-13)
    let t = integrateSeparableModel(model, inputs: x, targets: y, initialState: state, options: budget.applied(to: options))
    r.steps = t.steps
    r.limit = t.coefficients
    r.invariantDrift = (t.samples + [t.state]).map(invariant).max() ?? 0
    if t.failure != nil { r.reason = "the flow did not interpolate: \(describe(t.stop, budget: budget))"; return r }
    let predicted = SeparableConvexProgram(b: x, y: y, potential: potential).solveDual()
    guard predicted.status == .optimal else { r.reason = "the dual solve did not converge (\(predicted.stopReason))"; return r }
    r.predicted = predicted.rho
    let dist = t.coefficients.subtracting(predicted.rho).norm2 / max(predicted.rho.norm2, .leastNormalMagnitude)
    r.relativeDistance = dist
    let ok = dist <= 1e-8 && (r.invariantDrift ?? 1) <= 1e-8
    if let k = claimedDepth, k != depth, self == .woodworth2020 {
      let wrong = SeparableConvexProgram(b: x, y: y, potential: setup(depth: k, alpha: alpha, shape: shape, d: x.columns).potential).solveDual()
      guard wrong.status == .optimal else {
        r.reason = "the claimed regularizer's dual solve (Q^\(k)) did not converge (\(wrong.stopReason)), so the claim cannot be judged; relative distance \(short(dist)) to argmin Q^\(depth)"
        return r
      }
      let cd = t.coefficients.subtracting(wrong.rho).norm2 / max(wrong.rho.norm2, .leastNormalMagnitude)
      r.claimedDistance = cd
      r.verdict = ok && cd >= 1e-4 ? .refuted : .inconclusive
      r.reason = "distance \(short(cd)) to argmin Q^\(k) (claimed), \(short(dist)) to argmin Q^\(depth)"
      return r
    }
    r.verdict = ok ? .holds : .inconclusive
    r.reason = "relative distance \(short(dist)) to argmin Q, invariant drift \(short(r.invariantDrift ?? .nan)), \(t.steps) steps"
    return r
  }

  /// A random underdetermined case (n ∈ [2, 4], d ∈ [5, 8], sparse β*).
  public static func randomData(seed: UInt64) -> (Matrix, [Double]) {
    var rng = SeededGenerator(seed: seed)
    let n = rng.integer(in: 2...4), d = rng.integer(in: 5...8)
    let x = rng.gaussianMatrix(rows: n, columns: d)
    var beta = [Double](repeating: 0, count: d)
    for _ in 0..<2 { beta[rng.integer(in: 0...(d - 1))] = rng.gaussian() }
    return (x, x * beta)
  }
}

/// The evidence for one neighbour-theorem case.
public struct NeighbourResult: Sendable {
  public var theorem: NeighbourTheorem
  public var seed: UInt64
  public var depth: Int
  public var alpha: Double
  public var shape: Double
  public var verdict: Verdict
  public var reason: String
  public var limit: [Double] = []
  public var predicted: [Double] = []
  public var relativeDistance: Double?
  public var claimedDistance: Double?
  public var invariantDrift: Double?
  public var steps = 0
}
