import LinearAlgebra

// MARK: - Mode layout and the structured operators

/// The groups (modes) of a flow's state, flattened for the hot loops, and the
/// block-diagonal operators on them: the partial products P, B (∂ρ/∂Θ) and Bᵀ, the mode
/// Hessians and the block solves with D. The state index of component c of layer l of
/// group g is L·o_g + l·w_g + c; coordinate c of group g is o_g + c.
///
/// Immutable after `init`, so flows may share it. The per-group tables are raw buffers
/// rather than arrays: the loops over groups then load an entry without a bounds check or
/// a retain of the array (which cost 20–30% of an evaluation at n = 20, N = 50).
final class ModeLayout {
  let depth: Int
  let groupCount: Int
  let coordinateCount: Int
  let dimension: Int
  /// Σ_g (L·w_g)².
  let blockStorage: Int
  /// Whether every group is real (w_g = 1).
  let isReal: Bool
  /// w_g: 1 (real) or 2 (complex).
  let width: UnsafeMutablePointer<Int>
  /// o_g: the group's first coordinate.
  let offset: UnsafeMutablePointer<Int>
  /// Where D_g's (L·w_g)² entries start in the flat block buffer.
  let blockStart: UnsafeMutablePointer<Int>
  /// For each coordinate, the other coordinate of its group (itself for a real group).
  let partner: UnsafeMutablePointer<Int>
  let multiplicity: UnsafeMutablePointer<Double>
  let inverseMultiplicity: UnsafeMutablePointer<Double>
  /// The metric M per state index (the multiplicity of the index's group).
  let metric: UnsafeMutablePointer<Double>

  init(space: TransformedSpace, depth: Int) {
    self.depth = depth
    let groups = space.groupCount, nc = space.coordinateCount, dim = depth * nc
    groupCount = groups
    coordinateCount = nc
    dimension = dim
    isReal = space.isReal
    width = .allocate(capacity: max(groups, 1))
    offset = .allocate(capacity: max(groups, 1))
    blockStart = .allocate(capacity: max(groups, 1))
    partner = .allocate(capacity: max(nc, 1))
    multiplicity = .allocate(capacity: max(groups, 1))
    inverseMultiplicity = .allocate(capacity: max(groups, 1))
    metric = .allocate(capacity: max(dim, 1))
    var total = 0
    for g in 0..<groups {
      let w = space.isComplex[g] ? 2 : 1, o = space.offsets[g], s = depth * w
      width[g] = w
      offset[g] = o
      blockStart[g] = total
      total += s * s
      multiplicity[g] = space.multiplicity[g]
      inverseMultiplicity[g] = 1 / space.multiplicity[g]
      for k in 0..<s { metric[depth * o + k] = space.multiplicity[g] }
      partner[o] = w == 2 ? o + 1 : o
      if w == 2 { partner[o + 1] = o }
    }
    blockStorage = total
  }

  deinit {
    width.deallocate()
    offset.deallocate()
    blockStart.deallocate()
    partner.deallocate()
    multiplicity.deallocate()
    inverseMultiplicity.deallocate()
    metric.deallocate()
  }

  /// ρ_g = Πₗ a_{g,l} and every partial product P_{g,l} = Π_{k≠l} a_{g,k} (written at the
  /// state index of a_{g,l}), by prefix and suffix products: P_l = (Π_{k<l} a_k)(Π_{k>l} a_k),
  /// no division, so zero factors are fine. `partials` may not alias `y`.
  /// - Complexity: 3L multiplications per real group, 3L complex ones per complex group.
  func products(_ y: UnsafePointer<Double>, partials: UnsafeMutablePointer<Double>, rho: UnsafeMutablePointer<Double>) {
    let L = depth
    for g in 0..<groupCount {
      let o = offset[g], base = L * o
      if width[g] == 1 {
        var p = 1.0
        for l in 0..<L { partials[base + l] = p; p *= y[base + l] }
        rho[o] = p
        var s = 1.0, l = L - 1
        while l >= 0 { partials[base + l] *= s; s *= y[base + l]; l -= 1 }
      } else {
        var p = Complex.one
        for l in 0..<L {
          partials[base + 2 * l] = p.re; partials[base + 2 * l + 1] = p.im
          p *= Complex(y[base + 2 * l], y[base + 2 * l + 1])
        }
        rho[o] = p.re; rho[o + 1] = p.im
        var s = Complex.one, l = L - 1
        while l >= 0 {
          let q = Complex(partials[base + 2 * l], partials[base + 2 * l + 1]) * s
          partials[base + 2 * l] = q.re; partials[base + 2 * l + 1] = q.im
          s *= Complex(y[base + 2 * l], y[base + 2 * l + 1])
          l -= 1
        }
      }
    }
  }

