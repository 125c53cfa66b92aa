import LinearAlgebra

/// A linear tensor network f(x; Θ) = 𝓜(x)·(v₁, …, v_L) with layers vₗ ∈ ℝ^{kₗ} and a data
/// tensor 𝓜(x) ∈ ℝ^{k₁×⋯×k_L} linear in x ∈ ℝᵈ (spec §1.3–1.4).
///
/// Because x ↦ 𝓜(x) is linear, f(x; Θ) = xᵀβ(Θ) with [β]ₖ = 𝓜(eₖ)·(v₁, …, v_L) (the linear
/// coefficients), and the gradient of f with respect to one layer is the contraction of the
/// data tensor with every other layer:
///
///     ∇_{vₗ} f(u; Θ) = 𝓜(u)·(v₁, …, v_{l−1}, I_{kₗ}, v_{l+1}, …, v_L) ∈ ℝ^{kₗ}.
///
/// The tensor 𝓜(u) is never materialized except for `.tensor`, where the user supplies it:
/// every structured architecture contracts by prefix and suffix products (see
/// ``contractions(_:layers:)``). Layers are handed around as `[[Double]]` (one array per
/// layer, layer l of length `layerSizes[l]`) or flattened into one state vector
/// (v₁, …, v_L concatenated, see ``flatten(_:)``).
public struct TensorNetwork: Sendable, Equatable {
  /// The supported data tensors.
  public enum Architecture: Sendable, Equatable {
    /// f(x) = xᵀW₁W₂⋯W_{L−1}w_L with W₁ ∈ ℝ^{d×k₁}, Wₗ ∈ ℝ^{k_{l−1}×kₗ}, w_L ∈ ℝ^{k_{L−1}}:
    /// `widths` = [k₁, …, k_{L−1}], depth L = widths.count + 1 (`[]` is the linear model
    /// f = xᵀw). vₗ = vec(Wₗ) row-major, i.e. [vₗ]_{a·kₗ + b} = [Wₗ]_{ab}. The data tensor is
    /// [𝓜(x)]_{(a₀,b₁),(a₁,b₂),…,(a_{L−1})} = [x]_{a₀} Π_{l<L} δ_{bₗaₗ} (spec §1.4-2).
    case fullyConnected(widths: [Int])
    /// [𝓜(x)]_{i₁⋯i_L} = x_{(i₁+⋯+i_L) mod d} with iₗ ∈ {0, …, kₗ − 1}, kₗ ≤ d
    /// (spec §1.4-3/4): kₗ = d is the full-length circular convolution, kₗ < d a short filter.
    case convolutional(filterSizes: [Int])
    /// f(x) = xᵀ(v₁ ⊙ ⋯ ⊙ v_L), kₗ = d: [𝓜(x)]_{i⋯i} = xᵢ, zero off the diagonal (spec §1.4-1).
    case diagonal(depth: Int)
    /// A user-supplied data tensor: `slices[k]` is 𝓜(e_{k+1}) flattened row-major (last index
    /// fastest) with shape `dimensions` = [k₁, …, k_L]; 𝓜(x) = Σₖ xₖ 𝓜(eₖ).
    case tensor(dimensions: [Int], slices: [[Double]])
  }

  public let architecture: Architecture
  /// d.
  public let inputDimension: Int
  /// kₗ, the number of parameters of each layer (for FC layer l < L: k_{l−1}·kₗ with k₀ = d).
  public let layerSizes: [Int]
  /// The index of each layer's first entry in the flattened state.
  public let layerOffsets: [Int]

  /// L.
  public var depth: Int { layerSizes.count }
  /// Σₗ kₗ, the length of the flattened state.
  public var parameterCount: Int { (layerOffsets.last ?? 0) + (layerSizes.last ?? 0) }

