import LinearAlgebra

/// The architectures whose data tensor is orthogonally decomposable (spec §1.4–1.5).
public enum NetworkKind: String, CaseIterable, Sendable {
  /// f(x) = xᵀ(v₁ ⊙ ⋯ ⊙ v_L): S = I, U_l = I.
  case diagonal
  /// Full-length circular convolution: S = d^{(L−2)/2} F (the DFT), U_l = F̄/√d.
  case convolutional = "conv"
  /// A given or random (S, U₁, …, U_L) with real entries and orthonormal columns.
  case orthogonallyDecomposable = "odn"
}

/// An L-layer orthogonally decomposable linear tensor network, represented by what the
/// implicit-bias theorems need: the transformed space and the linear map ρ ↦ β = Sᵀρ.
///
/// For every kind, β = T ρ with T a d × N real matrix over the real vectorization of
/// ρ (see `TransformedSpace`), so margins are mᵢ = yᵢ xᵢᵀ T ρ = (A ρ)ᵢ with A = Z T.
public struct LinearNetwork: Sendable, Equatable {
  public let kind: NetworkKind
  /// Depth L ≥ 1.
  public let depth: Int
  /// Input dimension d.
  public let inputDimension: Int
  /// Modes and their coordinates.
  public let space: TransformedSpace
  /// β = linearMap · ρ (d × N). Not stored for diagonal networks (T = I would take d²
  /// doubles, 800 MB at d = 10⁴): built on demand there; use `linearCoefficients` and
  /// `transformedInputs`, which never form it.
  public var linearMap: Matrix { storedMap ?? .identity(inputDimension) }
  /// T for every kind but `.diagonal`.
  private let storedMap: Matrix?
  /// For kind `.orthogonallyDecomposable`: U₁, …, U_L (k_l × m); empty otherwise.
  public let layerBases: [Matrix]

  /// Layer widths k_l (each layer's parameter count).
  public var layerWidths: [Int] {
    kind == .orthogonallyDecomposable ? layerBases.map(\.rows) : Array(repeating: inputDimension, count: depth)
  }

  /// The diagonal network of depth L on ℝᵈ: S = I, ρ = β = v₁ ⊙ ⋯ ⊙ v_L.
  public static func diagonal(dimension d: Int, depth: Int) -> LinearNetwork {
    precondition(d >= 1 && depth >= 1, "diagonal network needs d ≥ 1 and depth ≥ 1, got d = \(d), L = \(depth)")
    return LinearNetwork(kind: .diagonal, depth: depth, inputDimension: d, space: .real(d),
                         linearMap: nil, layerBases: [])
  }

  /// The full-length circular convolutional network of depth L on ℝᵈ (spec §1.4-3, §1.5).
  ///
  /// With ω = e^{2πi/d}, F_{jk} = ω^{−jk} and S = d^{(L−2)/2} F, β_k = Σⱼ S_{jk} ρⱼ over all d
  /// modes. Real filters give ρ_{d−j} = conj ρⱼ, so only j = 0 … ⌊d/2⌋ are stored; j = 0 and
  /// j = d/2 are real, the others complex with multiplicity 2, and
  ///   β_k = c Σ_g mult_g Re(e^{−2πi jk/d} ρ_g) = c Σ_g mult_g (cos θ Re ρ_g + sin θ Im ρ_g),
  /// θ = 2π jk/d, c = d^{(L−2)/2}.
  /// - Complexity: O(d²) to build the map (done once per network).
  public static func convolutional(dimension d: Int, depth: Int) -> LinearNetwork {
    precondition(d >= 1 && depth >= 1, "convolutional network needs d ≥ 1 and depth ≥ 1, got d = \(d), L = \(depth)")
    let half = d / 2
    var isComplex: [Bool] = [], mult: [Double] = [], index: [Int] = []
    for j in 0...half {
      let real = j == 0 || 2 * j == d
      isComplex.append(!real)
      mult.append(real ? 1 : 2)
      index.append(j)
    }
    let space = TransformedSpace(isComplex: isComplex, multiplicity: mult, modeIndex: index)
    let c = Elementary.pow(Double(d), Double(depth - 2) / 2)
    var t = Matrix(rows: d, columns: space.coordinateCount)
    for k in 0..<d {
      for g in 0..<space.groupCount {
        let j = index[g]
        let theta = 2 * Double.pi * Double((j * k) % d) / Double(d)
        let o = space.offsets[g]
        t[k, o] = c * mult[g] * Elementary.cos(theta)
        if isComplex[g] { t[k, o + 1] = c * mult[g] * Elementary.sin(theta) }
      }
    }
    return LinearNetwork(kind: .convolutional, depth: depth, inputDimension: d, space: space,
                         linearMap: t, layerBases: [])
  }

