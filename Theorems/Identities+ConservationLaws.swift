import Symbolic

/// A linear tensor network written symbolically: its parameters by layer, its outputs on n
/// symbolic data points, and the gradient flow of 𝓛 = Σᵢ ℓ(yᵢ·f(xᵢ; Θ)) with an opaque ℓ.
public struct SymbolicNetwork: Sendable {
  /// "diagonal L=3, d=2, n=2", …
  public var name: String
  /// v₁, …, v_L (for the fully-connected network, vec(W_l)).
  public var layers: [[Symbol]]
  /// f(xᵢ; Θ) for i = 1…n.
  public var outputs: [Expr]
  public var flow: GradientFlowModel
  /// ODECO networks: the transformed coordinates a_{l,j} = [U_lᵀ v_l]_j (spec §1.5), by layer.
  public var transformed: [[Expr]]?
  /// ODECO networks: U_l as rows of entries.
  public var orthogonalFactors: [[[Expr]]]?
  /// Fully-connected networks: W_l as rows of entries (w_L as a column).
  public var weightMatrices: [[[Expr]]]?
}

/// Conservation laws of gradient flow on linear networks (spec §2.1 and §5), as exact
/// identities dC/dt = 0 in the parameters, the data and the atoms ℓ′(yᵢ·f(xᵢ; Θ)).
///
/// Each law is stated for small concrete sizes with every data entry, label, tensor entry
/// and Cayley parameter a symbol, so one exact proof covers every data set and every
/// differentiable loss at once:
/// - every linear tensor network (§2.1): ‖v_l‖² − ‖v_{l′}‖², because
///   ⟨v_l, ∇_{v_l}𝓛⟩ = Σᵢ ℓ′ᵢ yᵢ f(xᵢ) is the same for every layer (multilinearity);
/// - diagonal networks v₁ ⊙ ⋯ ⊙ v_L: [v_l]ⱼ² − [v_{l′}]ⱼ² per coordinate (§5);
/// - real ODECO networks (§1.5): a_{l,j}² − a_{l′,j}² per mode with a_{l,j} = [U_lᵀv_l]_j,
///   and (I − U_lU_lᵀ)v_l when U_l is not square;
/// - fully-connected networks xᵀW₁⋯W_{L−1}w_L: W_lᵀW_l − W_{l+1}W_{l+1}ᵀ entry by entry
///   (Arora et al. 2018; Du et al. 2018).
///
/// `wrongLaws()` holds false variants, which the checker must refute.
public enum ConservationLaws {
  // MARK: Networks

  /// The general multilinear network f(x) = Σ M_{j₁…j_L}(x) v_{1,j₁}⋯v_{L,j_L} (spec §1.3) with
  /// a symbolic tensor entry M_{i,j₁,…,j_L} per data point i (the map x ↦ 𝓜(x) needs no
  /// structure for the §2.1 law).
  public static func multilinearNetwork(widths: [Int], points n: Int) -> SymbolicNetwork {
    precondition(widths.count >= 2 && widths.allSatisfy { $0 >= 1 } && n >= 1, "widths \(widths), n = \(n)")
    let layers = widths.indices.map { l in (1...widths[l]).map { Symbol("v", .number(l + 1), .number($0)) } }
    var tuples: [[Int]] = [[]]
    for k in widths { tuples = tuples.flatMap { t in (1...k).map { t + [$0] } } }
    let outputs = (1...n).map { i in
      Expr.sum(over: tuples) { js in
        Expr.symbol(Symbol("M", indices: [.number(i)] + js.map { .number($0) }))
          * Expr.product(over: js.indices) { l in .symbol(layers[l][js[l] - 1]) }
      }
    }
    return network("multilinear L=\(widths.count), widths \(widths), n=\(n)", layers, outputs)
  }

