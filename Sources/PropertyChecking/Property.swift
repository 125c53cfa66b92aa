/// The verdict of a property on one input.
public enum PropertyResult: Hashable, Sendable {
  /// The property holds for this input.
  case pass
  /// The property fails; the message says how (observed versus expected, with tolerances).
  case fail(String)
  /// The input does not meet the property's hypotheses (say, a generated matrix is too
  /// ill-conditioned to be a valid instance); the case is not counted.
  case discard(String)

  /// The failure message, or nil if the result is not a failure.
  public var failureMessage: String? {
    if case .fail(let message) = self { return message }
    return nil
  }
}

/// How a property check ended.
public enum CheckOutcome<Value> {
  /// Every one of `cases` counted cases passed; `discarded` further cases did not meet the
  /// property's hypotheses.
  case passed(cases: Int, discarded: Int)
  /// A case failed (and was shrunk), or too many cases were discarded.
  case failed(Counterexample<Value>)

  /// The counterexample, or nil if the property passed.
  public var counterexample: Counterexample<Value>? {
    if case .failed(let c) = self { return c }
    return nil
  }

  /// True if the property passed.
  public var passed: Bool { counterexample == nil }
}

extension CheckOutcome: Sendable where Value: Sendable {}
extension CheckOutcome: Equatable where Value: Equatable {}

extension CheckOutcome: CustomStringConvertible {
  public var description: String {
    switch self {
    case .passed(let cases, let discarded):
      return "passed \(cases) cases" + (discarded > 0 ? " (\(discarded) discarded)" : "")
    case .failed(let counterexample):
      return counterexample.description
    }
  }
}

/// A failing case of a property check: the input as generated, the simplest input found by
/// shrinking that still fails, and what is needed to reproduce it.
public struct Counterexample<Value> {
  /// Why the check failed.
  public enum Reason: Hashable, Sendable {
    /// The property returned `.fail` on a generated input.
    case falsified
    /// More cases were discarded than the check allows; `original` and `shrunk` are the last
    /// discarded input and `message` is its discard reason.
    case tooManyDiscards
  }

  /// The name given to `checkProperty`.
  public let property: String
  /// Why the check failed.
  public let reason: Reason
  /// The sweep's base seed, as passed to `checkProperty`.
  public let baseSeed: UInt64
  /// The per-case seed that regenerates `original`:
  /// `SeededGenerator.caseSeed(base: baseSeed, index: caseIndex)`.
  public let seed: UInt64
  /// The case's position in the sweep (counting discarded cases).
  public let caseIndex: Int
  /// The size parameter the case was generated with.
  public let size: Int
  /// The input as generated.
  public let original: Value
  /// The simplest failing input found by greedy shrinking (equal to `original` if no
  /// candidate failed).
  public let shrunk: Value
  /// How many shrinking steps were taken (each step accepts one simpler failing candidate).
  public let shrinkSteps: Int
  /// The property's failure message on `shrunk`.
  public let message: String
  /// The property's failure message on `original`.
  public let originalMessage: String
  /// Cases that passed before this one.
  public let passedCases: Int
  /// Cases discarded before the check stopped.
  public let discarded: Int
}

extension Counterexample: Sendable where Value: Sendable {}
extension Counterexample: Equatable where Value: Equatable {}

extension Counterexample: CustomStringConvertible {
  /// A multi-line report with the seed and how to replay the case.
  public var description: String {
    let hexSeed = "0x" + String(seed, radix: 16, uppercase: true)
    var lines: [String] = []
    switch reason {
    case .falsified:
      lines.append("Property '\(property)' failed at case \(caseIndex) after \(passedCases) passing cases"
        + (discarded > 0 ? " (\(discarded) discarded)" : "") + ".")
      lines.append("  shrunk (\(shrinkSteps) steps): \(shrunk)")
      lines.append("  failure: \(message)")
      if shrinkSteps > 0 {
        lines.append("  original: \(original)")
        lines.append("  original failure: \(originalMessage)")
      }
    case .tooManyDiscards:
      lines.append("Property '\(property)' gave up after \(discarded) discarded cases"
        + " and \(passedCases) passing cases.")
      lines.append("  last discarded input: \(original)")
      lines.append("  discard reason: \(message)")
    }
    lines.append("  case seed: \(hexSeed) (base seed \(baseSeed), case \(caseIndex), size \(size))")
    lines.append("  replay: replayProperty(seed: \(hexSeed), size: \(size), generator: …, property: …)")
    return lines.joined(separator: "\n")
  }
}

