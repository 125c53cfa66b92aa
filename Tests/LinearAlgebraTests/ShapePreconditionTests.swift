import LinearAlgebra
import Testing

/// Shape misuse is a programming error: it traps (`precondition`) rather than throwing.
/// Exit tests run the body in a child process and expect it to crash.
@Suite("Shape misuse traps")
struct ShapePreconditionTests {
  @Test("Non-square input to LU, Cholesky and the eigendecomposition")
  func nonSquare() async {
    await #expect(processExitsWith: .failure) { _ = try? LUFactorization(Matrix(rows: 2, columns: 3)) }
    await #expect(processExitsWith: .failure) { _ = try? CholeskyFactorization(Matrix(rows: 3, columns: 2)) }
    await #expect(processExitsWith: .failure) { _ = try? SymmetricEigendecomposition(Matrix(rows: 1, columns: 2)) }
  }

  @Test("Right-hand sides of the wrong length")
  func wrongLength() async {
    await #expect(processExitsWith: .failure) { _ = leastSquares(Matrix(rows: 3, columns: 2), [1, 2]) }
    await #expect(processExitsWith: .failure) { _ = nonNegativeLeastSquares(Matrix(rows: 3, columns: 2), [1]) }
    await #expect(processExitsWith: .failure) { _ = try? LUFactorization(Matrix.identity(2)).solve([1, 2, 3]) }
  }
}
