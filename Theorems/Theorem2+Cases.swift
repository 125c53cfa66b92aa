import LinearAlgebra
import GradientFlow
import PropertyChecking

/// How a Theorem-2 sweep draws its cases.
public struct Theorem2SweepConfiguration: Sendable {
  public var networks: [NetworkKind] = NetworkKind.allCases
  public var depths: [Int] = [1, 2, 3, 4]
  public var cases = 12
  public var seed: UInt64 = 1
  public var loss = ClassificationLoss.exponential
  /// σ of the default N(0, σ²) initialization.
  public var initScale = 0.1
  /// Largest log(1/Loss) checkpoint.
  public var horizon = 1e4
  /// --against-norm P (nil: the theorem's 2/L).
  public var claimedExponent: Double?
  /// The run's budgets (`--max-seconds`, `--max-steps`), handed to every case.
  public var budget = FlowBudget()
  public init() {}

  /// Network kind and depth of case i: kinds cycle fastest, then depths.
  public func shape(ofCase i: Int) -> (NetworkKind, Int) {
    (networks[i % networks.count], depths[(i / networks.count) % depths.count])
  }

  /// The seed of case i: the sweep seed itself for case 0, then SplitMix-mixed seeds, so
  /// `--seed <case seed> --cases 1` with the same network and depth replays any case.
  /// Case seeds are kept below 2⁵³ so that JSON readers store them exactly.
  public func seed(ofCase i: Int) -> UInt64 {
    i == 0 ? seed : SeededGenerator.caseSeed(base: seed, index: i) & ((1 << 53) - 1)
  }
}

extension Theorem2 {
  /// The data family of a depth (chosen so that most cases decide within the horizon):
  /// - L = 1: n ∈ [6, 12], d ∈ [3, 6]; the SVM direction is approached like 1/log(1/Loss).
  /// - L = 2: n ∈ [3d, 4d], d ∈ [3, 5]: with n > d the ℓ1 optimum is generically a vertex
  ///   with every coordinate in the support or a clear gap, and certifies by 10³
  ///   (spec issue figures: 36 × 9 and 40 × 6 certified to 1e−15); with n < d the
  ///   depth-2 flow often sits far from its limit even at 10¹⁰.
  /// - L ≥ 3: n ∈ [5, 10], d ∈ [3, 6].
  public static func dataShape(depth: Int, using rng: inout SeededGenerator) -> (n: Int, d: Int) {
    switch depth {
    case 1: return (rng.integer(in: 6...12), rng.integer(in: 3...6))
    case 2:
      let d = rng.integer(in: 3...5)
      return (rng.integer(in: (3 * d)...(4 * d)), d)
    default: return (rng.integer(in: 5...10), rng.integer(in: 3...6))
    }
  }

