/// The discrete Fourier transform of any length n ≥ 1, planned once and applied many times.
///
/// Conventions (those of FFTW, NumPy and MATLAB):
///
///     forward:  X_k = Σ_{j<n} x_j e^{−2πi jk/n}          (no scaling)
///     inverse:  x_j = (1/n) Σ_{k<n} X_k e^{+2πi jk/n}
///
/// so `inverse(forward(x)) == x` up to rounding and Parseval reads Σ|X_k|² = n Σ|x_j|².
///
/// Algorithms:
/// - n a power of two: the iterative radix-2 decimation-in-time Cooley–Tukey FFT — a
///   bit-reversal permutation, then log₂ n stages of butterflies (u, v) ↦ (u + wv, u − wv)
///   (J. W. Cooley and J. W. Tukey, "An algorithm for the machine calculation of complex
///   Fourier series", Math. Comp. 19, 1965).
/// - any other n (primes, odd composites): Bluestein's chirp-z algorithm, which writes the
///   DFT as a convolution and evaluates it with radix-2 FFTs of a padded length M, a power of
///   two ≥ 2n − 1 (L. I. Bluestein, "A linear filtering approach to the computation of the
///   discrete Fourier transform", IEEE Trans. Audio Electroacoust. 18, 1970). See
///   `BluesteinPlan` for the derivation.
///
/// The plan precomputes the twiddle factors and, for Bluestein, the chirp and the padded
/// transform of its conjugate, so a transform allocates only its output (and, for
/// Bluestein, one work array of length M that becomes the output).
///
/// Twiddles e^{−2πi k/N} are computed from the exact integer ratio k/N reduced to an angle in
/// [0, π/4] by the symmetries of the circle, so each is within about one ulp. With such
/// twiddles the radix-2 FFT satisfies ‖X̂ − X‖₂ ≤ c·log₂(n)·u·‖X‖₂ for a modest constant c and
/// unit roundoff u (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
/// Thm. 24.2); Bluestein inherits a bound of the same form with log₂ M in place of log₂ n.
///
/// - Complexity: O(n log n) time per transform (Bluestein: three FFTs of length M ≤ 4n);
///   O(n) memory for the plan.
public struct FourierTransform: Sendable {
  /// The transform length n.
  public let length: Int
  let plan: Plan

  enum Plan: Sendable {
    case radix2(Radix2Plan)
    case bluestein(BluesteinPlan)
  }

  /// A plan for transforms of length `n` ≥ 1.
  /// - Complexity: O(n) for a power of two, O(n log n) otherwise (one FFT of the chirp).
  public init(length n: Int) {
    precondition(n >= 1, "FourierTransform needs a length n ≥ 1, got \(n)")
    length = n
    plan = n & (n - 1) == 0 ? .radix2(Radix2Plan(length: n)) : .bluestein(BluesteinPlan(length: n))
  }

  /// X_k = Σ_j x_j e^{−2πi jk/n}, k = 0, …, n − 1.
  /// - Complexity: O(n log n).
  public func forward(_ x: [Complex]) -> [Complex] {
    precondition(x.count == length, "FourierTransform of length \(length) applied to \(x.count) entries")
    return unscaled(x, inverse: false)
  }

  /// x_j = (1/n) Σ_k X_k e^{+2πi jk/n}, j = 0, …, n − 1: the inverse of `forward`.
  /// - Complexity: O(n log n).
  public func inverse(_ x: [Complex]) -> [Complex] {
    precondition(x.count == length, "Inverse FourierTransform of length \(length) applied to \(x.count) entries")
    var y = unscaled(x, inverse: true)
    let n = Double(length)
    for k in y.indices { y[k] = y[k] / n }
    return y
  }

  /// The forward transform of a real vector. Its output is conjugate-symmetric,
  /// X_{n−k} = conj(X_k), up to rounding.
  /// - Complexity: O(n log n).
  public func forward(real x: [Double]) -> [Complex] {
    precondition(x.count == length, "FourierTransform of length \(length) applied to \(x.count) entries")
    return unscaled(x.map { Complex($0) }, inverse: false)
  }

