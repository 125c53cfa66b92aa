import LinearAlgebra

/// An orthogonally decomposable network (Yun, Krishnan & Mobahi, ICLR 2021): the
/// data tensor factors as M(x) = Σⱼ [S x]ⱼ · u₁ⱼ ⊗ u₂ⱼ ⊗ … ⊗ u_Lⱼ, where u_lⱼ is column j of
/// U_l and every U_l has orthonormal columns.
///
/// File format, a JSON object with exactly these two keys:
///
///     {
///       "S": [[1.0, 0.0], [0.0, 2.0]],
///       "U": [ [[1.0, 0.0], [0.0, 1.0]],  [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]] ]
///     }
///
/// `S` is an m × d matrix and `U` a list of L ≥ 1 matrices, U_l being k_l × m with
/// k_l ≥ m; matrices are arrays of rows. Real entries only. Errors name the key path in
/// jq notation with indices from 0 (`U[1][2][0]`); syntax errors carry line and column.
public struct DecompositionSpec: Sendable, Equatable {
  /// S, m × d.
  public var s: Matrix
  /// U₁ … U_L, U_l being k_l × m with U_lᵀU_l = I_m.
  public var u: [Matrix]

  public init(s: Matrix, u: [Matrix]) {
    for (l, ul) in u.enumerated() {
      precondition(
        ul.columns == s.rows,
        "U[\(l)] is \(ul.rows)×\(ul.columns) but S is \(s.rows)×\(s.columns): U_l needs \(s.rows) columns"
      )
    }
    self.s = s
    self.u = u
  }

  /// The tolerance on max |(UᵀU − I)ᵢⱼ| for a k × m factor: 1e-10 · max(k, m).
  ///
  /// An entry of UᵀU is an inner product of two length-k columns. Rounding the entries to
  /// p significant digits when the file was written perturbs it by about k·10⁻ᵖ, and a
  /// factor computed in floating point (e.g. by Householder QR, Golub–Van Loan §5.2) is
  /// orthonormal to about max(k, m)·ε ≈ max(k, m)·2e-16. The bound therefore accepts any
  /// file written with 12 or more significant digits and rejects factors that are wrong
  /// rather than rounded (a wrong factor deviates by far more than 1e-10).
  public static func orthonormalityTolerance(rows k: Int, columns m: Int) -> Double {
    1e-10 * Double(max(k, m))
  }

