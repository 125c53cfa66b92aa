// Bluestein's chirp-z algorithm: a DFT of any length as a convolution of power-of-two length.

/// The DFT of arbitrary length n by Bluestein's algorithm.
///
/// Derivation. From jk = (j² + k² − (k − j)²)/2, with the chirp c_m = e^{−πi m²/n},
///
///     e^{−2πi jk/n} = c_j · c_k · conj(c_{k−j}),
///     X_k = c_k · Σ_{j<n} (x_j c_j) · conj(c_{k−j}) = c_k · (a ∗ b)_k,
///
/// a linear convolution of a_j = x_j c_j (0 ≤ j < n) with b_m = conj(c_m) (|m| < n; note
/// c_{−m} = c_m). Zero-padding to M ≥ 2n − 1 and placing b_m at index m mod M makes the
/// cyclic convolution of length M agree with the linear one for 0 ≤ k < n (the indices
/// 0…n−1 and M−n+1…M−1 do not overlap), and a cyclic convolution is a pointwise product of
/// length-M DFTs: a ∗ b = F⁻¹(F a · F b). M is the least power of two ≥ 2n − 1, so both
/// transforms are radix-2.
///
/// Since e^{−πi m²/n} depends only on m² mod 2n, the chirp is evaluated as the root of unity
/// e^{−2πi r/(2n)} with r = m² mod 2n (updated as r ← r + 2m + 1 mod 2n), keeping the angle
/// small and exact for every n, however large m² is.
///
/// The plan stores the chirp and B̂ = F b / M (the 1/M of the inverse FFT folded in, exactly,
/// since M is a power of two). The inverse direction uses conj(F(conj x)) = Σ x_j e^{+2πi jk/n}.
///
/// Source: L. I. Bluestein, IEEE Trans. Audio Electroacoust. 18(4), 1970; L. R. Rabiner,
/// R. W. Schafer and C. M. Rader, "The chirp z-transform algorithm", same journal 17(2), 1969.
/// - Complexity: O(M log M) = O(n log n) per transform (two radix-2 FFTs of length M ≤ 4n
///   and O(M) products); the plan costs one more FFT and O(M) memory.
struct BluesteinPlan: Sendable {
  let length: Int
  /// c_m = e^{−πi m²/n}, m = 0, …, n − 1.
  let chirp: [Complex]
  /// The radix-2 plan of the padded length M.
  let convolution: Radix2Plan
  /// F b / M, with b_m = conj(c_m) at indices m and M − m.
  let kernelSpectrum: [Complex]

  init(length n: Int) {
    precondition(n >= 1, "BluesteinPlan needs n ≥ 1, got \(n)")
    length = n
    var m = 1
    while m < 2 * n - 1 { m <<= 1 }
    convolution = Radix2Plan(length: m)

    var c = [Complex]()
    c.reserveCapacity(n)
    var r = 0                                    // r = j² mod 2n
    for j in 0..<n {
      c.append(FourierTransform.rootOfUnity(r, of: 2 * n))
      r = (r + 2 * j + 1) % (2 * n)
    }
    chirp = c

    var b = [Complex](repeating: .zero, count: m)
    b[0] = c[0].conjugate
    for j in 1..<n {
      b[j] = c[j].conjugate
      b[m - j] = c[j].conjugate
    }
    convolution.transform(&b, inverse: false)
    let scale = 1 / Double(m)
    for i in 0..<m { b[i] = b[i] * scale }
    kernelSpectrum = b
  }

  /// Σ_j x_j e^{∓2πi jk/n} (minus for forward, plus for inverse), without scaling.
  func transform(_ x: [Complex], inverse: Bool) -> [Complex] {
    let n = length, m = convolution.length
    precondition(x.count == n, "Bluestein FFT of length \(n) applied to \(x.count) entries")
    var work = [Complex](repeating: .zero, count: m)
    work.withUnsafeMutableBufferPointer { w in
      chirp.withUnsafeBufferPointer { c in
        x.withUnsafeBufferPointer { xp in
          for j in 0..<n { w[j] = (inverse ? xp[j].conjugate : xp[j]) * c[j] }
        }
      }
    }
    convolution.transform(&work, inverse: false)
    work.withUnsafeMutableBufferPointer { w in
      kernelSpectrum.withUnsafeBufferPointer { k in
        for i in 0..<m { w[i] = w[i] * k[i] }
      }
    }
    convolution.transform(&work, inverse: true)
    work.removeLast(m - n)
    work.withUnsafeMutableBufferPointer { w in
      chirp.withUnsafeBufferPointer { c in
        for k in 0..<n {
          let y = w[k] * c[k]
          w[k] = inverse ? y.conjugate : y
        }
      }
    }
    return work
  }
}
