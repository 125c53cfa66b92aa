import Testing
import LinearAlgebra
import PropertyChecking
@testable import GradientFlow

/// The structured Woodbury matrix and solve of ``ClassificationFlow`` (K through A·Λ·Aᵀ,
/// solves through A and B, never forming Jₘ) against the dense formula they replace:
///   K = Iₙ + cW·Jₘ·D⁻¹U′,  U′ = M⁻¹Jₘᵀ − G(JₘG)ᵀ/‖G‖²_M,
///   x = D⁻¹b − D⁻¹U′·K⁻¹·cW·Jₘ·D⁻¹b,
/// with Jₘ, D = sI − cH and D⁻¹U′ formed as dense matrices. Both are rounding-error
/// accurate, so they agree to a small multiple of ε times the condition of the pieces:
/// 1e-12 relative (observed ≈ 1e-15).
@Suite("Structured Woodbury solve")
struct StructuredWoodburyTests {
  struct Case: Sendable, CustomStringConvertible {
    var kind: NetworkKind
    var depth: Int
    var points: Int
    var dimension: Int
    var loss: ClassificationLoss
    var description: String { "\(kind) L=\(depth) n=\(points) d=\(dimension) \(loss)" }
  }

  static let cases: [Case] = [
    Case(kind: .diagonal, depth: 1, points: 6, dimension: 5, loss: .exponential),
    Case(kind: .diagonal, depth: 2, points: 9, dimension: 7, loss: .logistic),
    Case(kind: .diagonal, depth: 3, points: 11, dimension: 13, loss: .exponential),
    Case(kind: .diagonal, depth: 4, points: 5, dimension: 6, loss: .logistic),
    Case(kind: .convolutional, depth: 1, points: 7, dimension: 6, loss: .exponential),
    Case(kind: .convolutional, depth: 2, points: 8, dimension: 7, loss: .logistic),
    Case(kind: .convolutional, depth: 3, points: 10, dimension: 8, loss: .exponential),
    Case(kind: .convolutional, depth: 4, points: 6, dimension: 9, loss: .logistic),
  ]

  static func problem(_ c: Case, seed: UInt64) -> (ClassificationFlow, [Double]) {
    var rng = SeededGenerator(seed: seed)
    let x = rng.gaussianMatrix(rows: c.points, columns: c.dimension)
    let y = (0..<c.points).map { _ in rng.uniform() < 0.5 ? -1.0 : 1.0 }
    let net: LinearNetwork = c.kind == .diagonal
      ? .diagonal(dimension: c.dimension, depth: c.depth) : .convolutional(dimension: c.dimension, depth: c.depth)
    let state = rng.gaussianVector(c.depth * net.space.coordinateCount, standardDeviation: 0.7)
    return (ClassificationFlow(network: net, data: ClassificationData(inputs: x, labels: y), loss: c.loss), state)
  }

  /// The dense pieces of the old implementation: K, D⁻¹U′ (dim × n), Jₘ, W, c and D.
  struct Dense {
    var k: Matrix
    var dInverseU: Matrix
    var jm: Matrix
    var w: Matrix
    var clock: Double
    var d: LUFactorization
  }

  static func dense(_ flow: ClassificationFlow, at y: [Double], shift: Double) throws -> Dense {
    let obs = flow.observe(y)
    let p = obs.weights, n = p.count, dim = flow.dimension
    let q = flow.marginMatrix.transposedTimes(p)
    let g = flow.rawField(y, q: q)
    let c = flow.clockFactor(y, gradient: g)
    let m = flow.metricWeights
    let jm = flow.marginGradients(y)
    let jg = jm * g
    var g2 = 0.0
    for k in 0..<dim { g2 += m[k] * g[k] * g[k] }
    var w = Matrix(rows: n, columns: n)
    for i in 0..<n {
      for k in 0..<n { w[i, k] = -p[i] * p[k] }
      w[i, i] += p[i] * flow.loss.weightDecayRate(margin: obs.margins[i])
    }
    // D = sI − cH, block diagonal.
    var d = Matrix(rows: dim, columns: dim)
    let sp = flow.network.space, L = flow.network.depth
    for grp in 0..<sp.groupCount {
      let h = flow.modeHessian(y, group: grp, q: q)
      let base = L * sp.offsets[grp]
      for r in 0..<h.rows { for k in 0..<h.columns { d[base + r, base + k] = -c * h[r, k] } }
    }
    for k in 0..<dim { d[k, k] += shift }
    let dFactor = try LUFactorization(d)
    // U′ = M⁻¹Jₘᵀ − G (JₘG)ᵀ/‖G‖²_M (dim × n).
    let u = Matrix(rows: dim, columns: n) { k, i in jm[i, k] / m[k] - g[k] * jg[i] / g2 }
    let du = dFactor.solve(u)
    var k = c * (w * (jm * du))
    for i in 0..<n { k[i, i] += 1 }
    return Dense(k: k, dInverseU: du, jm: jm, w: w, clock: c, d: dFactor)
  }

