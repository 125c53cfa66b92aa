/// A dense real matrix stored row-major in one contiguous `[Double]`.
///
/// Shape misuse (mismatched dimensions, out-of-range indices) is a programming error and
/// traps with a message naming both shapes; numerical outcomes (singularity, rank
/// deficiency) are reported by the factorizations as typed errors or values.
public struct Matrix: Hashable, Sendable {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public private(set) var columns: Int
  /// Entries in row-major order: entry (i, j) is `storage[i * columns + j]`.
  public var storage: [Double]

  /// A `rows × columns` matrix filled with `value`.
  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
    self.rows = rows
    self.columns = columns
    self.storage = Array(repeating: value, count: rows * columns)
  }

  /// A matrix from row-major storage.
  public init(rows: Int, columns: Int, storage: [Double]) {
    precondition(storage.count == rows * columns,
                 "Matrix storage has \(storage.count) entries, shape \(rows)×\(columns) needs \(rows * columns)")
    self.rows = rows
    self.columns = columns
    self.storage = storage
  }

  /// A matrix from an array of equal-length rows.
  public init(_ rowArrays: [[Double]]) {
    let r = rowArrays.count
    let c = rowArrays.first?.count ?? 0
    var s: [Double] = []
    s.reserveCapacity(r * c)
    for (i, row) in rowArrays.enumerated() {
      precondition(row.count == c, "Row \(i) has \(row.count) entries, expected \(c)")
      s.append(contentsOf: row)
    }
    self.init(rows: r, columns: c, storage: s)
  }

  /// A matrix whose entries are `f(i, j)`.
  public init(rows: Int, columns: Int, _ f: (Int, Int) -> Double) {
    var s = [Double]()
    s.reserveCapacity(rows * columns)
    for i in 0..<rows { for j in 0..<columns { s.append(f(i, j)) } }
    self.init(rows: rows, columns: columns, storage: s)
  }

  /// The n × n identity.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m.storage[i * n + i] = 1 }
    return m
  }

  /// A square matrix with `d` on its diagonal.
  public static func diagonal(_ d: [Double]) -> Matrix {
    var m = Matrix(rows: d.count, columns: d.count)
    for i in d.indices { m.storage[i * d.count + i] = d[i] }
    return m
  }

  @inlinable public subscript(i: Int, j: Int) -> Double {
    get {
      precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Index (\(i), \(j)) out of range for \(rows)×\(columns)")
      return storage[i * columns + j]
    }
    set {
      precondition(i >= 0 && i < rows && j >= 0 && j < columns, "Index (\(i), \(j)) out of range for \(rows)×\(columns)")
      storage[i * columns + j] = newValue
    }
  }

  /// Row i as a new array.
  public func row(_ i: Int) -> [Double] {
    precondition(i >= 0 && i < rows, "Row \(i) out of range for \(rows)×\(columns)")
    return Array(storage[(i * columns)..<((i + 1) * columns)])
  }

  /// Column j as a new array.
  public func column(_ j: Int) -> [Double] {
    precondition(j >= 0 && j < columns, "Column \(j) out of range for \(rows)×\(columns)")
    return (0..<rows).map { storage[$0 * columns + j] }
  }

  /// The rows listed in `indices`, in that order.
  public func selectingRows(_ indices: [Int]) -> Matrix {
    var s = [Double]()
    s.reserveCapacity(indices.count * columns)
    for i in indices { s.append(contentsOf: storage[(i * columns)..<((i + 1) * columns)]) }
    return Matrix(rows: indices.count, columns: columns, storage: s)
  }

  /// The columns listed in `indices`, in that order.
  public func selectingColumns(_ indices: [Int]) -> Matrix {
    Matrix(rows: rows, columns: indices.count) { i, k in storage[i * columns + indices[k]] }
  }

  /// The transpose.
  /// - Complexity: O(rows · columns).
  public var transposed: Matrix {
    var t = Matrix(rows: columns, columns: rows)
    for i in 0..<rows { for j in 0..<columns { t.storage[j * rows + i] = storage[i * columns + j] } }
    return t
  }

  /// Frobenius norm, computed with scaling so that it neither overflows nor underflows.
  public var frobeniusNorm: Double { storage.norm2 }

  /// Largest absolute entry.
  public var maxAbs: Double { storage.normInfinity }

  /// A · B.
  /// - Complexity: O(m·k·n), in i-k-j order so the inner loop runs along contiguous rows.
  public static func * (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.columns == b.rows, "Cannot multiply \(a.rows)×\(a.columns) by \(b.rows)×\(b.columns)")
    var c = Matrix(rows: a.rows, columns: b.columns)
    let n = b.columns, kk = a.columns
    a.storage.withUnsafeBufferPointer { ap in
      b.storage.withUnsafeBufferPointer { bp in
        c.storage.withUnsafeMutableBufferPointer { cp in
          for i in 0..<a.rows {
            for k in 0..<kk {
              let aik = ap[i * kk + k]
              if aik == 0 { continue }
              let bRow = k * n, cRow = i * n
              for j in 0..<n { cp[cRow + j] += aik * bp[bRow + j] }
            }
          }
        }
      }
    }
    return c
  }

  /// A · x.
  /// - Complexity: O(rows · columns).
  public static func * (a: Matrix, x: [Double]) -> [Double] {
    precondition(a.columns == x.count, "Cannot multiply \(a.rows)×\(a.columns) by a vector of length \(x.count)")
    var y = [Double](repeating: 0, count: a.rows)
    a.storage.withUnsafeBufferPointer { ap in
      x.withUnsafeBufferPointer { xp in
        for i in 0..<a.rows {
          var s = 0.0
          let base = i * a.columns
          for j in 0..<a.columns { s += ap[base + j] * xp[j] }
          y[i] = s
        }
      }
    }
    return y
  }

  /// Aᵀ · x without forming Aᵀ.
  /// - Complexity: O(rows · columns).
  public func transposedTimes(_ x: [Double]) -> [Double] {
    precondition(rows == x.count, "Cannot multiply the transpose of \(rows)×\(columns) by a vector of length \(x.count)")
    var y = [Double](repeating: 0, count: columns)
    storage.withUnsafeBufferPointer { ap in
      y.withUnsafeMutableBufferPointer { yp in
        for i in 0..<rows {
          let xi = x[i]
          if xi == 0 { continue }
          let base = i * columns
          for j in 0..<columns { yp[j] += xi * ap[base + j] }
        }
      }
    }
    return y
  }

  /// Aᵀ · B without forming Aᵀ.
  public func transposedTimes(_ b: Matrix) -> Matrix {
    precondition(rows == b.rows, "Cannot multiply the transpose of \(rows)×\(columns) by \(b.rows)×\(b.columns)")
    var c = Matrix(rows: columns, columns: b.columns)
    for k in 0..<rows {
      for i in 0..<columns {
        let aki = storage[k * columns + i]
        if aki == 0 { continue }
        for j in 0..<b.columns { c.storage[i * b.columns + j] += aki * b.storage[k * b.columns + j] }
      }
    }
    return c
  }

  public static func + (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "Cannot add \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)")
    return Matrix(rows: a.rows, columns: a.columns, storage: zip(a.storage, b.storage).map { $0 + $1 })
  }

  public static func - (a: Matrix, b: Matrix) -> Matrix {
    precondition(a.rows == b.rows && a.columns == b.columns, "Cannot subtract \(b.rows)×\(b.columns) from \(a.rows)×\(a.columns)")
    return Matrix(rows: a.rows, columns: a.columns, storage: zip(a.storage, b.storage).map { $0 - $1 })
  }

  public static func * (s: Double, a: Matrix) -> Matrix {
    Matrix(rows: a.rows, columns: a.columns, storage: a.storage.map { s * $0 })
  }
}

