import LinearAlgebra

/// The spacing of doubles at 1, 2⁻⁵².
let eps = Double.ulpOfOne

/// |a − b| / |b| (|a − b| when b = 0; 0 when both are the same infinity).
func relativeError(_ a: Double, _ b: Double) -> Double {
  if a == b { return 0 }
  return b == 0 ? Swift.abs(a) : Swift.abs(a - b) / Swift.abs(b)
}

/// The largest of a sweep's errors, with the argument where it occurred, so that a failing
/// expectation can print both next to the tolerance.
struct WorstCase: CustomStringConvertible {
  private(set) var error = 0.0
  private(set) var location = ""

  mutating func record(_ e: Double, at where: @autoclosure () -> String) {
    if e > error || e.isNaN {
      error = e.isNaN ? .infinity : e
      location = `where`()
    }
  }

  var description: String { "\(error) (\(error / eps) ulps) at \(location)" }
}

/// n points per decade from 10^lo to 10^hi, both included.
func logGrid(decades lo: Int, _ hi: Int, perDecade n: Int = 7) -> [Double] {
  (0...((hi - lo) * n)).map { Elementary.pow(10, Double(lo) + Double($0) / Double(n)) }
}

/// The z grid of the brief, ±[10⁻⁸, 10¹²], with both signs.
let briefGrid: [Double] = logGrid(decades: -8, 12).flatMap { [$0, -$0] }

// MARK: - Gauss–Legendre quadrature

/// Nodes and weights of the m-point Gauss–Legendre rule on [−1, 1], by Newton's method on
/// the Legendre polynomial Pₘ from Tricomi's initial guesses cos(π(i − ¼)/(m + ½)) (Press et
/// al., *Numerical Recipes*, 3rd ed., §4.6 "gauleg"); weights 2/((1 − x²)Pₘ′(x)²).
struct GaussLegendre {
  let nodes: [Double]
  let weights: [Double]

  init(points m: Int) {
    var x = [Double](repeating: 0, count: m)
    var w = [Double](repeating: 0, count: m)
    for i in 0..<((m + 1) / 2) {
      var z = Elementary.cos(Double.pi * (Double(i) + 0.75) / (Double(m) + 0.5))
      var derivative = 0.0
      for _ in 0..<100 {
        var p1 = 1.0
        var p2 = 0.0
        for j in 0..<m {
          let p3 = p2
          p2 = p1
          p1 = ((2 * Double(j) + 1) * z * p2 - Double(j) * p3) / Double(j + 1)
        }
        derivative = Double(m) * (z * p1 - p2) / (z * z - 1)
        let step = p1 / derivative
        z -= step
        if Swift.abs(step) <= 3e-16 { break }
      }
      x[i] = -z
      x[m - 1 - i] = z
      w[i] = 2 / ((1 - z * z) * derivative * derivative)
      w[m - 1 - i] = w[i]
    }
    nodes = x
    weights = w
  }

  /// The shared 20-point rule: exact for polynomials of degree 39.
  static let twenty = GaussLegendre(points: 20)

  /// ∫_a^b f by the rule on `panels` equal panels, summed with Neumaier's compensated
  /// summation so that the panel count does not add rounding.
  ///
  /// For an integrand analytic in a strip |Im s| < d (sechⁿ: d = π/2), the error of a panel
  /// of width h decays like (h/(2d))^{40}·(const): at h ≤ 1/4 it is below rounding.
  func integrate(_ f: (Double) -> Double, from a: Double, to b: Double, panels: Int) -> Double {
    let h = (b - a) / Double(panels)
    var sum = 0.0
    var compensation = 0.0
    for p in 0..<panels {
      let mid = a + (Double(p) + 0.5) * h
      for k in nodes.indices {
        let term = weights[k] * f(mid + h / 2 * nodes[k]) * (h / 2)
        let s = sum + term
        compensation += Swift.abs(sum) >= Swift.abs(term) ? (sum - s) + term : (term - s) + sum
        sum = s
      }
    }
    return sum + compensation
  }

  /// ∫_a^b f with panels of width at most `width`.
  func integrate(_ f: (Double) -> Double, from a: Double, to b: Double, width: Double) -> Double {
    integrate(f, from: a, to: b, panels: Swift.max(1, Int(((b - a) / width).rounded(.up))))
  }
}

// MARK: - Finite differences

/// f′(x) by the five-point central stencil [f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)]/(12h):
/// truncation h⁴|f⁽⁵⁾|/30, rounding ~ 3ε|f|/(2h) (Fornberg 1988).
func fivePointDerivative(_ f: (Double) -> Double, at x: Double, step h: Double) -> Double {
  (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)
}

// MARK: - Seeded randomness

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, reproducible generator.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform double in [a, b).
  mutating func uniform(_ a: Double, _ b: Double) -> Double { Double.random(in: a..<b, using: &self) }

  /// e^u with u uniform in [log a, log b): magnitudes spread over decades.
  mutating func logUniform(_ a: Double, _ b: Double) -> Double {
    Elementary.exp(uniform(Elementary.log(a), Elementary.log(b)))
  }
}
