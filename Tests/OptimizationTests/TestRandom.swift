import LinearAlgebra

/// A deterministic generator for the optimization tests: SplitMix64 (Steele, Lea & Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014) for uniform bits, and the
/// Box–Muller transform for standard normals. Local to this test target on purpose, so that
/// the tests do not depend on other modules' random code; every failure message prints the
/// seed so that a case can be replayed.
struct TestRandom: RandomNumberGenerator {
  private var state: UInt64
  private var spareNormal: Double?

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform on [0, 1) with 53 random bits.
  mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// A standard normal by Box–Muller: for U₁ ∈ (0, 1], U₂ ∈ [0, 1),
  /// √(−2 log U₁)·(cos 2πU₂, sin 2πU₂) are two independent N(0, 1) draws.
  mutating func normal() -> Double {
    if let z = spareNormal { spareNormal = nil; return z }
    let u1 = 1 - uniform(), u2 = uniform()
    let r = (-2 * Elementary.log(u1)).squareRoot()
    let theta = 2 * Double.pi * u2
    spareNormal = r * Elementary.sin(theta)
    return r * Elementary.cos(theta)
  }

  mutating func normalVector(_ n: Int) -> [Double] { (0..<n).map { _ in normal() } }

  mutating func normalMatrix(rows: Int, columns: Int) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: normalVector(rows * columns))
  }
}