  /// - Precondition: d ≥ 1 and the architecture is well formed: positive widths; 1 ≤ kₗ ≤ d
  ///   for convolutions, at least one filter; depth ≥ 1; d slices of Πₗkₗ entries each.
  public init(_ architecture: Architecture, inputDimension d: Int) {
    precondition(d >= 1, "TensorNetwork needs an input dimension d ≥ 1, got \(d)")
    var sizes: [Int]
    switch architecture {
    case .fullyConnected(let widths):
      precondition(widths.allSatisfy { $0 >= 1 }, "fully-connected widths must be positive, got \(widths)")
      let dims = [d] + widths
      sizes = []
      for l in 1..<dims.count { sizes.append(dims[l - 1] * dims[l]) }
      sizes.append(dims[dims.count - 1])
    case .convolutional(let filters):
      precondition(!filters.isEmpty, "a convolutional network needs at least one filter")
      precondition(filters.allSatisfy { $0 >= 1 && $0 <= d }, "filter sizes must lie in 1…d = \(d), got \(filters)")
      sizes = filters
    case .diagonal(let depth):
      precondition(depth >= 1, "a diagonal network needs depth ≥ 1, got \(depth)")
      sizes = [Int](repeating: d, count: depth)
    case .tensor(let dimensions, let slices):
      precondition(!dimensions.isEmpty && dimensions.allSatisfy { $0 >= 1 },
                   "tensor dimensions must be non-empty and positive, got \(dimensions)")
      precondition(slices.count == d, "a data tensor on ℝ^\(d) needs \(d) slices 𝓜(eₖ), got \(slices.count)")
      let size = dimensions.reduce(1, *)
      precondition(slices.allSatisfy { $0.count == size },
                   "every slice must have \(size) entries (shape \(dimensions))")
      sizes = dimensions
    }
    self.architecture = architecture
    self.inputDimension = d
    self.layerSizes = sizes
    var offsets: [Int] = []
    var o = 0
    for k in sizes { offsets.append(o); o += k }
    self.layerOffsets = offsets
  }

  /// FC: `.fullyConnected(widths:)` on ℝᵈ.
  public static func fullyConnected(inputDimension d: Int, widths: [Int]) -> TensorNetwork {
    TensorNetwork(.fullyConnected(widths: widths), inputDimension: d)
  }

  /// Convolution with filters of the given lengths on ℝᵈ.
  public static func convolutional(inputDimension d: Int, filterSizes: [Int]) -> TensorNetwork {
    TensorNetwork(.convolutional(filterSizes: filterSizes), inputDimension: d)
  }

  /// Diagonal network of depth L on ℝᵈ.
  public static func diagonal(inputDimension d: Int, depth: Int) -> TensorNetwork {
    TensorNetwork(.diagonal(depth: depth), inputDimension: d)
  }

  // MARK: - Layers ↔ state

  /// v₁, …, v_L concatenated.
  public func flatten(_ layers: [[Double]]) -> [Double] {
    checkLayers(layers)
    var out: [Double] = []
    out.reserveCapacity(parameterCount)
    for v in layers { out.append(contentsOf: v) }
    return out
  }

  /// The inverse of ``flatten(_:)``.
  public func unflatten(_ state: [Double]) -> [[Double]] {
    precondition(state.count == parameterCount, "state has \(state.count) entries, the network has \(parameterCount)")
    return (0..<depth).map { Array(state[layerOffsets[$0]..<(layerOffsets[$0] + layerSizes[$0])]) }
  }

  /// Stops with a clear message unless `layers` has the network's shape.
  func checkLayers(_ layers: [[Double]]) {
    precondition(layers.count == depth, "expected \(depth) layers, got \(layers.count)")
    for l in 0..<depth where layers[l].count != layerSizes[l] {
      preconditionFailure("layer \(l + 1) has \(layers[l].count) entries, expected \(layerSizes[l])")
    }
  }

  /// FC only: W₁ (d × k₁), …, W_{L−1} (k_{L−2} × k_{L−1}) and w_L as a k_{L−1} × 1 matrix.
  public func fcMatrices(_ layers: [[Double]]) -> [Matrix] {
    guard case .fullyConnected(let widths) = architecture else {
      preconditionFailure("fcMatrices needs a fully-connected network, this one is \(architecture)")
    }
    checkLayers(layers)
    let dims = [inputDimension] + widths
    var out: [Matrix] = []
    for l in 1..<dims.count { out.append(Matrix(rows: dims[l - 1], columns: dims[l], storage: layers[l - 1])) }
    out.append(Matrix(rows: dims[dims.count - 1], columns: 1, storage: layers[depth - 1]))
    return out
  }