  /// out ← B·x (N entries from L·N): (Bx)_g = Σₗ P_{g,l}·x_{g,l}, as complex products for a
  /// complex group. `out` may not alias the inputs.
  func applyB(partials: UnsafePointer<Double>, _ x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    let L = depth
    for g in 0..<groupCount {
      let o = offset[g], base = L * o
      if width[g] == 1 {
        var s = 0.0
        for l in 0..<L { s += partials[base + l] * x[base + l] }
        out[o] = s
      } else {
        var sr = 0.0, si = 0.0
        for l in 0..<L {
          let pr = partials[base + 2 * l], pi = partials[base + 2 * l + 1]
          let xr = x[base + 2 * l], xi = x[base + 2 * l + 1]
          sr += pr * xr - pi * xi
          si += pi * xr + pr * xi
        }
        out[o] = sr; out[o + 1] = si
      }
    }
  }

  /// out ← Bᵀt (L·N entries from N), times M⁻¹ when `metric`: for a complex group
  /// (Bᵀt)_{g,l} = conj(P_{g,l})·t_g = (P_r t_r + P_i t_i, P_r t_i − P_i t_r). With t = q
  /// and the metric this is the field G. `out` may alias `partials` (each slot is read
  /// before it is written), not `t`.
  func applyTransposedB(partials: UnsafePointer<Double>, _ t: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>, metric: Bool) {
    let L = depth
    for g in 0..<groupCount {
      let o = offset[g], base = L * o
      let scale = metric ? inverseMultiplicity[g] : 1
      if width[g] == 1 {
        let tr = scale * t[o]
        for l in 0..<L { out[base + l] = tr * partials[base + l] }
      } else {
        let tr = t[o], ti = t[o + 1]
        for l in 0..<L {
          let pr = partials[base + 2 * l], pi = partials[base + 2 * l + 1]
          out[base + 2 * l] = scale * (tr * pr + ti * pi)
          out[base + 2 * l + 1] = scale * (ti * pr - tr * pi)
        }
      }
    }
  }

  /// Σ_k M_k v_k² over the state (the squared metric norm), in `SIMD2` lanes.
  func metricNormSquared(_ v: UnsafePointer<Double>) -> Double {
    @inline(__always) func load2(_ p: UnsafePointer<Double>) -> SIMD2<Double> {
      UnsafeRawPointer(p).loadUnaligned(as: SIMD2<Double>.self)
    }
    var s0 = SIMD2<Double>.zero, s1 = SIMD2<Double>.zero
    let m = UnsafePointer(metric)
    var k = 0
    while k + 4 <= dimension {
      let v0 = load2(v + k), v1 = load2(v + k + 2)
      s0 += load2(m + k) * v0 * v0
      s1 += load2(m + k + 2) * v1 * v1
      k += 4
    }
    var total = (s0 + s1).sum()
    while k < dimension {
      total += m[k] * v[k] * v[k]
      k += 1
    }
    return total
  }

