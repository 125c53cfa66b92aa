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
  /// The run's budgets (`--max-seconds`, `--max-steps`), handed to every case.
  public var budget = FlowBudget()
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
    var out = Theorem4Case(seed: seed, network: net, inputs: x, targets: y, alpha: alpha, shape: eta, claim: c.claim,
                           generalInitialization: general)
    out.budget = c.budget
    return out
  }

  /// Runs a sweep on all cores (results in case order); `caseIndices` runs only those cases
  /// (a shard's slice; nil: all), each with its seed and shape in the whole sweep.
  public static func runSweep(_ c: Theorem4SweepConfiguration, thresholds: Thresholds = Thresholds(),
                              caseIndices: [Int]? = nil,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) -> Theorem4SweepResult {
    let cases = (caseIndices ?? Array(0..<c.cases)).map { i -> Theorem4Case in
      let (kind, depth) = c.shape(ofCase: i)
      return generateCase(seed: c.seed(ofCase: i), kind: kind, depth: depth, configuration: c)
    }
    return assemble(parallelMap(cases, progress: progress) { check($0, thresholds: thresholds) }, thresholds: thresholds)
  }

  public static func assemble(_ results: [Theorem4Result], thresholds: Thresholds) -> Theorem4SweepResult {
    let (v, reason) = combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
    return Theorem4SweepResult(verdict: v, reason: reason, cases: results)
  }
}

extension Theorem4 {
  /// Shrink candidates, simplest first (dimensions, then entries): drop a data point
  /// (keeping n ≥ 1); drop a feature of a diagonal network with the theorem's
  /// initialization (keeping d > n); round the inputs to 2, then 1 significant digits. The
  /// targets are kept as they are: with n < d, a generic X still interpolates any y.
  public static func shrinkCandidates(_ c: Theorem4Case) -> [Theorem4Case] {
    var out: [Theorem4Case] = []
    let n = c.inputs.rows, d = c.inputs.columns
    if n > 1 {
      for i in 0..<n {
        var copy = c
        let keep = (0..<n).filter { $0 != i }
        copy.inputs = c.inputs.selectingRows(keep)
        copy.targets = keep.map { c.targets[$0] }
        out.append(copy)
      }
    }
    if d - 1 > n && c.network.kind == .diagonal && c.generalInitialization == nil {
      for j in 0..<d {
        var copy = c
        let keep = (0..<d).filter { $0 != j }
        copy.inputs = c.inputs.selectingColumns(keep)
        copy.network = .diagonal(dimension: d - 1, depth: c.network.depth)
        copy.shape = keep.map { c.shape[$0] }
        out.append(copy)
      }
    }
    for digits in [2.0, 1.0] {
      var copy = c
      copy.inputs.storage = c.inputs.storage.map { roundSignificant($0, digits: digits) }
      if copy.inputs != c.inputs { out.append(copy) }
    }
    return out
  }

  /// The property-checking generator of Theorem-4 cases (the same the sweeps use).
  public static func caseGenerator(_ configuration: Theorem4SweepConfiguration) -> Generator<Theorem4Case> {
    seededCaseGenerator(
      shapes: configuration.networks.count * configuration.depths.count,
      make: { seed, shape in
        let (kind, depth) = configuration.shape(ofCase: shape)
        return generateCase(seed: seed, kind: kind, depth: depth, configuration: configuration)
      },
      shrink: { shrinkCandidates($0) })
  }
}

extension Theorem4 {
  /// Greedily shrinks a refuted case with the property harness (the same shrinking the tests
  /// use): the claim stays refuted at every accepted step.
  public static func shrinkRefutation(_ c: Theorem4Case, thresholds: Thresholds = Thresholds(),
                                      maxShrinkSteps: Int = 8) -> (shrunk: Theorem4Case, steps: Int)? {
    let constant = Generator<Theorem4Case>(generate: { _, _ in c }, shrink: { shrinkCandidates($0) })
    let outcome = checkProperty("Theorem 4 counterexample", seed: c.seed, cases: 1, generator: constant,
                                maxShrinkSteps: maxShrinkSteps) { candidate in
      check(candidate, thresholds: thresholds).verdict == .refuted ? .fail("refuted") : .pass
    }
    guard let ce = outcome.counterexample else { return nil }
    return (ce.shrunk, ce.shrinkSteps)
  }
}