  @Test("K through A·Λ·Aᵀ equals Iₙ + cW·Jₘ·D⁻¹U′ formed densely", arguments: cases)
  func woodburyMatrixMatchesDense(c: Case) throws {
    for seed: UInt64 in [1, 2, 3] {
      var (flow, state) = Self.problem(c, seed: seed)
      for shift in [0.3, 3.7, 250.0] {
        let reference = try Self.dense(flow, at: state, shift: shift)
        let k = try flow.woodburyMatrix(at: state, shift: shift)
        let err = (k - reference.k).frobeniusNorm / reference.k.frobeniusNorm
        #expect(err <= 1e-12, "\(c), seed \(seed), shift \(shift): ‖K − K_dense‖_F/‖K_dense‖_F = \(err)")
      }
    }
  }

  @Test("the structured solve equals D⁻¹b − D⁻¹U′K⁻¹cWJₘD⁻¹b formed densely", arguments: cases)
  func solveMatchesDense(c: Case) throws {
    for seed: UInt64 in [4, 5, 6] {
      var (flow, state) = Self.problem(c, seed: seed)
      var f = [Double](repeating: 0, count: flow.dimension)
      flow.evaluate(state, into: &f)
      var rng = SeededGenerator(seed: seed &+ 100)
      for shift in [0.3, 3.7, 250.0] {
        try flow.prepareSolves(at: state, derivative: f, shift: shift)
        let reference = try Self.dense(flow, at: state, shift: shift)
        for b in [f, rng.gaussianVector(flow.dimension)] {
          var x = b
          try flow.solveShifted(&x)
          let x0 = reference.d.solve(b)
          let z = try LUFactorization(reference.k).solve((reference.w * (reference.jm * x0)).scaled(by: reference.clock))
          let expected = x0.subtracting(reference.dInverseU * z)
          let err = x.subtracting(expected).norm2 / expected.norm2
          #expect(err <= 1e-12, "\(c), seed \(seed), shift \(shift): relative difference \(err)")
        }
      }
    }
  }

  /// The flow holds its work memory in a class; copies must still behave as values.
  @Test("a copy of a prepared flow keeps its own solve operator")
  func copiesAreIndependent() throws {
    let (base, state) = Self.problem(Self.cases[6], seed: 8)
    var flow = base
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    try flow.prepareSolves(at: state, derivative: f, shift: 2)
    var before = f
    try flow.solveShifted(&before)
    var copy = flow
    let elsewhere = state.map { 1.5 * $0 }
    var g = f
    copy.evaluate(elsewhere, into: &g)
    try copy.prepareSolves(at: elsewhere, derivative: g, shift: 7)
    var after = f
    try flow.solveShifted(&after)
    #expect(after == before, "preparing a copy changed the original's solves")
    var fromCopy = f
    try copy.solveShifted(&fromCopy)
    #expect(fromCopy != before, "the copy did not take its own operator")
    // An unprepared flow refuses to solve.
    var fresh = base
    var b = f
    #expect(throws: LinearAlgebraError.singular(pivot: 0)) { try fresh.solveShifted(&b) }
  }

  @Test("evaluate agrees with observe, rawField and clockFactor", arguments: cases)
  func evaluateMatchesReference(c: Case) {
    var (flow, state) = Self.problem(c, seed: 9)
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    let obs = flow.observe(state)
    let q = flow.marginMatrix.transposedTimes(obs.weights)
    let g = flow.rawField(state, q: q)
    let clock = flow.clockFactor(state, gradient: g)
    let expected = g.scaled(by: clock)
    let err = f.subtracting(expected).norm2 / expected.norm2
    #expect(err <= 1e-13, "\(c): relative difference \(err)")
  }
}
