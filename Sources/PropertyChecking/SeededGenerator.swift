import LinearAlgebra

/// SplitMix64, the 64-bit generator of Java's `SplittableRandom`, used here only to turn one
/// 64-bit seed into well-mixed words (the seeding procedure Blackman and Vigna recommend for
/// xoshiro).
///
/// The state advances by the golden-ratio increment γ = 0x9E3779B97F4A7C15 and each output is
/// the finalizer `mix` of the new state:
///
///     z ← (z ⊕ (z ≫ 30)) · 0xBF58476D1CE4E5B9
///     z ← (z ⊕ (z ≫ 27)) · 0x94D049BB133111EB
///     z ← z ⊕ (z ≫ 31)
///
/// Source: G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014; constants from S. Vigna's reference `splitmix64.c`.
public struct SplitMix64: RandomNumberGenerator, Hashable, Sendable {
  /// The golden-ratio increment γ = ⌊2⁶⁴/φ⌋, made odd.
  public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

  /// The current state; the next output is `mix(state &+ increment)`.
  public private(set) var state: UInt64

  /// A generator whose first output is `mix(seed &+ increment)`.
  public init(state: UInt64) { self.state = state }

  /// The SplitMix64 finalizer: a bijection of UInt64 with full avalanche.
  /// - Complexity: O(1).
  @inlinable public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z &>> 31)
  }

  /// The next output.
  /// - Complexity: O(1).
  public mutating func next() -> UInt64 {
    state &+= Self.increment
    return Self.mix(state)
  }
}

