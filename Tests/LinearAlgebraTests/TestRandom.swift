import LinearAlgebra

/// A small deterministic generator for the linear-algebra tests only (the project-wide
/// one lives in PropertyChecking; this target deliberately does not depend on it).
///
/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014; constants from Vigna's reference implementation): a Weyl sequence with
/// increment ⌊2⁶⁴/φ⌋ passed through a 64-bit finaliser. Normal variates by Box–Muller.
/// Every test prints its seed, so a failure replays exactly.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  private var spareGaussian: Double?

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform on the open interval (0, 1): the top 53 bits, offset by half an ulp so that
  /// 0 never occurs (Box–Muller takes its logarithm).
  mutating func nextUniform() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

  /// A standard normal variate. Box–Muller: for U₁, U₂ uniform on (0, 1),
  /// √(−2 log U₁)·(cos 2πU₂, sin 2πU₂) are two independent N(0, 1); the second is kept.
  mutating func nextGaussian() -> Double {
    if let g = spareGaussian {
      spareGaussian = nil
      return g
    }
    let radius = (-2 * Elementary.log(nextUniform())).squareRoot()
    let angle = 2 * Double.pi * nextUniform()
    spareGaussian = radius * Elementary.sin(angle)
    return radius * Elementary.cos(angle)
  }

  mutating func gaussianVector(_ n: Int) -> [Double] { (0..<n).map { _ in nextGaussian() } }

  mutating func gaussianMatrix(_ m: Int, _ n: Int) -> Matrix {
    Matrix(rows: m, columns: n, storage: gaussianVector(m * n))
  }

  /// An m×k matrix with orthonormal columns, built without the library under test:
  /// H₁⋯H_k·[I_k; 0] for Householder reflectors Hᵢ = I − 2vᵢvᵢᵀ/‖vᵢ‖² with Gaussian vᵢ.
  /// Each Hᵢ is orthogonal, so the columns are orthonormal up to O(k·ε).
  mutating func orthonormalColumns(_ m: Int, _ k: Int) -> Matrix {
    precondition(k <= m, "Cannot have \(k) orthonormal columns in dimension \(m)")
    var q = Matrix(rows: m, columns: k)
    for i in 0..<k { q[i, i] = 1 }
    for _ in 0..<Swift.max(k, 1) {
      let v = gaussianVector(m)
      let vv = v.dot(v)
      guard vv > 0 else { continue }
      for j in 0..<k {
        var d = 0.0
        for i in 0..<m { d += v[i] * q[i, j] }
        let f = 2 * d / vv
        for i in 0..<m { q[i, j] -= f * v[i] }
      }
    }
    return q
  }

  /// U·diag(s)·Vᵀ with U (m×k) and V (n×k) random with orthonormal columns, k = s.count.
  mutating func matrix(rows m: Int, columns n: Int, singularValues s: [Double]) -> Matrix {
    let u = orthonormalColumns(m, s.count), v = orthonormalColumns(n, s.count)
    var us = u
    for i in 0..<m { for j in 0..<s.count { us[i, j] *= s[j] } }
    return us * v.transposed
  }

  /// An m×n matrix of exact rank r (up to rounding in the product): B·C with B m×r and
  /// C r×n Gaussian.
  mutating func rankDeficientMatrix(_ m: Int, _ n: Int, rank r: Int) -> Matrix {
    gaussianMatrix(m, r) * gaussianMatrix(r, n)
  }
}