extension Matrix: CustomStringConvertible {
  public var description: String {
    (0..<rows).map { i in row(i).map { String($0) }.joined(separator: " ") }.joined(separator: "\n")
  }
}

// MARK: - Vectors

/// Vectors are plain `[Double]`; these are the operations the numerical code needs.
extension Array where Element == Double {
  /// Σ aᵢbᵢ.
  @inlinable public func dot(_ other: [Double]) -> Double {
    precondition(count == other.count, "Dot product of vectors of lengths \(count) and \(other.count)")
    var s = 0.0
    for i in indices { s += self[i] * other[i] }
    return s
  }

  /// Euclidean norm, scaled by the largest entry so that it neither overflows nor
  /// underflows (as in LAPACK's dnrm2).
  public var norm2: Double {
    let m = normInfinity
    guard m > 0, m.isFinite else { return m }
    var s = 0.0
    for v in self { let t = v / m; s += t * t }
    return m * s.squareRoot()
  }

  /// Σ |aᵢ|.
  public var norm1: Double { reduce(0) { $0 + Swift.abs($1) } }

  /// maxᵢ |aᵢ| (0 for an empty vector).
  public var normInfinity: Double { reduce(0) { Swift.max($0, Swift.abs($1)) } }

  /// The vector divided by its Euclidean norm (unchanged if the norm is 0).
  public var normalized: [Double] {
    let n = norm2
    return n > 0 ? map { $0 / n } : self
  }

  // Addition is named, not `+`: on arrays `+` already means concatenation, and an
  // overload that adds would silently change the meaning of `a + b` for equal lengths.

  /// a + b entrywise.
  public func adding(_ other: [Double]) -> [Double] {
    precondition(count == other.count, "Adding vectors of lengths \(count) and \(other.count)")
    return zip(self, other).map { $0 + $1 }
  }

  /// a − b entrywise.
  public func subtracting(_ other: [Double]) -> [Double] {
    precondition(count == other.count, "Subtracting vectors of lengths \(count) and \(other.count)")
    return zip(self, other).map { $0 - $1 }
  }

  /// s · a.
  public func scaled(by s: Double) -> [Double] { map { s * $0 } }

  /// Do not use: on `[Double]`, `+` is ambiguous between concatenation and entrywise
  /// addition, and a silent wrong choice corrupts numbers. This overload is preferred by
  /// the compiler over concatenation, so every use is a deprecation warning (the package
  /// builds with zero warnings) and, if run anyway, a trap naming the fix. Write
  /// `a.adding(b)` for the sum and `a.appending(contentsOf: b)` to join.
  @available(*, deprecated, message: "ambiguous on [Double]: use adding(_:) for the entrywise sum or appending(contentsOf:) to concatenate")
  public static func + (a: [Double], b: [Double]) -> [Double] {
    preconditionFailure("[Double] + [Double] is ambiguous: use adding(_:) or appending(contentsOf:)")
  }

  /// [a, b] concatenated.
  public func appending(contentsOf other: [Double]) -> [Double] {
    var out = self
    out.append(contentsOf: other)
    return out
  }

  /// a − b entrywise (arrays have no `-` of their own, so this overload is unambiguous).
  public static func - (a: [Double], b: [Double]) -> [Double] { a.subtracting(b) }

  /// s · a.
  public static func * (s: Double, a: [Double]) -> [Double] { a.scaled(by: s) }

  /// self += alpha · x (BLAS axpy).
  @inlinable public mutating func addScaled(_ x: [Double], by alpha: Double) {
    precondition(count == x.count, "axpy on vectors of lengths \(count) and \(x.count)")
    for i in indices { self[i] += alpha * x[i] }
  }
}