/// A small, fast, reproducible pseudo-random generator: xoshiro256** over a 256-bit state,
/// seeded from one `UInt64` through SplitMix64.
///
/// One step, with state (s₀, s₁, s₂, s₃) and rotation rotl:
///
///     output = rotl(s₁ · 5, 7) · 9
///     t = s₁ ≪ 17
///     s₂ ⊕= s₀;  s₃ ⊕= s₁;  s₁ ⊕= s₂;  s₀ ⊕= s₃;  s₂ ⊕= t;  s₃ = rotl(s₃, 45)
///
/// The period is 2²⁵⁶ − 1 and the generator passes BigCrush; the all-zero state is the one
/// fixed point, and SplitMix64 seeding cannot produce it (its outputs are a bijection of
/// distinct states, and four consecutive outputs are never all zero).
///
/// Everything here is a deterministic function of the seed — no global state, no system
/// entropy — so a failing random test is replayed from the seed it prints.
///
/// Source: D. Blackman and S. Vigna, "Scrambled linear pseudorandom number generators",
/// ACM TOMS 47(4), 2021 (preprint 2018); reference code `xoshiro256starstar.c`.
public struct SeededGenerator: RandomNumberGenerator, Hashable, Sendable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A generator whose state is the first four outputs of `SplitMix64(state: seed)`.
  public init(seed: UInt64) {
    var mixer = SplitMix64(state: seed)
    s0 = mixer.next()
    s1 = mixer.next()
    s2 = mixer.next()
    s3 = mixer.next()
  }

  /// A generator with the raw xoshiro state (s₀, s₁, s₂, s₃), for comparison with the
  /// reference implementation. The state must not be all zero.
  public init(state: (UInt64, UInt64, UInt64, UInt64)) {
    precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
    (s0, s1, s2, s3) = state
  }

  /// The raw xoshiro state (s₀, s₁, s₂, s₃).
  public var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }

  /// The next 64 random bits.
  /// - Complexity: O(1).
  @inlinable public mutating func next() -> UInt64 {
    let result = Self.rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 &<< 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = Self.rotateLeft(s3, 45)
    return result
  }

  /// rotl(x, k) = (x ≪ k) | (x ≫ (64 − k)), for 0 < k < 64.
  @inlinable static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x &<< k) | (x &>> (64 &- k))
  }

  // MARK: - Seeds for sweeps

  /// The seed of case `index` of a sweep with seed `base`: output `index + 1` of a SplitMix64
  /// stream started at `mix(base)`, i.e. `mix(mix(base) + (index + 1)·γ)`.
  ///
  /// Distinct indices give distinct seeds (γ is odd, so index ↦ start + (index + 1)·γ is
  /// injective modulo 2⁶⁴, and the finalizer is a bijection), and each case replays from its
  /// own seed alone.
  /// - Complexity: O(1).
  public static func caseSeed(base: UInt64, index: Int) -> UInt64 {
    let start = SplitMix64.mix(base)
    let offset = UInt64(bitPattern: Int64(index)) &+ 1
    return SplitMix64.mix(start &+ offset &* SplitMix64.increment)
  }

  /// A new generator seeded from this one's next output (through SplitMix64), so the two
  /// streams are deterministic and, for practical purposes, independent.
  /// - Complexity: O(1); advances `self` by one step.
  public mutating func split() -> SeededGenerator {
    SeededGenerator(seed: next())
  }

  // MARK: - Distributions

  /// A uniform double in [0, 1): the top 53 bits of `next()` times 2⁻⁵³, so every value is a
  /// multiple of 2⁻⁵³ and each is equally likely.
  /// - Complexity: O(1).
  @inlinable public mutating func uniform() -> Double {
    Double(next() &>> 11) * 0x1p-53
  }

  /// A uniform double in `range`: lower + (upper − lower)·u with u = `uniform()`, clamped to
  /// the range (rounding may otherwise land on a neighbour of `upper`). The width must be finite.
  /// - Complexity: O(1).
  public mutating func uniform(in range: ClosedRange<Double>) -> Double {
    let width = range.upperBound - range.lowerBound
    precondition(width.isFinite, "uniform(in:) needs a finite range, got \(range)")
    let value = range.lowerBound + width * uniform()
    return Swift.min(Swift.max(value, range.lowerBound), range.upperBound)
  }

  /// A standard normal deviate by Marsaglia's polar method: draw (u, v) uniform in the square
  /// (−1, 1)², reject unless 0 < s = u² + v² < 1, and return u·√(−2 ln s / s).
  ///
  /// The method produces two independent deviates per accepted pair; the second,
  /// v·√(−2 ln s / s), is discarded so that the generator's state is all that determines the
  /// stream (no cached spare to carry through `split()` or copies). Acceptance probability is
  /// π/4, so the expected cost is 8/π ≈ 2.5 calls of `next()` per deviate.
  ///
  /// Source: G. Marsaglia and T. A. Bray, "A convenient method for generating normal
  /// variables", SIAM Review 6(3), 1964; Knuth, TAOCP vol. 2, §3.4.1, Algorithm P.
  /// - Complexity: O(1) expected.
  public mutating func gaussian() -> Double {
    while true {
      let u = 2 * uniform() - 1
      let v = 2 * uniform() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        return u * (-2 * Elementary.log(s) / s).squareRoot()
      }
    }
  }

  /// n independent normal deviates with mean 0 and the given standard deviation.
  /// - Complexity: O(n).
  public mutating func gaussianVector(_ n: Int, standardDeviation: Double = 1) -> [Double] {
    precondition(n >= 0, "gaussianVector needs a non-negative length, got \(n)")
    var v = [Double]()
    v.reserveCapacity(n)
    for _ in 0..<n { v.append(standardDeviation * gaussian()) }
    return v
  }

  /// A `rows × columns` matrix of independent normal entries (mean 0), filled row by row.
  /// - Complexity: O(rows · columns).
  public mutating func gaussianMatrix(rows: Int, columns: Int, standardDeviation: Double = 1) -> Matrix {
    precondition(rows >= 0 && columns >= 0, "gaussianMatrix needs a non-negative shape, got \(rows)×\(columns)")
    return Matrix(rows: rows, columns: columns, storage: gaussianVector(rows * columns, standardDeviation: standardDeviation))
  }

  /// A uniform integer in `range`, without bias, by Lemire's multiply-and-reject method.
  ///
  /// With w = upper − lower + 1 (as UInt64) and x = `next()`, the 128-bit product x·w has high
  /// word ⌊x·w / 2⁶⁴⌋ ∈ [0, w). Each high word is hit by ⌊2⁶⁴/w⌋ or ⌈2⁶⁴/w⌉ values of x; the
  /// low words below t = 2⁶⁴ mod w mark exactly the surplus, so rejecting them leaves every
  /// outcome equally likely. The test `low < w` skips the division in almost every call.
  /// The full range `Int.min...Int.max` (w = 2⁶⁴) returns `next()` reinterpreted.
  ///
  /// Source: D. Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
  /// - Complexity: O(1) expected (fewer than 2 draws on average).
  public mutating func integer(in range: ClosedRange<Int>) -> Int {
    let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
    if width == 0 { return Int(truncatingIfNeeded: next()) }
    var product = next().multipliedFullWidth(by: width)
    if product.low < width {
      let threshold = (0 &- width) % width
      while product.low < threshold {
        product = next().multipliedFullWidth(by: width)
      }
    }
    return range.lowerBound &+ Int(truncatingIfNeeded: product.high)
  }
}