  /// A real orthogonally decomposable network from S (m × d) and U₁…U_L (k_l × m with
  /// orthonormal columns; the caller validates orthonormality).
  public static func orthogonallyDecomposable(s: Matrix, u: [Matrix]) -> LinearNetwork {
    precondition(!u.isEmpty, "an orthogonally decomposable network needs at least one layer basis")
    for (l, ul) in u.enumerated() {
      precondition(ul.columns == s.rows, "U_\(l + 1) is \(ul.rows)×\(ul.columns) but S has \(s.rows) rows")
    }
    return LinearNetwork(kind: .orthogonallyDecomposable, depth: u.count, inputDimension: s.columns,
                         space: .real(s.rows), linearMap: s.transposed, layerBases: u)
  }

  /// The margin matrix A = Z T (n × N): margins are m = A ρ.
  public func marginMatrix(_ data: ClassificationData) -> Matrix {
    precondition(data.dimension == inputDimension, "data has d = \(data.dimension), network expects \(inputDimension)")
    return transformedInputs(data.signedInputs)
  }

  /// X T (rows × N) for inputs X (rows × d): the inputs in the transformed space.
  ///
  /// For the convolutional network this is a real FFT of every row instead of the dense
  /// product with T: with X̂ⱼ = Σₖ xₖ e^{−2πi jk/d},
  ///   Σₖ xₖ T_{k,(g,re)} = c·mult_g·Σₖ xₖ cos θ = c·mult_g·Re X̂ⱼ,
  ///   Σₖ xₖ T_{k,(g,im)} = c·mult_g·Σₖ xₖ sin θ = −c·mult_g·Im X̂ⱼ      (θ = 2π jk/d),
  /// so the margins' matrix costs O(n d log d) rather than O(n d²). The flow itself runs in
  /// transformed coordinates and never transforms again.
  /// - Complexity: O(rows · d log d) (convolutional), none (diagonal: T = I),
  ///   O(rows · d · N) otherwise.
  public func transformedInputs(_ x: Matrix) -> Matrix {
    precondition(x.columns == inputDimension, "inputs have d = \(x.columns), network expects \(inputDimension)")
    if kind == .diagonal { return x }
    guard kind == .convolutional else { return x * linearMap }
    let d = inputDimension, sp = space
    let c = Elementary.pow(Double(d), Double(depth - 2) / 2)
    let fft = FourierTransform(length: d)
    var out = Matrix(rows: x.rows, columns: sp.coordinateCount)
    for i in 0..<x.rows {
      let spectrum = fft.forward(real: x.row(i))
      for g in 0..<sp.groupCount {
        let j = sp.modeIndex[g], o = sp.offsets[g], scale = c * sp.multiplicity[g]
        out[i, o] = scale * spectrum[j].re
        if sp.isComplex[g] { out[i, o + 1] = -scale * spectrum[j].im }
      }
    }
    return out
  }

  /// β = T ρ.
  public func linearCoefficients(_ rho: [Double]) -> [Double] { storedMap.map { $0 * rho } ?? rho }

  /// The transformed coordinates a_l = U_lᵀ v_l of layer l's parameters v_l (real
  /// vectorization). For a convolutional network, a_{l,j} = (1/√d) Σᵢ e^{2πi ij/d} vᵢ, by FFT
  /// (O(d log d), any d).
  public func transformedLayer(_ v: [Double], layer l: Int) -> [Double] {
    switch kind {
    case .diagonal:
      precondition(v.count == inputDimension, "layer \(l + 1) has \(v.count) entries, expected \(inputDimension)")
      return v
    case .orthogonallyDecomposable:
      let ul = layerBases[l]
      precondition(v.count == ul.rows, "layer \(l + 1) has \(v.count) entries, expected \(ul.rows)")
      return ul.transposedTimes(v)
    case .convolutional:
      let d = inputDimension
      precondition(v.count == d, "layer \(l + 1) has \(v.count) entries, expected \(d)")
      // Σᵢ e^{+2πi ij/d} vᵢ = conj(Σᵢ e^{−2πi ij/d} vᵢ) for real v: the forward FFT, conjugated.
      let spectrum = FourierTransform(length: d).forward(real: v)
      var a = [Double](repeating: 0, count: space.coordinateCount)
      let scale = 1 / Double(d).squareRoot()
      for g in 0..<space.groupCount {
        let z = spectrum[space.modeIndex[g]]
        a[space.offsets[g]] = scale * z.re
        if space.isComplex[g] { a[space.offsets[g] + 1] = -scale * z.im }
      }
      return a
    }
  }

  private init(kind: NetworkKind, depth: Int, inputDimension: Int, space: TransformedSpace,
               linearMap: Matrix?, layerBases: [Matrix]) {
    self.kind = kind
    self.depth = depth
    self.inputDimension = inputDimension
    self.space = space
    self.storedMap = linearMap
    self.layerBases = layerBases
  }
}
