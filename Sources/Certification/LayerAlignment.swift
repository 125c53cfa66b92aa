import LinearAlgebra

/// Rank-one alignment of the layers of a linear fully-connected network
/// f(x) = xᵀW₁W₂⋯W_{L−1}w_L (spec §2.4 Theorem 3; §4.2 Ji & Telgarsky 2019).
///
/// Along gradient flow on separable data, Wₗ/‖Wₗ‖_F → 𝔲ₗ𝔲ₗ₊₁ᵀ (rank one), adjacent layers
/// align, |⟨right singular vector of Wₗ, left singular vector of Wₗ₊₁⟩| → 1, and the left
/// singular vector of W₁ aligns with the SVM direction ŵ. With Wₗ = Σⱼ σₗⱼ aₗⱼ bₗⱼᵀ (thin SVD,
/// σₗ₁ ≥ σₗ₂ ≥ …), the quantities reported are
///
///     rank-one ratio       ρₗ = σₗ₂/σₗ₁               (0 for a vector layer: one singular value),
///     Frobenius tail       τₗ = ‖Wₗ − σₗ₁aₗ₁bₗ₁ᵀ‖_F/‖Wₗ‖_F = √(Σ_{j≥2} σₗⱼ²)/‖σₗ‖,
///     adjacent alignment   αₗ = |⟨bₗ₁, aₗ₊₁,₁⟩|        (l = 1 … L−1),
///     input alignment      α₀ = |⟨a₁₁, ŵ/‖ŵ‖⟩|.
///
/// At a balanced rank-one factorisation of ŵ all ρₗ, τₗ are 0 and all α are 1. Singular
/// vectors have arbitrary signs, hence the absolute values. A zero layer has no singular
/// direction: its ratio and tail are reported as 1 and its alignments as 0 (the worst values).
public struct FullyConnectedAlignment: Sendable {
  /// σₗ₁ per layer (the spectral norms).
  public var leadingSingularValues: [Double]
  /// ρₗ = σₗ₂/σₗ₁ per layer.
  public var rankOneRatios: [Double]
  /// τₗ per layer.
  public var frobeniusTails: [Double]
  /// αₗ = |⟨bₗ₁, aₗ₊₁,₁⟩| for l = 1 … L−1 (L−1 entries).
  public var adjacentAlignments: [Double]
  /// α₀ = |cos∠(a₁₁, ŵ)|, when an SVM direction was given.
  public var inputAlignment: Double?

  /// maxₗ ρₗ (→ 0).
  public var maxRankOneRatio: Double { rankOneRatios.max() ?? 0 }
  /// The smallest of the adjacent and input alignments (→ 1); 1 when there are none.
  public var minAlignment: Double { adjacentAlignments.appending(contentsOf: [inputAlignment ?? 1]).min() ?? 1 }
}

/// The layer alignment of a linear fully-connected network (spec §2.4, §4.2; see
/// ``FullyConnectedAlignment``).
///
/// - Parameters:
///   - layers: W₁ (d×k₁), W₂ (k₁×k₂), …, w_L as a k_{L−1}×1 matrix; consecutive shapes must
///     chain (columns of Wₗ = rows of Wₗ₊₁).
///   - svmDirection: ŵ (any positive scale), for the input alignment.
/// - Throws: the SVD's errors (`.nonFinite` for NaN or ±∞ entries).
/// - Complexity: one one-sided Jacobi SVD per layer, O(min(m,n)²·max(m,n)) per sweep.
public func fullyConnectedAlignment(layers: [Matrix], svmDirection: [Double]? = nil) throws(LinearAlgebraError)
  -> FullyConnectedAlignment {
  precondition(!layers.isEmpty, "need at least one layer")
  for l in 1..<layers.count {
    precondition(layers[l - 1].columns == layers[l].rows,
                 "layer \(l) is \(layers[l - 1].rows)×\(layers[l - 1].columns) but layer \(l + 1) is "
                   + "\(layers[l].rows)×\(layers[l].columns)")
  }
  if let w = svmDirection {
    precondition(w.count == layers[0].rows, "SVM direction has \(w.count) entries, W₁ has \(layers[0].rows) rows")
  }
  var leading: [Double] = [], ratios: [Double] = [], tails: [Double] = []
  var left: [[Double]?] = [], right: [[Double]?] = []
  for w in layers {
    let svd = try SingularValueDecomposition(w)
    let sigma = svd.singularValues
    let top = sigma.first ?? 0
    leading.append(top)
    guard top > 0 else {
      ratios.append(1); tails.append(1); left.append(nil); right.append(nil)
      continue
    }
    ratios.append(sigma.count > 1 ? sigma[1] / top : 0)
    let tail = Array(sigma.dropFirst()).norm2
    tails.append(tail / sigma.norm2)
    left.append(svd.u.column(0))
    right.append(svd.v.column(0))
  }
  var adjacent: [Double] = []
  for l in 0..<(layers.count - 1) {
    if let b = right[l], let a = left[l + 1] { adjacent.append(Swift.abs(b.dot(a))) } else { adjacent.append(0) }
  }
  var input: Double?
  if let w = svmDirection {
    let unit = w.normalized
    input = left[0].map { Swift.abs($0.dot(unit)) } ?? 0
  }
  return FullyConnectedAlignment(leadingSingularValues: leading, rankOneRatios: ratios, frobeniusTails: tails,
                                 adjacentAlignments: adjacent, inputAlignment: input)
}
