import Testing
import LinearAlgebra
import GradientFlow
import Optimization
import PropertyChecking
@testable import Certification

/// Parameter-space KKT residuals (spec §2.2, §2.4, §4.1, §4.2, §4.8 a and c) at exactly
/// constructed KKT points — where they must sit at rounding level — and at perturbations,
/// where they must not.
@Suite("Parameter-space KKT, singular-vector tuples, alignment, Soudry")
struct ParameterKKTTests {
  // MARK: - Test networks (independent of GradientFlow's network types)

  /// A linear fully-connected network f(x) = xᵀW₁⋯W_{L−1}w_L, with w_L stored as a k×1 matrix.
  struct FullyConnected {
    var layers: [Matrix]

    init(_ layers: [Matrix]) { self.layers = layers }

    /// Rebuilds the layers from flat row-major blocks with the shapes of `like`.
    init(flat blocks: [[Double]], like other: FullyConnected) {
      layers = zip(blocks, other.layers).map { Matrix(rows: $1.rows, columns: $1.columns, storage: $0) }
    }

    var blocks: [[Double]] { layers.map(\.storage) }
    var flattened: [Double] { blocks.flatMap { $0 } }
    var sizes: [Int] { layers.map { $0.rows * $0.columns } }

    /// β = W₁⋯w_L.
    var product: [Double] {
      var b = layers[layers.count - 1].column(0)
      for l in stride(from: layers.count - 2, through: 0, by: -1) { b = layers[l] * b }
      return b
    }

    /// ∇_{Wₗ} f(x) = aₗbₗᵀ with aₗ = (W₁⋯Wₗ₋₁)ᵀx and bₗ = Wₗ₊₁⋯w_L, flattened row-major. For a
    /// linear tensor network this is also 𝓜(x)·(v₁, …, I, …, v_L).
    func gradient(_ x: [Double]) -> [[Double]] {
      let count = layers.count
      var prefixes = [x]
      for l in 0..<(count - 1) { prefixes.append(layers[l].transposedTimes(prefixes[l])) }
      var suffixes = [[Double]](repeating: [1], count: count)
      for l in stride(from: count - 2, through: 0, by: -1) { suffixes[l] = layers[l + 1] * suffixes[l + 1] }
      return (0..<count).map { l in prefixes[l].flatMap { a in suffixes[l].map { a * $0 } } }
    }
  }

  /// Margins qᵢ = ⟨∇_{v₁}f(zᵢ), v₁⟩ (multilinearity) and the n × P margin-gradient matrix of a
  /// linear tensor network given its per-layer gradient map.
  static func marginsAndGradients(z: Matrix, layers: [[Double]], gradient: ([Double]) -> [[Double]])
    -> (margins: [Double], gradients: Matrix) {
    let p = layers.reduce(0) { $0 + $1.count }
    var g = Matrix(rows: z.rows, columns: p)
    var q = [Double](repeating: 0, count: z.rows)
    for i in 0..<z.rows {
      let grads = gradient(z.row(i))
      q[i] = grads[0].dot(layers[0])
      for (c, value) in grads.flatMap({ $0 }).enumerated() { g[i, c] = value }
    }
    return (q, g)
  }

  /// The balanced rank-one factorisation of ŵ: W₁ = c·ŵ̂a₁ᵀ, Wₗ = c·aₗ₋₁aₗᵀ, w_L = c·a_{L−1},
  /// unit aₗ, c = ‖ŵ‖^{1/L}: every layer has norm c and β = ŵ exactly (up to rounding).
  static func balancedFactorization(of w: [Double], depth: Int, widths: [Int], rng: inout SeededGenerator)
    -> FullyConnected {
    precondition(widths.count == depth - 1)
    let c = Elementary.pow(w.norm2, 1 / Double(depth))
    var directions = [w.normalized]
    for k in widths { directions.append(rng.gaussianVector(k).normalized) }
    var layers: [Matrix] = []
    for l in 0..<(depth - 1) {
      let a = directions[l], b = directions[l + 1]
      layers.append(Matrix(rows: a.count, columns: b.count) { i, j in c * a[i] * b[j] })
    }
    layers.append(Matrix(rows: directions[depth - 1].count, columns: 1) { i, _ in c * directions[depth - 1][i] })
    return FullyConnected(layers)
  }