  /// The decomposition in JSON `text`; `fileName` is used only in error messages.
  public static func parse(json text: String, fileName: String) throws(DataFileError)
    -> DecompositionSpec
  {
    let document: JSONValue
    do {
      document = try JSONValue.parse(text)
    } catch {
      throw error.located(in: fileName)
    }
    let format =
      #"a decomposition file is {"S": [[...], ...], "U": [[[...], ...], ...]} with S m×d and each U_l k_l×m"#
    guard let pairs = document.objectValue else {
      throw DataFileError(
        file: fileName,
        message:
          "the document is \(document.kindDescription), expected an object with keys \"S\" and \"U\"",
        hint: format)
    }
    var seen: Set<String> = []
    for (key, _) in pairs {
      guard key == "S" || key == "U" else {
        let suggestion = ["S", "U"].first { $0.lowercased() == key.lowercased() }
        throw DataFileError(
          file: fileName, message: "unknown key \"\(key)\"",
          hint: suggestion.map { "did you mean \"\($0)\"? Keys are case-sensitive" }
            ?? "the only keys are \"S\" and \"U\"; \(format)")
      }
      guard seen.insert(key).inserted else {
        throw DataFileError(
          file: fileName, message: "the key \"\(key)\" appears twice", hint: "keep one of them")
      }
    }
    guard let sValue = document["S"] else {
      throw DataFileError(file: fileName, message: "missing key \"S\"", hint: format)
    }
    guard let uValue = document["U"] else {
      throw DataFileError(file: fileName, message: "missing key \"U\"", hint: format)
    }
    let s = try matrix(sValue, path: "S", fileName: fileName)
    guard let uList = uValue.arrayValue, !uList.isEmpty else {
      throw DataFileError(
        file: fileName,
        message: uValue.arrayValue == nil
          ? "\"U\" is \(uValue.kindDescription), expected an array of matrices"
          : "\"U\" is an empty array",
        hint: "give one matrix U_l per layer (at least one); \(format)")
    }
    let m = s.rows
    var factors: [Matrix] = []
    for (l, value) in uList.enumerated() {
      let ul = try matrix(value, path: "U[\(l)]", fileName: fileName)
      guard ul.columns == m else {
        throw DataFileError(
          file: fileName,
          message:
            "U[\(l)] is \(ul.rows)×\(ul.columns), but S is \(m)×\(s.columns), so U[\(l)] needs m = \(m) columns",
          hint: ul.rows == m
            ? "U_l is k_l×m (one column per row of S); you may have written its transpose"
            : "U_l is k_l×m: one column per row of S")
      }
      guard ul.rows >= m else {
        throw DataFileError(
          file: fileName,
          message:
            "U[\(l)] is \(ul.rows)×\(m): fewer rows than columns, so its columns cannot be orthonormal",
          hint: "each U_l is k_l×m with k_l ≥ m = \(m); check the network's widths and S")
      }
      let gram = ul.transposedTimes(ul)
      var deviation = 0.0
      for i in 0..<m {
        for j in 0..<m {
          let entry = abs(gram[i, j] - (i == j ? 1 : 0))
          if !(entry <= deviation) { deviation = entry }
        }
      }
      let tolerance = orthonormalityTolerance(rows: ul.rows, columns: m)
      guard deviation <= tolerance else {
        throw DataFileError(
          file: fileName,
          message:
            "the columns of U[\(l)] (\(ul.rows)×\(m)) are not orthonormal: max |(UᵀU − I)ᵢⱼ| = \(deviation), above the tolerance 1e-10·max(k, m) = \(tolerance)",
          hint:
            "write the entries with at least 12 significant digits, or re-orthonormalize U_l (e.g. the Q factor of its QR decomposition)"
        )
      }
      factors.append(ul)
    }
    return DecompositionSpec(s: s, u: factors)
  }

  /// ``parse(json:fileName:)`` for the UTF-8 file at `path`.
  public static func load(path: String) throws(DataFileError) -> DecompositionSpec {
    try parse(json: try TextFile.read(path: path), fileName: path)
  }

  /// A non-empty rectangular array of arrays of numbers.
  static func matrix(_ value: JSONValue, path: String, fileName: String) throws(DataFileError)
    -> Matrix
  {
    let shapeHint =
      "a matrix is a non-empty array of rows of equal length, e.g. [[1.0, 0.0], [0.0, 1.0]]"
    guard let rows = value.arrayValue else {
      throw DataFileError(
        file: fileName,
        message: "\(path) is \(value.kindDescription), expected a matrix (an array of rows)",
        hint: shapeHint)
    }
    guard !rows.isEmpty else {
      throw DataFileError(file: fileName, message: "\(path) is an empty matrix", hint: shapeHint)
    }
    var storage: [Double] = []
    var columns = 0
    for (i, row) in rows.enumerated() {
      guard let entries = row.arrayValue else {
        throw DataFileError(
          file: fileName,
          message: "\(path)[\(i)] is \(row.kindDescription), expected a row (an array of numbers)",
          hint: rows.allSatisfy({ $0.doubleValue != nil })
            ? "a matrix with one row is written [[...]], not [...]" : shapeHint)
      }
      if i == 0 { columns = entries.count }
      guard !entries.isEmpty else {
        throw DataFileError(
          file: fileName, message: "\(path)[\(i)] is an empty row", hint: shapeHint)
      }
      guard entries.count == columns else {
        throw DataFileError(
          file: fileName,
          message: "\(path)[\(i)] has \(entries.count) entries, but \(path)[0] has \(columns)",
          hint: "every row of \(path) must have the same length")
      }
      for (j, entry) in entries.enumerated() {
        guard let x = entry.doubleValue else {
          throw DataFileError(
            file: fileName,
            message: "\(path)[\(i)][\(j)] is \(entry.kindDescription), expected a number",
            hint: "entries are real numbers written as JSON numbers, without quotes")
        }
        storage.append(x)
      }
    }
    return Matrix(rows: rows.count, columns: columns, storage: storage)
  }
}