  /// The conserved quantities ‖vₗ‖² − ‖v_L‖², l < L, of gradient flow on any loss (spec §2.1:
  /// ⟨vₗ, ∇_{vₗ}Loss⟩ = Σᵢ ∂ℓᵢ fᵢ is the same for every l by multilinearity).
  public func layerBalances(_ layers: [[Double]]) -> [Double] {
    checkLayers(layers)
    let last = layers[depth - 1].dot(layers[depth - 1])
    return (0..<(depth - 1)).map { layers[$0].dot(layers[$0]) - last }
  }

  /// maxₗ |(‖vₗ‖² − ‖v_L‖²) − (the same at `initial`)| / ‖Θ‖², ‖Θ‖ of `layers`: the drift of
  /// the conservation law of spec §2.1 (0 for L = 1 or Θ = 0).
  public func conservationDrift(from initial: [[Double]], to layers: [[Double]]) -> Double {
    let b0 = layerBalances(initial), b = layerBalances(layers)
    var drift = 0.0
    for l in b.indices { drift = max(drift, abs(b[l] - b0[l])) }
    var norm2 = 0.0
    for v in layers { norm2 += v.dot(v) }
    return norm2 > 0 ? drift / norm2 : 0
  }

  // MARK: - Evaluation

  /// f(x; Θ) = 𝓜(x)·(v₁, …, v_L) = xᵀβ(Θ).
  /// - Complexity: that of ``linearCoefficients(_:)`` plus O(d).
  public func output(_ x: [Double], layers: [[Double]]) -> Double {
    precondition(x.count == inputDimension, "input has \(x.count) entries, the network expects \(inputDimension)")
    return x.dot(linearCoefficients(layers))
  }

  /// β(Θ) ∈ ℝᵈ with f(x; Θ) = xᵀβ, [β]ₖ = 𝓜(eₖ)·(v₁, …, v_L):
  /// - FC: β = W₁W₂⋯W_{L−1}w_L, by matrix–vector products from the right; O(Σₗ k_{l−1}kₗ).
  /// - convolution: β = v₁ ⊛ ⋯ ⊛ v_L, the circular convolution mod d of the filters
  ///   (Σ over index tuples with i₁+⋯+i_L ≡ k); O(d·Σₗkₗ).
  /// - diagonal: β = v₁ ⊙ ⋯ ⊙ v_L; O(Ld).
  /// - tensor: one full contraction per slice; O(d·Πₗkₗ).
  public func linearCoefficients(_ layers: [[Double]]) -> [Double] {
    checkLayers(layers)
    let d = inputDimension
    switch architecture {
    case .fullyConnected(let widths):
      let dims = [d] + widths
      var b = layers[depth - 1]
      for l in stride(from: depth - 1, through: 1, by: -1) {
        b = Self.matrixTimes(layers[l - 1], rows: dims[l - 1], columns: dims[l], b)
      }
      return b
    case .convolutional:
      var p = [Double](repeating: 0, count: d)
      p[0] = 1
      var support = 1
      for v in layers { (p, support) = Self.circularConvolution(p, support: support, v, modulus: d) }
      return p
    case .diagonal:
      var b = layers[0]
      for l in 1..<depth { for j in 0..<d { b[j] *= layers[l][j] } }
      return b
    case .tensor(let dims, let slices):
      return slices.map { Self.fullContraction($0, dimensions: dims, layers: layers) }
    }
  }

