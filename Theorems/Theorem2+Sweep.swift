import LinearAlgebra
import GradientFlow
import PropertyChecking
import Dispatch

/// A refuted case shrunk to a smaller counterexample.
public struct ShrunkCounterexample: Sendable {
  /// The seed of the original case (replays it with the same network and depth).
  public var originalSeed: UInt64
  public var shrunkCase: Theorem2Case
  public var result: CaseResult
  public var shrinkSteps: Int
}

/// The outcome of a sweep.
public struct SweepResult: Sendable {
  public var theorem: String
  public var verdict: Verdict
  public var reason: String
  public var cases: [CaseResult]
  public var counterexample: ShrunkCounterexample?
}

extension Theorem2 {
  /// The sweep's verdict: refuted if any case is refuted; otherwise, among the cases that
  /// meet the hypotheses, holds if none is refuted and at least `decidedFraction` of them
  /// hold; otherwise inconclusive. A sweep in which no case meets the hypotheses is
  /// `hypothesisNotMet`.
  public static func sweepVerdict(_ results: [CaseResult], thresholds: Thresholds) -> (Verdict, String) {
    combinedVerdict(results.map { ($0.verdict, $0.seed) }, decidedFraction: thresholds.decidedFraction)
  }

  /// Runs the cases of a sweep on all cores (results in case order, identical to a
  /// one-thread run because each case depends only on its own seed), then shrinks the
  /// first refuted case. `caseIndices` runs only those cases of the sweep (a shard's slice;
  /// nil: all of them), each with the seed and shape it has in the whole sweep.
  public static func runSweep(_ configuration: Theorem2SweepConfiguration,
                              thresholds: Thresholds = Thresholds(),
                              shrinking: Bool = true,
                              caseIndices: [Int]? = nil,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) -> SweepResult {
    let cases = (caseIndices ?? Array(0..<configuration.cases)).map { i -> Theorem2Case in
      let (kind, depth) = configuration.shape(ofCase: i)
      return generateCase(seed: configuration.seed(ofCase: i), kind: kind, depth: depth, configuration: configuration)
    }
    let results = checkAll(cases, thresholds: thresholds, progress: progress)
    return assemble(cases: cases, results: results, thresholds: thresholds, shrinking: shrinking,
                    initScale: configuration.initScale)
  }

  /// Checks the given cases in parallel and in order.
  public static func checkAll(_ cases: [Theorem2Case], thresholds: Thresholds,
                              progress: (@Sendable (Int, Int) -> Void)? = nil) -> [CaseResult] {
    parallelMap(cases, progress: progress) { check($0, thresholds: thresholds) }
  }

  /// Verdict, reason and (optionally) the shrunk counterexample of checked cases.
  public static func assemble(cases: [Theorem2Case], results: [CaseResult], thresholds: Thresholds,
                              shrinking: Bool, initScale: Double) -> SweepResult {
    let (verdict, reason) = sweepVerdict(results, thresholds: thresholds)
    var counterexample: ShrunkCounterexample?
    if shrinking, let k = results.firstIndex(where: { $0.verdict == .refuted }) {
      if let s = shrink(cases[k], thresholds: thresholds, initScale: initScale) {
        counterexample = ShrunkCounterexample(originalSeed: cases[k].seed, shrunkCase: s.shrunk, result: s.result,
                                              shrinkSteps: s.steps)
      } else {
        counterexample = ShrunkCounterexample(originalSeed: cases[k].seed, shrunkCase: cases[k], result: results[k],
                                              shrinkSteps: 0)
      }
    }
    return SweepResult(theorem: "2", verdict: verdict, reason: reason, cases: results, counterexample: counterexample)
  }
}

/// A sweep's verdict from its cases' verdicts: refuted if any case is refuted; otherwise,
/// among the cases that meet the hypotheses, holds if at least `decidedFraction` of them
/// hold, else inconclusive; `hypothesisNotMet` when no case meets them.
public func combinedVerdict(_ cases: [(Verdict, UInt64)], decidedFraction: Double) -> (Verdict, String) {
  let refuted = cases.filter { $0.0 == .refuted }
  if let r = refuted.first {
    return (.refuted, "\(refuted.count) of \(cases.count) cases refuted (first: seed \(r.1))")
  }
  let eligible = cases.filter { $0.0 != .hypothesisNotMet }
  if eligible.isEmpty { return (.hypothesisNotMet, "no case meets the hypotheses") }
  let holds = eligible.filter { $0.0 == .holds }.count
  let fraction = Double(holds) / Double(eligible.count)
  let text = "\(holds) of \(eligible.count) cases meeting the hypotheses hold (\(Int((fraction * 100).rounded()))%; required \(Int(decidedFraction * 100))%)"
    + (cases.count > eligible.count ? "; \(cases.count - eligible.count) with a hypothesis not met" : "")
  return (fraction >= decidedFraction ? .holds : .inconclusive, text)
}

/// How many threads ``parallelMap(_:progress:_:)`` may use: nil for all cores (the default),
/// 1 to run everything on the calling thread (`verify --threads 1`).
///
/// A task-local value rather than a parameter, so that it reaches every `parallelMap` under
/// a run without being threaded through each theorem's API — the sweeps, the four claims of a
/// gunasekar2018 case, the identity checks computed on first use — and so that concurrent runs
/// in one process (tests) each keep their own. `parallelMap` binds it again on its worker
/// threads, which are not part of the task.
public enum Parallelism {
  @TaskLocal public static var threadLimit: Int?
}

/// `transform` applied to every element, on up to `Parallelism.threadLimit` threads (all cores
/// by default), results in input order.
///
/// Identical to a one-thread run when `transform` depends only on its argument: each worker
/// takes the next unclaimed index and stores its result at that index, so which worker ran
/// which element, and in what order they finished, does not show in the result. `progress`
/// is called with (finished, total) after each element, from the worker that finished it.
/// With a limit of 1 (or at most one element) everything runs on the calling thread.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], progress: (@Sendable (Int, Int) -> Void)? = nil,
                                           _ transform: @Sendable (T) -> R) -> [R] {
  let limit = Parallelism.threadLimit
  if limit == 1 || items.count <= 1 {
    var results: [R] = []
    results.reserveCapacity(items.count)
    for item in items {
      results.append(transform(item))
      progress?(results.count, items.count)
    }
    return results
  }
  let box = ResultBox<R>(count: items.count)
  DispatchQueue.concurrentPerform(iterations: min(limit ?? items.count, items.count)) { _ in
    Parallelism.$threadLimit.withValue(limit) {
      while let i = box.claim() {
        let done = box.set(i, transform(items[i]))
        progress?(done, items.count)
      }
    }
  }
  return box.results
}

/// Results written by index from parallel workers, which claim the indices one at a time.
final class ResultBox<R>: @unchecked Sendable {
  private var slots: [R?]
  private let lock = NSLockLike()
  private var claimed = 0
  private(set) var finished = 0
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  /// The next index no worker has taken, or nil when all are taken.
  func claim() -> Int? {
    lock.withLock {
      guard claimed < slots.count else { return nil }
      claimed += 1
      return claimed - 1
    }
  }
  /// Stores result i and returns how many are stored.
  func set(_ i: Int, _ r: R) -> Int {
    lock.withLock { slots[i] = r; finished += 1; return finished }
  }
  var results: [R] { lock.withLock { slots.map { $0! } } }
}

/// A mutual-exclusion lock on a serial dispatch queue (Dispatch only, no Foundation).
final class NSLockLike: @unchecked Sendable {
  private let queue = DispatchQueue(label: "verifier.results")
  func withLock<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}