  /// ‖v‖_M = √(Σ_k mult_k v_k²), rescaled by max|v_k| when the plain sum of squares
  /// overflows or underflows.
  func metricNorm(_ v: UnsafePointer<Double>) -> Double {
    let s = metricNormSquared(v)
    if s.isFinite && s >= Double.leastNormalMagnitude { return s.squareRoot() }
    var largest = 0.0
    for k in 0..<dimension { largest = max(largest, abs(v[k])) }
    guard largest > 0, largest.isFinite else { return largest }
    var t = 0.0
    for k in 0..<dimension {
      let x = v[k] / largest
      t += metric[k] * x * x
    }
    return largest * t.squareRoot()
  }

  /// c = r/‖G‖_M, r = ‖Θ‖ (max(‖Θ‖, 1) for L = 1); 0 when G = 0.
  func clockFactor(_ y: UnsafePointer<Double>, field: UnsafePointer<Double>) -> Double {
    var r = metricNorm(y)
    if depth == 1 { r = max(r, 1) }
    let g = metricNormSquared(field).squareRoot()
    return g > 0 ? r / g : 0
  }

  /// pᵢ = wᵢ/Loss and log Loss, in log space: log Loss = log Σᵢ ℓ(mᵢ) by the shifted
  /// log-sum-exp of `Elementary.logSumExp`, pᵢ = exp(log w(mᵢ) − log Loss)
  /// (`ClassificationLoss.normalizedWeights`, without its arrays).
  @discardableResult
  func normalizeWeights(_ loss: ClassificationLoss, margins: UnsafePointer<Double>, into p: UnsafeMutablePointer<Double>, count n: Int) -> Double {
    guard n > 0 else { return -.infinity }
    var largest = -Double.infinity
    for i in 0..<n {
      p[i] = loss.logLoss(margin: margins[i])
      largest = max(largest, p[i])
    }
    guard largest.isFinite else {
      for i in 0..<n { p[i] = Elementary.exp(loss.logWeight(margin: margins[i]) - largest) }
      return largest
    }
    if loss == .exponential {
      // log w = log ℓ = −m: pᵢ = e^{−mᵢ−max}/Σⱼe^{−mⱼ−max}, one exponential per point.
      var s = 0.0
      for i in 0..<n {
        p[i] = Elementary.exp(p[i] - largest)
        s += p[i]
      }
      let inverse = 1 / s
      for i in 0..<n { p[i] *= inverse }
      return largest + Elementary.log(s)
    }
    var s = 0.0
    for i in 0..<n { s += Elementary.exp(p[i] - largest) }
    let total = largest + Elementary.log(s)
    for i in 0..<n { p[i] = Elementary.exp(loss.logWeight(margin: margins[i]) - total) }
    return total
  }

  /// Writes scale·H_g (row-major, (L·w)²) for the q given (see `ClassificationFlow.modeHessian`).
  /// Q_{lk} = Π_{j≠l,k} aⱼ is symmetric in (l, k), and so is H_g.
  /// - Complexity: O(L³) products per group.
  func writeHessian(_ y: UnsafePointer<Double>, q: UnsafePointer<Double>, group g: Int, scale: Double, into h: UnsafeMutablePointer<Double>) {
    let L = depth, o = offset[g], base = L * o, w = width[g], s = L * w
    h.update(repeating: 0, count: s * s)
    let inv = inverseMultiplicity[g] * scale
    for l in 0..<L {
      for k in (l + 1)..<L {
        if w == 1 {
          var qq = 1.0
          for j in 0..<L where j != l && j != k { qq *= y[base + j] }
          let v = inv * q[o] * qq
          h[l * s + k] = v
          h[k * s + l] = v
        } else {
          var qq = Complex.one
          for j in 0..<L where j != l && j != k { qq *= Complex(y[base + 2 * j], y[base + 2 * j + 1]) }
          let qr = q[o], qi = q[o + 1]
          let h00 = inv * (qr * qq.re + qi * qq.im)
          let h01 = inv * (-qr * qq.im + qi * qq.re)
          let h10 = inv * (qi * qq.re - qr * qq.im)
          let h11 = inv * (-qi * qq.im - qr * qq.re)
          // Block (l, k) and, by symmetry of Q, the same block at (k, l).
          let lk = 2 * l * s + 2 * k, kl = 2 * k * s + 2 * l
          h[lk] = h00; h[lk + 1] = h01; h[lk + s] = h10; h[lk + s + 1] = h11
          h[kl] = h00; h[kl + 1] = h01; h[kl + s] = h10; h[kl + s + 1] = h11
        }
      }
    }
  }

