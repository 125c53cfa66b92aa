import Testing
import LinearAlgebra
import PropertyChecking
@testable import GradientFlow

/// Checks of the network flow against definitions: the vector field is the (metric-scaled)
/// gradient of Σ pᵢ mᵢ, the conserved quantities of spec §5 stay put, the convolutional
/// transform matches f(x) = xᵀβ, and the Woodbury solves invert (sI − J).
@Suite("Classification flow")
struct ClassificationFlowTests {
  static func randomProblem(kind: NetworkKind, depth: Int, seed: UInt64) -> (LinearNetwork, ClassificationData, [Double]) {
    var rng = SeededGenerator(seed: seed)
    let d = 5, n = 7
    let x = rng.gaussianMatrix(rows: n, columns: d)
    let y = (0..<n).map { _ in rng.uniform() < 0.5 ? -1.0 : 1.0 }
    let net: LinearNetwork = kind == .diagonal ? .diagonal(dimension: d, depth: depth) : .convolutional(dimension: d, depth: depth)
    let state = rng.gaussianVector(depth * net.space.coordinateCount, standardDeviation: 0.7)
    return (net, ClassificationData(inputs: x, labels: y), state)
  }

  @Test("f(x) = xᵀβ equals the tensor contraction of the circular convolution", arguments: [1, 2, 3])
  func convolutionMatchesDefinition(depth: Int) {
    // 𝓜(x)_{i₁…i_L} = x_{(i₁+…+i_L) mod d}: f = Σ over index tuples of x · Πₗ vₗ[iₗ].
    var rng = SeededGenerator(seed: 11)
    let d = 5
    let net = LinearNetwork.convolutional(dimension: d, depth: depth)
    let layers = (0..<depth).map { _ in rng.gaussianVector(d) }
    let x = rng.gaussianVector(d)
    var direct = 0.0
    var idx = [Int](repeating: 0, count: depth)
    for _ in 0..<Int(Elementary.pow(Double(d), Double(depth))) {
      var prod = x[idx.reduce(0, +) % d]
      for l in 0..<depth { prod *= layers[l][idx[l]] }
      direct += prod
      var k = 0
      while k < depth { idx[k] += 1; if idx[k] < d { break }; idx[k] = 0; k += 1 }
    }
    let data = ClassificationData(inputs: Matrix([x]), labels: [1])
    let flow = ClassificationFlow(network: net, data: data, loss: .exponential)
    var state = [Double](repeating: 0, count: flow.dimension)
    let a = layers.enumerated().map { net.transformedLayer($0.element, layer: $0.offset) }
    for g in 0..<net.space.groupCount {
      let w = net.space.isComplex[g] ? 2 : 1
      for l in 0..<depth { for c in 0..<w { state[depth * net.space.offsets[g] + l * w + c] = a[l][net.space.offsets[g] + c] } }
    }
    let viaModes = flow.observe(state).margins[0]
    #expect(abs(viaModes - direct) <= 1e-12 * max(1, abs(direct)), "modes \(viaModes) vs direct \(direct)")
  }

  @Test("the vector field is c·M⁻¹∇(Σ pᵢmᵢ) with p frozen (finite differences)",
        arguments: [(NetworkKind.diagonal, 1), (.diagonal, 3), (.convolutional, 2), (.convolutional, 3)])
  func vectorFieldIsScaledGradient(kind: NetworkKind, depth: Int) {
    let (net, data, state) = Self.randomProblem(kind: kind, depth: depth, seed: 5)
    var flow = ClassificationFlow(network: net, data: data, loss: .logistic)
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    let obs = flow.observe(state)
    let c = flow.clockFactor(state)
    let m = flow.metricWeights
    let h = 1e-6
    for k in 0..<state.count {
      var plus = state, minus = state
      plus[k] += h; minus[k] -= h
      let mp = flow.observe(plus).margins, mm = flow.observe(minus).margins
      var dsum = 0.0
      for i in obs.weights.indices { dsum += obs.weights[i] * (mp[i] - mm[i]) / (2 * h) }
      let expected = c * dsum / m[k]
      #expect(abs(f[k] - expected) <= 1e-6 * max(1, abs(expected)), "component \(k): \(f[k]) vs \(expected)")
    }
  }