  /// Σ_j x_j e^{∓2πi jk/n} (minus for forward, plus for inverse), without the 1/n.
  func unscaled(_ x: [Complex], inverse: Bool) -> [Complex] {
    switch plan {
    case .radix2(let p):
      var y = x
      p.transform(&y, inverse: inverse)
      return y
    case .bluestein(let p):
      return p.transform(x, inverse: inverse)
    }
  }

  /// e^{−2πi k/N}, accurate to about one ulp in each component.
  ///
  /// With k reduced to [0, N), write 2πk/N = qπ/2 + φ where q = ⌊4k/N⌋ and
  /// φ = π(4k − qN)/(2N) ∈ [0, π/2), the numerator being an exact integer. If φ > π/4, use
  /// ψ = π/2 − φ = π((q + 1)N − 4k)/(2N) and cos φ = sin ψ, sin φ = cos ψ. So cos and sin are
  /// only evaluated on [0, π/4], where the argument's relative error of a few ulps is also
  /// an absolute error of a few ulps, and the quarter turns e^{iqπ/2} are applied exactly.
  /// - Complexity: O(1).
  static func rootOfUnity(_ k: Int, of bigN: Int) -> Complex {
    precondition(bigN > 0 && bigN <= Int.max / 4, "rootOfUnity needs 0 < N ≤ Int.max/4, got \(bigN)")
    var r = k % bigN
    if r < 0 { r += bigN }
    let q = (4 * r) / bigN
    let numerator = 4 * r - q * bigN           // φ = π·numerator/(2N), 0 ≤ numerator < N
    let c: Double, s: Double                    // cos φ, sin φ
    if 2 * numerator <= bigN {
      let phi = Double.pi * Double(numerator) / Double(2 * bigN)
      c = Elementary.cos(phi)
      s = Elementary.sin(phi)
    } else {
      let psi = Double.pi * Double(bigN - numerator) / Double(2 * bigN)
      c = Elementary.sin(psi)
      s = Elementary.cos(psi)
    }
    // e^{iθ} = i^q (cos φ + i sin φ); the forward root is its conjugate e^{−iθ}.
    switch q {
    case 0: return Complex(c, -s)
    case 1: return Complex(-s, -c)
    case 2: return Complex(-c, s)
    default: return Complex(s, c)
    }
  }
}

// MARK: - Radix-2 Cooley–Tukey

/// The in-place iterative radix-2 FFT for a power-of-two length.
///
/// After the bit-reversal permutation, stage s (span L = 2ˢ, s = 1…log₂ n) combines pairs of
/// length-L/2 transforms: for each block start b and 0 ≤ k < L/2, with w = e^{∓2πi k/L} =
/// `twiddles[k · n/L]`,
///
///     (a[b+k], a[b+k+L/2]) ← (u + w·v, u − w·v),   u = a[b+k], v = a[b+k+L/2].
///
/// The inverse direction uses the conjugate twiddles (no scaling).
/// - Complexity: O(n log n) time, O(1) extra memory; the plan stores n/2 twiddles.
struct Radix2Plan: Sendable {
  let length: Int
  /// e^{−2πi k/n} for k = 0, …, n/2 − 1.
  let twiddles: [Complex]

  init(length n: Int) {
    precondition(n >= 1 && n & (n - 1) == 0, "Radix2Plan needs a power of two, got \(n)")
    length = n
    twiddles = (0..<(n / 2)).map { FourierTransform.rootOfUnity($0, of: n) }
  }

  func transform(_ a: inout [Complex], inverse: Bool) {
    let n = length
    precondition(a.count == n, "Radix-2 FFT of length \(n) applied to \(a.count) entries")
    guard n > 1 else { return }
    a.withUnsafeMutableBufferPointer { p in
      twiddles.withUnsafeBufferPointer { w in
        // Bit-reversal permutation: j runs through the bit-reversed counter of i.
        var j = 0
        for i in 1..<n {
          var bit = n >> 1
          while j & bit != 0 {
            j ^= bit
            bit >>= 1
          }
          j |= bit
          if i < j { p.swapAt(i, j) }
        }
        var span = 2
        while span <= n {
          let half = span >> 1, stride = n / span
          for k in 0..<half {
            var t = w[k * stride]
            if inverse { t.im = -t.im }
            var b = k
            while b < n {
              let u = p[b], v = p[b + half] * t
              p[b] = u + v
              p[b + half] = u - v
              b += span
            }
          }
          span <<= 1
        }
      }
    }
  }
}
