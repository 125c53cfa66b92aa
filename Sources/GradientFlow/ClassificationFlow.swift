import LinearAlgebra

/// Gradient flow of an orthogonally decomposable network on a classification loss, in
/// transformed coordinates and on a well-scaled clock.
///
/// **Per-mode dynamics (spec §1.5).** With aₗⱼ = [U_lᵀvₗ]ⱼ, ρⱼ = Πₗ aₗⱼ and
/// −∇_Θ Loss = Σᵢ wᵢ ∇mᵢ (wᵢ = −ℓ′(mᵢ)), the flow decouples into modes:
///   real mode:     ȧₗⱼ = σⱼ Π_{k≠l} a_{kj},
///   complex mode:  conj(ȧₗⱼ) = σⱼ Π_{k≠l} a_{kj},        σ = S u,  u = Σᵢ wᵢ yᵢ xᵢ.
/// In the real vectorization (see `TransformedSpace`), with q = Aᵀw the gradient of
/// Σᵢ wᵢ mᵢ with respect to the (Re, Im) parts of aₗ is
///   (q_r P_r + q_i P_i,  q_i P_r − q_r P_i),      P = Π_{k≠l} a_k,
/// and the flow is that gradient divided by the multiplicity (the Euclidean metric of
/// the original parameters counts a conjugate pair twice).
///
/// **Clock.** The trajectory is the same curve under any positive reparametrization of
/// time. We integrate in s with
///   dΘ/ds = c · G,   G = M⁻¹ Σᵢ pᵢ ∇mᵢ,   c = r / ‖G‖_M,   r = ‖Θ‖ (max(‖Θ‖, 1) for L = 1),
/// i.e. dt/ds = c / Loss, with pᵢ = wᵢ/Loss (softmax-like weights computed in log space).
/// The state moves at unit relative speed ‖dΘ/ds‖ = ‖Θ‖: the norm grows at most
/// exponentially in s, log(1/Loss) like e^{Ls} once the direction settles, so a horizon G
/// is reached at s ≈ log(G)/L plus the escape from the initialization. Late in training
/// ‖G‖ ∝ ‖Θ‖^{L−1}, so this is spec §6's clock Loss·‖Θ‖^{L−1} with one more factor ‖Θ‖
/// (a polynomial clock made logarithmic); early on the normalization also removes the
/// slow escape from a small initialization at depth L ≥ 3 (a saddle of the raw flow).
///
/// **Stiffness and the Jacobian.** Margins grow like G, and the weights p react to margin
/// differences of O(1): the restoring rate among support points is ∝ G in s-time. The
/// stiff part of the Jacobian is low rank. With ∂G/∂Θ ≈ −M⁻¹JₘᵀWJₘ and, because the
/// clock normalizes ‖G‖, ∇c ≈ c JₘᵀWJₘG/‖G‖²_M (from ∇‖G‖_M = (∂G/∂Θ)ᵀMG/‖G‖_M):
///   ∂(cG)/∂Θ ≈ c ∂G/∂Θ + G ∇cᵀ = −c U′ W Jₘ,   U′ = M⁻¹Jₘᵀ − G (JₘG)ᵀ/‖G‖²_M,
///   W = diag(pᵢ κᵢ) − p pᵀ,  κᵢ = −w′(mᵢ)/w(mᵢ),
/// where Jₘ (n × N) has rows ∇mᵢ and c the clock factor. (Dropped: the Hessian terms
/// Σ pᵢ∇²mᵢ and the non-stiff part of ∇c, which are O(1) in s-time; the W-method
/// integrator tolerates the approximation.) Shifted solves use Woodbury:
///   (sI + U C V)⁻¹ = (1/s)[I − U (s Iₙ + C V U)⁻¹ C V],  U = U′, C = cW, V = Jₘ,
/// one n × n LU per step and O(nN) per solve.
public struct ClassificationFlow: StiffSystem {
  public let network: LinearNetwork
  public let loss: ClassificationLoss
  /// A = Z T: margins m = Aρ (n × N, N = coordinates).
  public let marginMatrix: Matrix
  public var dimension: Int { network.depth * network.space.coordinateCount }

  // Work buffers (allocated once).
  private var rho: [Double]
  private var margins: [Double]
  private var weights: [Double]
  private var q: [Double]
  private var jm: Matrix          // n × dimension, rows ∇mᵢ
  private var wMatrix: Matrix     // n × n
  private var clock = 1.0
  private var shift = 1.0
  private var kFactor: LUFactorization?
  private var field: [Double] = []        // G at the last prepareSolves
  private var jmField: [Double] = []      // Jₘ G
  private var fieldNorm2 = 1.0            // ‖G‖²_M
  // The solve operator must be the same matrix for every stage of a step (W-method):
  // `evaluate` at stage points overwrites `clock`, so the solves keep their own copy.
  private var solveClock = 1.0
  private var blockFactors: [LUFactorization] = []   // D = sI − cH, per mode
  private var dInverseU = Matrix(rows: 0, columns: 0) // (D⁻¹U′)ᵀ, n × N
  private var invMult: [Double]   // per state index

