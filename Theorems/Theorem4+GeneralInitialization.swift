import LinearAlgebra
import GradientFlow

/// The exact predictor of spec §2.7 for any initialization of a real orthogonally
/// decomposable network on regression. Each mode follows the autonomous ODE
///   daₗ/ds = Π_{m≠l} aₘ,   a(0) given,
/// in its own dual time sⱼ = −∫[SXᵀr]ⱼ dt, so ρⱼ = φⱼ(sⱼ) for a fixed increasing φⱼ; at the
/// limit s = SXᵀμ for some μ ∈ ℝⁿ, hence the limit solves B φ(Bᵀμ) = y (B = XSᵀ).
public struct GeneralInitializationPredictor: Sendable {
  public let depth: Int
  /// a(0) per mode (m × L).
  public let initial: [[Double]]

  /// From a flow state laid out as the flows lay it out (L·j + l).
  public init(depth: Int, state: [Double]) {
    self.depth = depth
    self.initial = stride(from: 0, to: state.count, by: depth).map { Array(state[$0..<($0 + depth)]) }
  }

  /// φⱼ(s) and φⱼ′(s) = Σₗ (Π_{m≠l} aₘ)² by classical RK4 on the mode ODE, with the step
  /// count doubled until two successive results agree to 1e-13 relative (Richardson-style;
  /// RK4's error falls 16× per doubling). Returns ±∞ when the mode blows up before s (for
  /// L ≥ 3 the mode ODE has a finite escape time).
  /// - Complexity: O(N L²) with N ≤ 2¹⁶ steps.
  public func phi(mode j: Int, at s: Double) -> (value: Double, derivative: Double) {
    if s == 0 { return evaluate(initial[j]) }
    var previous: Double?
    var n = 64
    while n <= 1 << 16 {
      guard let a = integrate(initial[j], to: s, steps: n) else {
        let sign = (evaluate(initial[j]).value >= 0) == (s > 0) ? 1.0 : -1.0
        return (sign * .infinity, .infinity)
      }
      let r = evaluate(a)
      if let p = previous, abs(r.value - p) <= 1e-13 * max(abs(r.value), 1e-300) + 1e-300 { return r }
      previous = r.value
      n *= 2
    }
    return evaluate(integrate(initial[j], to: s, steps: 1 << 16) ?? initial[j])
  }

  private func evaluate(_ a: [Double]) -> (value: Double, derivative: Double) {
    var rho = 1.0
    for v in a { rho *= v }
    var d = 0.0
    for l in 0..<depth {
      var p = 1.0
      for m in 0..<depth where m != l { p *= a[m] }
      d += p * p
    }
    return (rho, d)
  }

  private func field(_ a: [Double]) -> [Double] {
    (0..<depth).map { l in
      var p = 1.0
      for m in 0..<depth where m != l { p *= a[m] }
      return p
    }
  }

  private func integrate(_ a0: [Double], to s: Double, steps n: Int) -> [Double]? {
    let h = s / Double(n)
    var a = a0
    for _ in 0..<n {
      let k1 = field(a)
      let k2 = field(a.adding(k1.scaled(by: h / 2)))
      let k3 = field(a.adding(k2.scaled(by: h / 2)))
      let k4 = field(a.adding(k3.scaled(by: h)))
      for l in 0..<depth { a[l] += h / 6 * (k1[l] + 2 * k2[l] + 2 * k3[l] + k4[l]) }
      if !a.allSatisfy({ $0.isFinite && abs($0) < 1e100 }) { return nil }
    }
    return a
  }

  /// Solves B φ(Bᵀμ) = y by damped Newton (Jacobian B diag(φ′) Bᵀ, backtracking on the
  /// residual norm), stopping at relative residual 1e-13 or after 100 iterations.
  public func predict(predictionMatrix b: Matrix, targets y: [Double]) -> (rho: [Double], relativeResidual: Double, iterations: Int) {
    let n = b.rows, m = b.columns
    var mu = [Double](repeating: 0, count: n)
    func evaluateAt(_ mu: [Double]) -> ([Double], [Double], [Double]) {
      let s = b.transposedTimes(mu)
      let values = (0..<m).map { phi(mode: $0, at: s[$0]) }
      let rho = values.map(\.value), d = values.map(\.derivative)
      return (rho, d, (b * rho).subtracting(y))
    }
    let yNorm = max(y.norm2, .leastNormalMagnitude)
    var (rho, d, r) = evaluateAt(mu)
    var iterations = 0
    while iterations < 100, r.allSatisfy({ $0.isFinite }), r.norm2 / yNorm > 1e-13 {
      iterations += 1
      let jac = Matrix(rows: n, columns: n) { i, k in
        var acc = 0.0
        for j in 0..<m { acc += b[i, j] * d[j] * b[k, j] }
        return acc
      }
      let step = leastSquares(jac, r.scaled(by: -1)).x
      var t = 1.0, improved = false
      for _ in 0..<40 {
        let trial = mu.adding(step.scaled(by: t))
        let e = evaluateAt(trial)
        if e.2.allSatisfy({ $0.isFinite }) && e.2.norm2 < r.norm2 {
          mu = trial; (rho, d, r) = e; improved = true
          break
        }
        t /= 2
      }
      if !improved { break }
    }
    return (rho, r.norm2 / yNorm, iterations)
  }
}