  /// The diagonal network f(x) = xᵀ(v₁ ⊙ ⋯ ⊙ v_L) (spec §1.4-1).
  public static func diagonalNetwork(depth: Int, dimension d: Int, points n: Int) -> SymbolicNetwork {
    precondition(depth >= 2 && d >= 1 && n >= 1, "L = \(depth), d = \(d), n = \(n)")
    let layers = (1...depth).map { l in (1...d).map { Symbol("v", .number(l), .number($0)) } }
    let outputs = (1...n).map { i in
      Expr.sum(over: 1...d) { j in
        x(i, j) * Expr.product(over: 1...depth) { l in .symbol(layers[l - 1][j - 1]) }
      }
    }
    return network("diagonal L=\(depth), d=\(d), n=\(n)", layers, outputs)
  }

  /// A real ODECO network f(x) = Σⱼ [Sx]ⱼ Πₗ [U_lᵀv_l]ⱼ (spec §1.5) with S a symbolic m×d
  /// matrix and U_l the first m columns of the Cayley transform (I − A_l)(I + A_l)⁻¹ of a
  /// symbolic skew-symmetric k×k matrix A_l (k = 2 or 3; one parameter per pair p < q).
  ///
  /// The Cayley transform of a skew-symmetric A is orthogonal: (I + A) is invertible (A has
  /// imaginary eigenvalues), (I − A) and (I + A)⁻¹ commute, and
  /// UᵀU = (I + A)⁻ᵀ(I − A)ᵀ(I − A)(I + A)⁻¹ = (I − A)⁻¹(I + A)(I − A)(I + A)⁻¹ = I.
  /// It is written in closed form (`cayley(_:parameter:layer:)`), so U's entries are rational
  /// functions of the parameters and the laws are rational-function identities.
  public static func odecoNetwork(depth: Int, width k: Int, modes m: Int, dimension d: Int, points n: Int)
    -> SymbolicNetwork
  {
    precondition(depth >= 2 && (k == 2 || k == 3) && 1 <= m && m <= k && d >= 1 && n >= 1,
                 "L = \(depth), k = \(k), m = \(m), d = \(d), n = \(n)")
    let layers = (1...depth).map { l in (1...k).map { Symbol("v", .number(l), .number($0)) } }
    let factors = (1...depth).map { l in Array(cayley(k, parameter: "A", layer: l).map { Array($0.prefix(m)) }) }
    // a_{l,j} = Σ_r U_l[r, j] v_{l,r}
    let a = (0..<depth).map { l in
      (0..<m).map { j in Expr.sum(over: 0..<k) { r in factors[l][r][j] * .symbol(layers[l][r]) } }
    }
    let outputs = (1...n).map { i in
      Expr.sum(over: 1...m) { j in
        Expr.sum(over: 1...d) { c in Expr.variable("S", .number(j), .number(c)) * x(i, c) }
          * Expr.product(over: 0..<depth) { l in a[l][j - 1] }
      }
    }
    var net = network("ODECO L=\(depth), Cayley \(k)×\(k), m=\(m), d=\(d), n=\(n)", layers, outputs)
    net.transformed = a
    net.orthogonalFactors = factors
    return net
  }

  /// The fully-connected network f(x) = xᵀW₁W₂⋯W_{L−1}w_L (spec §1.4-2) with
  /// `dimensions` = [d, k₁, …, k_{L−1}]: W₁ is d×k₁, W_l is k_{l−1}×k_l, w_L has k_{L−1} rows.
  public static func fullyConnectedNetwork(dimensions: [Int], points n: Int) -> SymbolicNetwork {
    precondition(dimensions.count >= 2 && dimensions.allSatisfy { $0 >= 1 } && n >= 1, "\(dimensions), n = \(n)")
    let depth = dimensions.count
    let matrices: [[[Symbol]]] = (1...depth).map { l in
      let rows = dimensions[l - 1], columns = l < depth ? dimensions[l] : 1
      return (1...rows).map { a in (1...columns).map { b in Symbol("W", .number(l), .number(a), .number(b)) } }
    }
    let outputs = (1...n).map { i in
      // Row vector xᵢᵀ multiplied through the layers.
      var row = (1...dimensions[0]).map { x(i, $0) }
      for W in matrices {
        row = (0..<W[0].count).map { b in Expr.sum(over: row.indices) { a in row[a] * .symbol(W[a][b]) } }
      }
      return row[0]
    }
    let layers = matrices.map { $0.flatMap { $0 } }
    var net = network("fully-connected L=\(depth), dimensions \(dimensions), n=\(n)", layers, outputs)
    net.weightMatrices = matrices.map { $0.map { $0.map(Expr.symbol) } }
    return net
  }

