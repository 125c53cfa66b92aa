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
/// where Jₘ (n × L·N) has rows ∇mᵢ and c the clock factor. (Dropped: the Hessian terms
/// Σ pᵢ∇²mᵢ and the non-stiff part of ∇c, which are O(1) in s-time; the W-method
/// integrator tolerates the approximation.) With the per-mode Hessian blocks H kept, the
/// shifted matrix is D + U′ C Jₘ with D = sI − cH block diagonal and C = cW, and Woodbury
/// (in the form that needs no C⁻¹, since W is singular) gives
///   (D + U′CJₘ)⁻¹ = D⁻¹ − D⁻¹U′ K⁻¹ C Jₘ D⁻¹,   K = Iₙ + C Jₘ D⁻¹ U′.
///
/// **Structure (no Jₘ is formed).** The state has L·N coordinates, N = Σ_g w_g over the
/// groups (modes) g of width w_g (1 real, 2 complex). Margins are m = Aρ, so Jₘ = A·B with
/// B = ∂ρ/∂Θ block diagonal: group g's block B_g (w × L·w) holds ∂ρ_g/∂a_{g,l} = P_{g,l},
/// as the 1 × 1 number P (real) or, since ∂ρ/∂Re a_l = P and ∂ρ/∂Im a_l = iP, as the 2 × 2
/// real matrix [[Re P, −Im P], [Im P, Re P]] of multiplication by P (complex). M (the
/// metric, mult_g·I on group g) and D have blocks on the same groups, and G = M⁻¹Bᵀq.
/// Hence, with a = A(B D⁻¹G) and b = A(BG) = JₘG,
///   Jₘ D⁻¹ U′ = A B D⁻¹M⁻¹Bᵀ Aᵀ − A B D⁻¹G (A B G)ᵀ/‖G‖²_M = A Λ Aᵀ − a bᵀ/‖G‖²_M,
///   Λ = blockdiag(Λ_g),   Λ_g = B_g D_g⁻¹ B_gᵀ / mult_g   (w × w),
/// and each Λ_g is symmetric because D_g is: H_g is the Hessian of qᵀρ_g in the mode's own
/// coordinates times the constant 1/mult_g. So
///   K = Iₙ + cW (AΛAᵀ − a bᵀ/‖G‖²_M),
/// where AΛAᵀ is a symmetric n × n product of cost n(n+1)·N flops (only its upper
/// triangle is computed, from panels of AΛ against A) instead of the 2n²·L·N of forming
/// Jₘ (n × L·N) and Jₘ·(D⁻¹U′). Memory stays that of A plus O(n² + L·N): for n = 1000,
/// N = 10 000, L = 3, Jₘ alone would be 240 MB against A's 80 MB. The solve of
/// (D + U′CJₘ)x = r then runs through A and B as well:
///   x₀ = D⁻¹r,  v = A(Bx₀) = Jₘx₀,  z = K⁻¹(cWv),
///   x = x₀ − D⁻¹U′z = x₀ − D⁻¹(M⁻¹Bᵀ(Aᵀz) − G·(bᵀz)/‖G‖²_M),
/// with W v = pκ ⊙ v − p(pᵀv) never formed as a matrix.
///
/// **Cost** (n points, N coordinates, L layers; flops, counted for real modes, a complex
/// mode's two coordinates costing about twice as much in the O(L·N) terms):
/// - ``evaluate(_:into:)``: F_eval = 4nN + 11L·N flops and n exponentials: 2nN each for
///   m = Aρ and q = Aᵀp; 3L·N for ρ and all P_{g,l} (prefix and suffix products, no
///   division); L·N for G = M⁻¹Bᵀq; 3L·N each for ‖Θ‖_M and ‖G‖_M; L·N for c·G. The two
///   passes over A dominate; for large A they are bound by memory bandwidth (8 bytes of A
///   per multiply–add).
/// - ``prepareSolves(at:derivative:shift:)``: F_eval, then n(n+1)·N for AΛAᵀ, 4nN for a and
///   b, nN (real) to 3nN (complex) for the panels of AΛ, ≈ 5n² for K, 2n³/3 for its LU,
///   and per group an inverse of D_g (2(Lw)³) with O((Lw)²) around it:
///   ≈ n²N + 9nN + 2n³/3 + 2L³N.
/// - ``solveShifted(_:)``: 4nN (one product with A, one with Aᵀ), 2n² for the solve with
///   K, 4L²N for the two block solves and O(L·N) for B and Bᵀ.
/// None of them allocates: all work memory is preallocated in `init` (see
/// `FlowWorkspace`; a copy of a flow gets its own on its first write).
/// Measured (release build, one core, thread CPU time, medians; random Gaussian A):
/// n = 20, N = 50, L = 3 (F_eval = 5 650): evaluate 1.0 µs, prepareSolves 10 µs,
/// solveShifted 1.7 µs, against 4.5 µs, 264 µs and 13 µs for the dense form;
/// n = 1000, N = 10 000, L = 3 (F_eval = 4.0·10⁷): 8.3 ms, 0.67 s and 9.2 ms, against
/// 18.8 ms, 39 s and 59 ms.
public struct ClassificationFlow: StiffSystem {
  public let network: LinearNetwork
  public let loss: ClassificationLoss
  /// A = Z T: margins m = Aρ (n × N, N = coordinates).
  public let marginMatrix: Matrix
  public var dimension: Int { layout.dimension }

