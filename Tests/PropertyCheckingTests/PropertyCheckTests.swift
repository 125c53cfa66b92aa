import LinearAlgebra
import PropertyChecking
import Testing

/// Records an issue carrying the counterexample report (seed and replay line) if the check
/// did not pass: the adapter between the Testing-free harness and Swift Testing.
func expectPasses<Value>(_ outcome: CheckOutcome<Value>, sourceLocation: SourceLocation = #_sourceLocation) {
  if let counterexample = outcome.counterexample {
    Issue.record("\(counterexample)", sourceLocation: sourceLocation)
  }
}

@Suite("Property checks")
struct PropertyCheckTests {
  static let doubles = Generator.array(of: .double(in: -100...100), count: 0...20)

  static func sumBelowTen(_ a: [Double]) -> PropertyResult {
    let s = a.reduce(0, +)
    return s < 10 ? .pass : .fail("sum \(s) ≥ 10")
  }

  // MARK: Finding and shrinking

  /// "Every array of doubles in [−100, 100] has sum < 10" is false. Smaller means: no more
  /// elements than the original, the sum still ≥ 10, and no candidate of the result fails
  /// (a local minimum of greedy shrinking). For this property the minimum reached is
  /// exactly [10.0] for each of the 30 seeds tried.
  @Test("a false property is found and shrunk to [10.0]", arguments: 0..<30 as Range<UInt64>)
  func falsePropertyShrinks(seed: UInt64) throws {
    let outcome = checkProperty("sum < 10", seed: seed, cases: 100, generator: Self.doubles, property: Self.sumBelowTen)
    let c = try #require(outcome.counterexample)
    #expect(c.reason == .falsified)
    #expect(c.shrunk.count <= c.original.count)
    #expect(c.shrunk.reduce(0, +) >= 10)
    #expect(Self.doubles.shrink(c.shrunk).allSatisfy { Self.sumBelowTen($0) == .pass }, "not locally minimal: \(c.shrunk)")
    #expect(c.shrunk == [10.0], "\(c)")
    #expect(c.shrinkSteps > 0 && c.shrinkSteps < 200)
    #expect(c.message == "sum 10.0 ≥ 10")
  }

  /// A matrix property: ‖A‖_F < 3 fails. The shrunk matrix has no more rows or columns than
  /// the original, still fails, and is locally minimal (no row or column can be dropped and
  /// no entry simplified without the property passing).
  @Test("matrices shrink dimensions first, then entries, to a local minimum", arguments: 0..<10 as Range<UInt64>)
  func matrixShrinks(seed: UInt64) throws {
    let matrices = Generator.matrix(rows: 1...6, columns: 1...6)
    let property: (Matrix) -> PropertyResult = { m in
      m.frobeniusNorm < 3 ? .pass : .fail("‖A‖_F = \(m.frobeniusNorm)")
    }
    let c = try #require(checkProperty("‖A‖_F < 3", seed: seed, cases: 200, generator: matrices, property: property).counterexample)
    #expect(c.shrunk.rows <= c.original.rows && c.shrunk.columns <= c.original.columns)
    #expect(c.shrunk.frobeniusNorm >= 3)
    #expect(matrices.shrink(c.shrunk).allSatisfy { property($0) == .pass }, "not locally minimal:\n\(c.shrunk)")
    // Shrunk entries print short: gaussian entries (17 digits) end with at most 3 significant digits.
    #expect(c.shrunk.storage.allSatisfy { ShrinkTests.key($0).digits <= 3 }, "\(c.shrunk)")
  }

  @Test("a true property passes every case")
  func trueProperty() {
    let outcome = checkProperty("sum of squares ≥ 0", seed: 1, cases: 300, generator: Self.doubles) { a in
      a.reduce(0) { $0 + $1 * $1 } >= 0 ? .pass : .fail("negative sum of squares")
    }
    guard case .passed(let cases, let discarded) = outcome else {
      Issue.record("\(outcome)")
      return
    }
    #expect(cases == 300 && discarded == 0)
    #expect(outcome.description == "passed 300 cases")
    expectPasses(outcome)
  }

  // MARK: Replay and determinism

