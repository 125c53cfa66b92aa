import LinearAlgebra
import PropertyChecking
import Testing

/// Tests of `FourierTransform` against an accurate O(n²) DFT.
///
/// Error model: with unit roundoff u = 2⁻⁵³ (`Double.ulpOfOne / 2`), a backward-stable FFT
/// satisfies ‖X̂ − X‖₂ ≤ c·log₂ n·u·‖X‖₂ (Higham, Thm. 24.2), and ‖X‖₂ = √n‖x‖₂, so in the
/// unitary normalisation the check is
///
///     ‖X̂ − X‖₂ / √n ≤ C · log₂(2n) · ε · ‖x‖₂,   ε = Double.ulpOfOne = 2⁻⁵², C = 2.
///
/// log₂(2n) rather than log₂ n keeps the bound non-zero at n = 1. Observed worst ratios
/// (error over ε·log₂(2n)·‖x‖₂ on the lengths below; all but the first also at 2048, 3000,
/// 4096 and 4099): forward 0.49, round trip 0.48 (tolerance 2C), Parseval 0.73, conjugate symmetry 0.83 (tolerance 2C). So
/// C = 2 leaves a margin of 2.7 or more, while a wrong twiddle or a dropped term (errors of
/// order 10⁻¹³ and up) fails by orders of magnitude.
@Suite("Fourier transform")
struct FourierTransformTests {
  static let c = 2.0
  static let eps = Double.ulpOfOne
  static let lengths = Array(1...70) + [97, 127, 128, 243, 256, 1000, 1009, 1024]

  // MARK: Helpers

  /// ‖z‖₂ of a complex vector.
  static func norm(_ z: [Complex]) -> Double {
    z.flatMap { [$0.re, $0.im] }.norm2
  }

  static func distance(_ a: [Complex], _ b: [Complex]) -> Double {
    norm(zip(a, b).map { $0 - $1 })
  }

  static func tolerance(_ n: Int, _ x: [Complex]) -> Double {
    c * log2(2 * Double(n)) * eps * norm(x)
  }

  static func log2(_ x: Double) -> Double { Elementary.log(x) / Elementary.log(2) }

