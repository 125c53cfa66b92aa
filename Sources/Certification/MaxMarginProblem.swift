import LinearAlgebra
import GradientFlow

/// The ℓ_p max-margin problem in a transformed space (spec §2.3, §4.8 b):
///
///   minimize (1/p) Σ_g mult_g |ρ_g|^p   subject to  (Aρ)ᵢ ≥ 1 for every i,
///
/// with A = Z T the margin matrix (rows yᵢ xᵢᵀ T) and ρ in the real vectorization of
/// `TransformedSpace`. For p = 2/L this is Theorem 2's problem. The objective is
/// normalized as (1/p)Σ|ρ|^p, so the KKT stationarity condition on the support reads
///
///   mult_g |ρ_g|^{p−2} ρ_g = (Aᵀλ)_g,   λ ≥ 0,  λᵢ((Aρ)ᵢ − 1) = 0,
///
/// (for a complex group this is the Wirtinger form |ρ|^{p−2}ρ = conj([S Zᵀλ]ⱼ); the
/// multiplicity cancels against the one in A). Off the support: for p = 1,
/// ‖(Aᵀλ)_g‖ ≤ mult_g; for p > 1 the objective is differentiable at 0 with gradient 0,
/// so (Aᵀλ)_g = 0; for p < 1 the subdifferential at 0 is unbounded: no condition.
public struct MaxMarginProblem: Sendable {
  public let marginMatrix: Matrix
  public let space: TransformedSpace
  /// The exponent p (2/L for Theorem 2).
  public let exponent: Double

  public init(marginMatrix: Matrix, space: TransformedSpace, exponent: Double) {
    precondition(marginMatrix.columns == space.coordinateCount,
                 "margin matrix has \(marginMatrix.columns) columns, the space has \(space.coordinateCount) coordinates")
    precondition(exponent > 0 && exponent.isFinite, "the exponent p must be positive and finite, got \(exponent)")
    self.marginMatrix = marginMatrix
    self.space = space
    self.exponent = exponent
  }

  public var pointCount: Int { marginMatrix.rows }

  /// The largest dense KKT system the certificate code builds: Newton on |P| + |A| unknowns
  /// costs ≈ (4/3)(|P| + |A|)³ flops per iteration (pivoted QR), about a second at 1500;
  /// NNLS on an N × |A| system costs up to |A| least-squares solves. Larger candidates are
  /// skipped (and reported), so a large instance ends inconclusive instead of running for
  /// hours.
  public static let largestNewtonSystem = 1500
  /// The largest NNLS system (entries) `kktResidual` forms.
  public static let largestResidualSystem = 4_000_000

  /// Aρ.
  public func margins(_ rho: [Double]) -> [Double] { marginMatrix * rho }

  /// ρ / minᵢ (Aρ)ᵢ, the unit-margin scaling (nil when the minimum margin is not positive).
  public func unitMarginScaling(_ rho: [Double]) -> [Double]? {
    guard let m = margins(rho).min(), m > 0, m.isFinite else { return nil }
    return rho.map { $0 / m }
  }

  /// The gradient of the objective on group g, mult_g × the derived gradient of the
  /// per-mode term (`MaxMarginObjective.realGradient` or `.complexGradient`, i.e.
  /// |ρ_g|^{p−2} ρ_g); zero where ρ_g = 0 (off the support, where no condition applies).
  public func objectiveGradient(_ rho: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: rho.count)
    let mags = space.magnitudes(rho)
    for g in 0..<space.groupCount where mags[g] > 0 {
      let c = space.coordinates(of: g)
      let value = Complex(rho[c.lowerBound], space.isComplex[g] ? rho[c.lowerBound + 1] : 0)
      let d = MaxMarginObjective.gradient(at: value, isComplex: space.isComplex[g], exponent: exponent)
      out[c.lowerBound] = space.multiplicity[g] * d.re
      if space.isComplex[g] { out[c.lowerBound + 1] = space.multiplicity[g] * d.im }
    }
    return out
  }

  /// Whether groups off the support carry a condition (p = 1: ‖(Aᵀλ)_g‖ ≤ mult_g;
  /// p > 1: (Aᵀλ)_g = 0; p < 1: none).
  public var offSupportRule: OffSupportRule {
    if exponent < 1 - 1e-15 { return .none }
    if abs(exponent - 1) <= 1e-15 { return .dualNormBound }
    return .zero
  }

  public enum OffSupportRule: Sendable { case none, dualNormBound, zero }

  /// The off-support violation for q = Aᵀλ: p = 1, maxₕ ‖q_h‖/multₕ − 1 (≤ 0 is
  /// satisfied); p > 1, maxₕ ‖q_h‖∞; p < 1, none (nil). Nil too when every group is in
  /// the support.
  public func offSupportViolation(_ q: [Double], support: [Int]) -> Double? {
    let off = (0..<space.groupCount).filter { !support.contains($0) }
    guard !off.isEmpty else { return nil }
    switch offSupportRule {
    case .none: return nil
    case .dualNormBound:
      return off.map { g in
        space.coordinates(of: g).map { q[$0] * q[$0] }.reduce(0, +).squareRoot() / space.multiplicity[g] - 1
      }.max()
    case .zero:
      return off.flatMap { g in space.coordinates(of: g).map { abs(q[$0]) } }.max()
    }
  }
}
