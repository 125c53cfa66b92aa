/// The initial point of a gradient-flow run, in a network's transformed coordinates.
///
/// Format: CSV (see ``CSVTable``), one row per layer l = 1 … L, in order; row l holds the
/// layer's transformed coordinates, k numbers for a real network. An optional header line
/// (e.g. `v1,v2,v3`) is allowed and ignored.
///
///     0.1,0.0,-0.2
///     0.3,0.1,0.0
///
/// Complex coordinates (the Fourier modes of a convolutional network) are written as
/// real pairs: a row with k complex entries holds the 2k numbers re₁, im₁, re₂, im₂, …, and
/// is read here as real numbers; the caller pairs consecutive entries (so `expectedWidth`
/// is 2k).
public enum InitializationFile {
  /// The layers' coordinates, `result[l][j]` being coordinate j of layer l (0-based).
  ///
  /// - Parameters:
  ///   - expectedLayers: L, the required number of rows; nil accepts any positive count.
  ///   - expectedWidth: the required number of entries per row; nil requires only that all
  ///     rows have as many entries as the first.
  public static func layers(
    csv text: String, fileName: String, expectedLayers: Int?, expectedWidth: Int?
  ) throws(DataFileError) -> [[Double]] {
    let table = try CSVTable.parse(text, fileName: fileName)
    let layout = "one row per layer, each row that layer's coordinates separated by commas"
    guard let lastRowLine = table.lineNumbers.last else {
      throw DataFileError(
        file: fileName, line: table.headerLine,
        message: table.header == nil
          ? "the file has no data" : "the file has a header but no layer rows",
        hint: "write \(layout)")
    }
    let count = table.rows.count
    if let expectedLayers, count != expectedLayers {
      if count > expectedLayers {
        throw DataFileError(
          file: fileName, line: table.lineNumbers[expectedLayers],
          message:
            "the file has \(count) layer rows, but the network has \(expectedLayers) layer\(expectedLayers == 1 ? "" : "s")",
          hint: "remove the rows from this one on, or check the network's depth")
      }
      throw DataFileError(
        file: fileName, line: lastRowLine,
        message:
          "the file ends after \(count) layer row\(count == 1 ? "" : "s"), but the network has \(expectedLayers) layers",
        hint: "add a row for each missing layer, or check the network's depth")
    }
    let width = expectedWidth ?? table.rows[0].count
    let widthSource =
      expectedWidth != nil ? "the network's width" : "the first row, line \(table.lineNumbers[0])"
    var layers: [[Double]] = []
    layers.reserveCapacity(count)
    for (l, row) in table.rows.enumerated() {
      let positions = table.fieldPositions[l]
      guard row.count == width else {
        let position = row.count > width ? positions[width] : table.rowEnds[l]
        throw DataFileError(
          file: fileName, at: position,
          message:
            "the row of layer \(l + 1) has \(row.count) entr\(row.count == 1 ? "y" : "ies"), expected \(width) (\(widthSource))",
          hint: row.count > width
            ? "remove the extra entries; complex coordinates take two numbers each (re, im)"
            : "add the missing entries; every layer row has the same number of coordinates")
      }
      var layer: [Double] = []
      layer.reserveCapacity(width)
      for (j, field) in row.enumerated() {
        let context = NumberField.Context(
          position: positions[j], what: "layer \(l + 1), entry \(j + 1)")
        layer.append(try NumberField.parse(field, fileName: fileName, context: context))
      }
      layers.append(layer)
    }
    return layers
  }

  /// ``layers(csv:fileName:expectedLayers:expectedWidth:)`` for the UTF-8 file at `path`.
  public static func load(path: String, expectedLayers: Int?, expectedWidth: Int?)
    throws(DataFileError) -> [[Double]]
  {
    try layers(
      csv: try TextFile.read(path: path), fileName: path, expectedLayers: expectedLayers,
      expectedWidth: expectedWidth)
  }
}
