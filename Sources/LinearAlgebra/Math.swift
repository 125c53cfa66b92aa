// The one place that imports the C math library. Everything else in the package
// calls these through Foundation-free Swift.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Elementary functions on `Double`, gathered so that modules need not import libc.
public enum Elementary {
  @inlinable public static func exp(_ x: Double) -> Double { libm_exp(x) }
  @inlinable public static func expm1(_ x: Double) -> Double { libm_expm1(x) }
  @inlinable public static func log(_ x: Double) -> Double { libm_log(x) }
  @inlinable public static func log1p(_ x: Double) -> Double { libm_log1p(x) }
  @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { libm_pow(x, y) }
  @inlinable public static func sin(_ x: Double) -> Double { libm_sin(x) }
  @inlinable public static func cos(_ x: Double) -> Double { libm_cos(x) }
  @inlinable public static func atan2(_ y: Double, _ x: Double) -> Double { libm_atan2(y, x) }
  @inlinable public static func hypot(_ x: Double, _ y: Double) -> Double { libm_hypot(x, y) }
  @inlinable public static func log10(_ x: Double) -> Double { libm_log10(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { libm_tanh(x) }
  @inlinable public static func cosh(_ x: Double) -> Double { libm_cosh(x) }
  @inlinable public static func sinh(_ x: Double) -> Double { libm_sinh(x) }
  @inlinable public static func atan(_ x: Double) -> Double { libm_atan(x) }
  @inlinable public static func tan(_ x: Double) -> Double { libm_tan(x) }
  @inlinable public static func exp2(_ x: Double) -> Double { libm_exp2(x) }
  @inlinable public static func log2(_ x: Double) -> Double { libm_log2(x) }
  @inlinable public static func asinh(_ x: Double) -> Double { libm_asinh(x) }
  @inlinable public static func lgamma(_ x: Double) -> Double { libm_lgamma(x) }
  @inlinable public static func cbrt(_ x: Double) -> Double { libm_cbrt(x) }

  /// log(1 + eˣ) without overflow for large x and without loss of digits for very
  /// negative x: for x > 0 it is x + log1p(e⁻ˣ), otherwise log1p(eˣ).
  @inlinable public static func softplus(_ x: Double) -> Double {
    x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
  }

  /// log Σᵢ exp(xᵢ), computed as m + log Σᵢ exp(xᵢ − m) with m = maxᵢ xᵢ, so that no
  /// term overflows and the largest term is exactly 1. Returns −∞ for an empty input.
  /// - Complexity: O(n).
  @inlinable public static func logSumExp(_ x: [Double]) -> Double {
    guard let m = x.max(), m.isFinite else { return x.max() ?? -.infinity }
    var s = 0.0
    for v in x { s += exp(v - m) }
    return m + log(s)
  }
}

// Internal forwarding names, so the public wrappers above do not recurse.
@usableFromInline func libm_exp(_ x: Double) -> Double { exp(x) }
@usableFromInline func libm_expm1(_ x: Double) -> Double { expm1(x) }
@usableFromInline func libm_log(_ x: Double) -> Double { log(x) }
@usableFromInline func libm_log1p(_ x: Double) -> Double { log1p(x) }
@usableFromInline func libm_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@usableFromInline func libm_sin(_ x: Double) -> Double { sin(x) }
@usableFromInline func libm_cos(_ x: Double) -> Double { cos(x) }
@usableFromInline func libm_atan2(_ y: Double, _ x: Double) -> Double { atan2(y, x) }
@usableFromInline func libm_hypot(_ x: Double, _ y: Double) -> Double { hypot(x, y) }
@usableFromInline func libm_log10(_ x: Double) -> Double { log10(x) }
@usableFromInline func libm_tanh(_ x: Double) -> Double { tanh(x) }
@usableFromInline func libm_cosh(_ x: Double) -> Double { cosh(x) }
@usableFromInline func libm_sinh(_ x: Double) -> Double { sinh(x) }
@usableFromInline func libm_atan(_ x: Double) -> Double { atan(x) }
@usableFromInline func libm_tan(_ x: Double) -> Double { tan(x) }
@usableFromInline func libm_exp2(_ x: Double) -> Double { exp2(x) }
@usableFromInline func libm_log2(_ x: Double) -> Double { log2(x) }
@usableFromInline func libm_asinh(_ x: Double) -> Double { asinh(x) }
@usableFromInline func libm_lgamma(_ x: Double) -> Double { lgamma(x) }
@usableFromInline func libm_cbrt(_ x: Double) -> Double { cbrt(x) }