  @Test("Woodbury solve inverts sI − cH + c U′WJₘ (H per mode, U′ = M⁻¹Jₘᵀ − G(JₘG)ᵀ/‖G‖²_M)",
        arguments: [(NetworkKind.diagonal, 1), (.diagonal, 3), (.convolutional, 2), (.convolutional, 4)])
  func woodburySolve(kind: NetworkKind, depth: Int) throws {
    let (net, data, state) = Self.randomProblem(kind: kind, depth: depth, seed: 9)
    var flow = ClassificationFlow(network: net, data: data, loss: .exponential)
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    let shift = 3.7
    try flow.prepareSolves(at: state, derivative: f, shift: shift)
    var rng = SeededGenerator(seed: 3)
    let b = rng.gaussianVector(flow.dimension)
    var x = b
    try flow.solveShifted(&x)
    // Apply the operator explicitly.
    let jm = flow.marginGradients(state)
    let obs = flow.observe(state)
    let n = obs.weights.count
    let jx = jm * x
    var wjx = [Double](repeating: 0, count: n)
    let pj = zip(obs.weights, jx).map { $0 * $1 }.reduce(0, +)
    for i in 0..<n { wjx[i] = obs.weights[i] * jx[i] - obs.weights[i] * pj }
    let back = jm.transposedTimes(wjx)
    let c = flow.clockFactor(state)
    let m = flow.metricWeights
    let g = f.map { $0 / c }  // G = f/c
    let jg = jm * g
    var g2 = 0.0
    for k in g.indices { g2 += m[k] * g[k] * g[k] }
    let radial = jg.dot(wjx) / g2
    var applied = (0..<x.count).map { shift * x[$0] + c * (back[$0] / m[$0] - g[$0] * radial) }
    let sp = net.space
    for grp in 0..<sp.groupCount {
      let h = flow.modeHessian(state, group: grp)
      let base = depth * sp.offsets[grp]
      for r in 0..<h.rows { for k in 0..<h.columns { applied[base + r] -= c * h[r, k] * x[base + k] } }
    }
    let err = applied.subtracting(b).norm2 / b.norm2
    #expect(err <= 1e-10, "relative residual \(err)")
  }

  /// A W-method needs one matrix for all stages of a step: evaluating the vector field at
  /// a stage point between solves must not change the solve operator. (A cached clock once
  /// leaked from `evaluate` into the solves: the error estimate became O(h) and steps
  /// shrank 40-fold at depth 4.)
  @Test("solves are unchanged by evaluations between them")
  func solveOperatorIsFrozen() throws {
    let (net, data, state) = Self.randomProblem(kind: .diagonal, depth: 3, seed: 12)
    var flow = ClassificationFlow(network: net, data: data, loss: .exponential)
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    try flow.prepareSolves(at: state, derivative: f, shift: 2)
    let b = f
    var x1 = b
    try flow.solveShifted(&x1)
    var elsewhere = state.map { 2 * $0 }
    flow.evaluate(elsewhere, into: &elsewhere)
    var x2 = b
    try flow.solveShifted(&x2)
    #expect(x1 == x2)
  }

  /// The Hessian block of each mode matches finite differences of the frozen-weight field.
  @Test("mode Hessian blocks match finite differences", arguments: [NetworkKind.diagonal, .convolutional])
  func modeHessian(kind: NetworkKind) throws {
    let (net, data, state) = Self.randomProblem(kind: kind, depth: 3, seed: 14)
    var flow = ClassificationFlow(network: net, data: data, loss: .exponential)
    var f = [Double](repeating: 0, count: flow.dimension)
    flow.evaluate(state, into: &f)
    try flow.prepareSolves(at: state, derivative: f, shift: 1)
    let q = flow.marginMatrix.transposedTimes(flow.observe(state).weights)
    let sp = net.space, h = 1e-6
    for grp in 0..<sp.groupCount {
      let block = flow.modeHessian(state, group: grp)
      let base = 3 * sp.offsets[grp]
      for k in 0..<block.columns {
        var plus = state, minus = state
        plus[base + k] += h; minus[base + k] -= h
        let fp = flow.rawField(plus, q: q), fm = flow.rawField(minus, q: q)
        for r in 0..<block.rows {
          let fd = (fp[base + r] - fm[base + r]) / (2 * h)
          #expect(abs(fd - block[r, k]) <= 1e-7 * max(1, abs(fd)), "mode \(grp) (\(r), \(k)): \(block[r, k]) vs \(fd)")
        }
      }
    }
  }

  @Test("per-mode conserved quantities drift by ~rtol along a trajectory", arguments: [NetworkKind.diagonal, .convolutional])
  func conservation(kind: NetworkKind) {
    let (net, _, _) = Self.randomProblem(kind: kind, depth: 3, seed: 21)
    var rng = SeededGenerator(seed: 4)
    let w = rng.gaussianVector(5)
    let x = rng.gaussianMatrix(rows: 8, columns: 5)
    let y = (0..<8).map { i in x.row(i).dot(w) >= 0 ? 1.0 : -1.0 }
    let data = ClassificationData(inputs: x, labels: y)
    let state = rng.gaussianVector(3 * net.space.coordinateCount, standardDeviation: 0.3)
    // rtol 1e-8: the drift of a conserved quantity is an accumulated integration error,
    // expected within ~10·rtol over these few hundred steps.
    var options = TrajectoryOptions(checkpoints: [10, 100])
    options.tolerances = IntegratorTolerances(relative: 1e-8, absolute: 1e-12)
    let t = integrateClassificationFlow(network: net, data: data, loss: .exponential, initialState: state,
                                        options: options)
    #expect(t.stop == .completed)
    for cp in t.checkpoints {
      #expect(cp.conservationDrift <= 1e-7, "drift \(cp.conservationDrift) at log(1/Loss) = \(cp.logInverseLoss)")
      #expect(abs(cp.logInverseLoss / [10.0, 100][t.checkpoints.firstIndex { $0.clock == cp.clock }!] - 1) <= 1e-3)
    }
  }
}