  static func svm(_ z: Matrix) throws -> SVMResult {
    let s = hardMarginSVM(z)
    try #require(s.status == .optimal, "SVM status \(s.status)")
    return s
  }

  // MARK: - Lyu–Li, linear model

  @Test("L = 1: the SVM solution is an exact KKT point at every scale", arguments: [1, 2, 3, 4] as [UInt64])
  func linearAtSVM(seed: UInt64) throws {
    let z = CertificationTests.separable(n: 15, d: 5, seed: seed)
    let svm = try Self.svm(z)
    for scale in [1.0, 37.0, 1e-3] {
      let theta = svm.w.scaled(by: scale)
      let r = try #require(lyuLiResidual(parameters: theta, margins: z * theta, marginGradients: z, degree: 1))
      #expect(r.epsilon <= 1e-12, "seed \(seed), scale \(scale): ε = \(r.epsilon)")
      #expect(r.delta <= 1e-12, "seed \(seed), scale \(scale): δ = \(r.delta)")
      #expect(r.multipliersConverged)
      #expect(abs((r.normalizedMargins.min() ?? 0) - 1) <= 1e-15)
      // θ̄ is the unit-margin SVM solution and λ its dual variables.
      #expect(r.normalizedParameters.subtracting(svm.w).norm2 <= 1e-12 * svm.norm2)
      #expect(z.transposedTimes(r.multipliers).subtracting(svm.w).norm2 <= 1e-11 * svm.norm2)
    }
  }

