import LinearAlgebra
import PropertyChecking
import Testing

/// Statistical checks use N = 10⁵ draws from fixed seeds and accept a sample statistic within
/// 5 standard errors of its expectation (a false alarm rate below 10⁻⁶ per check for a correct
/// generator, by the normal approximation); the seeds are fixed, so the outcome is too.
@Suite("Seeded generator")
struct SeededGeneratorTests {
  static let draws = 100_000

  // MARK: Reference outputs

  /// xoshiro256** from state (1, 2, 3, 4): the reference outputs of Blackman and Vigna's
  /// `xoshiro256starstar.c`, as used by the test suite of the Rust crate rand_xoshiro.
  @Test("xoshiro256** matches the reference outputs for state (1, 2, 3, 4)")
  func referenceOutputs() {
    var rng = SeededGenerator(state: (1, 2, 3, 4))
    let expected: [UInt64] = [
      11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
      607_988_272_756_665_600, 16_172_922_978_634_559_625, 8_476_171_486_693_032_832,
      10_595_114_339_597_558_777, 2_904_607_092_377_533_576,
    ]
    #expect((0..<10).map { _ in rng.next() } == expected)
  }

  /// SplitMix64 seeded with 1234567: the first five outputs published with the reference
  /// `splitmix64.c` (Rosetta Code, "Pseudo-random numbers/Splitmix64").
  @Test("SplitMix64 matches the reference outputs for seed 1234567")
  func splitMixReference() {
    var mixer = SplitMix64(state: 1_234_567)
    let expected: [UInt64] = [
      6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
      4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
    ]
    #expect((0..<5).map { _ in mixer.next() } == expected)
  }

