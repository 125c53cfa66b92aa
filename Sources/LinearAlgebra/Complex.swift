/// A complex number in rectangular form, for the Fourier modes of convolutional networks.
///
/// Only what the verifier needs: field operations, conjugate, modulus (via `hypot`, so it
/// neither overflows nor underflows) and the unit phasor e^{iθ}.
public struct Complex: Hashable, Sendable, CustomStringConvertible {
  public var re: Double
  public var im: Double

  @inlinable public init(_ re: Double, _ im: Double = 0) {
    self.re = re
    self.im = im
  }

  public static let zero = Complex(0, 0)
  public static let one = Complex(1, 0)
  public static let i = Complex(0, 1)

  /// e^{iθ} = cos θ + i sin θ.
  @inlinable public static func phasor(_ theta: Double) -> Complex {
    Complex(Elementary.cos(theta), Elementary.sin(theta))
  }

  @inlinable public var conjugate: Complex { Complex(re, -im) }
  /// |z|, computed with hypot.
  @inlinable public var magnitude: Double { Elementary.hypot(re, im) }
  /// |z|² = re² + im² (may overflow where `magnitude` does not).
  @inlinable public var lengthSquared: Double { re * re + im * im }
  @inlinable public var isFinite: Bool { re.isFinite && im.isFinite }

  @inlinable public static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
  @inlinable public static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
  @inlinable public static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }
  @inlinable public static func * (a: Complex, b: Complex) -> Complex {
    Complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
  }
  @inlinable public static func * (s: Double, a: Complex) -> Complex { Complex(s * a.re, s * a.im) }
  @inlinable public static func * (a: Complex, s: Double) -> Complex { Complex(s * a.re, s * a.im) }
  @inlinable public static func / (a: Complex, s: Double) -> Complex { Complex(a.re / s, a.im / s) }
  /// a / b by Smith's algorithm, which avoids overflow in |b|².
  @inlinable public static func / (a: Complex, b: Complex) -> Complex {
    if Swift.abs(b.re) >= Swift.abs(b.im) {
      let r = b.im / b.re, den = b.re + b.im * r
      return Complex((a.re + a.im * r) / den, (a.im - a.re * r) / den)
    } else {
      let r = b.re / b.im, den = b.re * r + b.im
      return Complex((a.re * r + a.im) / den, (a.im * r - a.re) / den)
    }
  }
  @inlinable public static func += (a: inout Complex, b: Complex) { a = a + b }
  @inlinable public static func -= (a: inout Complex, b: Complex) { a = a - b }
  @inlinable public static func *= (a: inout Complex, b: Complex) { a = a * b }

  public var description: String { im >= 0 ? "\(re)+\(im)i" : "\(re)\(im)i" }
}
