import Testing
import LinearAlgebra
import PropertyChecking
@testable import GradientFlow

/// General linear tensor networks (spec §1.3–1.4) against brute-force materialized data
/// tensors and finite differences, and their classification and regression flows.
@Suite("Tensor network")
struct TensorNetworkTests {
  // MARK: - Brute force

  /// The architectures under test, with the layer shapes they imply.
  static let networks: [(String, TensorNetwork)] = {
    var rng = SeededGenerator(seed: 41)
    let dims = [2, 3, 2]
    let slices = (0..<4).map { _ in rng.gaussianVector(dims.reduce(1, *)) }
    return [
      ("FC d=3 widths [2,3]", .fullyConnected(inputDimension: 3, widths: [2, 3])),
      ("FC d=3 widths [] (linear)", .fullyConnected(inputDimension: 3, widths: [])),
      ("FC d=2 widths [3]", .fullyConnected(inputDimension: 2, widths: [3])),
      ("conv d=5 filters [3,2,4]", .convolutional(inputDimension: 5, filterSizes: [3, 2, 4])),
      ("conv d=5 filters [5,5]", .convolutional(inputDimension: 5, filterSizes: [5, 5])),
      ("conv d=4 filters [1,4,2,3]", .convolutional(inputDimension: 4, filterSizes: [1, 4, 2, 3])),
      ("diagonal d=3 L=3", .diagonal(inputDimension: 3, depth: 3)),
      ("user tensor d=4 dims [2,3,2]", TensorNetwork(.tensor(dimensions: dims, slices: slices), inputDimension: 4)),
    ]
  }()

  /// All multi-indices of a shape, last index fastest.
  static func multiIndices(_ shape: [Int]) -> [[Int]] {
    var out: [[Int]] = [[]]
    for k in shape { out = out.flatMap { prefix in (0..<k).map { prefix + [$0] } } }
    return out
  }

  /// 𝓜(x) materialized entry by entry from the definitions of spec §1.4 (not from the
  /// implementation's contractions), row-major over `layerSizes`.
  static func materialize(_ net: TensorNetwork, _ x: [Double]) -> [Double] {
    let d = net.inputDimension
    return multiIndices(net.layerSizes).map { idx -> Double in
      switch net.architecture {
      case .fullyConnected(let widths):
        // Layer l < L has index (a_{l−1}, b_l) = (i / k_l, i % k_l); the last has a_{L−1}.
        let dims = [d] + widths
        let L = net.depth
        var a: [Int] = [], b: [Int] = []
        for l in 1..<L { a.append(idx[l - 1] / dims[l]); b.append(idx[l - 1] % dims[l]) }
        a.append(idx[L - 1])
        // a[0] = a₀; need b_l = a_l for l = 1 … L−1 (a_l is the row index of layer l+1).
        for l in 1..<L where b[l - 1] != a[l] { return 0 }
        return x[a[0]]
      case .convolutional:
        return x[idx.reduce(0, +) % d]
      case .diagonal:
        return idx.allSatisfy { $0 == idx[0] } ? x[idx[0]] : 0
      case .tensor(_, let slices):
        var flat = 0
        for (l, i) in idx.enumerated() { flat = flat * net.layerSizes[l] + i }
        return (0..<d).reduce(0.0) { $0 + x[$1] * slices[$1][flat] }
      }
    }
  }

  /// T·(v₁, …, v_L) and the contractions T·(…, I, …), by summing over every entry.
  static func denseContract(_ t: [Double], shape: [Int], layers: [[Double]]) -> (Double, [[Double]]) {
    var total = 0.0
    var grads = shape.map { [Double](repeating: 0, count: $0) }
    for (e, idx) in multiIndices(shape).enumerated() {
      var all = t[e]
      for l in idx.indices { all *= layers[l][idx[l]] }
      total += all
      for l in idx.indices {
        var others = t[e]
        for m in idx.indices where m != l { others *= layers[m][idx[m]] }
        grads[l][idx[l]] += others
      }
    }
    return (total, grads)
  }

  static func randomLayers(_ net: TensorNetwork, _ rng: inout SeededGenerator, scale: Double = 1) -> [[Double]] {
    net.layerSizes.map { rng.gaussianVector($0, standardDeviation: scale) }
  }

  static func close(_ a: Double, _ b: Double, _ tol: Double, scale: Double = 1) -> Bool {
    abs(a - b) <= tol * max(scale, abs(a), abs(b))
  }

  // MARK: - Network

