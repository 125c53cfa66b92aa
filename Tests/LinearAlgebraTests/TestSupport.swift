import LinearAlgebra

/// Unit roundoff-sized machine epsilon, 2⁻⁵² (the spacing of doubles at 1).
let eps = Double.ulpOfOne

/// ‖QᵀQ − I‖_F: how far the columns of `q` are from orthonormal.
func orthonormalityError(_ q: Matrix) -> Double {
  (q.transposedTimes(q) - Matrix.identity(q.columns)).frobeniusNorm
}

/// ‖A − B‖_F.
func distance(_ a: Matrix, _ b: Matrix) -> Double { (a - b).frobeniusNorm }

/// ‖x − y‖₂.
func distance(_ x: [Double], _ y: [Double]) -> Double { (x - y).norm2 }

/// U·diag(s)·Vᵀ.
func recompose(_ svd: SingularValueDecomposition) -> Matrix {
  var us = svd.u
  for i in 0..<us.rows { for j in 0..<us.columns { us[i, j] *= svd.singularValues[j] } }
  return us * svd.v.transposed
}

/// The entrywise absolute value |A|.
func absolute(_ a: Matrix) -> Matrix {
  Matrix(rows: a.rows, columns: a.columns, storage: a.storage.map { Swift.abs($0) })
}

/// ‖A‖₁ = maxⱼ Σᵢ |a_ij|.
func oneNorm(_ a: Matrix) -> Double {
  (0..<a.columns).map { a.column($0).norm1 }.max() ?? 0
}

/// A readable label for failure messages: the seed and the shape, enough to replay.
func context(seed: UInt64, _ m: Int, _ n: Int) -> String { "seed \(seed), shape \(m)×\(n)" }

/// An m×n shape, as a test argument.
struct Shape: Sendable, CustomStringConvertible {
  var m: Int
  var n: Int
  init(_ m: Int, _ n: Int) {
    self.m = m
    self.n = n
  }
  var description: String { "\(m)×\(n)" }
}

/// The shapes swept by the factorization tests: vectors, square, tall, wide.
let testShapes: [Shape] = [
  Shape(1, 1), Shape(1, 4), Shape(4, 1), Shape(2, 2), Shape(5, 3), Shape(3, 5),
  Shape(8, 8), Shape(20, 7), Shape(7, 20), Shape(25, 25),
]

/// The seeds of a sweep: a fixed, small set so the suite stays fast and replayable.
let testSeeds: [UInt64] = Array(1...8)