  static func randomVector(_ n: Int, seed: UInt64) -> [Complex] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { _ in Complex(rng.gaussian(), rng.gaussian()) }
  }

  /// Neumaier's compensated sum s + t, carrying the rounding error in `compensation`.
  static func add(_ t: Double, to s: inout Double, compensation: inout Double) {
    let sum = s + t
    compensation += Swift.abs(s) >= Swift.abs(t) ? (s - sum) + t : (t - sum) + s
    s = sum
  }

  /// X_k = Σ_j x_j e^{sign·2πi jk/n} by definition, in O(n²): twiddle angles are reduced
  /// exactly to (jk mod n) ∈ (−n/2, n/2] before calling sin/cos, and the sums are compensated,
  /// so the reference is accurate to a few ulps of ‖X‖ — well below the FFT's bound.
  static func naiveDFT(_ x: [Complex], sign: Double = -1) -> [Complex] {
    let n = x.count
    let roots = (0..<n).map { m -> Complex in
      let r = 2 * m > n ? m - n : m
      return Complex.phasor(sign * 2 * Double.pi * Double(r) / Double(n))
    }
    return (0..<n).map { k in
      var re = 0.0, im = 0.0, cr = 0.0, ci = 0.0
      for j in 0..<n {
        let p = x[j] * roots[(j * k) % n]
        add(p.re, to: &re, compensation: &cr)
        add(p.im, to: &im, compensation: &ci)
      }
      return Complex(re + cr, im + ci)
    }
  }

  static func expectClose(_ observed: [Complex], _ expected: [Complex], tolerance: Double, _ what: String) {
    let error = distance(observed, expected)
    #expect(error <= tolerance, "\(what): error \(error) exceeds tolerance \(tolerance) (ratio \(error / tolerance))")
  }

  // MARK: Against the definition

  @Test("forward matches the O(n²) DFT", arguments: lengths)
  func forwardMatchesDefinition(n: Int) {
    let x = Self.randomVector(n, seed: 1000 + UInt64(n))
    let transform = FourierTransform(length: n)
    #expect(transform.length == n)
    let observed = transform.forward(x)
    // Unitary scaling: divide the error by √n, the norm ratio ‖X‖/‖x‖.
    let error = Self.distance(observed, Self.naiveDFT(x)) / Double(n).squareRoot()
    let tolerance = Self.tolerance(n, x)
    #expect(error <= tolerance, "n = \(n): error \(error) > \(tolerance) (ratio \(error / tolerance))")
  }

  @Test("inverse matches the O(n²) inverse DFT", arguments: [1, 2, 3, 5, 8, 12, 17, 64, 97, 1000])
  func inverseMatchesDefinition(n: Int) {
    let x = Self.randomVector(n, seed: 2000 + UInt64(n))
    let expected = Self.naiveDFT(x, sign: 1).map { $0 / Double(n) }
    // inverse = (1/n)·(unitary map)·√n, so its error is ‖x‖-relative divided by √n.
    let error = Self.distance(FourierTransform(length: n).inverse(x), expected) * Double(n).squareRoot()
    let tolerance = Self.tolerance(n, x)
    #expect(error <= tolerance, "n = \(n): error \(error) > \(tolerance)")
  }

  // MARK: Identities

  @Test("inverse(forward(x)) = x", arguments: lengths)
  func roundTrip(n: Int) {
    let x = Self.randomVector(n, seed: 3000 + UInt64(n))
    let t = FourierTransform(length: n)
    Self.expectClose(t.inverse(t.forward(x)), x, tolerance: 2 * Self.tolerance(n, x), "round trip n = \(n)")
  }

  @Test("Parseval: Σ|X_k|² = n Σ|x_j|²", arguments: lengths)
  func parseval(n: Int) {
    let x = Self.randomVector(n, seed: 4000 + UInt64(n))
    let energy = Self.norm(x), spectrum = Self.norm(FourierTransform(length: n).forward(x))
    let relative = Swift.abs(spectrum / Double(n).squareRoot() - energy) / energy
    #expect(relative <= Self.c * Self.log2(2 * Double(n)) * Self.eps, "n = \(n): relative error \(relative)")
  }

  @Test("real input gives X_{n−k} = conj(X_k)", arguments: lengths)
  func conjugateSymmetry(n: Int) {
    var rng = SeededGenerator(seed: 5000 + UInt64(n))
    let x = rng.gaussianVector(n)
    let spectrum = FourierTransform(length: n).forward(real: x)
    let mirrored = (0..<n).map { k in spectrum[(n - k) % n].conjugate }
    let xNorm = x.norm2
    let error = Self.distance(spectrum, mirrored) / Double(n).squareRoot()
    #expect(error <= 2 * Self.c * Self.log2(2 * Double(n)) * Self.eps * xNorm, "n = \(n): asymmetry \(error)")
    // The real-input path agrees with the complex path.
    let complexPath = FourierTransform(length: n).forward(x.map { Complex($0) })
    #expect(Self.distance(spectrum, complexPath) == 0)
  }

  @Test("exact small cases: impulse, length-4 basis vector, pure tone")
  func exactCases() {
    for n in [1, 2, 3, 4, 7, 16, 30] {
      var impulse = [Complex](repeating: .zero, count: n)
      impulse[0] = .one
      let ones = FourierTransform(length: n).forward(impulse)
      Self.expectClose(ones, [Complex](repeating: .one, count: n), tolerance: 4 * Self.eps * Double(n).squareRoot(),
                       "impulse n = \(n)")
    }
    // Quarter turns are exact: the DFT of e₁ at n = 4 is (1, −i, −1, i).
    let e1 = [Complex.zero, .one, .zero, .zero]
    #expect(FourierTransform(length: 4).forward(e1) == [Complex(1, 0), Complex(0, -1), Complex(-1, 0), Complex(0, 1)])
    // A pure tone x_j = e^{2πi m j/n} transforms to n·δ_m.
    for (n, m) in [(12, 5), (31, 7), (64, 3), (100, 99)] {
      let tone = (0..<n).map { j in Complex.phasor(2 * Double.pi * Double((m * j) % n) / Double(n)) }
      var expected = [Complex](repeating: .zero, count: n)
      expected[m] = Complex(Double(n))
      Self.expectClose(FourierTransform(length: n).forward(tone), expected,
                       tolerance: 4 * Self.c * Self.log2(2 * Double(n)) * Self.eps * Double(n), "tone n = \(n)")
    }
  }

  @Test("shift theorem on random lengths (property check)")
  func shiftTheorem() {
    let input = Generator.zip(Generator.int(in: 1...300), Generator.int(in: 0...1000))
    let outcome = checkProperty("shift theorem", seed: 0x5EED_F0F7, cases: 40, generator: input) { (n, s) in
      let x = Self.randomVector(n, seed: UInt64(n * 7919 + s))
      let t = FourierTransform(length: n)
      let shifted = (0..<n).map { j in x[((j - s) % n + n) % n] }
      // F(x_{j−s})_k = e^{−2πi ks/n} X_k.
      let expected = zip(0..<n, t.forward(x)).map { k, xk in
        Complex.phasor(-2 * Double.pi * Double((k * s) % n) / Double(n)) * xk
      }
      let error = Self.distance(t.forward(shifted), expected) / Double(n).squareRoot()
      let tolerance = 4 * Self.tolerance(n, x)
      return error <= tolerance ? .pass : .fail("n = \(n), s = \(s): error \(error) > \(tolerance)")
    }
    #expect(outcome.passed, "\(outcome)")
  }

  @Test("a plan is reusable and its transforms are deterministic")
  func reuse() {
    let t = FourierTransform(length: 45)
    let x = Self.randomVector(45, seed: 9)
    #expect(t.forward(x) == t.forward(x))
    #expect(t.inverse(x) == t.inverse(x))
  }
}
