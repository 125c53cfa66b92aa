/// The numerical outcomes that a factorization or solver can report.
///
/// These are *expected* results of running an algorithm on valid input — a matrix may be
/// singular, an iteration may stall — and are therefore typed errors
/// (`throws(LinearAlgebraError)`). Misuse of shapes is not among them: a matrix of the
/// wrong shape is a programming error and traps with a `precondition` naming both shapes.
public enum LinearAlgebraError: Error, Equatable, Sendable {
  /// Gaussian elimination met a pivot that is exactly zero or negligible
  /// (|u_kk| ≤ n·ε·maxᵢⱼ|a_ij|) at elimination step `pivot` (0-based).
  case singular(pivot: Int)
  /// The Cholesky recurrence produced a non-positive (or NaN) diagonal value
  /// a_jj − Σ_{k<j} l_jk² at column `pivot` (0-based): the matrix is not positive
  /// definite to working precision.
  case notPositiveDefinite(pivot: Int)
  /// The input contained NaN or ±∞.
  case nonFinite
  /// An iterative method (Jacobi sweeps) stopped at its cap of `iterations` without
  /// meeting its convergence test.
  case didNotConverge(iterations: Int)
}

extension LinearAlgebraError: CustomStringConvertible {
  public var description: String {
    switch self {
    case .singular(let pivot):
      return "matrix is singular to working precision (negligible pivot at elimination step \(pivot))"
    case .notPositiveDefinite(let pivot):
      return "matrix is not positive definite (non-positive Cholesky pivot at column \(pivot))"
    case .nonFinite:
      return "matrix or vector contains NaN or infinity"
    case .didNotConverge(let iterations):
      return "iteration did not converge within \(iterations) sweeps"
    }
  }
}
