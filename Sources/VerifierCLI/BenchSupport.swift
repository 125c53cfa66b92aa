import Foundation
import LinearAlgebra
import GradientFlow
import Theorems

// Support of `verify bench`: flop counts, clocks, memory, and a value waited for with a
// timeout.

/// A value produced on another thread, waited for with a timeout.
final class BenchResultBox<T: Sendable>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var value: T?

  func set(_ v: T) {
    lock.lock()
    value = v
    lock.unlock()
    done.signal()
  }

  /// The value, or nil if it did not arrive within `seconds`.
  func wait(seconds: Double) -> T? {
    guard done.wait(timeout: .now() + seconds) == .success else { return nil }
    lock.lock()
    defer { lock.unlock() }
    return value
  }
}

/// What a flow run to one log(1/Loss) checkpoint found.
struct FlowProbe {
  var reached: Bool
  /// Distance to the certified direction there.
  var distance: Double?
  var evaluations: Int
  /// The flow's unit β there (Theorem 4: its ρ), to compare with GD's.
  var point: [Double]?
}

/// The flow run to the horizon, as the baseline comparison uses it.
struct MainRun {
  var seconds: Double
  /// The log(1/Loss) it reached.
  var reached: Double
  /// Its distance to the certified direction at the end.
  var distance: Double?
  var evaluations: Int?
  /// Its final point (Theorem 4: ρ), when the comparison with GD uses it.
  var point: [Double]? = nil
}

/// Flop counts of one right-hand-side evaluation and of one step's preparation, by the
/// operations the flows perform (a multiply–add is 2 flops, exp or log 10 flops).
enum BenchFlops {
  /// `ClassificationFlow.evaluate` and `TensorClassificationFlow.evaluate`, with n points,
  /// a margin matrix of `columns` columns (N꜀: transformed coordinates, or d) and a state of
  /// N = `state` entries:
  ///
  ///     m = Aρ            2nN꜀
  ///     q = Aᵀp           2nN꜀
  ///     p = softmax(−m)   ≈ 10n (one exp per point, one log)
  ///     ρ, Π_{k≠l} aₖ      ≈ 3N (prefix and suffix products), ×q: N
  ///     ‖Θ‖², ‖G‖², c·G    ≈ 5N
  ///
  /// F = 4nN꜀ + 9N + 10n; the two matrix–vector products dominate.
  static func classification(n: Int, columns: Int, state: Int) -> (String, Double) {
    ("4nN꜀ + 9N + 10n", Double(4 * n * columns + 9 * state + 10 * n))
  }

  /// `RegressionFlow.evaluate`: r = Bρ − y (2nN꜀ + n), q = Bᵀr (2nN꜀), ρ and the field
  /// (≈ 4N), −G (N): F = 4nN꜀ + 5N + n.
  static func regression(n: Int, columns: Int, state: Int) -> (String, Double) {
    ("4nN꜀ + 5N + n", Double(4 * n * columns + 5 * state + n))
  }

  /// `ClassificationFlow.prepareSolves`: K = Iₙ + cW(Jₘ D⁻¹U′) costs 2n²N for the product
  /// and 2n³ for W·(…), its LU 2n³/3: 2n²N + 8n³/3 (the O(nN) terms dropped).
  static func woodburyPreparation(n: Int, state: Int) -> (String, Double) {
    let nn = Double(n), nN = Double(state)
    return ("2n²N + 8n³/3", 2 * nn * nn * nN + 8 * nn * nn * nn / 3)
  }

  /// `RegressionFlow.prepareSolves`: K = Iₙ + Jf D⁻¹Jfᵀ (2n²N) and its LU (2n³/3).
  static func regressionPreparation(n: Int, state: Int) -> (String, Double) {
    let nn = Double(n), nN = Double(state)
    return ("2n²N + 2n³/3", 2 * nn * nn * nN + 2 * nn * nn * nn / 3)
  }

  /// `DenseJacobianSystem.prepareSolves` with the analytic Jacobian: the rank-one updates of
  /// JₘᵀWJₘ (upper triangle, nN² flops) and the dense LU of shift·I − J (2N³/3).
  static func densePreparation(n: Int, state: Int) -> (String, Double) {
    let nn = Double(n), nN = Double(state)
    return ("2N³/3 + nN²", 2 * nN * nN * nN / 3 + nn * nN * nN)
  }
}

extension BenchFigures {
  /// Integrator counters and the stop reason of the flow to the horizon.
  mutating func record(_ s: IntegratorStatistics, stop: TrajectoryStop) {
    evaluations = s.evaluations
    acceptedSteps = s.acceptedSteps
    rejectedSteps = s.rejectedSteps
    preparations = s.preparations
    solves = s.solves
    flowStop = BenchRunner.describe(stop)
  }

  /// The flop counts, and the time per attempted step outside the evaluations.
  mutating func setFlops(_ evaluation: (String, Double), preparation: (String, Double), flowSeconds: Double) {
    (flopFormula, flopsPerEvaluation) = evaluation
    (preparationFlopFormula, flopsPerPreparation) = preparation
    if let ns = nanosecondsPerEvaluation, let e = evaluations, let a = acceptedSteps, let r = rejectedSteps, a + r > 0 {
      nanosecondsPerStepOutsideEvaluations = max(0, flowSeconds * 1e9 - Double(e) * ns) / Double(a + r)
    }
  }
}

extension BenchRunner {
  static func describe(_ stop: TrajectoryStop) -> String {
    switch stop {
    case .completed: "completed"
    case .stepBudget(let n): "step budget (\(n) steps)"
    case .clockBudget(let s, let g): "clock budget at s = \(short(s)), log(1/Loss) = \(short(g))"
    case .timeBudget(let g): "time budget at log(1/Loss) = \(short(g))"
    case .integratorFailure(let why): "integrator failure: \(why)"
    }
  }
}

/// log Loss of the squared loss ½‖r‖² from ‖r‖/‖y‖.
func regressionLogLoss(relativeResidual: Double, targetNorm: Double) -> Double {
  let r = relativeResidual * targetNorm
  return Elementary.log(max(0.5 * r * r, .leastNormalMagnitude))
}

/// The value of `body` and its wall-clock seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
  let start = ContinuousClock.now
  let value = try body()
  return (value, seconds(ContinuousClock.now - start))
}

/// A duration in seconds.
func seconds(_ d: Duration) -> Double {
  let c = d.components
  return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

/// The median (the mean of the middle two for an even count; NaN when empty).
func median(_ xs: [Double]) -> Double {
  guard !xs.isEmpty else { return .nan }
  let s = xs.sorted()
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// getrusage(RUSAGE_SELF): this process's resources so far (all threads).
func selfUsage() -> rusage {
  var usage = rusage()
  #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
  #else
    getrusage(RUSAGE_SELF, &usage)
  #endif
  return usage
}

/// User plus system CPU seconds of this process so far (all threads).
func processCPUSeconds() -> Double { cpuSeconds(selfUsage()) }

/// ru_utime + ru_stime in seconds.
func cpuSeconds(_ u: rusage) -> Double {
  Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
}

/// CPU seconds of the calling thread (CLOCK_THREAD_CPUTIME_ID): unlike wall time, not
/// inflated when other processes take the core.
func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// ru_maxrss of this process in MB (Linux reports KiB; macOS bytes).
func peakResidentMegabytes() -> Double {
  #if os(Linux)
    Double(selfUsage().ru_maxrss) / 1024
  #else
    Double(selfUsage().ru_maxrss) / 1_048_576
  #endif
}