  @Test("output and contractions equal the materialized tensor's", arguments: 0..<8)
  func matchesMaterializedTensor(which: Int) {
    let (name, net) = Self.networks[which]
    var rng = SeededGenerator(seed: 7 + UInt64(which))
    for _ in 0..<3 {
      let layers = Self.randomLayers(net, &rng)
      let x = rng.gaussianVector(net.inputDimension)
      let (f, grads) = Self.denseContract(Self.materialize(net, x), shape: net.layerSizes, layers: layers)
      #expect(Self.close(net.output(x, layers: layers), f, 1e-12), "\(name): output \(net.output(x, layers: layers)) vs \(f)")
      let c = net.contractions(x, layers: layers)
      for l in 0..<net.depth {
        for i in 0..<net.layerSizes[l] {
          #expect(Self.close(c[l][i], grads[l][i], 1e-12, scale: f), "\(name): layer \(l) entry \(i): \(c[l][i]) vs \(grads[l][i])")
        }
      }
    }
  }

  @Test("contractions are the gradient of the output (central differences)", arguments: 0..<8)
  func contractionsAreGradients(which: Int) {
    let (name, net) = Self.networks[which]
    var rng = SeededGenerator(seed: 90 + UInt64(which))
    let layers = Self.randomLayers(net, &rng)
    let x = rng.gaussianVector(net.inputDimension)
    let c = net.contractions(x, layers: layers)
    // f is affine in each single parameter: central differences are exact up to rounding.
    let h = 1e-3
    for l in 0..<net.depth {
      for i in 0..<net.layerSizes[l] {
        var plus = layers, minus = layers
        plus[l][i] += h
        minus[l][i] -= h
        let fd = (net.output(x, layers: plus) - net.output(x, layers: minus)) / (2 * h)
        #expect(abs(fd - c[l][i]) <= 1e-9 * max(1, abs(fd)), "\(name): layer \(l) entry \(i): \(c[l][i]) vs \(fd)")
      }
    }
  }

