import LinearAlgebra

/// The transformed input space of an orthogonally decomposable linear tensor network
/// (spec §1.5): modes j = 1…m, each real or complex, and the data in that space.
///
/// A network is orthogonally decomposable when
///   𝓜(x) = Σⱼ [Sx]ⱼ [U₁]_{:,j} ⊗ ⋯ ⊗ [U_L]_{:,j},   U_lᴴU_l = I,
/// so that with aₗⱼ = [U_lᵀ vₗ]ⱼ and ρⱼ = Πₗ aₗⱼ the prediction is f(x) = (Sx)ᵀρ and the
/// linear coefficients are β = Sᵀρ.
///
/// **Real vectorization.** Complex modes come in conjugate pairs (j, d − j) for real
/// filters (ρ_{d−j} = conj ρⱼ); only one mode of each pair is stored, with multiplicity 2.
/// Each stored mode g is a *group* of 1 (real) or 2 (Re, Im) real coordinates. With
/// zᵢ = yᵢ S xᵢ, the margin of point i is linear in the coordinates:
///   mᵢ = Σ_g mult_g Re(z_{ig} ρ_g) = Σ_c A_{ic} ρ_c,
/// where for a complex group A_{i,(re)} = mult·Re z, A_{i,(im)} = −mult·Im z.
/// The ℓ_p objective is (1/p) Σ_g mult_g |ρ_g|^p.
public struct TransformedSpace: Sendable, Equatable {
  /// For each group: true when the mode is complex (two coordinates).
  public let isComplex: [Bool]
  /// For each group: how many modes of the full spectrum it stands for (1 or 2).
  public let multiplicity: [Double]
  /// For each group: the index of its first coordinate.
  public let offsets: [Int]
  /// Index of each group's mode in the full list of m modes (for reports).
  public let modeIndex: [Int]

  public init(isComplex: [Bool], multiplicity: [Double], modeIndex: [Int]) {
    precondition(isComplex.count == multiplicity.count && isComplex.count == modeIndex.count,
                 "TransformedSpace: \(isComplex.count) kinds, \(multiplicity.count) multiplicities, \(modeIndex.count) indices")
    self.isComplex = isComplex
    self.multiplicity = multiplicity
    self.modeIndex = modeIndex
    var o: [Int] = []
    var c = 0
    for z in isComplex { o.append(c); c += z ? 2 : 1 }
    self.offsets = o
    self.coordinateCount = c
  }

  /// A space of `m` real modes with multiplicity 1.
  public static func real(_ m: Int) -> TransformedSpace {
    TransformedSpace(isComplex: Array(repeating: false, count: m),
                     multiplicity: Array(repeating: 1, count: m), modeIndex: Array(0..<m))
  }

  /// Number of groups (stored modes).
  public var groupCount: Int { isComplex.count }
  /// Number of real coordinates.
  public let coordinateCount: Int
  /// Whether every mode is real.
  public var isReal: Bool { !isComplex.contains(true) }

  /// The coordinates of group g.
  public func coordinates(of g: Int) -> Range<Int> { offsets[g]..<(offsets[g] + (isComplex[g] ? 2 : 1)) }

  /// |ρ_g| for every group.
  public func magnitudes(_ rho: [Double]) -> [Double] {
    (0..<groupCount).map { g in
      isComplex[g] ? Elementary.hypot(rho[offsets[g]], rho[offsets[g] + 1]) : abs(rho[offsets[g]])
    }
  }

  /// (1/p) Σ_g mult_g |ρ_g|^p, or for p = ∞ the largest magnitude.
  public func objective(_ rho: [Double], p: Double) -> Double {
    let mags = magnitudes(rho)
    if p.isInfinite { return mags.max() ?? 0 }
    var s = 0.0
    for g in 0..<groupCount where mags[g] > 0 { s += multiplicity[g] * Elementary.pow(mags[g], p) }
    return s / p
  }

  /// The quasi-norm ‖ρ‖_p = (Σ_g mult_g |ρ_g|^p)^{1/p}.
  public func norm(_ rho: [Double], p: Double) -> Double {
    if p.isInfinite { return magnitudes(rho).max() ?? 0 }
    return Elementary.pow(p * objective(rho, p: p), 1 / p)
  }

  /// The Euclidean norm of the full spectrum, √(Σ_g mult_g |ρ_g|²).
  public func euclideanNorm(_ rho: [Double]) -> Double {
    let mags = magnitudes(rho)
    var s = 0.0
    let m = mags.max() ?? 0
    guard m > 0 else { return 0 }
    for g in 0..<groupCount { let t = mags[g] / m; s += multiplicity[g] * t * t }
    return m * s.squareRoot()
  }
}

/// A binary classification dataset: inputs X (n × d) and labels y ∈ {−1, +1}.
public struct ClassificationData: Sendable, Equatable {
  public var inputs: Matrix
  public var labels: [Double]
  public init(inputs: Matrix, labels: [Double]) {
    precondition(inputs.rows == labels.count, "ClassificationData: \(inputs.rows) inputs but \(labels.count) labels")
    self.inputs = inputs
    self.labels = labels
  }
  public var count: Int { inputs.rows }
  public var dimension: Int { inputs.columns }

  /// Z with rows zᵢ = yᵢ xᵢᵀ.
  public var signedInputs: Matrix {
    var z = inputs
    for i in 0..<inputs.rows { for j in 0..<inputs.columns { z[i, j] *= labels[i] } }
    return z
  }
}