/// The size used for case `index` of a sweep of `cases` cases: sizes grow linearly from
/// `size.lowerBound` (first case) to `size.upperBound` (last counted case), so small inputs
/// are tried first; cases past `cases` (after discards) use `size.upperBound`.
/// - Complexity: O(1).
public func caseSize(index: Int, cases: Int, size: ClosedRange<Int>) -> Int {
  let span = size.upperBound - size.lowerBound
  guard cases > 1, span > 0 else { return size.lowerBound }
  return size.lowerBound + Swift.min(span, (span * index) / (cases - 1))
}

/// Checks `property` on `cases` generated inputs and, on failure, shrinks the failing input.
///
/// Case i (counting discarded cases) draws its input from
/// `SeededGenerator(seed: SeededGenerator.caseSeed(base: seed, index: i))` at size
/// `caseSize(index: i, cases: cases, size: size)`, so the counterexample's `seed` and `size`
/// alone reproduce it (`replayProperty(seed:size:generator:property:)`), independent of the
/// other cases.
///
/// A `.discard` result does not count towards `cases`. The check gives up — a failure with
/// reason `.tooManyDiscards` — once more than `maxDiscards` (default 10 × `cases`) cases have
/// been discarded.
///
/// Shrinking is greedy: starting from the failing input, repeatedly replace it by the first
/// candidate of `generator.shrink` on which the property still returns `.fail` (a discard
/// counts as not failing), until no candidate fails or `maxShrinkSteps` steps have been taken.
///
/// This function does not use Swift Testing, so the command-line verifier can run it; tests
/// turn a `.failed` outcome into a recorded issue with its `description`.
/// - Complexity: O(cases + discards) property evaluations, plus at most
///   `maxShrinkSteps × (candidates per step)` during shrinking.
public func checkProperty<Value>(
  _ name: String,
  seed: UInt64,
  cases: Int,
  size: ClosedRange<Int> = 1...10,
  generator: Generator<Value>,
  maxShrinkSteps: Int = 200,
  maxDiscards: Int? = nil,
  property: (Value) -> PropertyResult
) -> CheckOutcome<Value> {
  precondition(cases >= 0, "checkProperty needs a non-negative number of cases, got \(cases)")
  let discardLimit = maxDiscards ?? 10 * Swift.max(cases, 1)
  var passed = 0, discarded = 0, index = 0
  while passed < cases {
    let caseSeed = SeededGenerator.caseSeed(base: seed, index: index)
    let sizeOfCase = caseSize(index: index, cases: cases, size: size)
    let input = generator.value(seed: caseSeed, size: sizeOfCase)
    switch property(input) {
    case .pass:
      passed += 1
    case .discard(let reason):
      discarded += 1
      if discarded > discardLimit {
        return .failed(Counterexample(
          property: name, reason: .tooManyDiscards, baseSeed: seed, seed: caseSeed, caseIndex: index,
          size: sizeOfCase, original: input, shrunk: input, shrinkSteps: 0, message: reason,
          originalMessage: reason, passedCases: passed, discarded: discarded))
      }
    case .fail(let message):
      let (shrunk, steps, shrunkMessage) = shrinkGreedily(
        input, message: message, shrink: generator.shrink, maxSteps: maxShrinkSteps, property: property)
      return .failed(Counterexample(
        property: name, reason: .falsified, baseSeed: seed, seed: caseSeed, caseIndex: index,
        size: sizeOfCase, original: input, shrunk: shrunk, shrinkSteps: steps, message: shrunkMessage,
        originalMessage: message, passedCases: passed, discarded: discarded))
    }
    index += 1
  }
  return .passed(cases: passed, discarded: discarded)
}

/// Runs `property` on the input that case seed `seed` generates at `size` — the original
/// (unshrunk) input of a counterexample with that `seed` and `size`.
/// - Complexity: one generation and one property evaluation.
public func replayProperty<Value>(
  seed: UInt64,
  size: Int,
  generator: Generator<Value>,
  property: (Value) -> PropertyResult
) -> PropertyResult {
  property(generator.value(seed: seed, size: size))
}

/// Greedy shrinking: returns the final input, the number of accepted steps and the failure
/// message on the final input.
func shrinkGreedily<Value>(
  _ input: Value,
  message: String,
  shrink: (Value) -> [Value],
  maxSteps: Int,
  property: (Value) -> PropertyResult
) -> (Value, Int, String) {
  var current = input, currentMessage = message, steps = 0
  search: while steps < maxSteps {
    for candidate in shrink(current) {
      if case .fail(let m) = property(candidate) {
        current = candidate
        currentMessage = m
        steps += 1
        continue search
      }
    }
    break
  }
  return (current, steps, currentMessage)
}