  /// For every layer l, ∇_{vₗ} f(u; Θ) = 𝓜(u)·(v₁, …, v_{l−1}, I, v_{l+1}, …, v_L) ∈ ℝ^{kₗ}
  /// (spec §1.3), all l at once. Derivations (0-based layer indices in the code):
  ///
  /// - **FC.** f = a_{l−1}ᵀ Wₗ bₗ with the prefix row aₗ = W_lᵀ⋯W₁ᵀu ∈ ℝ^{kₗ} (a₀ = u) and
  ///   the suffix bₗ = W_{l+1}⋯W_{L−1}w_L ∈ ℝ^{kₗ} (b_{L−1} = w_L), so ∇_{Wₗ} f = a_{l−1}bₗᵀ
  ///   (row-major) and ∇_{w_L} f = a_{L−1}. Prefixes and suffixes are computed once:
  ///   O(Σₗ k_{l−1}kₗ) = O(parameterCount), never the d·Πkₗ tensor.
  /// - **Convolution.** With circular correlation (y ⋆ v)[j] = Σ_{i<k} y[(j+i) mod d] v[i] and
  ///   convolution (p ⊛ v)[t] = Σ_{s+i≡t} p[s]v[i], the contraction is
  ///   cₗ[j] = Σ_{i_m, m≠l} u[(j + Σ_{m≠l} i_m) mod d] Π_{m≠l} v_m[i_m] = (Sₗ ⋆ Pₗ)[j],
  ///   where Pₗ = v₁ ⊛ ⋯ ⊛ v_{l−1} (prefix convolutions) and Sₗ = u ⋆ v_L ⋆ ⋯ ⋆ v_{l+1}
  ///   (suffix correlations), because correlating with a convolution is correlating with
  ///   each factor in turn: y ⋆ (a ⊛ b) = (y ⋆ b) ⋆ a. Cost O(d·Σₗkₗ) (each prefix has at
  ///   most d non-zeros, each suffix is a length-d vector, and only j < kₗ is needed).
  /// - **Diagonal.** cₗ = u ⊙ Π_{m≠l} v_m by prefix and suffix products; O(Ld).
  /// - **Tensor.** 𝓜(u) = Σₖ uₖ𝓜(eₖ) (O(d·Πkₗ)), then for each l the modes after l are
  ///   contracted from the right and those before l from the left; O((d + L)·Πkₗ).
  public func contractions(_ u: [Double], layers: [[Double]]) -> [[Double]] {
    precondition(u.count == inputDimension, "input has \(u.count) entries, the network expects \(inputDimension)")
    checkLayers(layers)
    switch architecture {
    case .fullyConnected(let widths): return fcContractions(u, layers: layers, widths: widths)
    case .convolutional: return convContractions(u, layers: layers)
    case .diagonal: return diagonalContractions(u, layers: layers)
    case .tensor(let dims, let slices):
      return Self.tensorContractions(Self.combine(slices, u, count: dims.reduce(1, *)), dimensions: dims, layers: layers)
    }
  }

  /// ∇_Θ f(u; Θ) flattened: ``contractions(_:layers:)`` concatenated.
  public func gradient(_ u: [Double], layers: [[Double]]) -> [Double] {
    flatten(contractions(u, layers: layers))
  }

  /// ∇²_Θ f(u; Θ) (parameterCount × parameterCount, symmetric). f is multilinear, so the
  /// diagonal blocks are zero and block (l, m), l ≠ m, is 𝓜(u)·(…, I at l, …, I at m, …).
  /// f is affine in each single parameter, so column (m, j) is exactly the contraction of
  /// every other layer l with v_m replaced by the unit vector eⱼ: computed that way (no
  /// differencing, no cancellation), one ``contractions(_:layers:)`` per parameter.
  /// - Complexity: parameterCount contractions: O(N²) for FC and diagonal networks
  ///   (N = parameterCount), O(d·N·Σkₗ) = O(dN²) for convolutions, O(N(d + L)Πkₗ) for
  ///   tensors (𝓜(u) is formed once).
  public func hessian(_ u: [Double], layers: [[Double]]) -> Matrix {
    precondition(u.count == inputDimension, "input has \(u.count) entries, the network expects \(inputDimension)")
    checkLayers(layers)
    let n = parameterCount
    var h = Matrix(rows: n, columns: n)
    var tensor: [Double] = []
    if case .tensor(let dims, let slices) = architecture { tensor = Self.combine(slices, u, count: dims.reduce(1, *)) }
    var replaced = layers
    for m in 0..<depth {
      let saved = replaced[m]
      for j in 0..<layerSizes[m] {
        var unit = [Double](repeating: 0, count: layerSizes[m])
        unit[j] = 1
        replaced[m] = unit
        let c: [[Double]]
        if case .tensor(let dims, _) = architecture {
          c = Self.tensorContractions(tensor, dimensions: dims, layers: replaced)
        } else {
          c = contractions(u, layers: replaced)
        }
        let column = layerOffsets[m] + j
        for l in 0..<depth where l != m {
          for i in 0..<layerSizes[l] { h[layerOffsets[l] + i, column] = c[l][i] }
        }
      }
      replaced[m] = saved
    }
    return h
  }