  @Test("L = 1 agrees with MaxMarginProblem.kktResidual (p = 2) away from the optimum", arguments: [5, 6, 7] as [UInt64])
  func linearMatchesTransformedKKT(seed: UInt64) throws {
    let z = CertificationTests.separable(n: 12, d: 4, seed: seed)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: seed &+ 100)
    var beta = svm.w
    beta.addScaled(rng.gaussianVector(4), by: 0.05 * svm.norm2)
    let mine = try #require(lyuLiResidual(parameters: beta, margins: z * beta, marginGradients: z, degree: 1),
                            "seed \(seed): β does not separate")
    let theirs = try #require(MaxMarginProblem(marginMatrix: z, space: .real(4), exponent: 2).kktResidual(at: beta))
    try #require(theirs.support.count == 4, "a coordinate fell below the support tolerance")
    #expect(mine.active == theirs.active)
    #expect(abs(mine.epsilon - theirs.stationarity) <= 1e-12, "\(mine.epsilon) vs \(theirs.stationarity)")
    #expect(abs(mine.delta - theirs.complementarySlackness) <= 1e-12 * max(1, mine.delta))
    #expect(mine.epsilon > 1e-3, "a perturbed direction should not be stationary: ε = \(mine.epsilon)")
  }

  @Test("no residual without a positive margin")
  func nonSeparating() {
    let z = Matrix([[1, 0], [0, 1]])
    #expect(lyuLiResidual(parameters: [1, -1], margins: z * [1, -1], marginGradients: z, degree: 1) == nil)
    #expect(lyuLiResidual(parameters: [0, 0], margins: [0, 0], marginGradients: z, degree: 1) == nil)
    #expect(svmStationarityResidual(z: z, direction: [1, 0]) == nil)
  }

  // MARK: - Fully-connected networks (Theorems 1 and 3)

  @Test("FC balanced rank-one factorisation of ŵ: Lyu–Li, tuple and alignment residuals vanish",
        arguments: [(2, 1), (2, 2), (3, 3), (3, 4), (4, 5)] as [(Int, UInt64)])
  func fullyConnectedExact(depth: Int, seed: UInt64) throws {
    let d = 5
    let z = CertificationTests.separable(n: 14, d: d, seed: seed)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: seed &+ 7)
    let widths = Array([4, 3, 6].prefix(depth - 1))
    let net = Self.balancedFactorization(of: svm.w, depth: depth, widths: widths, rng: &rng)
    #expect(net.product.subtracting(svm.w).norm2 <= 1e-13 * svm.norm2)
    let (q, g) = Self.marginsAndGradients(z: z, layers: net.blocks, gradient: net.gradient)
    let result = try #require(theoremOneResidual(
      parameters: net.flattened, layerSizes: net.sizes, margins: q, marginGradients: g, z: z,
      contractions: { u, unit in FullyConnected(flat: unit, like: net).gradient(u) }))
    let context = "depth \(depth), seed \(seed)"
    #expect(result.kkt.epsilon <= 1e-12, "\(context): ε = \(result.kkt.epsilon)")
    #expect(result.kkt.delta <= 1e-12, "\(context): δ = \(result.kkt.delta)")
    let tuple = try #require(result.tuple)
    #expect(tuple.holds(tolerance: 1e-12), "\(context): tuple residual \(tuple.residual), s = \(tuple.scale)")
    #expect(tuple.equalNormResidual <= 1e-13, "\(context): \(tuple.equalNormResidual)")
    // s = r^{2−L} with r the common layer norm of θ̄ (spec §2.2, "Equivalent checkable form").
    let r = result.kkt.normalizedParameters.norm2 / Double(depth).squareRoot()
    let expected = Elementary.pow(r, Double(2 - depth))
    #expect(abs(tuple.scale - expected) <= 1e-12 * expected, "\(context): s = \(tuple.scale), r^{2−L} = \(expected)")
    // u = Zᵀλ is along ŵ (Theorem 3: β ∝ u^∞).
    #expect(result.dualCombination.normalized.subtracting(svm.w.normalized).norm2 <= 1e-12)

    let alignment = try fullyConnectedAlignment(layers: net.layers, svmDirection: svm.w)
    #expect(alignment.maxRankOneRatio <= 1e-13, "\(context): σ₂/σ₁ = \(alignment.rankOneRatios)")
    #expect((alignment.frobeniusTails.max() ?? 1) <= 1e-13)
    #expect(alignment.minAlignment >= 1 - 1e-13,
            "\(context): alignments \(alignment.adjacentAlignments), \(String(describing: alignment.inputAlignment))")
    #expect(alignment.adjacentAlignments.count == depth - 1)
    #expect(alignment.rankOneRatios.last == 0, "a vector layer is rank one by definition")
  }

  @Test("FC random perturbation: every residual becomes clearly non-zero",
        arguments: [(2, 11), (3, 12), (4, 13)] as [(Int, UInt64)])
  func fullyConnectedPerturbed(depth: Int, seed: UInt64) throws {
    let z = CertificationTests.separable(n: 14, d: 5, seed: seed)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: seed &+ 7)
    var net = Self.balancedFactorization(of: svm.w, depth: depth, widths: Array([4, 3, 6].prefix(depth - 1)), rng: &rng)
    let c = net.layers[0].frobeniusNorm
    for l in net.layers.indices {
      let m = net.layers[l]
      net.layers[l] = m + rng.gaussianMatrix(rows: m.rows, columns: m.columns, standardDeviation: 0.05 * c)
    }
    let (q, g) = Self.marginsAndGradients(z: z, layers: net.blocks, gradient: net.gradient)
    let result = try #require(theoremOneResidual(
      parameters: net.flattened, layerSizes: net.sizes, margins: q, marginGradients: g, z: z,
      contractions: { u, unit in FullyConnected(flat: unit, like: net).gradient(u) }),
      "depth \(depth), seed \(seed): the perturbation broke separation")
    let context = "depth \(depth), seed \(seed)"
    #expect(result.kkt.epsilon >= 1e-2, "\(context): ε = \(result.kkt.epsilon)")
    let tuple = try #require(result.tuple)
    #expect(tuple.residual >= 1e-2, "\(context): tuple residual \(tuple.residual)")
    #expect(tuple.equalNormResidual >= 1e-3, "\(context): \(tuple.equalNormResidual)")
    let alignment = try fullyConnectedAlignment(layers: net.layers, svmDirection: svm.w)
    #expect(alignment.maxRankOneRatio >= 1e-2, "\(context): σ₂/σ₁ = \(alignment.rankOneRatios)")
    #expect(alignment.minAlignment <= 1 - 1e-4, "\(context): alignments \(alignment.adjacentAlignments)")
    let stationarity = try #require(svmStationarityResidual(z: z, direction: net.product, svm: svm))
    #expect((stationarity.angle ?? 0) >= 1e-3, "\(context): angle \(String(describing: stationarity.angle))")
  }

  @Test("near a KKT point the residuals grow linearly with the distance (active set unchanged)")
  func linearGrowthNearKKT() throws {
    let z = CertificationTests.separable(n: 14, d: 5, seed: 71)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: 72)
    let net = Self.balancedFactorization(of: svm.w, depth: 3, widths: [4, 3], rng: &rng)
    let directions = net.layers.map { rng.gaussianMatrix(rows: $0.rows, columns: $0.columns) }
    var epsilons: [Double] = [], tuples: [Double] = []
    var actives: [[Int]] = []
    for eta in [1e-8, 1e-6] {
      let moved = FullyConnected(zip(net.layers, directions).map { $0 + eta * $1 })
      let (q, g) = Self.marginsAndGradients(z: z, layers: moved.blocks, gradient: moved.gradient)
      let result = try #require(theoremOneResidual(
        parameters: moved.flattened, layerSizes: moved.sizes, margins: q, marginGradients: g, z: z,
        contractions: { u, unit in FullyConnected(flat: unit, like: moved).gradient(u) }))
      epsilons.append(result.kkt.epsilon)
      tuples.append(try #require(result.tuple).residual)
      actives.append(result.kkt.active)
    }
    #expect(actives[0] == actives[1])
    // Residual ≈ C·η: a 100× larger step gives a 100× larger residual (within a factor 2).
    for (name, r) in [("ε", epsilons), ("tuple", tuples)] {
      let ratio = r[1] / r[0]
      #expect(ratio >= 50 && ratio <= 200, "\(name): \(r[0]) at η = 1e-8, \(r[1]) at η = 1e-6")
    }
  }

  @Test("Lyu–Li is invariant under θ ↦ cθ for an L-homogeneous model (L = 3)")
  func scaleInvariance() throws {
    let z = CertificationTests.separable(n: 10, d: 4, seed: 31)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: 32)
    var net = Self.balancedFactorization(of: svm.w, depth: 3, widths: [3, 2], rng: &rng)
    for l in net.layers.indices {
      let m = net.layers[l]
      net.layers[l] = m + rng.gaussianMatrix(rows: m.rows, columns: m.columns, standardDeviation: 0.02)
    }
    func residual(_ scale: Double) throws -> LyuLiResidual {
      let scaled = FullyConnected(net.layers.map { scale * $0 })
      let (q, g) = Self.marginsAndGradients(z: z, layers: scaled.blocks, gradient: scaled.gradient)
      return try #require(lyuLiResidual(parameters: scaled.flattened, margins: q, marginGradients: g, degree: 3))
    }
    let base = try residual(1)
    for scale in [1e-2, 10.0, 1e5] {
      let other = try residual(scale)
      #expect(abs(other.epsilon - base.epsilon) <= 1e-10 * base.epsilon, "scale \(scale): \(other.epsilon) vs \(base.epsilon)")
      #expect(abs(other.delta - base.delta) <= 1e-10 * max(base.delta, 1e-12))
      #expect(other.normalizedParameters.subtracting(base.normalizedParameters).norm2 <= 1e-12 * base.normalizedParameters.norm2)
      #expect(other.active == base.active)
    }
  }

  // MARK: - Diagonal networks

  /// Per-layer gradients of f(x) = xᵀ(v₁ ⊙ v₂): (x ⊙ v₂, x ⊙ v₁).
  static func diagonalGradient(_ v: [[Double]]) -> ([Double]) -> [[Double]] {
    { x in [zip(x, v[1]).map { $0 * $1 }, zip(x, v[0]).map { $0 * $1 }] }
  }

  @Test("diagonal L = 2 lifted from the ℓ1 max-margin point is a KKT point; lifted from the SVM only if that is ℓ1-optimal",
        arguments: [41, 42, 43, 44] as [UInt64])
  func diagonalAtL1(seed: UInt64) throws {
    let z = CertificationTests.separable(n: 12, d: 5, seed: seed)
    let lp = l1MaxMargin(z)
    try #require(lp.status == .optimal)
    func lift(_ beta: [Double]) -> [[Double]] {
      let root = beta.map { abs($0).squareRoot() }
      return [zip(beta, root).map { $0 < 0 ? -$1 : $1 }, root]
    }
    let layers = lift(lp.beta)
    let (q, g) = Self.marginsAndGradients(z: z, layers: layers, gradient: Self.diagonalGradient(layers))
    let result = try #require(theoremOneResidual(
      parameters: layers.flatMap { $0 }, layerSizes: [5, 5], margins: q, marginGradients: g, z: z,
      contractions: { u, unit in Self.diagonalGradient(unit)(u) }))
    #expect(result.kkt.epsilon <= 1e-10, "seed \(seed): ε = \(result.kkt.epsilon)")
    #expect(result.kkt.delta <= 1e-10, "seed \(seed): δ = \(result.kkt.delta)")
    let tuple = try #require(result.tuple)
    #expect(tuple.holds(tolerance: 1e-10), "seed \(seed): \(tuple.residual), s = \(tuple.scale)")
    #expect(abs(tuple.scale - 1) <= 1e-10, "L = 2: s = r⁰ = 1, got \(tuple.scale)")

    // The SVM direction is not ℓ1-optimal (its support is every coordinate and it is not the LP's).
    let svm = try Self.svm(z)
    let wrong = lift(svm.w)
    let (q2, g2) = Self.marginsAndGradients(z: z, layers: wrong, gradient: Self.diagonalGradient(wrong))
    let r2 = try #require(lyuLiResidual(parameters: wrong.flatMap { $0 }, margins: q2, marginGradients: g2, degree: 2))
    if svm.w.norm1 > lp.norm1 * (1 + 1e-9) {
      #expect(r2.epsilon >= 1e-2, "seed \(seed): the SVM lifted to a diagonal net gave ε = \(r2.epsilon)")
    } else {
      // d support vectors in ℝ^d: one feasible vertex, optimal for both problems.
      #expect(r2.epsilon <= 1e-10, "seed \(seed): the SVM is ℓ1-optimal here, yet ε = \(r2.epsilon)")
    }
  }

  // MARK: - Singular-vector tuples

  @Test("tuple residual: exact tuple, negated u (s < 0) and equal-norm residual by hand")
  func tupleByHand() throws {
    // FC depth 2 (spec §1.4, 𝓜(u) = u ⊗ I): at unit layers Ŵ = abᵀ, ŵ₂ = b the contractions
    // are g_W = u ŵ₂ᵀ and g_w = Ŵᵀu; for u = 5a both equal 5× the layer.
    let a = [3.0, 4.0].normalized, b = [1.0, 2.0, 2.0].normalized
    let layers = [a.flatMap { x in b.map { x * $0 } }, b.scaled(by: 2)]
    let net = FullyConnected([Matrix(rows: 2, columns: 3, storage: layers[0]), Matrix(rows: 3, columns: 1, storage: layers[1])])
    let u = a.scaled(by: 5)
    let exact = try #require(singularVectorTupleResidual(layers: layers) { FullyConnected(flat: $0, like: net).gradient(u) })
    #expect(exact.residual <= 1e-15 && abs(exact.scale - 5) <= 1e-14, "\(exact.residual), s = \(exact.scale)")
    #expect(abs(exact.equalNormResidual - 0.6) <= 1e-15, "norms² 1 and 4: |1 − 2.5|/2.5 = 0.6, got \(exact.equalNormResidual)")
    let negated = try #require(singularVectorTupleResidual(layers: layers) {
      FullyConnected(flat: $0, like: net).gradient(u.scaled(by: -1))
    })
    #expect(!negated.scaleIsPositive && !negated.holds(tolerance: 1))
    #expect(negated.residual <= 1e-15, "a negative s is still a tuple up to sign")
    #expect(singularVectorTupleResidual(layers: [[0, 0], [1]], contractions: [[0, 0], [1]]) == nil)
    #expect(equalNormResidual(layers: [[1, 0], [0, 3]]) == 0.8)
    #expect(equalNormResidual(layers: [[0], [0]]) == nil)
  }

  // MARK: - SVM stationarity (§4.8 a)

  @Test("SVM stationarity: ~0 at ŵ, large at a wrong separating direction", arguments: [51, 52, 53] as [UInt64])
  func svmStationarity(seed: UInt64) throws {
    let z = CertificationTests.separable(n: 16, d: 6, seed: seed)
    let svm = try Self.svm(z)
    let atOptimum = try #require(svmStationarityResidual(z: z, direction: svm.w.scaled(by: 3)))
    #expect(atOptimum.stationarity <= 1e-12, "seed \(seed): r_stat = \(atOptimum.stationarity)")
    #expect(atOptimum.complementarySlackness <= 1e-12)
    #expect((atOptimum.angle ?? 1) <= 1e-12, "seed \(seed): r_angle = \(String(describing: atOptimum.angle))")
    // The ℓ1 max-margin direction separates the data but is not the SVM.
    let wrong = l1MaxMargin(z).beta
    let off = try #require(svmStationarityResidual(z: z, direction: wrong, svm: svm))
    #expect(off.stationarity >= 1e-2, "seed \(seed): r_stat = \(off.stationarity)")
    #expect((off.angle ?? 0) >= 1e-2, "seed \(seed): r_angle = \(String(describing: off.angle))")
    #expect(off.total >= off.stationarity)
  }

  // MARK: - Alignment edge cases

  @Test("alignment of a one-layer (vector) network and of a zero layer")
  func alignmentEdges() throws {
    let w = Matrix(rows: 3, columns: 1, storage: [1, 2, 2])
    let one = try fullyConnectedAlignment(layers: [w], svmDirection: [2, 4, 4])
    #expect(one.rankOneRatios == [0] && one.adjacentAlignments.isEmpty)
    #expect(abs((one.inputAlignment ?? 0) - 1) <= 1e-15)
    let zero = try fullyConnectedAlignment(layers: [Matrix(rows: 2, columns: 3), Matrix(rows: 3, columns: 1, storage: [1, 0, 0])])
    #expect(zero.rankOneRatios[0] == 1 && zero.adjacentAlignments == [0])
    // A rank-two first layer: σ₂/σ₁ read off a diagonal matrix.
    let two = try fullyConnectedAlignment(layers: [Matrix.diagonal([4, 1]), Matrix(rows: 2, columns: 1, storage: [1, 0])])
    #expect(abs(two.rankOneRatios[0] - 0.25) <= 1e-15 && abs(two.adjacentAlignments[0] - 1) <= 1e-15)
    #expect(abs(two.frobeniusTails[0] - 1 / Double(17).squareRoot()) <= 1e-15)
  }

  // MARK: - Soudry (§4.1)

  @Test("Soudry: ρ bounded for ŵ log t + const, growing for ŵ log t + ŵ⊥√(log t)")
  func soudry() throws {
    let z = CertificationTests.separable(n: 12, d: 4, seed: 61)
    let svm = try Self.svm(z)
    var rng = SeededGenerator(seed: 62)
    let constant = rng.gaussianVector(4)
    var perpendicular = rng.gaussianVector(4)
    perpendicular.addScaled(svm.w, by: -perpendicular.dot(svm.w) / svm.w.dot(svm.w))
    perpendicular = perpendicular.normalized
    let logTimes = [10.0, 1e2, 1e3, 1e4, 1e5, 1e6]

    let bounded = soudryResidual(weights: logTimes.map { svm.w.scaled(by: $0).adding(constant) },
                                 logTimes: logTimes, svmSolution: svm.w)
    #expect(bounded.looksBounded(), "exponent \(String(describing: bounded.residualGrowthExponent))")
    #expect(abs(bounded.residualGrowthExponent ?? 1) <= 1e-6)
    for norm in bounded.residualNorms {
      #expect(abs(norm - constant.norm2) <= 1e-9 * constant.norm2, "‖ρ‖ = \(norm) vs \(constant.norm2)")
    }
    // e·log t → ‖P⊥ const‖/‖ŵ‖: bounded.
    #expect((bounded.scaledErrorGrowthExponent ?? 1) <= 0.05, "\(bounded.scaledDirectionErrors)")
    #expect(bounded.directionErrors.last! <= 1e-5)

    let growing = soudryResidual(
      weights: logTimes.map { svm.w.scaled(by: $0).adding(perpendicular.scaled(by: $0.squareRoot())).adding(constant) },
      logTimes: logTimes, svmSolution: svm.w)
    #expect(!growing.looksBounded(), "exponent \(String(describing: growing.residualGrowthExponent))")
    #expect(abs((growing.residualGrowthExponent ?? 0) - 0.5) <= 0.1, "\(String(describing: growing.residualGrowthExponent))")
    #expect(growing.maxResidualNorm >= 900)
    #expect((growing.scaledErrorGrowthExponent ?? 0) >= 0.4, "\(growing.scaledDirectionErrors)")
  }
}