  /// An independent transcription of the reference C code, on a plain array.
  static func referenceXoshiro(_ s: inout [UInt64]) -> UInt64 {
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
    let result = rotl(s[1] &* 5, 7) &* 9
    let t = s[1] << 17
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 45)
    return result
  }

  @Test("seeding is SplitMix64, and the stream agrees with a transcription of the C code", arguments: [0, 1, 42, UInt64.max])
  func seedingAndTranscription(seed: UInt64) {
    var mixer = SplitMix64(state: seed)
    var state = (0..<4).map { _ in mixer.next() }
    var rng = SeededGenerator(seed: seed)
    #expect([rng.state.0, rng.state.1, rng.state.2, rng.state.3] == state)
    for _ in 0..<1000 {
      #expect(rng.next() == Self.referenceXoshiro(&state))
    }
  }

  // MARK: Determinism and streams

  @Test("same seed, same stream; different seeds, different streams")
  func determinism() {
    var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
    let sa = (0..<100).map { _ in a.next() }, sb = (0..<100).map { _ in b.next() }
    let sc = (0..<100).map { _ in c.next() }
    #expect(sa == sb)
    #expect(sa != sc)
    var g1 = SeededGenerator(seed: 3), g2 = SeededGenerator(seed: 3)
    #expect(g1.gaussianMatrix(rows: 3, columns: 4) == g2.gaussianMatrix(rows: 3, columns: 4))
  }

  @Test("split() is deterministic and gives a stream different from the parent's")
  func split() {
    var parent1 = SeededGenerator(seed: 11), parent2 = SeededGenerator(seed: 11)
    var child1 = parent1.split(), child2 = parent2.split()
    #expect(child1 == child2)
    #expect(parent1 == parent2)
    let childStream = (0..<50).map { _ in child1.next() }
    let parentStream = (0..<50).map { _ in parent1.next() }
    #expect(Set(childStream).isDisjoint(with: parentStream))
    #expect(childStream == (0..<50).map { _ in child2.next() })
  }

  @Test("caseSeed is the documented SplitMix64 stream, distinct per index and per base")
  func caseSeeds() {
    var stream = SplitMix64(state: SplitMix64.mix(99))
    for i in 0..<100 {
      #expect(SeededGenerator.caseSeed(base: 99, index: i) == stream.next())
    }
    let seeds = (0..<10_000).map { SeededGenerator.caseSeed(base: 1, index: $0) }
    #expect(Set(seeds).count == seeds.count)
    let otherBase = (0..<10_000).map { SeededGenerator.caseSeed(base: 2, index: $0) }
    #expect(Set(seeds).isDisjoint(with: otherBase))
  }

  // MARK: Distributions

  /// U[0, 1): mean 1/2 with standard error √(1/12)/√N ≈ 9.1·10⁻⁴; variance 1/12 with standard
  /// error √((μ₄ − σ⁴)/N) = √((1/80 − 1/144)/N) ≈ 2.36·10⁻⁴.
  @Test("uniform() lies in [0, 1) on the 2⁻⁵³ grid with mean 1/2 and variance 1/12")
  func uniformMoments() {
    var rng = SeededGenerator(seed: 2024)
    let n = Double(Self.draws)
    let u = (0..<Self.draws).map { _ in rng.uniform() }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 && ($0 * 0x1p53).rounded() == $0 * 0x1p53 })
    let mean = u.reduce(0, +) / n
    let variance = u.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    let meanSE = (1.0 / 12 / n).squareRoot(), varianceSE = ((1.0 / 80 - 1.0 / 144) / n).squareRoot()
    #expect(Swift.abs(mean - 0.5) <= 5 * meanSE, "mean \(mean), 5 SE = \(5 * meanSE)")
    #expect(Swift.abs(variance - 1.0 / 12) <= 5 * varianceSE, "variance \(variance), 5 SE = \(5 * varianceSE)")
  }

  @Test("uniform(in:) stays in the range, including a degenerate one")
  func uniformInRange() {
    var rng = SeededGenerator(seed: 5)
    for _ in 0..<10_000 {
      let x = rng.uniform(in: -3...(-2.5))
      #expect(x >= -3 && x <= -2.5)
    }
    #expect(rng.uniform(in: 2...2) == 2)
  }

  /// Standard normal, N = 10⁵: standard errors of the sample mean 1/√N ≈ 3.2·10⁻³, variance
  /// √(2/N) ≈ 4.5·10⁻³, skewness √(6/N) ≈ 7.7·10⁻³, kurtosis √(24/N) ≈ 1.5·10⁻²; each must lie
  /// within 5 standard errors of 0, 1, 0 and 3.
  @Test("gaussian() has mean 0, variance 1, skewness 0 and kurtosis 3 within 5 standard errors")
  func gaussianMoments() {
    var rng = SeededGenerator(seed: 31_415)
    let n = Double(Self.draws)
    let z = rng.gaussianVector(Self.draws)
    let mean = z.reduce(0, +) / n
    var m2 = 0.0, m3 = 0.0, m4 = 0.0
    for v in z {
      let d = v - mean, d2 = d * d
      m2 += d2
      m3 += d2 * d
      m4 += d2 * d2
    }
    m2 /= n
    m3 /= n
    m4 /= n
    let skewness = m3 / (m2 * m2.squareRoot()), kurtosis = m4 / (m2 * m2)
    let checks: [(String, Double, Double, Double)] = [
      ("mean", mean, 0, (1 / n).squareRoot()),
      ("variance", m2, 1, (2 / n).squareRoot()),
      ("skewness", skewness, 0, (6 / n).squareRoot()),
      ("kurtosis", kurtosis, 3, (24 / n).squareRoot()),
    ]
    for (name, observed, expected, se) in checks {
      #expect(Swift.abs(observed - expected) <= 5 * se, "\(name) \(observed), expected \(expected) ± \(5 * se)")
    }
  }

  @Test("gaussianVector and gaussianMatrix: shapes and standard deviation")
  func gaussianShapes() {
    var rng = SeededGenerator(seed: 77)
    let v = rng.gaussianVector(Self.draws, standardDeviation: 3)
    let sd = (v.reduce(0) { $0 + $1 * $1 } / Double(Self.draws)).squareRoot()
    // sd of N(0, 9): standard error of the sample sd ≈ 3/√(2N) ≈ 6.7·10⁻³.
    #expect(Swift.abs(sd - 3) <= 5 * 3 / (2 * Double(Self.draws)).squareRoot(), "sample sd \(sd)")
    let m = rng.gaussianMatrix(rows: 4, columns: 7)
    #expect(m.rows == 4 && m.columns == 7 && m.storage.allSatisfy(\.isFinite))
    #expect(rng.gaussianVector(0).isEmpty)
    #expect(rng.gaussianMatrix(rows: 0, columns: 3).storage.isEmpty)
  }

  // MARK: Integers

  @Test("integer(in:) stays in range, including single values and the full Int range")
  func integerRange() {
    var rng = SeededGenerator(seed: 8)
    for range in [0...0, -5...5, 3...4, Int.min...(Int.min + 2), (Int.max - 1)...Int.max, -1_000_000...7] {
      for _ in 0..<2000 {
        #expect(range.contains(rng.integer(in: range)))
      }
    }
    var full = SeededGenerator(seed: 9), raw = SeededGenerator(seed: 9)
    #expect(full.integer(in: Int.min...Int.max) == Int(truncatingIfNeeded: raw.next()))
  }

  /// χ² over 10 equally likely outcomes, N = 10⁵: 9 degrees of freedom, and 39.34 is the
  /// upper 10⁻⁵ quantile of χ²₉, for three seeds.
  @Test("integer(in: 0...9) passes a χ² test at p = 10⁻⁵", arguments: [1, 2, 3] as [UInt64])
  func integerChiSquare(seed: UInt64) {
    var rng = SeededGenerator(seed: seed)
    var counts = [Int](repeating: 0, count: 10)
    for _ in 0..<Self.draws { counts[rng.integer(in: 0...9)] += 1 }
    let expected = Double(Self.draws) / 10
    let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
    #expect(chiSquare < 39.34, "χ² = \(chiSquare), counts \(counts)")
  }

  /// A width of w = 3·2⁶² exposes modulo bias: `next() % w` would put values in the lowest
  /// third [0, 2⁶²) with probability 1/2 instead of 1/3. Lemire's method must give 1/3 within
  /// 5 standard errors √(2/9/N) ≈ 1.5·10⁻³.
  @Test("integer(in:) is unbiased on a range of width 3·2⁶²")
  func integerUnbiasedOnHugeRange() {
    var rng = SeededGenerator(seed: 12)
    let range = Int.min...((1 << 62) - 1)  // Int.min + 3·2⁶² − 1 = 2⁶² − 1
    let lowestThird = Int.min + (1 << 62)
    var hits = 0
    for _ in 0..<Self.draws where rng.integer(in: range) < lowestThird { hits += 1 }
    let fraction = Double(hits) / Double(Self.draws)
    let se = (2.0 / 9 / Double(Self.draws)).squareRoot()
    #expect(Swift.abs(fraction - 1.0 / 3) <= 5 * se, "fraction in the lowest third \(fraction)")
  }
}