  // MARK: Laws

  /// ‖v_l‖² − ‖v_{l′}‖² for every pair l < l′ (spec §2.1): L = 2 with widths (3, 2) and
  /// L = 3 with widths (2, 3, 2), n = 2 points — 4 identities.
  public static func multilinear() -> [Identity] {
    [[3, 2], [2, 3, 2]].flatMap { widths -> [Identity] in
      let net = multilinearNetwork(widths: widths, points: 2)
      return pairs(widths.count).map { (l, m) in
        net.flow.conservationLaw(
          squaredNorm(net.layers[l - 1]) - squaredNorm(net.layers[m - 1]),
          name: "multilinear L=\(widths.count) widths \(widths): ‖v\(sub(l))‖² − ‖v\(sub(m))‖² conserved",
          statement: "d/dt (‖v\(sub(l))‖² − ‖v\(sub(m))‖²) = 0 for f = 𝓜(x)·(v₁,…,v_L), \(net.name)")
      }
    }
  }

  /// [v_l]ⱼ² − [v_{l+1}]ⱼ² per coordinate j and consecutive layers (consecutive pairs imply
  /// every pair), for L in `depths`, d = 2, n = 2 — 2(L − 1) identities per depth, 56 for 2…8.
  public static func diagonal(depths: ClosedRange<Int> = 2...8) -> [Identity] {
    depths.flatMap { depth -> [Identity] in
      let net = diagonalNetwork(depth: depth, dimension: 2, points: 2)
      return (1..<depth).flatMap { l in
        (1...2).map { j in
          let c = Expr.symbol(net.layers[l - 1][j - 1]).toThe(2) - Expr.symbol(net.layers[l][j - 1]).toThe(2)
          return net.flow.conservationLaw(
            c, name: "diagonal L=\(depth): [v\(sub(l))]ⱼ² − [v\(sub(l + 1))]ⱼ² conserved (j = \(j))",
            statement: "d/dt ([v\(sub(l))]\(sub(j))² − [v\(sub(l + 1))]\(sub(j))²) = 0 for f = xᵀ(v₁ ⊙ ⋯ ⊙ v\(sub(depth))), \(net.name)")
        }
      }
    }
  }

  /// Real ODECO networks with Cayley-parametrized 2×2 factors U_l (spec §1.5, §5):
  /// a_{l,j}² − a_{l+1,j}² per mode for L = 2 and L = 3 (d = 2, n = 2), preceded by the 22
  /// identities of `cayleyIdentities(2)` and `cayleyIdentities(3)` that certify the Cayley
  /// closed form and its orthogonality: 28 identities.
  public static func odeco() -> [Identity] {
    cayleyIdentities(2) + cayleyIdentities(3)
      + odecoLaws(depth: 2, width: 2, modes: 2, points: 2) + odecoLaws(depth: 3, width: 2, modes: 2, points: 2)
  }

  /// The 3×3 ODECO cases, kept apart because they cost about ten times more: L = 2 with
  /// square 3×3 Cayley factors (3 mode laws), and L = 2 with non-square U_l (3×2, the first
  /// two columns of a 3×3 Cayley matrix: 2 mode laws and the 3 entries of (I − U₁U₁ᵀ)v₁);
  /// d = 2, n = 1 (the laws hold point by point: dC/dt is a sum over data points of
  /// ℓ′ᵢ·(a polynomial identity in xᵢ, yᵢ)). 8 identities.
  public static func odecoThreeByThree() -> [Identity] {
    odecoLaws(depth: 2, width: 3, modes: 3, points: 1) + odecoLaws(depth: 2, width: 3, modes: 2, points: 1)
  }