  public init(network: LinearNetwork, data: ClassificationData, loss: ClassificationLoss) {
    self.init(network: network, marginMatrix: network.marginMatrix(data), loss: loss)
  }

  /// A flow whose margins are m = Aρ for a given A (n × N). Also used, with A = X T and no
  /// labels, as the tensor helper of `RegressionFlow`.
  public init(network: LinearNetwork, marginMatrix: Matrix, loss: ClassificationLoss) {
    precondition(marginMatrix.columns == network.space.coordinateCount,
                 "margin matrix has \(marginMatrix.columns) columns, the network has \(network.space.coordinateCount) coordinates")
    self.network = network
    self.loss = loss
    self.marginMatrix = marginMatrix
    let n = marginMatrix.rows, nc = network.space.coordinateCount, dim = network.depth * nc
    rho = [Double](repeating: 0, count: nc)
    margins = [Double](repeating: 0, count: n)
    weights = [Double](repeating: 0, count: n)
    q = [Double](repeating: 0, count: nc)
    jm = Matrix(rows: n, columns: dim)
    wMatrix = Matrix(rows: n, columns: n)
    invMult = [Double](repeating: 1, count: dim)
    let sp = network.space, L = network.depth
    for g in 0..<sp.groupCount {
      let w = sp.isComplex[g] ? 2 : 1
      for k in 0..<(L * w) { invMult[L * sp.offsets[g] + k] = 1 / sp.multiplicity[g] }
    }
  }

  // MARK: - State layout

  /// Index of component c of layer l of group g: L·offset_g + l·width_g + c.
  @inlinable func index(group g: Int, layer l: Int, component c: Int) -> Int {
    let sp = network.space
    return network.depth * sp.offsets[g] + l * (sp.isComplex[g] ? 2 : 1) + c
  }