  /// For every group: D_g = sI − cH_g (at the workspace's q), inverted in place
  /// (Gauss–Jordan with partial pivoting, `invertInPlace`); then Λ_g = B_g D_g⁻¹B_gᵀ/mult_g (symmetrized, stored
  /// per coordinate as `lambdaSelf` and `lambdaOther`, the coefficient of the partner
  /// coordinate), (BG)_g and (BD⁻¹G)_g.
  ///
  /// The blocks are kept as explicit inverses: a block solve is then a (L·w)² product with
  /// independent multiply–adds, where the substitutions were a chain of dependent
  /// divisions (5× slower at L·w = 3). The blocks are small and their conditioning is
  /// that of D_g, so the forward error is the same order as with the factors.
  /// - Throws: the first block's factorization error (singular or non-finite).
  /// - Complexity: O(L³w³) per group.
  func prepareBlocks(_ y: UnsafePointer<Double>, _ ws: FlowWorkspace, shift: Double, clock c: Double) throws(LinearAlgebraError) {
    let L = depth
    let t = ws.blockScratch, y0 = t + 2 * L, y1 = y0 + 2 * L
    for g in 0..<groupCount {
      let o = offset[g], base = L * o, w = width[g], s = L * w
      let inverse = ws.blockInverses + blockStart[g]
      writeHessian(y, q: ws.q, group: g, scale: -c, into: inverse)
      for k in 0..<s { inverse[k * s + k] += shift }
      try invertInPlace(order: s, inverse, ld: s, pivots: ws.blockPivots + base)
      let p = UnsafePointer(ws.partials + base), field = UnsafePointer(ws.field + base)
      if w == 1 {
        // y₀ = D⁻¹B_gᵀ = D⁻¹(P₁, …, P_L)ᵀ, Λ_g = B_g y₀/mult; then B G and B D⁻¹G.
        multiplyBlock(inverse, order: s, p, into: y0)
        multiplyBlock(inverse, order: s, field, into: y1)
        var lam = 0.0, bg = 0.0, bdg = 0.0
        for l in 0..<L {
          lam += p[l] * y0[l]
          bg += p[l] * field[l]
          bdg += p[l] * y1[l]
        }
        ws.lambdaSelf[o] = inverseMultiplicity[g] * lam
        ws.lambdaOther[o] = 0
        ws.bField[o] = bg
        ws.bDinvField[o] = bdg
      } else {
        // Columns of B_gᵀ: (P_r, −P_i) and (P_i, P_r) per layer; Λ_g[:, c] = B_g y_c/mult,
        // (B_g y)_g = Σₗ P_l·y_l as complex products.
        for l in 0..<L {
          let pr = p[2 * l], pi = p[2 * l + 1]
          t[2 * l] = pr; t[2 * l + 1] = -pi
        }
        multiplyBlock(inverse, order: s, t, into: y0)
        for l in 0..<L {
          let pr = p[2 * l], pi = p[2 * l + 1]
          t[2 * l] = pi; t[2 * l + 1] = pr
        }
        multiplyBlock(inverse, order: s, t, into: y1)
        var l00 = 0.0, l10 = 0.0, l01 = 0.0, l11 = 0.0
        for l in 0..<L {
          let pr = p[2 * l], pi = p[2 * l + 1]
          l00 += pr * y0[2 * l] - pi * y0[2 * l + 1]
          l10 += pi * y0[2 * l] + pr * y0[2 * l + 1]
          l01 += pr * y1[2 * l] - pi * y1[2 * l + 1]
          l11 += pi * y1[2 * l] + pr * y1[2 * l + 1]
        }
        let inv = inverseMultiplicity[g]
        let off = inv * 0.5 * (l01 + l10)
        // (AΛ)[:, o] = A[:, o]Λ₀₀ + A[:, o+1]Λ₁₀ and (AΛ)[:, o+1] = A[:, o]Λ₀₁ + A[:, o+1]Λ₁₁.
        ws.lambdaSelf[o] = inv * l00
        ws.lambdaSelf[o + 1] = inv * l11
        ws.lambdaOther[o] = off
        ws.lambdaOther[o + 1] = off
        multiplyBlock(inverse, order: s, field, into: y0)
        var gr = 0.0, gi = 0.0, dr = 0.0, di = 0.0
        for l in 0..<L {
          let pr = p[2 * l], pi = p[2 * l + 1]
          let xr = field[2 * l], xi = field[2 * l + 1]
          gr += pr * xr - pi * xi
          gi += pi * xr + pr * xi
          dr += pr * y0[2 * l] - pi * y0[2 * l + 1]
          di += pi * y0[2 * l] + pr * y0[2 * l + 1]
        }
        ws.bField[o] = gr; ws.bField[o + 1] = gi
        ws.bDinvField[o] = dr; ws.bDinvField[o + 1] = di
      }
    }
  }