  /// The per-mode laws a_{l,j}² − a_{l+1,j}² (consecutive layers) of one ODECO network and,
  /// when m < k, the entries of (I − U₁U₁ᵀ)v₁.
  public static func odecoLaws(depth: Int, width k: Int, modes m: Int, points n: Int) -> [Identity] {
    var out: [Identity] = []
    let net = odecoNetwork(depth: depth, width: k, modes: m, dimension: 2, points: n)
    let a = net.transformed!
    let shape = k == m ? "Cayley \(k)×\(k)" : "U \(k)×\(m)"
    for l in 1..<depth {
      for j in 1...m {
        out.append(net.flow.conservationLaw(
          a[l - 1][j - 1].toThe(2) - a[l][j - 1].toThe(2),
          name: "ODECO \(shape) L=\(depth): a\(sub(l))ⱼ² − a\(sub(l + 1))ⱼ² conserved (j = \(j))",
          statement: "d/dt ([U\(sub(l))ᵀv\(sub(l))]\(sub(j))² − [U\(sub(l + 1))ᵀv\(sub(l + 1))]\(sub(j))²) = 0, \(net.name)"))
      }
    }
    if m < k {
      let U = net.orthogonalFactors![0], v = net.layers[0].map(Expr.symbol)
      for r in 0..<k {
        // [(I − UUᵀ)v]_r = v_r − Σ_j U[r, j] Σ_s U[s, j] v_s
        let projected = Expr.sum(over: 0..<m) { j -> Expr in U[r][j] * Expr.sum(over: 0..<k) { s -> Expr in U[s][j] * v[s] } }
        out.append(net.flow.conservationLaw(
          v[r] - projected, name: "ODECO \(shape) L=\(depth): [(I − U₁U₁ᵀ)v₁]\(sub(r + 1)) conserved",
          statement: "d/dt [(I − U₁U₁ᵀ)v₁]\(sub(r + 1)) = 0, \(net.name)"))
      }
    }
    return out
  }

  /// W_lᵀW_l − W_{l+1}W_{l+1}ᵀ entry by entry (b ≤ c; both sides are symmetric), for
  /// L = 3 with W₁, W₂ 3×3 and w₃ 3×1 (12 identities) and L = 4 with 2×2 layers and w₄ 2×1
  /// (9 identities); n = 2.
  ///
  /// Why it holds: Ẇ_l = −(W₁⋯W_{l−1})ᵀ g (W_{l+1}⋯w_L)ᵀ with g = Σᵢ ℓ′ᵢ yᵢ xᵢ, so
  /// W_lᵀẆ_l = −P_lᵀ g r_lᵀ with P_l = W₁⋯W_l and r_l = W_{l+1}⋯w_L, which equals
  /// Ẇ_{l+1}W_{l+1}ᵀ; adding the transposes, d/dt(W_lᵀW_l) = d/dt(W_{l+1}W_{l+1}ᵀ).
  public static func fullyConnected() -> [Identity] {
    [[3, 3, 3], [2, 2, 2, 2]].flatMap { dims -> [Identity] in
      let net = fullyConnectedNetwork(dimensions: dims, points: 2)
      let W = net.weightMatrices!
      return (1..<dims.count).flatMap { l -> [Identity] in
        let left = gram(W[l - 1], transposeFirst: true), right = gram(W[l], transposeFirst: false)
        return (0..<left.count).flatMap { b in
          (b..<left.count).map { c in
            net.flow.conservationLaw(
              left[b][c] - right[b][c],
              name: "fully-connected L=\(dims.count) dims \(dims): (W\(sub(l))ᵀW\(sub(l)) − W\(sub(l + 1))W\(sub(l + 1))ᵀ)\(sub(b + 1))\(sub(c + 1)) conserved",
              statement: "d/dt (W\(sub(l))ᵀW\(sub(l)) − W\(sub(l + 1))W\(sub(l + 1))ᵀ)[\(b + 1),\(c + 1)] = 0, \(net.name)")
          }
        }
      }
    }
  }

  /// Every true identity above: 4 + 56 + 28 + 8 + 21 = 117.
  public static func all() -> [Identity] {
    multilinear() + diagonal() + odeco() + odecoThreeByThree() + fullyConnected()
  }