  /// n Gaussian points in ℝᵈ labelled by a k-sparse Gaussian separator w*, keeping only
  /// points with |xᵀŵ*| ≥ γ (resampled otherwise), so the data are separable with margin
  /// at least γ along ŵ*.
  public static func separableData(n: Int, d: Int, sparsity k: Int, margin gamma: Double,
                                   using rng: inout SeededGenerator) -> ClassificationData {
    var w = [Double](repeating: 0, count: d)
    var idx = Array(0..<d)
    for j in 0..<min(k, d) {
      let pick = rng.integer(in: j...(d - 1))
      idx.swapAt(j, pick)
      w[idx[j]] = rng.gaussian()
    }
    if w.norm2 == 0 { w[0] = 1 }
    w = w.normalized
    var x = Matrix(rows: n, columns: d)
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var row = rng.gaussianVector(d)
      var tries = 0
      while abs(row.dot(w)) < gamma && tries < 1000 { row = rng.gaussianVector(d); tries += 1 }
      if abs(row.dot(w)) < gamma { row.addScaled(w, by: gamma * 2) }
      for j in 0..<d { x[i, j] = row[j] }
      y[i] = row.dot(w) >= 0 ? 1 : -1
    }
    return ClassificationData(inputs: x, labels: y)
  }

  /// A random real orthogonally decomposable network: S an orthogonal d × d matrix and
  /// U_l ((d + 1) × d) with orthonormal columns, from QR of Gaussian matrices.
  public static func randomDecomposition(dimension d: Int, depth: Int, using rng: inout SeededGenerator) -> LinearNetwork {
    let s = QRFactorization(rng.gaussianMatrix(rows: d, columns: d), pivoting: false).thinQ()
    let u = (0..<depth).map { _ in
      QRFactorization(rng.gaussianMatrix(rows: d + 1, columns: d), pivoting: false).thinQ()
    }
    return .orthogonallyDecomposable(s: s, u: u)
  }

  /// The network of a kind on ℝᵈ (a random decomposition for `.orthogonallyDecomposable`).
  public static func network(kind: NetworkKind, dimension d: Int, depth: Int,
                             using rng: inout SeededGenerator) -> LinearNetwork {
    switch kind {
    case .diagonal: return .diagonal(dimension: d, depth: depth)
    case .convolutional: return .convolutional(dimension: d, depth: depth)
    case .orthogonallyDecomposable: return randomDecomposition(dimension: d, depth: depth, using: &rng)
    }
  }

  /// The default initialization: every layer's parameters i.i.d. N(0, σ²) (so the
  /// transformed coordinates aₗ = U_lᵀvₗ are N(0, σ²) too, complex Gaussian with
  /// E|a|² = σ² for the Fourier modes of a convolutional network).
  public static func gaussianInitialization(network: LinearNetwork, scale: Double,
                                            using rng: inout SeededGenerator) -> [[Double]] {
    network.layerWidths.map { rng.gaussianVector($0, standardDeviation: scale) }
  }

  /// Case `seed` of a sweep with the given shape: data, network and initialization are all
  /// drawn from one generator seeded with `seed`.
  public static func generateCase(seed: UInt64, kind: NetworkKind, depth: Int,
                                  configuration: Theorem2SweepConfiguration) -> Theorem2Case {
    var rng = SeededGenerator(seed: seed)
    let (n, d) = dataShape(depth: depth, using: &rng)
    let k = rng.integer(in: 1...d)
    let data = separableData(n: n, d: d, sparsity: k, margin: 0.1, using: &rng)
    let net = network(kind: kind, dimension: d, depth: depth, using: &rng)
    let initial = gaussianInitialization(network: net, scale: configuration.initScale, using: &rng)
    var c = Theorem2Case(seed: seed, network: net, data: data, initialLayers: initial, loss: configuration.loss,
                         horizon: configuration.horizon, claimedExponent: configuration.claimedExponent)
    c.budget = configuration.budget
    return c
  }

  /// Shrink candidates of a case, simplest first: dimensions first (drop a point, then a
  /// feature), then entries (inputs rounded to 2 then 1 significant digits).
  /// Dropping a feature of a diagonal network drops that coordinate of every layer; other
  /// kinds redraw the network and initialization from the case seed.
  public static func shrinkCandidates(_ c: Theorem2Case, initScale: Double) -> [Theorem2Case] {
    var out: [Theorem2Case] = []
    let n = c.data.count, d = c.data.dimension
    if n > 2 {
      for i in 0..<n {
        var copy = c
        let keep = (0..<n).filter { $0 != i }
        copy.data = ClassificationData(inputs: c.data.inputs.selectingRows(keep), labels: keep.map { c.data.labels[$0] })
        out.append(copy)
      }
    }
    if d > 1 {
      for j in 0..<d {
        let keep = (0..<d).filter { $0 != j }
        var copy = c
        copy.data = ClassificationData(inputs: c.data.inputs.selectingColumns(keep), labels: c.data.labels)
        var rng = SeededGenerator(seed: c.seed)
        if c.network.kind == .diagonal {
          copy.network = .diagonal(dimension: d - 1, depth: c.network.depth)
          copy.initialLayers = c.initialLayers.map { layer in keep.map { layer[$0] } }
        } else {
          copy.network = network(kind: c.network.kind, dimension: d - 1, depth: c.network.depth, using: &rng)
          copy.initialLayers = gaussianInitialization(network: copy.network, scale: initScale, using: &rng)
        }
        out.append(copy)
      }
    }
    for digits in [2.0, 1.0] {
      var copy = c
      copy.data.inputs.storage = c.data.inputs.storage.map { roundSignificant($0, digits: digits) }
      if copy.data.inputs != c.data.inputs { out.append(copy) }
    }
    return out
  }

  /// Greedy shrinking of a refuted case: take the first candidate that is still refuted,
  /// repeat, at most `maxChecks` re-checks.
  public static func shrink(_ c: Theorem2Case, thresholds: Thresholds, initScale: Double,
                            maxChecks: Int = 16) -> (shrunk: Theorem2Case, result: CaseResult, steps: Int)? {
    var current = c
    var currentResult: CaseResult?
    var checks = 0, steps = 0
    var progress = true
    while progress && checks < maxChecks {
      progress = false
      for candidate in shrinkCandidates(current, initScale: initScale) {
        if checks >= maxChecks { break }
        checks += 1
        let r = check(candidate, thresholds: thresholds)
        if r.verdict == .refuted {
          current = candidate; currentResult = r; steps += 1; progress = true
          break
        }
      }
    }
    guard let currentResult else { return nil }
    return (current, currentResult, steps)
  }
}

/// x rounded to `digits` significant decimal digits.
func roundSignificant(_ x: Double, digits: Double) -> Double {
  guard x != 0, x.isFinite else { return x }
  let e = Elementary.log10(abs(x)).rounded(.down)
  let f = Elementary.pow(10, digits - 1 - e)
  return (x * f).rounded() / f
}

extension Theorem2 {
  /// The property-checking generator of Theorem-2 cases: each case's seed is drawn from the
  /// harness's per-case generator (kept below 2⁵³), its shape cycles through `networks` ×
  /// `depths` by that seed, and shrinking uses `shrinkCandidates` (dimensions first, then
  /// entries). `checkProperty` with this generator replays a case from its seed.
  public static func caseGenerator(_ configuration: Theorem2SweepConfiguration) -> Generator<Theorem2Case> {
    seededCaseGenerator(
      shapes: configuration.networks.count * configuration.depths.count,
      make: { seed, shape in
        let (kind, depth) = configuration.shape(ofCase: shape)
        return generateCase(seed: seed, kind: kind, depth: depth, configuration: configuration)
      },
      shrink: { shrinkCandidates($0, initScale: configuration.initScale) })
  }
}

/// A harness generator for a theorem's cases: each case's seed is drawn from the harness's
/// per-case generator and kept below 2⁵³ (exact in JSON), and the case's network shape is
/// `seed mod shapes`, so the seed alone replays it.
func seededCaseGenerator<Case>(shapes: Int, make: @escaping @Sendable (UInt64, Int) -> Case,
                               shrink: @escaping @Sendable (Case) -> [Case]) -> Generator<Case> {
  Generator(
    generate: { rng, _ in
      let seed = rng.next() & ((1 << 53) - 1)
      return make(seed, Int(seed % UInt64(shapes)))
    },
    shrink: shrink)
}
