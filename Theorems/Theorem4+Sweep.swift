import LinearAlgebra
import GradientFlow
import PropertyChecking

/// How a Theorem-4 sweep draws its cases.
public struct Theorem4SweepConfiguration: Sendable {
  public var networks: [NetworkKind] = [.diagonal, .orthogonallyDecomposable]
  public var depths = [2, 3, 4, 5]
  public var cases = 12
  public var seed: UInt64 = 1
  /// log₁₀ α is drawn uniformly from this range (nil range: `alpha` fixed).
  public var logAlphaRange: ClosedRange<Double> = -1...1
  public var alpha: Double?
  /// η = 1 (uniform) or η ~ U[0.5, 1.5] per mode (random).
  public var randomShape = true
  public var claim = Theorem4.Claim.theorem
  /// Draw every layer i.i.d. N(0, α²) and check the §2.7 predictor instead of Q.
  public var generalInitialization = false
  public init() {}

  public func shape(ofCase i: Int) -> (NetworkKind, Int) {
    (networks[i % networks.count], depths[(i / networks.count) % depths.count])
  }

  public func seed(ofCase i: Int) -> UInt64 {
    i == 0 ? seed : SeededGenerator.caseSeed(base: seed, index: i) & ((1 << 53) - 1)
  }
}

/// The outcome of a Theorem-4 sweep.
public struct Theorem4SweepResult: Sendable {
  public var verdict: Verdict
  public var reason: String
  public var cases: [Theorem4Result]
}

extension Theorem4 {
  /// An underdetermined regression case: n ∈ [2, 4] Gaussian points in ℝᵈ, d ∈ [5, 8],
  /// targets y = Xβ* with a k-sparse Gaussian β* (k ∈ [1, 3]), the network, α and η.
  public static func generateCase(seed: UInt64, kind: NetworkKind, depth: Int,
                                  configuration c: Theorem4SweepConfiguration) -> Theorem4Case {
    var rng = SeededGenerator(seed: seed)
    let n = rng.integer(in: 2...4), d = rng.integer(in: 5...8)
    let x = rng.gaussianMatrix(rows: n, columns: d)
    var beta = [Double](repeating: 0, count: d)
    for _ in 0..<rng.integer(in: 1...3) { beta[rng.integer(in: 0...(d - 1))] = rng.gaussian() }
    if beta.allSatisfy({ $0 == 0 }) { beta[0] = 1 }
    let y = x * beta
    let net = Theorem2.network(kind: kind, dimension: d, depth: depth, using: &rng)
    let alpha = c.alpha ?? Elementary.pow(10, rng.uniform(in: c.logAlphaRange))
    let m = net.space.coordinateCount
    let eta = c.randomShape ? (0..<m).map { _ in rng.uniform(in: 0.5...1.5) } : Array(repeating: 1, count: m)
    let general = c.generalInitialization ? rng.gaussianVector(depth * m, standardDeviation: alpha) : nil
    return Theorem4Case(seed: seed, network: net, inputs: x, targets: y, alpha: alpha, shape: eta, claim: c.claim,
                        generalInitialization: general)
  }

  /// Runs a sweep on all cores (results in case order).
  public static func runSweep(_ c: Theorem4SweepConfiguration, thresholds: Thresholds = Thresholds()) -> Theorem4SweepResult {
    let cases = (0..<c.cases).map { i -> Theorem4Case in
      let (kind, depth) = c.shape(ofCase: i)
      return generateCase(seed: c.seed(ofCase: i), kind: kind, depth: depth, configuration: c)
    }
    return assemble(parallelMap(cases) { check($0, thresholds: thresholds) }, thresholds: thresholds)
  }

  public static func assemble(_ results: [Theorem4Result], thresholds: Thresholds) -> Theorem4SweepResult {
    let (v, reason) = combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
    return Theorem4SweepResult(verdict: v, reason: reason, cases: results)
  }
}