  /// out ← M·x for the s × s row-major block M (`out` may not alias `x`).
  @inline(__always)
  private func multiplyBlock(_ m: UnsafePointer<Double>, order s: Int, _ x: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
    for r in 0..<s {
      let row = m + r * s
      var acc = 0.0
      for c in 0..<s { acc += row[c] * x[c] }
      out[r] = acc
    }
  }

  /// x ← D⁻¹x, block by block, with the inverses of `prepareBlocks` (`scratch` holds one
  /// block's entries of x).
  /// - Complexity: 2(L·w)² flops per group.
  func solveBlocks(_ inverses: UnsafeMutablePointer<Double>, _ x: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
    // The common orders get loops of constant length, which the compiler unrolls (the
    // generic loop spent most of its time on loop control at L·w = 3).
    @inline(__always) func apply(_ s: Int, _ m: UnsafePointer<Double>, _ x: UnsafeMutablePointer<Double>) {
      for k in 0..<s { scratch[k] = x[k] }
      multiplyBlock(m, order: s, scratch, into: x)
    }
    for g in 0..<groupCount {
      let base = depth * offset[g], s = depth * width[g], m = UnsafePointer(inverses + blockStart[g])
      switch s {
      case 1: x[base] *= m[0]
      case 2: apply(2, m, x + base)
      case 3: apply(3, m, x + base)
      case 4: apply(4, m, x + base)
      case 6: apply(6, m, x + base)
      case 8: apply(8, m, x + base)
      default: apply(s, m, x + base)
      }
    }
  }

  /// panel ← (AΛ)[:, from..<from+width] (n × width, row-major), for A with leading
  /// dimension `lda`: column c is A[:, c]·λ_c + A[:, partner(c)]·λ′_c.
  /// - Complexity: 2·n·width flops (1 per entry for a real network).
  func scaleColumns(
    _ a: UnsafePointer<Double>, rows n: Int, lda: Int, from t0: Int, width: Int,
    lambdaSelf: UnsafePointer<Double>, lambdaOther: UnsafePointer<Double>, into panel: UnsafeMutablePointer<Double>
  ) {
    let ls = lambdaSelf + t0, lo = lambdaOther + t0, partner = self.partner + t0
    for i in 0..<n {
      let row = a + i * lda, src = row + t0, dst = panel + i * width
      if isReal {
        for c in 0..<width { dst[c] = src[c] * ls[c] }
      } else {
        for c in 0..<width { dst[c] = src[c] * ls[c] + row[partner[c]] * lo[c] }
      }
    }
  }
}

// MARK: - Work memory