  @Test("the Hessian is symmetric, zero on diagonal blocks and the derivative of the contractions", arguments: 0..<8)
  func hessianMatchesDifferences(which: Int) {
    let (name, net) = Self.networks[which]
    var rng = SeededGenerator(seed: 150 + UInt64(which))
    let layers = Self.randomLayers(net, &rng)
    let u = rng.gaussianVector(net.inputDimension)
    let hess = net.hessian(u, layers: layers)
    let state = net.flatten(layers)
    let n = net.parameterCount, h = 1e-3
    var worst = 0.0
    for j in 0..<n {
      var plus = state, minus = state
      plus[j] += h
      minus[j] -= h
      let gp = net.gradient(u, layers: net.unflatten(plus)), gm = net.gradient(u, layers: net.unflatten(minus))
      for i in 0..<n {
        worst = max(worst, abs((gp[i] - gm[i]) / (2 * h) - hess[i, j]))
        worst = max(worst, abs(hess[i, j] - hess[j, i]))
      }
    }
    #expect(worst <= 1e-9, "\(name): worst Hessian error \(worst)")
    for l in 0..<net.depth {
      for a in 0..<net.layerSizes[l] {
        for b in 0..<net.layerSizes[l] { #expect(hess[net.layerOffsets[l] + a, net.layerOffsets[l] + b] == 0) }
      }
    }
  }

  @Test("linear coefficients: βₖ = f(eₖ), f(x) = xᵀβ, and FC β = W₁⋯w_L", arguments: 0..<8)
  func linearCoefficientsAreConsistent(which: Int) {
    let (name, net) = Self.networks[which]
    var rng = SeededGenerator(seed: 300 + UInt64(which))
    let layers = Self.randomLayers(net, &rng)
    let beta = net.linearCoefficients(layers)
    let d = net.inputDimension
    for k in 0..<d {
      var e = [Double](repeating: 0, count: d)
      e[k] = 1
      let (fk, _) = Self.denseContract(Self.materialize(net, e), shape: net.layerSizes, layers: layers)
      #expect(Self.close(beta[k], fk, 1e-12), "\(name): β[\(k)] = \(beta[k]) vs 𝓜(e_k)·Θ = \(fk)")
    }
    let x = rng.gaussianVector(d)
    #expect(Self.close(net.output(x, layers: layers), x.dot(beta), 1e-12))
    if case .fullyConnected = net.architecture {
      let product = net.fcMatrices(layers).reduce(Matrix.identity(d)) { $0 * $1 }
      #expect(product.rows == d && product.columns == 1)
      for k in 0..<d { #expect(Self.close(product[k, 0], beta[k], 1e-12), "\(name): W₁⋯w_L[\(k)] = \(product[k, 0]) vs β = \(beta[k])") }
    }
    #expect(net.unflatten(net.flatten(layers)) == layers)
  }

  @Test("the flows' Jacobians match finite differences of their vector fields",
        arguments: [(0, ClassificationLoss.exponential), (1, .logistic), (2, .logistic), (3, .logistic), (5, .exponential), (6, .exponential), (7, .logistic)])
  func jacobiansMatchDifferences(which: Int, loss: ClassificationLoss) {
    let (name, net) = Self.networks[which]
    var rng = SeededGenerator(seed: 500 + UInt64(which))
    let n = 4
    let x = rng.gaussianMatrix(rows: n, columns: net.inputDimension)
    let y = (0..<n).map { $0 % 2 == 0 ? 1.0 : -1.0 }
    let state = net.flatten(Self.randomLayers(net, &rng))
    let cls = TensorClassificationFlow(network: net, data: ClassificationData(inputs: x, labels: y), loss: loss)
    let reg = TensorRegressionFlow(network: net, inputs: x, targets: rng.gaussianVector(n))
    let dim = net.parameterCount
    for (label, field, jacobian) in [
      ("classification", { (s: [Double]) in var o = [Double](repeating: 0, count: dim); cls.evaluate(s, into: &o); return o },
       { (s: [Double]) in var j = Matrix(rows: dim, columns: dim); cls.jacobian(s, into: &j); return j }),
      ("regression", { (s: [Double]) in var o = [Double](repeating: 0, count: dim); reg.evaluate(s, into: &o); return o },
       { (s: [Double]) in var j = Matrix(rows: dim, columns: dim); reg.jacobian(s, into: &j); return j }),
    ] {
      let jac = jacobian(state)
      let h = 1e-5
      var worst = 0.0, scale = 0.0
      for k in 0..<dim {
        var plus = state, minus = state
        plus[k] += h
        minus[k] -= h
        let fp = field(plus), fm = field(minus)
        for i in 0..<dim {
          worst = max(worst, abs((fp[i] - fm[i]) / (2 * h) - jac[i, k]))
          scale = max(scale, abs(jac[i, k]))
        }
      }
      #expect(worst <= 1e-6 * max(1, scale), "\(name) \(label) (\(loss)): Jacobian error \(worst), scale \(scale)")
    }
  }

  // MARK: - Classification flow

  /// A small separable dataset on ℝ³ (labels from a fixed direction, points pushed away from
  /// the boundary) and its SVM direction, found by enumerating supports (n is tiny).
  static let separable: (ClassificationData, svm: [Double]) = {
    let x = Matrix([[1.0, 0.4, -0.3], [0.6, -1.0, 0.5], [-0.8, 0.3, 0.9], [-0.5, -0.7, -0.2], [0.9, 0.9, 0.4]])
    let y: [Double] = [1, 1, -1, -1, 1]
    let data = ClassificationData(inputs: x, labels: y)
    return (data, hardMarginSVM(data.signedInputs))
  }()

  /// argmin ‖w‖ s.t. Zw ≥ 1, by trying every support S: w = Z_Sᵀλ, Z_SZ_Sᵀλ = 1, λ ≥ 0, feasible.
  static func hardMarginSVM(_ z: Matrix) -> [Double] {
    let n = z.rows
    var best: [Double] = []
    var bestNorm = Double.infinity
    for mask in 1..<(1 << n) {
      let s = (0..<n).filter { mask & (1 << $0) != 0 }
      let zs = z.selectingRows(s)
      guard let lu = try? LUFactorization(zs * zs.transposed) else { continue }
      let lambda = lu.solve([Double](repeating: 1, count: s.count))
      guard lambda.allSatisfy({ $0 >= -1e-12 }) else { continue }
      let w = zs.transposedTimes(lambda)
      guard (z * w).allSatisfy({ $0 >= 1 - 1e-9 }), w.norm2 < bestNorm else { continue }
      best = w
      bestNorm = w.norm2
    }
    return best
  }

  /// rtol 1e-8: the default 1e-6 leaves a conservation drift of 1e-8 … 2e-7 (order-3 local
  /// errors), at 4–5× fewer steps.
  @Test("classification flow reaches log(1/Loss) = 1e3 with positive margins, conservation and a settling direction",
        arguments: [("FC depth 2", TensorNetwork.fullyConnected(inputDimension: 3, widths: [3]), ClassificationLoss.exponential),
                    ("FC depth 2", .fullyConnected(inputDimension: 3, widths: [3]), .logistic),
                    ("FC depth 3", .fullyConnected(inputDimension: 3, widths: [3, 2]), .exponential),
                    ("short conv d=3 filters [2,2,3]", .convolutional(inputDimension: 3, filterSizes: [2, 2, 3]), .exponential)])
  func classificationFlow(name: String, net: TensorNetwork, loss: ClassificationLoss) {
    let (data, svm) = Self.separable
    var rng = SeededGenerator(seed: 77)
    let layers = Self.randomLayers(net, &rng, scale: 0.5)
    var options = TrajectoryOptions(checkpoints: TrajectoryOptions.halfDecades(upTo: 1e3))
    options.tolerances = IntegratorTolerances(relative: 1e-8, absolute: 1e-14)
    let start = ContinuousClock.now
    let t = integrateTensorClassificationFlow(network: net, data: data, loss: loss, initialLayers: layers, options: options)
    let elapsed = ContinuousClock.now - start
    #expect(t.stop == .completed, "\(name): \(t.stop)")
    #expect(t.checkpoints.count == options.checkpoints.count)
    guard let last = t.checkpoints.last else { return }
    #expect(last.logInverseLoss >= 1e3 && last.logInverseLoss <= 1e3 * (1 + options.checkpointTolerance))
    #expect(last.margins.allSatisfy { $0 > 0 }, "\(name): margins \(last.margins)")
    #expect(t.lossBelowInitial != nil)
    for cp in t.checkpoints {
      #expect(cp.conservationDrift <= 1e-8, "\(name): drift \(cp.conservationDrift) at \(cp.logInverseLoss)")
      // The recorded observation is consistent with the recorded layers.
      #expect(cp.coefficients == net.linearCoefficients(cp.layers))
      #expect(abs(cp.weights.reduce(0, +) - 1) <= 1e-12 || loss == .logistic)
    }
    // Direction of β between consecutive checkpoints: the moves shrink.
    let directions = t.checkpoints.map { $0.coefficients.normalized }
    let moves = (1..<directions.count).map { directions[$0].subtracting(directions[$0 - 1]).norm2 }
    #expect(moves.last! <= 1e-2, "\(name): moves \(moves)")
    #expect(moves.last! < moves.first!, "\(name): moves \(moves)")
    if case .fullyConnected = net.architecture {  // Theorem 3: β̂ → the SVM direction
      let distance = directions.last!.subtracting(svm.normalized).norm2
      #expect(distance <= 2e-2, "\(name): distance to the SVM direction \(distance)")
    }
    print("[tensor classification] \(name), \(loss): accepted \(t.statistics.acceptedSteps), rejected \(t.statistics.rejectedSteps), evaluations \(t.statistics.evaluations), final move \(moves.last!), max drift \(t.checkpoints.map(\.conservationDrift).max()!), \(elapsed)")
  }

  @Test("forward-difference and analytic Jacobians give the same trajectory")
  func jacobianMethodsAgree() {
    let (data, _) = Self.separable
    let net = TensorNetwork.convolutional(inputDimension: 3, filterSizes: [2, 3])
    var rng = SeededGenerator(seed: 3)
    let layers = Self.randomLayers(net, &rng, scale: 0.5)
    let options = TrajectoryOptions(checkpoints: [10, 100])
    let a = integrateTensorClassificationFlow(network: net, data: data, loss: .exponential, initialLayers: layers, options: options)
    let f = integrateTensorClassificationFlow(network: net, data: data, loss: .exponential, initialLayers: layers,
                                              options: options, jacobian: .forwardDifferences)
    #expect(a.stop == .completed && f.stop == .completed)
    let da = a.checkpoints.last!.coefficients.normalized, df = f.checkpoints.last!.coefficients.normalized
    #expect(da.subtracting(df).norm2 <= 1e-5, "\(da) vs \(df)")
  }

  // MARK: - Regression flow

  @Test("regression flow: FC depth 2 from α = 0.1 interpolates")
  func regressionFlow() {
    var rng = SeededGenerator(seed: 13)
    let n = 3, d = 5
    let x = rng.gaussianMatrix(rows: n, columns: d)
    let y = rng.gaussianVector(n)
    let net = TensorNetwork.fullyConnected(inputDimension: d, widths: [4])
    let layers = Self.randomLayers(net, &rng, scale: 0.1)
    var options = RegressionOptions()
    options.residualTolerance = 1e-10
    options.tolerances = IntegratorTolerances(relative: 1e-9, absolute: 1e-12)
    let start = ContinuousClock.now
    let r = integrateTensorRegressionFlow(network: net, inputs: x, targets: y, initialLayers: layers, options: options)
    let elapsed = ContinuousClock.now - start
    #expect(r.failure == nil, "\(r.failure ?? "")")
    #expect(r.relativeResidual <= 1e-10)
    let fit = (x * r.coefficients).subtracting(y).norm2 / y.norm2
    #expect(fit <= 1e-10, "‖Xβ − y‖/‖y‖ = \(fit)")
    #expect(r.conservationDrift <= 1e-8, "drift \(r.conservationDrift)")
    print("[tensor regression] FC depth 2, α = 0.1: steps \(r.steps), rejected \(r.statistics.rejectedSteps), evaluations \(r.statistics.evaluations), time \(r.time), \(elapsed)")
  }
}
