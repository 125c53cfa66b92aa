import LinearAlgebra

/// What the last column of a dataset file holds.
public enum DatasetKind: String, Sendable, CaseIterable {
  /// Labels y ∈ {−1, +1}.
  case classification
  /// Real targets.
  case regression
}

/// A dataset {(xᵢ, yᵢ)}: n inputs in ℝᵈ, one target each.
///
/// File format (see ``CSVTable`` for the CSV dialect): one row per example, the d feature
/// columns x1 … xd followed by the target y, optionally under a header line naming the
/// columns. Feature names come from the header, or are `x1` … `xd` without one.
///
/// The loaders check everything that is a property of the file: it has data rows, every row
/// has the same number of fields, every value is a finite decimal number, and (for
/// classification) every label is +1 or −1 (numerically, so `1.0` and `-1.000` are fine).
/// Properties of the data that a theorem needs — both labels present, linear separability,
/// full rank — are the theorem layer's to report as inconclusive or refuted, not errors here.
public struct LabeledDataset: Sendable, Equatable {
  /// The n × d matrix whose row i is xᵢᵀ.
  public var inputs: Matrix
  /// y₁ … yₙ.
  public var targets: [Double]
  /// d names, one per feature column.
  public var featureNames: [String]

  public init(inputs: Matrix, targets: [Double], featureNames: [String]) {
    precondition(
      inputs.rows == targets.count && inputs.columns == featureNames.count,
      "Dataset with \(inputs.rows)×\(inputs.columns) inputs needs \(inputs.rows) targets and \(inputs.columns) names, got \(targets.count) and \(featureNames.count)"
    )
    self.inputs = inputs
    self.targets = targets
    self.featureNames = featureNames
  }

  /// Number of examples n.
  public var count: Int { inputs.rows }
  /// Input dimension d.
  public var dimension: Int { inputs.columns }

  /// A classification dataset from CSV text: features, then a label y ∈ {−1, +1}.
  public static func classification(csv text: String, fileName: String) throws(DataFileError)
    -> LabeledDataset
  {
    try read(csv: text, fileName: fileName, kind: .classification)
  }

  /// A regression dataset from CSV text: features, then a real target.
  public static func regression(csv text: String, fileName: String) throws(DataFileError)
    -> LabeledDataset
  {
    try read(csv: text, fileName: fileName, kind: .regression)
  }

  /// The dataset in the UTF-8 CSV file at `path` (errors name `path` as given).
  public static func load(path: String, kind: DatasetKind) throws(DataFileError) -> LabeledDataset {
    try read(csv: try TextFile.read(path: path), fileName: path, kind: kind)
  }

  static func read(csv text: String, fileName: String, kind: DatasetKind) throws(DataFileError)
    -> LabeledDataset
  {
    let table = try CSVTable.parse(text, fileName: fileName)
    let layout =
      "one row per example: the features x1 … xd, then the \(kind == .classification ? "label y ∈ {-1, +1}" : "target y")"
    guard let firstLine = table.headerLine ?? table.lineNumbers.first else {
      throw DataFileError(file: fileName, message: "the file has no data", hint: "write \(layout)")
    }
    if table.rows.isEmpty {
      throw DataFileError(
        file: fileName, line: firstLine, message: "the file has a header but no data rows",
        hint: "add \(layout), below the header")
    }
    let width = table.header?.count ?? table.rows[0].count
    let shapeSource =
      table.header != nil ? "the header on line \(firstLine)" : "the first row, line \(firstLine)"
    guard width >= 2 else {
      throw DataFileError(
        file: fileName, line: firstLine,
        message:
          "\(shapeSource) has 1 column; at least one feature column must precede the \(kind == .classification ? "label" : "target")",
        hint: "write \(layout); fields are separated by commas")
    }
    if let header = table.header, let numeric = header.firstIndex(where: { Double($0) != nil }) {
      let name = header.first { Double($0) == nil && !$0.isEmpty } ?? ""
      throw DataFileError(
        file: fileName, line: firstLine,
        message:
          "line \(firstLine) mixes names and numbers: '\(name)' makes it a header, but field \(numeric + 1) is the number '\(header[numeric])'",
        hint:
          "if line \(firstLine) is data, correct '\(name)'; if it is a header, give every column a name that is not a number"
      )
    }
    let d = width - 1
    var names: [String] = (1...width).map { $0 == width ? "y" : "x\($0)" }
    if let header = table.header {
      for (j, name) in header.enumerated() where !name.isEmpty { names[j] = name }
    }
    var storage: [Double] = []
    storage.reserveCapacity(table.rows.count * d)
    var targets: [Double] = []
    targets.reserveCapacity(table.rows.count)
    for (r, row) in table.rows.enumerated() {
      let positions = table.fieldPositions[r]
      guard row.count == width else {
        let position = row.count > width ? positions[width] : table.rowEnds[r]
        throw DataFileError(
          file: fileName, at: position,
          message:
            "row has \(row.count) field\(row.count == 1 ? "" : "s"), expected \(width) (\(d) feature\(d == 1 ? "" : "s") and the \(kind == .classification ? "label" : "target"), as in \(shapeSource))",
          hint: row.count > width
            ? "remove the extra fields; a comma inside a value needs the value in double quotes"
            : "add the missing values; every row needs the same number of fields")
      }
      for j in 0..<width {
        let context = NumberField.Context(
          position: positions[j], what: "field \(j + 1), '\(names[j])'")
        let value = try NumberField.parse(row[j], fileName: fileName, context: context)
        if j < d {
          storage.append(value)
        } else {
          if kind == .classification && value != 1 && value != -1 {
            throw DataFileError(
              file: fileName, at: positions[j],
              message:
                "label '\(NumberField.trimmed(row[j]))' is neither +1 nor -1 (field \(width), '\(names[j])')",
              hint:
                "classification labels are -1 or +1 (map 0/1 labels t to 2t - 1); for real-valued targets load the file as a regression dataset"
            )
          }
          targets.append(value)
        }
      }
    }
    return LabeledDataset(
      inputs: Matrix(rows: targets.count, columns: d, storage: storage),
      targets: targets, featureNames: Array(names.prefix(d)))
  }
}