  /// The group structure, flattened for the hot loops.
  private let layout: ModeLayout
  /// Preallocated work memory, copied before a write when shared (value semantics).
  private var workspace: FlowWorkspace
  /// c at the last `evaluate` or `prepareSolves`.
  private var clock = 1.0
  // The solve operator must be the same matrix for every stage of a step (W-method):
  // `evaluate` at stage points overwrites `clock` and the evaluation buffers, so the
  // solves keep their own copies (`solveClock`, and the prepared regions of the workspace).
  private var solveClock = 1.0
  /// ‖G‖²_M at the last `prepareSolves` (+∞ when G = 0, which switches the clock term off).
  private var fieldNorm2 = 1.0
  /// Whether the workspace holds a complete factorization for `solveShifted`.
  private var prepared = false

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
    self.layout = ModeLayout(space: network.space, depth: network.depth)
    self.workspace = FlowWorkspace(points: marginMatrix.rows, layout: layout)
  }

  // MARK: - State layout

  /// Index of component c of layer l of group g: L·offset_g + l·width_g + c.
  @inlinable func index(group g: Int, layer l: Int, component c: Int) -> Int {
    let sp = network.space
    return network.depth * sp.offsets[g] + l * (sp.isComplex[g] ? 2 : 1) + c
  }

  /// ρ = Πₗ aₗ for every group (real vectorization).
  public func transformedProduct(_ state: [Double]) -> [Double] {
    precondition(state.count == dimension, "state has \(state.count) entries, the flow has dimension \(dimension)")
    var out = [Double](repeating: 0, count: layout.coordinateCount)
    var partials = [Double](repeating: 0, count: dimension)
    state.withUnsafeBufferPointer { y in
      partials.withUnsafeMutableBufferPointer { pp in
        out.withUnsafeMutableBufferPointer { r in
          layout.products(y.baseAddress!, partials: pp.baseAddress!, rho: r.baseAddress!)
        }
      }
    }
    return out
  }

  /// The parameter norm ‖Θ‖ = √(Σ_g mult_g Σₗ |aₗ_g|²).
  public func parameterNorm(_ state: [Double]) -> Double {
    state.withUnsafeBufferPointer { layout.metricNorm($0.baseAddress!) }
  }

  /// The clock factor c = r / ‖G‖_M with r = ‖Θ‖ (r = max(‖Θ‖, 1) for L = 1) and
  /// G = M⁻¹ Σᵢ pᵢ ∇mᵢ, so that ‖dΘ/ds‖_M = r: the state moves at unit relative speed.
  /// - Complexity: 4nN + O(L·N) flops, like `evaluate`, in one temporary buffer.
  func clockFactor(_ state: [Double]) -> Double {
    precondition(state.count == dimension, "state has \(state.count) entries, the flow has dimension \(dimension)")
    let n = marginMatrix.rows, nc = layout.coordinateCount
    var scratch = [Double](repeating: 0, count: dimension + 2 * nc + 2 * n)
    return state.withUnsafeBufferPointer { yp in
      scratch.withUnsafeMutableBufferPointer { sp in
        let y = yp.baseAddress!, field = sp.baseAddress!
        let rho = field + dimension, q = rho + nc, m = q + nc, p = m + n
        layout.products(y, partials: field, rho: rho)
        marginMatrix.storage.withUnsafeBufferPointer { ap in
          guard let a = ap.baseAddress else { return }
          multiplyMatrixVector(rows: n, columns: nc, a, lda: nc, rho, into: m)
          layout.normalizeWeights(loss, margins: m, into: p, count: n)
          multiplyTransposedMatrixVector(rows: n, columns: nc, a, lda: nc, p, into: q)
        }
        layout.applyTransposedB(partials: field, q, into: field, metric: true)
        return layout.clockFactor(y, field: field)
      }
    }
  }

  func clockFactor(_ state: [Double], gradient: [Double]) -> Double {
    state.withUnsafeBufferPointer { y in
      gradient.withUnsafeBufferPointer { g in layout.clockFactor(y.baseAddress!, field: g.baseAddress!) }
    }
  }

  /// G = M⁻¹ Σᵢ pᵢ ∇mᵢ = M⁻¹Bᵀq from q = Aᵀp: for a complex group and layer l,
  /// (q_r P_r + q_i P_i, q_i P_r − q_r P_i)/mult with P = Π_{k≠l} a_k.
  func rawField(_ y: [Double], q: [Double]) -> [Double] {
    precondition(y.count == dimension && q.count == layout.coordinateCount,
                 "rawField: state of \(y.count) (expected \(dimension)), q of \(q.count) (expected \(layout.coordinateCount))")
    var out = [Double](repeating: 0, count: dimension)
    var rho = [Double](repeating: 0, count: layout.coordinateCount)
    y.withUnsafeBufferPointer { yp in
      q.withUnsafeBufferPointer { qp in
        out.withUnsafeMutableBufferPointer { op in
          rho.withUnsafeMutableBufferPointer { rp in
            // The partial products go into `out`, which the field then overwrites slot by slot.
            layout.products(yp.baseAddress!, partials: op.baseAddress!, rho: rp.baseAddress!)
            layout.applyTransposedB(partials: op.baseAddress!, qp.baseAddress!, into: op.baseAddress!, metric: true)
          }
        }
      }
    }
    return out
  }

  /// Margins, log Loss and normalized weights p = w/Loss at a state.
  public func observe(_ state: [Double]) -> FlowObservation {
    let r = transformedProduct(state)
    var m = [Double](repeating: 0, count: marginMatrix.rows)
    multiply(marginMatrix, r, into: &m)
    let (logLoss, p) = normalizedWeights(m)
    return FlowObservation(margins: m, logLoss: logLoss, weights: p, transformed: r,
                           parameterNorm: parameterNorm(state))
  }

  /// log Loss = log Σᵢ ℓ(mᵢ) and pᵢ = wᵢ/Loss, both in log space.
  func normalizedWeights(_ m: [Double]) -> (Double, [Double]) {
    let (logLoss, p) = loss.normalizedWeights(margins: m)
    return (logLoss, p)
  }

  /// The product Π_{k≠l} a_k of group g (complex as (re, im)).
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
  public var metricWeights: [Double] {
    Array(UnsafeBufferPointer(start: layout.metric, count: dimension))
  }

  /// Jₘ = A·B (n × L·N): row i is ∇_Θ mᵢ in the state coordinates. For a complex group the
  /// entries of layer l are (A_r P_r + A_i P_i, A_i P_r − A_r P_i), P = Π_{k≠l} a_k. The
  /// flow itself never forms it (see the type's comment); this is for certificates and tests.
  /// - Complexity: O(n · L · N) time and memory.
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

  /// f(y) = c·G (see the type's comment).
  /// - Complexity: F_eval = 4nN + 11L·N flops and n exponentials; no allocation.
  public mutating func evaluate(_ y: [Double], into derivative: inout [Double]) {
    precondition(y.count == dimension && derivative.count == dimension,
                 "evaluate: state of \(y.count) and derivative of \(derivative.count) entries, dimension \(dimension)")
    let ws = uniqueWorkspace()
    clock = y.withUnsafeBufferPointer { yp in
      derivative.withUnsafeMutableBufferPointer { dp in
        // The partial products go into the derivative, which the field overwrites slot by slot.
        let c = field(yp.baseAddress!, ws, partials: dp.baseAddress!, field: dp.baseAddress!)
        for k in 0..<dimension { dp[k] *= c }
        return c
      }
    }
  }

  /// Assembles and factors the structured Woodbury form of (sI − J) at y: the mode
  /// blocks D_g = sI − cH_g (inverted), Λ, a, b and K = Iₙ + cW(AΛAᵀ − a bᵀ/‖G‖²_M), then
  /// K = P⁻¹LU in place. `derivative` is not used: G, c and W are recomputed at y (in
  /// 4nN flops, against the n²N of K).
  /// - Throws: `LinearAlgebraError` when a block or K is singular or not finite.
  /// - Complexity: ≈ n²N + 9nN + 2n³/3 + 2L³N flops; no allocation.
  public mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws {
    prepared = false
    try assembleWoodbury(at: y, shift: shift)
    let ws = workspace
    let n = marginMatrix.rows
    try factorLUInPlace(order: n, ws.woodbury, ld: n, pivots: ws.woodburyPivots)
    solveClock = clock
    prepared = true
  }

  /// b ← (D + U′·cW·Jₘ)⁻¹b by the structured Woodbury formula of the type's comment, for
  /// the operator of the last successful `prepareSolves`.
  /// - Throws: `LinearAlgebraError.singular(pivot: 0)` if there is none.
  /// - Complexity: 4nN + 2n² + 4L²N flops; no allocation.
  public mutating func solveShifted(_ b: inout [Double]) throws {
    guard prepared else { throw LinearAlgebraError.singular(pivot: 0) }
    precondition(b.count == dimension, "solveShifted: right-hand side of \(b.count) entries, dimension \(dimension)")
    let ws = uniqueWorkspace()
    let n = marginMatrix.rows, nc = layout.coordinateCount, dim = dimension
    let c = solveClock, gamma = fieldNorm2
    b.withUnsafeMutableBufferPointer { bp in
      marginMatrix.storage.withUnsafeBufferPointer { ap in
        let x = bp.baseAddress!, a = ap.baseAddress ?? UnsafePointer(ws.solveCoordinates)
        // x₀ = D⁻¹r.
        layout.solveBlocks(ws.blockInverses, x, scratch: ws.blockScratch)
        // v = A(Bx₀) = Jₘx₀, then cWv = c(pκ ⊙ v − p(pᵀv)).
        layout.applyB(partials: ws.partials, x, into: ws.solveCoordinates)
        multiplyMatrixVector(rows: n, columns: nc, a, lda: nc, ws.solveCoordinates, into: ws.solvePoints)
        var pv = 0.0
        for i in 0..<n { pv += ws.solveWeights[i] * ws.solvePoints[i] }
        for i in 0..<n { ws.solvePoints[i] = c * (ws.solveDecay[i] * ws.solvePoints[i] - ws.solveWeights[i] * pv) }
        // z = K⁻¹(cWv).
        solveLUInPlace(order: n, ws.woodbury, ld: n, pivots: ws.woodburyPivots, ws.solvePoints)
        // U′z = M⁻¹Bᵀ(Aᵀz) − G·(bᵀz)/‖G‖²_M, then x = x₀ − D⁻¹U′z.
        multiplyTransposedMatrixVector(rows: n, columns: nc, a, lda: nc, ws.solvePoints, into: ws.solveCoordinates)
        layout.applyTransposedB(partials: ws.partials, ws.solveCoordinates, into: ws.solveState, metric: true)
        var bz = 0.0
        for i in 0..<n { bz += ws.jmField[i] * ws.solvePoints[i] }
        let alpha = bz / gamma
        if alpha != 0 {
          for k in 0..<dim { ws.solveState[k] -= alpha * ws.field[k] }
        }
        layout.solveBlocks(ws.blockInverses, ws.solveState, scratch: ws.blockScratch)
        for k in 0..<dim { x[k] -= ws.solveState[k] }
      }
    }
  }

  // MARK: - Assembly

  /// Everything `prepareSolves` does except factoring K: the evaluation at y, the mode
  /// blocks D_g = sI − cH_g (inverted), Λ, a and b, and K = Iₙ + cW(AΛAᵀ − a bᵀ/‖G‖²_M)
  /// in the workspace (see the type's comment for the derivation).
  private mutating func assembleWoodbury(at y: [Double], shift: Double) throws(LinearAlgebraError) {
    precondition(y.count == dimension, "prepareSolves: state of \(y.count) entries, dimension \(dimension)")
    let ws = uniqueWorkspace()
    let n = marginMatrix.rows, nc = layout.coordinateCount
    clock = y.withUnsafeBufferPointer { yp in field(yp.baseAddress!, ws, partials: ws.partials, field: ws.field) }
    let c = clock
    fieldNorm2 = layout.metricNormSquared(ws.field)
    if !(fieldNorm2 > 0) { fieldNorm2 = .infinity }
    // W = diag(pᵢκᵢ) − p pᵀ, kept as its two vectors.
    for i in 0..<n {
      ws.solveWeights[i] = ws.weights[i]
      ws.solveDecay[i] = ws.weights[i] * loss.weightDecayRate(margin: ws.margins[i])
    }
    // D_g = sI − cH_g, inverted; Λ_g; B G and B D⁻¹G.
    try y.withUnsafeBufferPointer { yp throws(LinearAlgebraError) in
      try layout.prepareBlocks(yp.baseAddress!, ws, shift: shift, clock: c)
    }
    marginMatrix.storage.withUnsafeBufferPointer { ap in
      guard let a = ap.baseAddress else {
        ws.woodbury.update(repeating: 0, count: n * n)
        return
      }
      // b = A(BG) = JₘG and a = A(B D⁻¹G).
      multiplyMatrixVector(rows: n, columns: nc, a, lda: nc, ws.bField, into: ws.jmField)
      multiplyMatrixVector(rows: n, columns: nc, a, lda: nc, ws.bDinvField, into: ws.jmDinvField)
      // S = AΛAᵀ, upper triangle, panel by panel: S += (AΛ)[:, panel]·A[:, panel]ᵀ.
      let s = ws.woodbury
      s.update(repeating: 0, count: n * n)
      var t0 = 0
      while t0 < nc {
        let width = min(FlowWorkspace.panelWidth, nc - t0)
        layout.scaleColumns(a, rows: n, lda: nc, from: t0, width: width,
                            lambdaSelf: ws.lambdaSelf, lambdaOther: ws.lambdaOther, into: ws.panel)
        accumulateSymmetricProduct(order: n, depth: width, ws.panel, lda: width, a + t0, ldb: nc, into: s, ldc: n)
        t0 += width
      }
      mirrorUpperTriangle(order: n, s, ldc: n)
      // K = Iₙ + cW·T with T = S − a bᵀ/γ and W T = diag(pκ)T − p (pᵀT):
      // first the row vector r = pᵀT = pᵀS − (pᵀa) bᵀ/γ, then K row by row.
      let gamma = fieldNorm2
      let r = ws.columnSums
      r.update(repeating: 0, count: n)
      var pa = 0.0
      for i in 0..<n {
        let pi = ws.solveWeights[i], row = s + i * n
        pa += pi * ws.jmDinvField[i]
        for j in 0..<n { r[j] += pi * row[j] }
      }
      for j in 0..<n { r[j] -= pa * ws.jmField[j] / gamma }
      for i in 0..<n {
        let row = s + i * n
        let ai = ws.jmDinvField[i] / gamma, dk = c * ws.solveDecay[i], pc = c * ws.solveWeights[i]
        for j in 0..<n { row[j] = dk * (row[j] - ai * ws.jmField[j]) - pc * r[j] }
        row[i] += 1
      }
    }
  }

  /// The Woodbury matrix K = Iₙ + cW·Jₘ D⁻¹U′ that `prepareSolves(at:derivative:shift:)`
  /// factors, assembled through the structure (for tests; leaves the flow unprepared).
  mutating func woodburyMatrix(at y: [Double], shift: Double) throws -> Matrix {
    prepared = false
    try assembleWoodbury(at: y, shift: shift)
    let n = marginMatrix.rows
    return Matrix(rows: n, columns: n, storage: Array(UnsafeBufferPointer(start: workspace.woodbury, count: n * n)))
  }

  /// Computes at y: the partial products P (into `partials`), ρ, m = Aρ, p, q = Aᵀp (into
  /// the workspace) and G = M⁻¹Bᵀq (into `field`, which may be `partials`); returns c.
  private func field(
    _ y: UnsafePointer<Double>, _ ws: FlowWorkspace, partials: UnsafeMutablePointer<Double>,
    field: UnsafeMutablePointer<Double>
  ) -> Double {
    let n = marginMatrix.rows, nc = layout.coordinateCount
    layout.products(y, partials: partials, rho: ws.rho)
    marginMatrix.storage.withUnsafeBufferPointer { ap in
      if let a = ap.baseAddress {
        multiplyMatrixVector(rows: n, columns: nc, a, lda: nc, ws.rho, into: ws.margins)
        layout.normalizeWeights(loss, margins: ws.margins, into: ws.weights, count: n)
        multiplyTransposedMatrixVector(rows: n, columns: nc, a, lda: nc, ws.weights, into: ws.q)
      } else {
        ws.q.update(repeating: 0, count: nc)
      }
    }
    layout.applyTransposedB(partials: partials, ws.q, into: field, metric: true)
    return layout.clockFactor(y, field: field)
  }

  /// The workspace, copied first if another copy of this flow shares it.
  private mutating func uniqueWorkspace() -> FlowWorkspace {
    if !isKnownUniquelyReferenced(&workspace) { workspace = workspace.copy() }
    return workspace
  }

  /// m ← A·x.
  private func multiply(_ a: Matrix, _ x: [Double], into m: inout [Double]) {
    a.storage.withUnsafeBufferPointer { ap in
      x.withUnsafeBufferPointer { xp in
        m.withUnsafeMutableBufferPointer { mp in
          guard let ab = ap.baseAddress, let xb = xp.baseAddress, let mb = mp.baseAddress else {
            for i in mp.indices { mp[i] = 0 }
            return
          }
          multiplyMatrixVector(rows: a.rows, columns: a.columns, ab, lda: a.columns, xb, into: mb)
        }
      }
    }
  }

  // MARK: - Mode Hessians

  /// H_g = ∂G/∂a restricted to mode g's own coordinates at frozen weights (the Hessian
  /// term Σᵢ pᵢ∇²mᵢ, divided by the multiplicity), at the q of the last evaluation.
  func modeHessian(_ y: [Double], group g: Int) -> Matrix {
    let q = Array(UnsafeBufferPointer(start: workspace.q, count: layout.coordinateCount))
    return modeHessian(y, group: g, q: q)
  }

  /// H_g for a given q = Aᵀp. For layers l ≠ k, with Q = Π_{j≠l,k} aⱼ: real
  /// ∂G_l/∂a_k = q Q; complex (Re, Im) rows of G_l against the (Re, Im) parts of a_k are
  /// [[q_r Q_r + q_i Q_i, −q_r Q_i + q_i Q_r], [q_i Q_r − q_r Q_i, −q_i Q_i − q_r Q_r]] / mult
  /// (from P = a_k Q, ∂P/∂Im a_k = iQ). The diagonal blocks (l = k) are zero.
  func modeHessian(_ y: [Double], group g: Int, q: [Double]) -> Matrix {
    precondition(g >= 0 && g < layout.groupCount && y.count == dimension && q.count == layout.coordinateCount,
                 "modeHessian: group \(g) of \(layout.groupCount), state of \(y.count), q of \(q.count)")
    let size = layout.depth * layout.width[g]
    var h = Matrix(rows: size, columns: size)
    y.withUnsafeBufferPointer { yp in
      q.withUnsafeBufferPointer { qp in
        h.storage.withUnsafeMutableBufferPointer { hp in
          layout.writeHessian(yp.baseAddress!, q: qp.baseAddress!, group: g, scale: 1, into: hp.baseAddress!)
        }
      }
    }
    return h
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