  @Test("the counterexample's seed and size replay the original case")
  func replay() throws {
    let c = try #require(checkProperty("sum < 10", seed: 42, cases: 100, generator: Self.doubles,
                                       property: Self.sumBelowTen).counterexample)
    #expect(c.seed == SeededGenerator.caseSeed(base: 42, index: c.caseIndex))
    #expect(c.size == caseSize(index: c.caseIndex, cases: 100, size: 1...10))
    #expect(Self.doubles.value(seed: c.seed, size: c.size) == c.original)
    let replayed = replayProperty(seed: c.seed, size: c.size, generator: Self.doubles, property: Self.sumBelowTen)
    #expect(replayed == .fail(c.originalMessage))
    // Cases before the failing one pass on replay.
    for i in 0..<c.caseIndex {
      let seed = SeededGenerator.caseSeed(base: 42, index: i)
      let size = caseSize(index: i, cases: 100, size: 1...10)
      #expect(replayProperty(seed: seed, size: size, generator: Self.doubles, property: Self.sumBelowTen) == .pass)
    }
  }

  @Test("the report names the property, the seed in hex and the replay call")
  func report() throws {
    let c = try #require(checkProperty("sum < 10", seed: 42, cases: 100, generator: Self.doubles,
                                       property: Self.sumBelowTen).counterexample)
    let text = c.description
    let hex = "0x" + String(c.seed, radix: 16, uppercase: true)
    #expect(text.contains("Property 'sum < 10' failed at case \(c.caseIndex)"))
    #expect(text.contains("case seed: \(hex)"))
    #expect(text.contains("replay: replayProperty(seed: \(hex), size: \(c.size)"))
    #expect(text.contains("shrunk (\(c.shrinkSteps) steps): [10.0]"))
  }

  @Test("the same seed gives the same outcome; another seed, other cases")
  func determinism() throws {
    let run = { (seed: UInt64) in
      checkProperty("sum < 10", seed: seed, cases: 100, generator: Self.doubles, property: Self.sumBelowTen)
    }
    let a = try #require(run(7).counterexample), b = try #require(run(7).counterexample)
    #expect(a == b)
    #expect(a.description == b.description)
    let other = try #require(run(8).counterexample)
    #expect(other.seed != a.seed)
  }

  @Test("maxShrinkSteps bounds the shrinking; 0 keeps the original")
  func shrinkLimit() throws {
    let run = { (limit: Int) in
      checkProperty("sum < 10", seed: 3, cases: 100, generator: Self.doubles, maxShrinkSteps: limit,
                    property: Self.sumBelowTen).counterexample
    }
    let unlimited = try #require(run(200))
    #expect(unlimited.shrinkSteps > 3)
    for limit in [0, 1, 3] {
      let c = try #require(run(limit))
      #expect(c.shrinkSteps == limit && c.original == unlimited.original)
      if limit == 0 { #expect(c.shrunk == c.original && c.message == c.originalMessage) }
    }
  }

  // MARK: Discards

  /// The property discards odd integers. The expected number of discards is recomputed
  /// independently by regenerating each case from its seed.
  @Test("discards are counted, do not count as cases, and replay")
  func discardAccounting() {
    let ints = Generator.int(in: 0...99)
    let outcome = checkProperty("even numbers are even", seed: 5, cases: 50, generator: ints) { n in
      n % 2 == 1 ? .discard("odd") : .pass
    }
    var evens = 0, odds = 0, index = 0
    while evens < 50 {
      let n = ints.value(seed: SeededGenerator.caseSeed(base: 5, index: index),
                         size: caseSize(index: index, cases: 50, size: 1...10))
      if n % 2 == 0 { evens += 1 } else { odds += 1 }
      index += 1
    }
    guard case .passed(let cases, let discarded) = outcome else {
      Issue.record("\(outcome)")
      return
    }
    #expect(cases == 50 && discarded == odds && odds > 0)
    #expect(outcome.description == "passed 50 cases (\(odds) discarded)")
  }

  @Test("too many discards is a failure with a message")
  func tooManyDiscards() throws {
    let outcome = checkProperty("always discards", seed: 9, cases: 20, generator: .int(in: 0...9), maxDiscards: 30) { _ in
      .discard("hypothesis never met")
    }
    let c = try #require(outcome.counterexample)
    #expect(c.reason == .tooManyDiscards)
    #expect(c.discarded == 31 && c.passedCases == 0 && c.caseIndex == 30 && c.shrinkSteps == 0)
    #expect(c.message == "hypothesis never met")
    #expect(c.description.contains("gave up after 31 discarded cases"))
    // The default limit is 10 × cases.
    let d = try #require(checkProperty("always discards", seed: 9, cases: 20, generator: .int(in: 0...9)) { _ in
      .discard("no")
    }.counterexample)
    #expect(d.discarded == 201)
  }

  @Test("a failure after discards reports both counts; discarded candidates are not accepted while shrinking")
  func failureAfterDiscards() throws {
    let outcome = checkProperty("n < 50 unless odd", seed: 4, cases: 100, generator: .int(in: 0...99)) { n in
      n % 2 == 1 ? .discard("odd") : (n < 50 ? .pass : .fail("\(n) ≥ 50"))
    }
    let c = try #require(outcome.counterexample)
    #expect(c.caseIndex == c.passedCases + c.discarded && c.discarded > 0)
    // Greedy shrinking stops where every candidate passes or is discarded (odd): the result
    // is an even failing number no larger than the original, not necessarily 50.
    #expect(c.shrunk % 2 == 0 && c.shrunk >= 50 && c.shrunk <= c.original)
    #expect(Shrink.integer(c.shrunk).allSatisfy { $0 % 2 == 1 || $0 < 50 })
  }

  // MARK: Sizes

  @Test("case sizes grow linearly from the lower to the upper bound")
  func sizes() {
    #expect((0..<5).map { caseSize(index: $0, cases: 5, size: 1...9) } == [1, 3, 5, 7, 9])
    #expect(caseSize(index: 50, cases: 5, size: 1...9) == 9)
    #expect(caseSize(index: 0, cases: 1, size: 2...8) == 2)
    #expect(caseSize(index: 3, cases: 10, size: 4...4) == 4)
  }
}