  // MARK: - Fully connected

  private func fcContractions(_ u: [Double], layers: [[Double]], widths: [Int]) -> [[Double]] {
    let L = depth
    let dims = [inputDimension] + widths  // k₀ … k_{L−1}
    // Prefixes a[l] ∈ ℝ^{k_l}: a[0] = u, a[l] = W_lᵀ a[l−1] (W_l = layers[l−1]).
    var a: [[Double]] = [u]
    for l in 1..<L { a.append(Self.transposeTimes(layers[l - 1], rows: dims[l - 1], columns: dims[l], a[l - 1])) }
    // Suffixes b[l] ∈ ℝ^{k_l}: b[L−1] = w_L, b[l−1] = W_l b[l].
    var b = [[Double]](repeating: [], count: L)
    b[L - 1] = layers[L - 1]
    for l in stride(from: L - 1, through: 2, by: -1) {
      b[l - 1] = Self.matrixTimes(layers[l - 1], rows: dims[l - 1], columns: dims[l], b[l])
    }
    var out: [[Double]] = []
    for l in 1..<L {  // ∇_{W_l} f = a[l−1] b[l]ᵀ
      let rows = dims[l - 1], cols = dims[l]
      var g = [Double](repeating: 0, count: rows * cols)
      for i in 0..<rows {
        let ai = a[l - 1][i]
        for j in 0..<cols { g[i * cols + j] = ai * b[l][j] }
      }
      out.append(g)
    }
    out.append(a[L - 1])
    return out
  }