  /// ρ = Πₗ aₗ for every group (real vectorization).
  public func transformedProduct(_ state: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: network.space.coordinateCount)
    let sp = network.space, L = network.depth
    for g in 0..<sp.groupCount {
      let base = L * sp.offsets[g]
      if sp.isComplex[g] {
        var p = Complex.one
        for l in 0..<L { p *= Complex(state[base + 2 * l], state[base + 2 * l + 1]) }
        out[sp.offsets[g]] = p.re
        out[sp.offsets[g] + 1] = p.im
      } else {
        var p = 1.0
        for l in 0..<L { p *= state[base + l] }
        out[sp.offsets[g]] = p
      }
    }
    return out
  }

  /// The parameter norm ‖Θ‖ = √(Σ_g mult_g Σₗ |aₗ_g|²).
  public func parameterNorm(_ state: [Double]) -> Double {
    var scaled = state
    for k in scaled.indices { scaled[k] *= (1 / invMult[k]).squareRoot() }
    return scaled.norm2
  }

  /// The clock factor c = r / ‖G‖_M with r = ‖Θ‖ (r = max(‖Θ‖, 1) for L = 1) and
  /// G = M⁻¹ Σᵢ pᵢ ∇mᵢ, so that ‖dΘ/ds‖_M = r: the state moves at unit relative speed.
  func clockFactor(_ state: [Double]) -> Double {
    let obs = observe(state)
    let q = marginMatrix.transposedTimes(obs.weights)
    return clockFactor(state, gradient: rawField(state, q: q))
  }

  func clockFactor(_ state: [Double], gradient: [Double]) -> Double {
    var r = parameterNorm(state)
    if network.depth == 1 { r = max(r, 1) }
    var g2 = 0.0
    for k in gradient.indices { g2 += gradient[k] * gradient[k] / invMult[k] }
    let g = g2.squareRoot()
    return g > 0 ? r / g : 0
  }

  /// G = M⁻¹ Σᵢ pᵢ ∇mᵢ from q = Aᵀp: for a complex group and layer l,
  /// (q_r P_r + q_i P_i, q_i P_r − q_r P_i)/mult with P = Π_{k≠l} a_k.
  func rawField(_ y: [Double], q: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: dimension)
    let sp = network.space, L = network.depth
    for g in 0..<sp.groupCount {
      let o = sp.offsets[g]
      for l in 0..<L {
        let pp = partialProduct(y, group: g, skipping: l)
        let i0 = index(group: g, layer: l, component: 0)
        if sp.isComplex[g] {
          let qr = q[o], qi = q[o + 1]
          out[i0] = invMult[i0] * (qr * pp.re + qi * pp.im)
          out[i0 + 1] = invMult[i0] * (qi * pp.re - qr * pp.im)
        } else {
          out[i0] = q[o] * pp.re
        }
      }
    }
    return out
  }

  /// Margins, log Loss and normalized weights p = w/Loss at a state.
  public func observe(_ state: [Double]) -> FlowObservation {
    let r = transformedProduct(state)
    let m = marginMatrix * r
    let (logLoss, p) = normalizedWeights(m)
    return FlowObservation(margins: m, logLoss: logLoss, weights: p, transformed: r,
                           parameterNorm: parameterNorm(state))
  }

  /// log Loss = log Σᵢ ℓ(mᵢ) and pᵢ = wᵢ/Loss, both in log space.
  func normalizedWeights(_ m: [Double]) -> (Double, [Double]) {
    let (logLoss, p) = loss.normalizedWeights(margins: m)
    return (logLoss, p)
  }

  /// Writes into `out` the product Π_{k≠l} a_k of group g (complex as (re, im)).
  @inlinable func partialProduct(_ state: [Double], group g: Int, skipping l: Int) -> Complex {
    let sp = network.space, L = network.depth
    let base = L * sp.offsets[g]
    if sp.isComplex[g] {
      var p = Complex.one
      for k in 0..<L where k != l { p *= Complex(state[base + 2 * k], state[base + 2 * k + 1]) }
      return p
    }
    var p = 1.0
    for k in 0..<L where k != l { p *= state[base + k] }
    return Complex(p, 0)
  }

  /// The metric weights M of the original parameters' Euclidean norm, one per state
  /// index (the multiplicity of the index's mode).
  public var metricWeights: [Double] { invMult.map { 1 / $0 } }

  /// Jₘ (n × N): row i is ∇_Θ mᵢ in the state coordinates. For a complex group the
  /// entries of layer l are (A_r P_r + A_i P_i, A_i P_r − A_r P_i), P = Π_{k≠l} a_k.
  /// - Complexity: O(n · L² · m).
  public func marginGradients(_ y: [Double]) -> Matrix {
    let n = marginMatrix.rows, sp = network.space, L = network.depth
    var out = Matrix(rows: n, columns: dimension)
    for g in 0..<sp.groupCount {
      let o = sp.offsets[g]
      for l in 0..<L {
        let pp = partialProduct(y, group: g, skipping: l)
        let i0 = index(group: g, layer: l, component: 0)
        for i in 0..<n {
          if sp.isComplex[g] {
            let ar = marginMatrix[i, o], ai = marginMatrix[i, o + 1]
            out[i, i0] = ar * pp.re + ai * pp.im
            out[i, i0 + 1] = ai * pp.re - ar * pp.im
          } else {
            out[i, i0] = marginMatrix[i, o] * pp.re
          }
        }
      }
    }
    return out
  }

  // MARK: - StiffSystem

  public mutating func evaluate(_ y: [Double], into derivative: inout [Double]) {
    rho = transformedProduct(y)
    margins = marginMatrix * rho
    let (_, p) = normalizedWeights(margins)
    weights = p
    q = marginMatrix.transposedTimes(p)
    let g = rawField(y, q: q)
    clock = clockFactor(y, gradient: g)
    for k in g.indices { derivative[k] = clock * g[k] }
  }

  public mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws {
    self.shift = shift
    rho = transformedProduct(y)
    margins = marginMatrix * rho
    let (_, p) = normalizedWeights(margins)
    weights = p
    q = marginMatrix.transposedTimes(p)
    field = rawField(y, q: q)
    clock = clockFactor(y, gradient: field)
    let n = margins.count
    jm = marginGradients(y)
    jmField = jm * field
    fieldNorm2 = 0
    for k in field.indices { fieldNorm2 += field[k] * field[k] / invMult[k] }
    if !(fieldNorm2 > 0) { fieldNorm2 = .infinity }
    // W = diag(pᵢκᵢ) − p pᵀ.
    for i in 0..<n {
      for k in 0..<n { wMatrix[i, k] = -p[i] * p[k] }
      wMatrix[i, i] += p[i] * loss.weightDecayRate(margin: margins[i])
    }
    // D = s I − c H, block diagonal (one L·w block per mode), factored block by block.
    let sp = network.space, L = network.depth
    blockFactors.removeAll(keepingCapacity: true)
    for g in 0..<sp.groupCount {
      var block = modeHessian(y, group: g)
      for k in 0..<block.storage.count { block.storage[k] *= -clock }
      for k in 0..<block.rows { block[k, k] += shift }
      blockFactors.append(try LUFactorization(block))
    }
    // D⁻¹U′, U′ = M⁻¹Jₘᵀ − G (JₘG)ᵀ/‖G‖²_M (N × n), one column per point.
    let dim = dimension
    var du = Matrix(rows: n, columns: dim)  // stored transposed: row i is column i of D⁻¹U′
    for i in 0..<n {
      var col = [Double](repeating: 0, count: dim)
      let r = jmField[i] / fieldNorm2
      for c in 0..<dim { col[c] = invMult[c] * jm[i, c] - field[c] * r }
      applyBlockInverse(&col)
      for c in 0..<dim { du[i, c] = col[c] }
    }
    dInverseU = du
    // K = Iₙ + c W (Jₘ D⁻¹U′).
    var jdu = Matrix(rows: n, columns: n)
    for i in 0..<n {
      for k in 0..<n {
        var acc = 0.0
        for c in 0..<dim { acc += jm[i, c] * du[k, c] }
        jdu[i, k] = acc
      }
    }
    solveClock = clock
    var kMatrix = clock * (wMatrix * jdu)
    for i in 0..<n { kMatrix[i, i] += 1 }
    kFactor = try LUFactorization(kMatrix)
    _ = L
  }

  /// H_g = ∂G/∂a restricted to mode g's own coordinates at frozen weights (the Hessian
  /// term Σᵢ pᵢ∇²mᵢ, divided by the multiplicity). For layers l ≠ k, with
  /// Q = Π_{j≠l,k} aⱼ: real ∂G_l/∂a_k = q Q; complex (Re, Im) rows of G_l against the
  /// (Re, Im) parts of a_k are [[q_r Q_r + q_i Q_i, −q_r Q_i + q_i Q_r],
  /// [q_i Q_r − q_r Q_i, −q_i Q_i − q_r Q_r]] / mult (from P = a_k Q, ∂P/∂Im a_k = iQ).
  func modeHessian(_ y: [Double], group g: Int) -> Matrix { modeHessian(y, group: g, q: q) }

  /// H_g for a given q = Aᵀp (see above).
  func modeHessian(_ y: [Double], group g: Int, q: [Double]) -> Matrix {
    let sp = network.space, L = network.depth
    let w = sp.isComplex[g] ? 2 : 1
    var h = Matrix(rows: L * w, columns: L * w)
    let base = L * sp.offsets[g], o = sp.offsets[g]
    let inv = 1 / sp.multiplicity[g]
    for l in 0..<L {
      for k in 0..<L where k != l {
        var qq = Complex.one
        for j in 0..<L where j != l && j != k {
          qq *= w == 2 ? Complex(y[base + 2 * j], y[base + 2 * j + 1]) : Complex(y[base + j], 0)
        }
        if w == 1 {
          h[l, k] = q[o] * qq.re
        } else {
          let qr = q[o], qi = q[o + 1]
          h[2 * l, 2 * k] = inv * (qr * qq.re + qi * qq.im)
          h[2 * l, 2 * k + 1] = inv * (-qr * qq.im + qi * qq.re)
          h[2 * l + 1, 2 * k] = inv * (qi * qq.re - qr * qq.im)
          h[2 * l + 1, 2 * k + 1] = inv * (-qi * qq.im - qr * qq.re)
        }
      }
    }
    return h
  }

  /// v ← D⁻¹v, block by block.
  private func applyBlockInverse(_ v: inout [Double]) {
    let sp = network.space, L = network.depth
    for g in 0..<sp.groupCount {
      let w = sp.isComplex[g] ? 2 : 1
      let base = L * sp.offsets[g]
      let x = blockFactors[g].solve(Array(v[base..<(base + L * w)]))
      for k in 0..<(L * w) { v[base + k] = x[k] }
    }
  }

  public mutating func solveShifted(_ b: inout [Double]) throws {
    guard let kFactor else { throw LinearAlgebraError.singular(pivot: 0) }
    applyBlockInverse(&b)
    let v = jm * b
    let z = kFactor.solve((wMatrix * v).scaled(by: solveClock))
    // b ← D⁻¹b − (D⁻¹U′) z.
    let correction = dInverseU.transposedTimes(z)
    for c in b.indices { b[c] -= correction[c] }
  }
}

/// What the flow looks like at one state.
public struct FlowObservation: Sendable {
  /// mᵢ = yᵢ f(xᵢ).
  public var margins: [Double]
  /// log Loss (so log(1/Loss) = −logLoss).
  public var logLoss: Double
  /// pᵢ = wᵢ/Loss.
  public var weights: [Double]
  /// ρ (real vectorization).
  public var transformed: [Double]
  /// ‖Θ‖.
  public var parameterNorm: Double
  public var logInverseLoss: Double { -logLoss }
  public var minimumMargin: Double { margins.min() ?? 0 }
}