  /// False claims that must be refuted, each at a point where dC/dt ≠ 0:
  /// - ‖v₁‖² + ‖v₂‖² (a sum, not a difference) for the multilinear L = 3 network and the
  ///   diagonal L = 3 network;
  /// - [v₁]₁² − [v₂]₂² across coordinates (diagonal L = 2 and L = 3);
  /// - (W₁W₁ᵀ − W₂ᵀW₂)_{bc} (transposes swapped), fully-connected L = 3 with 2×2 layers, b ≤ c.
  public static func wrongLaws() -> [Identity] {
    var out: [Identity] = []
    let multi = multilinearNetwork(widths: [2, 3, 2], points: 2)
    out.append(multi.flow.conservationLaw(
      squaredNorm(multi.layers[0]) + squaredNorm(multi.layers[1]),
      name: "WRONG multilinear L=3: ‖v₁‖² + ‖v₂‖² conserved"))
    let diag3 = diagonalNetwork(depth: 3, dimension: 2, points: 2)
    out.append(diag3.flow.conservationLaw(
      squaredNorm(diag3.layers[0]) + squaredNorm(diag3.layers[1]),
      name: "WRONG diagonal L=3: ‖v₁‖² + ‖v₂‖² conserved"))
    for depth in [2, 3] {
      let net = depth == 3 ? diag3 : diagonalNetwork(depth: depth, dimension: 2, points: 2)
      out.append(net.flow.conservationLaw(
        Expr.symbol(net.layers[0][0]).toThe(2) - Expr.symbol(net.layers[1][1]).toThe(2),
        name: "WRONG diagonal L=\(depth): [v₁]₁² − [v₂]₂² conserved (coordinates crossed)"))
    }
    let fc = fullyConnectedNetwork(dimensions: [2, 2, 2], points: 2)
    let W = fc.weightMatrices!
    let left = gram(W[0], transposeFirst: false), right = gram(W[1], transposeFirst: true)
    for b in 0..<2 {
      for c in b..<2 {
        out.append(fc.flow.conservationLaw(
          left[b][c] - right[b][c],
          name: "WRONG fully-connected L=3 2×2: (W₁W₁ᵀ − W₂ᵀW₂)\(sub(b + 1))\(sub(c + 1)) conserved (transposes swapped)"))
      }
    }
    return out
  }

  // MARK: Helpers

  static func network(_ name: String, _ layers: [[Symbol]], _ outputs: [Expr]) -> SymbolicNetwork {
    let labels = outputs.indices.map { Expr.variable("y", .number($0 + 1)) }
    let flow = GradientFlowModel.classification(parameters: layers.flatMap { $0 }, outputs: outputs, labels: labels)
    return SymbolicNetwork(name: name, layers: layers, outputs: outputs, flow: flow)
  }

  static func x(_ i: Int, _ j: Int) -> Expr { .variable("x", .number(i), .number(j)) }

  static func squaredNorm(_ v: [Symbol]) -> Expr { Expr.sum(over: v) { Expr.symbol($0).toThe(2) } }

  static func pairs(_ count: Int) -> [(Int, Int)] {
    (1...count).flatMap { l in ((l + 1)..<(count + 1)).map { (l, $0) } }
  }

  /// MᵀM (`transposeFirst`) or MMᵀ for M given by rows.
  static func gram(_ M: [[Expr]], transposeFirst: Bool) -> [[Expr]] {
    let rows = M.count, columns = M[0].count
    if transposeFirst {
      return (0..<columns).map { b in (0..<columns).map { c in Expr.sum(over: 0..<rows) { a in M[a][b] * M[a][c] } } }
    }
    return (0..<rows).map { a in (0..<rows).map { c in Expr.sum(over: 0..<columns) { b in M[a][b] * M[c][b] } } }
  }

  /// The skew-symmetric k×k matrix A with A[p][q] = name_{layer,p,q} = −A[q][p] (p < q).
  public static func skewSymmetric(_ k: Int, parameter name: String, layer: Int) -> [[Expr]] {
    (1...k).map { p in
      (1...k).map { q -> Expr in
        if p == q { return .zero }
        return p < q ? Expr.variable(name, .number(layer), .number(p), .number(q))
          : -Expr.variable(name, .number(layer), .number(q), .number(p))
      }
    }
  }

