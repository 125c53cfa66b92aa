// Small numerical tools shared by the regularizers: a double-double constant type (for g_L,
// so that g_L − τ is exact when τ is close to g_L), powers of 1 + t², and a safeguarded
// Newton iteration.

import LinearAlgebra

/// (1 + t²)^a, that is cosh^{2a}θ for t = sinh θ, without rounding 1 + t² first.
///
/// pow(1 + t², a) would turn the half-ulp rounding of 1 + t² into |a|/2 ulps. Instead:
/// exp(a·log1p(t²)) for |t| < 1 (the error of a·log1p(t²) is ~|a|t²ε), and
/// |t|^{2a}·exp(a·log1p(t⁻²)) for |t| ≥ 1 (pow of the exact t, times a factor near 1).
/// Overflows or underflows only where the result does.
func onePlusSquarePower(_ t: Double, _ a: Double) -> Double {
  let m = Swift.abs(t)
  if m < 1 { return Elementary.exp(a * Elementary.log1p(m * m)) }
  let inverse = 1 / m
  return Elementary.pow(m, 2 * a) * Elementary.exp(a * Elementary.log1p(inverse * inverse))
}

/// An unevaluated sum `hi + lo` with |lo| ≤ ulp(hi)/2: about 106 significant bits.
///
/// Only the operations needed to build g_L exactly enough are provided: multiplication by a
/// small integer and division by a small integer. Both use the fused multiply-add to recover
/// the rounding error of the leading product or quotient (Dekker 1971; Muller et al.,
/// *Handbook of Floating-Point Arithmetic*, 2nd ed., §4.4 and §14.2).
struct DoubleDouble: Sendable, Hashable {
  var hi: Double
  var lo: Double

  /// π/2 to 106 bits: hi = 0x1.921fb54442d18p0, lo = 0x1.1a62633145c07p-54.
  static let halfPi = DoubleDouble(hi: 1.5707963267948966, lo: 6.123233995736766e-17)

  /// `self · m` for a double m. The product hi·m is split exactly by an FMA.
  func multiplied(by m: Double) -> DoubleDouble {
    let p = hi * m
    let e = (-p).addingProduct(hi, m) + lo * m
    return DoubleDouble.normalized(p, e)
  }

  /// `self / b` for a double b: q₁ = hi/b, the remainder hi − q₁b is exact by FMA, and a
  /// second quotient corrects q₁.
  func divided(by b: Double) -> DoubleDouble {
    let q1 = hi / b
    let r = hi.addingProduct(-q1, b) + lo
    return DoubleDouble.normalized(q1, r / b)
  }

  /// a + b renormalised so that |lo| ≤ ulp(hi)/2 (Fast2Sum; valid because |a| ≥ |b| here).
  static func normalized(_ a: Double, _ b: Double) -> DoubleDouble {
    let s = a + b
    return DoubleDouble(hi: s, lo: b - (s - a))
  }

  /// `self − x` rounded to a double, accurate to ~1 ulp of the result even when x ≈ hi:
  /// hi − x is exact by Sterbenz's lemma when x ∈ [hi/2, 2hi].
  func subtracting(_ x: Double) -> Double { (hi - x) + lo }
}

/// Newton's method for an increasing function on a bracket, kept inside the bracket by
/// bisection (the "rtsafe" strategy of Press et al., *Numerical Recipes*, 3rd ed., §9.4).
///
/// Preconditions the callers guarantee: `f(lo) ≤ 0 ≤ f(hi)` and `f` increasing on
/// `[lo, hi]`. Each evaluation returns the value and the slope. The bracket shrinks with the
/// sign of every value, so a Newton step that leaves it (or a zero, infinite or NaN slope) is
/// replaced by the midpoint, as is one that does not halve the previous step. Iteration stops
/// when a Newton step is below `relativeTolerance·|x| + absoluteTolerance` (that step is
/// taken; the error left is of the order of its square) or when the bracket is that small.
///
/// - Complexity: quadratic convergence near a simple root; at most `maxIterations` calls.
func safeguardedNewton(
  lo: Double, hi: Double, start: Double,
  relativeTolerance: Double, absoluteTolerance: Double = 0, maxIterations: Int = 200,
  _ f: (Double) -> (value: Double, slope: Double)
) -> Double {
  var lo = lo
  var hi = hi
  var x = Swift.min(Swift.max(start, lo), hi)
  var previousStep = Double.infinity
  for _ in 0..<maxIterations {
    let (value, slope) = f(x)
    if value == 0 { return x }
    // Converged: a Newton step below the tolerance is taken and ends the iteration (the
    // bracket tests below would reject it once it is below half an ulp of x).
    let newtonStep = value / slope
    if Swift.abs(newtonStep) <= relativeTolerance * Swift.abs(x) + absoluteTolerance { return x - newtonStep }
    if value < 0 { lo = x } else { hi = x }
    var next = x - newtonStep
    // Bisect when Newton leaves the open bracket or fails to halve the previous step (a
    // stricter form of rtsafe's rule; it rules out cycles such as 0 ↔ 1 on a sigmoid-shaped f).
    if !(next > lo && next < hi) || Swift.abs(next - x) > previousStep / 2 {
      next = lo + (hi - lo) / 2
    }
    let step = Swift.abs(next - x)
    previousStep = step
    x = next
    let tolerance = relativeTolerance * Swift.abs(x) + absoluteTolerance
    if step <= tolerance || hi - lo <= tolerance { return x }
  }
  return x
}
