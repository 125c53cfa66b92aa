// Invariant checks compiled in always but switched on only on demand, in the spirit of
// swift-collections' `Heap+Invariants.swift`. Reading the environment needs `getenv`, so
// this file imports the C library the same way Math.swift does (no Foundation).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Switch for the (costly) self-checks of the factorizations.
///
/// When the process starts with `VERIFIER_INVARIANTS=1` in its environment, every
/// ``QRFactorization``, ``SingularValueDecomposition`` and ``SymmetricEigendecomposition``
/// verifies, right after it is computed, that its orthogonal factors are orthonormal and
/// that it reconstructs its input, and traps with a message giving the observed error and
/// the tolerance when either fails. The checks cost O(m·n·min(m, n)) extra work.
///
/// The flag is a `static let`: read once, lazily and thread-safely, and immutable after
/// that — no global mutable state.
public enum LinearAlgebraInvariants {
  /// Whether the invariant checks run (`VERIFIER_INVARIANTS=1`).
  public static let enabled: Bool = {
    guard let raw = getenv("VERIFIER_INVARIANTS") else { return false }
    return String(cString: raw) == "1"
  }()

  /// The tolerance used for both checks, 10·m·n·ε: the componentwise backward-error bound
  /// of Householder QR, ‖Q̂ − Q‖_F ≤ √n·γ̃_{mn} (Higham, *Accuracy and Stability of
  /// Numerical Algorithms*, 2nd ed., Thm. 19.4), with a small constant and the √n
  /// absorbed, since observed errors are far below the worst case.
  static func tolerance(_ m: Int, _ n: Int) -> Double {
    10 * Double(Swift.max(m, 1) * Swift.max(n, 1)) * Double.ulpOfOne
  }

  /// Traps unless the columns of `q` are orthonormal: ‖QᵀQ − I‖_F ≤ tolerance.
  static func checkOrthonormalColumns(_ q: Matrix, _ what: String, tolerance: Double) {
    let gram = q.transposedTimes(q)
    let error = (gram - Matrix.identity(q.columns)).frobeniusNorm
    precondition(error <= tolerance,
                 "\(what): ‖QᵀQ − I‖_F = \(error) exceeds \(tolerance) for Q of shape \(q.rows)×\(q.columns)")
  }

  /// Traps unless ‖A − B‖_F ≤ tolerance·max(‖A‖_F, tiny).
  static func checkReconstruction(_ a: Matrix, _ b: Matrix, _ what: String, tolerance: Double) {
    let error = (a - b).frobeniusNorm
    let bound = tolerance * Swift.max(a.frobeniusNorm, Double.leastNormalMagnitude)
    precondition(error <= bound,
                 "\(what): reconstruction error \(error) exceeds \(bound) for A of shape \(a.rows)×\(a.columns)")
  }
}