/// The preallocated work memory of a ``ClassificationFlow``: one block of doubles and one
/// of integers, carved into named regions, so that the hot loops take pointers to several
/// regions at once and no call allocates. A class for that reason; the flow copies it
/// before writing whenever another copy of the flow shares it (copy-on-write, like the
/// storage classes of swift-collections), so `ClassificationFlow` keeps value semantics.
///
/// Size: n² (K) + n·min(256, N) (a panel of AΛ) + Σ_g (L·w_g)² (the block inverses,
/// L²N for a real network) + 3L·N + 7N + 7n doubles, and L·N + n integers (pivots):
/// ≈ 12 MB for n = 1000, N = 10 000, L = 3. With A (n × N) itself this is all the flow
/// holds; the dense form held Jₘ and D⁻¹U′ (n × L·N each, 240 MB apiece there).
final class FlowWorkspace {
  /// Columns per panel of AΛ in the product AΛAᵀ (the depth chunk of the kernel).
  static let panelWidth = 256

  let points: Int
  let layout: ModeLayout
  private let doubles: UnsafeMutablePointer<Double>
  private let doubleCount: Int
  private let ints: UnsafeMutablePointer<Int>
  private let intCount: Int

  // Evaluation (overwritten by every `evaluate` and `prepareSolves`).
  let rho, margins, weights, q: UnsafeMutablePointer<Double>
  // Prepared for the solves (written only by `prepareSolves`).
  let partials, field, solveWeights, solveDecay, jmField, woodbury: UnsafeMutablePointer<Double>
  /// D_g⁻¹ for every group, (L·w_g)² entries each at `ModeLayout.blockStart`.
  let blockInverses: UnsafeMutablePointer<Double>
  let blockPivots, woodburyPivots: UnsafeMutablePointer<Int>
  // Scratch of `prepareSolves`.
  let jmDinvField, bField, bDinvField, lambdaSelf, lambdaOther, columnSums, panel, blockScratch: UnsafeMutablePointer<Double>
  // Scratch of `solveShifted`.
  let solveCoordinates, solvePoints, solveState: UnsafeMutablePointer<Double>

  init(points n: Int, layout: ModeLayout) {
    self.points = n
    self.layout = layout
    let nc = layout.coordinateCount, dim = layout.dimension
    let panel = n * min(Self.panelWidth, max(nc, 1))
    let sizes = [nc, n, n, nc,                                      // rho, margins, weights, q
                 dim, dim, n, n, n, layout.blockStorage, n * n,     // partials … woodbury
                 n, nc, nc, nc, nc, n, panel, 6 * layout.depth,   // jmDinvField … blockScratch
                 nc, n, dim]                                        // solve scratch
    doubleCount = max(sizes.reduce(0, +), 1)
    doubles = .allocate(capacity: doubleCount)
    doubles.initialize(repeating: 0, count: doubleCount)
    intCount = max(dim + n, 1)
    ints = .allocate(capacity: intCount)
    ints.initialize(repeating: 0, count: intCount)
    var regions: [UnsafeMutablePointer<Double>] = []
    var next = doubles
    for s in sizes { regions.append(next); next += s }
    (rho, margins, weights, q) = (regions[0], regions[1], regions[2], regions[3])
    (partials, field, solveWeights, solveDecay, jmField, blockInverses, woodbury) =
      (regions[4], regions[5], regions[6], regions[7], regions[8], regions[9], regions[10])
    (jmDinvField, bField, bDinvField, lambdaSelf, lambdaOther, columnSums, self.panel, blockScratch) =
      (regions[11], regions[12], regions[13], regions[14], regions[15], regions[16], regions[17], regions[18])
    (solveCoordinates, solvePoints, solveState) = (regions[19], regions[20], regions[21])
    blockPivots = ints
    woodburyPivots = ints + dim
  }

  /// An independent workspace with the same contents.
  func copy() -> FlowWorkspace {
    let other = FlowWorkspace(points: points, layout: layout)
    other.doubles.update(from: doubles, count: doubleCount)
    other.ints.update(from: ints, count: intCount)
    return other
  }

  deinit {
    doubles.deallocate()
    ints.deallocate()
  }
}