  /// M x for M (rows × columns) stored row-major in `m`.
  static func matrixTimes(_ m: [Double], rows: Int, columns: Int, _ x: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: rows)
    for i in 0..<rows {
      var s = 0.0
      for j in 0..<columns { s += m[i * columns + j] * x[j] }
      y[i] = s
    }
    return y
  }

  /// Mᵀ x for M (rows × columns) stored row-major in `m`.
  static func transposeTimes(_ m: [Double], rows: Int, columns: Int, _ x: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: columns)
    for i in 0..<rows {
      let xi = x[i]
      for j in 0..<columns { y[j] += xi * m[i * columns + j] }
    }
    return y
  }

  // MARK: - Convolution

  /// (p ⊛ v) mod `modulus` for p supported on its first `support` entries; returns the
  /// result and its support bound min(modulus, support + k − 1). O(support · k).
  static func circularConvolution(_ p: [Double], support: Int, _ v: [Double], modulus d: Int) -> ([Double], Int) {
    var out = [Double](repeating: 0, count: d)
    for s in 0..<support {
      let ps = p[s]
      if ps == 0 { continue }
      for i in 0..<v.count { out[(s + i) % d] += ps * v[i] }
    }
    return (out, min(d, support + v.count - 1))
  }

  /// (y ⋆ v)[j] = Σ_{i<k} y[(j+i) mod d] v[i] for all j < d. O(d · k).
  static func circularCorrelation(_ y: [Double], _ v: [Double]) -> [Double] {
    let d = y.count
    var out = [Double](repeating: 0, count: d)
    for j in 0..<d {
      var s = 0.0
      for i in 0..<v.count { s += y[(j + i) % d] * v[i] }
      out[j] = s
    }
    return out
  }

  private func convContractions(_ u: [Double], layers: [[Double]]) -> [[Double]] {
    let L = depth, d = inputDimension
    // Suffix correlations S[l] = u ⋆ v_{L−1} ⋆ ⋯ ⋆ v_{l+1} (0-based), S[L−1] = u.
    var suffix = [[Double]](repeating: [], count: L)
    suffix[L - 1] = u
    for l in stride(from: L - 2, through: 0, by: -1) { suffix[l] = Self.circularCorrelation(suffix[l + 1], layers[l + 1]) }
    // Prefix convolutions P = v₀ ⊛ ⋯ ⊛ v_{l−1}, advanced as l grows.
    var prefix = [Double](repeating: 0, count: d)
    prefix[0] = 1
    var support = 1
    var out: [[Double]] = []
    for l in 0..<L {
      var c = [Double](repeating: 0, count: layerSizes[l])
      let s = suffix[l]
      for j in 0..<layerSizes[l] {
        var acc = 0.0
        for t in 0..<support { acc += s[(j + t) % d] * prefix[t] }
        c[j] = acc
      }
      out.append(c)
      if l < L - 1 { (prefix, support) = Self.circularConvolution(prefix, support: support, layers[l], modulus: d) }
    }
    return out
  }

  // MARK: - Diagonal

  private func diagonalContractions(_ u: [Double], layers: [[Double]]) -> [[Double]] {
    let L = depth, d = inputDimension
    var suffix = [[Double]](repeating: [], count: L)  // Π_{m>l} v_m
    suffix[L - 1] = [Double](repeating: 1, count: d)
    for l in stride(from: L - 2, through: 0, by: -1) {
      suffix[l] = (0..<d).map { suffix[l + 1][$0] * layers[l + 1][$0] }
    }
    var prefix = u  // u ⊙ Π_{m<l} v_m
    var out: [[Double]] = []
    for l in 0..<L {
      out.append((0..<d).map { prefix[$0] * suffix[l][$0] })
      for j in 0..<d { prefix[j] *= layers[l][j] }
    }
    return out
  }

  // MARK: - User tensor

  /// Σₖ uₖ slices[k].
  static func combine(_ slices: [[Double]], _ u: [Double], count: Int) -> [Double] {
    var t = [Double](repeating: 0, count: count)
    for k in slices.indices where u[k] != 0 {
      let uk = u[k]
      for e in 0..<count { t[e] += uk * slices[k][e] }
    }
    return t
  }

  /// T·(v₁, …, v_L).
  static func fullContraction(_ t: [Double], dimensions: [Int], layers: [[Double]]) -> Double {
    var current = t
    for l in stride(from: dimensions.count - 1, through: 0, by: -1) {
      current = contractLast(current, size: dimensions[l], with: layers[l])
    }
    return current[0]
  }

  /// Contracts the last (fastest) mode, of size k, of a row-major tensor with v.
  static func contractLast(_ t: [Double], size k: Int, with v: [Double]) -> [Double] {
    let outer = t.count / k
    var out = [Double](repeating: 0, count: outer)
    for o in 0..<outer {
      var s = 0.0
      for j in 0..<k { s += t[o * k + j] * v[j] }
      out[o] = s
    }
    return out
  }

  /// Contracts the first (slowest) mode, of size k, of a row-major tensor with v.
  static func contractFirst(_ t: [Double], size k: Int, with v: [Double]) -> [Double] {
    let inner = t.count / k
    var out = [Double](repeating: 0, count: inner)
    for j in 0..<k {
      let vj = v[j]
      if vj == 0 { continue }
      for e in 0..<inner { out[e] += vj * t[j * inner + e] }
    }
    return out
  }

  static func tensorContractions(_ t: [Double], dimensions: [Int], layers: [[Double]]) -> [[Double]] {
    let L = dimensions.count
    var out: [[Double]] = []
    // Right partial contractions R[l] = T contracted with v_{L−1}, …, v_{l+1} (shape k₀…k_l).
    var right = [[Double]](repeating: [], count: L)
    right[L - 1] = t
    for l in stride(from: L - 2, through: 0, by: -1) {
      right[l] = contractLast(right[l + 1], size: dimensions[l + 1], with: layers[l + 1])
    }
    for l in 0..<L {
      var c = right[l]
      for m in 0..<l { c = contractFirst(c, size: dimensions[m], with: layers[m]) }
      out.append(c)
    }
    return out
  }
}
