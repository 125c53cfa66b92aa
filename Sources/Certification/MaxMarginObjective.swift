import LinearAlgebra
import Symbolic

/// The objective of Theorem 2's max-margin problem as an expression, and the first-order
/// condition derived from it (spec §2.3, "Stationarity condition to check"; §4.8 b).
///
/// The problem min ‖ρ‖_p s.t. yᵢ(Sxᵢ)ᵀρ ≥ 1 has the same KKT points as
///
///     minimize Σⱼ (1/p)|ρⱼ|^p   subject to  yᵢ x̃ᵢᵀρ ≥ 1,   x̃ᵢ = S xᵢ,
///
/// (‖·‖_p is an increasing function of Σ|ρⱼ|^p), and this normalization is the one whose
/// multipliers the numeric solver reports. The Lagrangian is
/// Σⱼ (1/p)|ρⱼ|^p − Σᵢ λᵢ(yᵢ x̃ᵢᵀρ − 1), so stationarity on the support (ρⱼ ≠ 0, where the
/// term is smooth; off it the subdifferential of |·|^p is unbounded for p < 1) is
///
///     ∂/∂ρⱼ (1/p)|ρⱼ|^p = Σᵢ λᵢ yᵢ x̃ᵢⱼ                (real modes),
///     2 ∂/∂ρ̄ⱼ (1/p)|ρⱼ|^p = conj(Σᵢ λᵢ yᵢ x̃ᵢⱼ)       (complex modes, Wirtinger),
///
/// the left sides being `realGradient` and `complexGradient`, obtained here by
/// differentiating `term` and simplifying — not typed in. They simplify to |ρⱼ|^{p−1}sign(ρⱼ)
/// and |ρⱼ|^{p−2}ρⱼ; the tests compare them with finite differences.
public enum MaxMarginObjective {
  /// The mode variable ρⱼ.
  public static let mode = Symbol("ρ", "j")
  /// The exponent p (2/L for Theorem 2).
  public static let exponent = Symbol("p")

  /// (1/p)|ρⱼ|^p, the per-mode term of the objective.
  public static let term: Expr = Expr.abs(.symbol(mode)).toThe(.symbol(exponent)) / .symbol(exponent)

  /// ∂term/∂ρⱼ, derived and simplified.
  public static let realGradient: Expr = term.derivative(withRespectTo: mode).simplifiedOrUnchanged

  /// 2·∂term/∂ρ̄ⱼ (the real gradient of a complex mode read as a complex number), derived
  /// and simplified.
  public static let complexGradient: Expr =
    (2 * term.wirtingerDerivative(withRespectTo: mode, conjugate: true)).simplifiedOrUnchanged

  /// The real gradient compiled over (ρⱼ, p).
  static let compiledRealGradient: CompiledExpression = {
    do { return try CompiledExpression(realGradient, variables: [mode, exponent]) } catch {
      preconditionFailure("the derived gradient has only the symbols ρⱼ and p: \(error)")
    }
  }()

  /// The gradient of the term at a mode value with |ρ| > 0: `realGradient` for a real mode,
  /// `complexGradient` (evaluated in complex arithmetic) for a complex one.
  public static func gradient(at rho: Complex, isComplex: Bool, exponent p: Double) -> Complex {
    if !isComplex { return Complex(compiledRealGradient([rho.re, p]), 0) }
    do { return try complexGradient.evaluate(complex: [mode: rho, exponent: Complex(p, 0)]) } catch {
      preconditionFailure("the derived complex gradient failed to evaluate at \(rho): \(error)")
    }
  }
}