  /// The Cayley transform U = (I − A)(I + A)⁻¹ of the skew-symmetric k×k matrix A of
  /// `skewSymmetric(k, parameter:, layer:)`, k = 2 or 3, in closed form.
  ///
  /// For k = 3 write A = [w]× (A w = w × w = 0, A² = wwᵀ − |w|²I), so
  /// (I + A)(I − A + wwᵀ) = I − A² + wwᵀ = (1 + |w|²)I, i.e. (I + A)⁻¹ = (I − A + wwᵀ)/(1 + |w|²),
  /// and (I − A)(I − A + wwᵀ) = (1 − |w|²)I + 2wwᵀ − 2A. Hence
  ///
  ///     U = [(1 − |w|²)I + 2wwᵀ − 2A] / (1 + |w|²),   w = (−A₂₃, A₁₃, −A₁₂),
  ///
  /// and for k = 2 (A² = −a²I, a = A₁₂) U = [(1 − a²)I − 2A]/(1 + a²). The catalog proves
  /// (I + A)U = I − A and UᵀU = I entry by entry (`odeco()`), so the closed form is the
  /// Cayley transform and is orthogonal, both derived rather than assumed.
  public static func cayley(_ k: Int, parameter name: String, layer: Int) -> [[Expr]] {
    precondition(k == 2 || k == 3, "Cayley transforms are built for k = 2, 3")
    let A = skewSymmetric(k, parameter: name, layer: layer)
    let w: [Expr] = k == 3 ? [-A[1][2], A[0][2], -A[0][1]] : []
    let normSquared: Expr = k == 3 ? Expr.sum(over: w) { $0.toThe(2) } : A[0][1].toThe(2)
    let inverseDenominator = (Expr.one + normSquared).toThe(-1)
    return (0..<k).map { p in
      (0..<k).map { q -> Expr in
        var numerator: Expr = p == q ? Expr.one - normSquared : Expr.zero
        if k == 3 { numerator = numerator + 2 * w[p] * w[q] }
        if p != q { numerator = numerator - 2 * A[p][q] }
        return numerator * inverseDenominator
      }
    }
  }

  /// (I + A)U = I − A and UᵀU = I for the closed-form Cayley transform, entry by entry
  /// (k = 2: 4 + 3 identities; k = 3: 9 + 6).
  public static func cayleyIdentities(_ k: Int) -> [Identity] {
    let A = skewSymmetric(k, parameter: "A", layer: 1), U = cayley(k, parameter: "A", layer: 1)
    var out: [Identity] = []
    for p in 0..<k {
      for q in 0..<k {
        let lhs = Expr.sum(over: 0..<k) { r -> Expr in ((p == r ? Expr.one : Expr.zero) + A[p][r]) * U[r][q] }
        let rhs = (p == q ? Expr.one : Expr.zero) - A[p][q]
        out.append(Identity(name: "Cayley \(k)×\(k): ((I + A)U)\(sub(p + 1))\(sub(q + 1)) = (I − A)\(sub(p + 1))\(sub(q + 1))",
                            lhs: lhs, rhs: rhs, numericCheck: NumericCheck(count: 8)))
      }
    }
    for p in 0..<k {
      for q in p..<k {
        let lhs = Expr.sum(over: 0..<k) { r -> Expr in U[r][p] * U[r][q] }
        out.append(Identity(name: "Cayley \(k)×\(k): (UᵀU)\(sub(p + 1))\(sub(q + 1)) = δ\(sub(p + 1))\(sub(q + 1))",
                            lhs: lhs, rhs: p == q ? .one : .zero, numericCheck: NumericCheck(count: 8)))
      }
    }
    return out
  }

  /// Subscript digits for names: 12 → "₁₂".
  static func sub(_ k: Int) -> String {
    let digits: [Character] = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
    return String(String(k).map { $0.isNumber ? digits[Int(String($0))!] : $0 })
  }
}
