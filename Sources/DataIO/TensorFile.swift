/// A user-supplied data tensor of a linear tensor network (spec §1.3): 𝓜(x) = Σₖ xₖ 𝓜(eₖ),
/// given by its shape (k₁, …, k_L) and its d slices 𝓜(e₁), …, 𝓜(e_d), each flattened in
/// row-major order (the last index fastest).
///
/// JSON: `{"dimensions": [k₁, …, k_L], "slices": [[…Πkₗ numbers…], …d slices…]}`.
public struct TensorSpec: Sendable, Equatable {
  public var dimensions: [Int]
  public var slices: [[Double]]

  /// The input dimension d (the number of slices).
  public var inputDimension: Int { slices.count }

  static let format =
    #"a tensor file is {"dimensions": [k1, ..., kL], "slices": [[...], ...]} with one slice per input coordinate, each k1·…·kL numbers in row-major order"#

  /// The tensor in JSON `text`; `fileName` is used only in error messages.
  public static func parse(json text: String, fileName: String) throws(DataFileError) -> TensorSpec {
    let document: JSONValue
    do {
      document = try JSONValue.parse(text)
    } catch {
      throw error.located(in: fileName)
    }
    guard let pairs = document.objectValue else {
      throw DataFileError(file: fileName, message: "the document is \(document.kindDescription), expected an object",
                          hint: format)
    }
    for (key, _) in pairs where key != "dimensions" && key != "slices" {
      throw DataFileError(file: fileName, message: "unknown key \"\(key)\"",
                          hint: "the only keys are \"dimensions\" and \"slices\"; \(format)")
    }
    guard let dims = document["dimensions"]?.arrayValue, !dims.isEmpty else {
      throw DataFileError(file: fileName, message: "missing or empty \"dimensions\"", hint: format)
    }
    var dimensions: [Int] = []
    for (l, value) in dims.enumerated() {
      guard let k = value.intValue, (1...4096).contains(k) else {
        throw DataFileError(file: fileName, message: "dimensions[\(l)] is \(value.kindDescription), expected an integer from 1 to 4096",
                            hint: "each kₗ is a layer's width")
      }
      dimensions.append(k)
    }
    guard dimensions.count <= 8 else {
      throw DataFileError(file: fileName, message: "\(dimensions.count) layers: at most 8 are supported",
                          hint: "a tensor of order L has one dimension per layer")
    }
    let size = dimensions.reduce(1, *)
    guard size <= 1_000_000 else {
      throw DataFileError(file: fileName, message: "the tensor has \(size) entries per slice (more than 10⁶)",
                          hint: "the dense contraction costs O(Πkₗ) per slice; use smaller widths")
    }
    guard let rawSlices = document["slices"]?.arrayValue, !rawSlices.isEmpty else {
      throw DataFileError(file: fileName, message: "missing or empty \"slices\"", hint: format)
    }
    var slices: [[Double]] = []
    for (k, slice) in rawSlices.enumerated() {
      guard let entries = slice.arrayValue else {
        throw DataFileError(file: fileName, message: "slices[\(k)] is \(slice.kindDescription), expected an array of numbers",
                            hint: "each slice is 𝓜(e_\(k + 1)) flattened in row-major order")
      }
      guard entries.count == size else {
        throw DataFileError(file: fileName,
                            message: "slices[\(k)] has \(entries.count) numbers, but dimensions \(dimensions) need \(size)",
                            hint: "each slice has k1·…·kL entries in row-major order (the last index fastest)")
      }
      var values: [Double] = []
      for (j, entry) in entries.enumerated() {
        guard let x = entry.doubleValue, x.isFinite else {
          throw DataFileError(file: fileName, message: "slices[\(k)][\(j)] is \(entry.kindDescription), expected a finite number",
                              hint: "entries are JSON numbers, without quotes")
        }
        values.append(x)
      }
      slices.append(values)
    }
    return TensorSpec(dimensions: dimensions, slices: slices)
  }

  /// ``parse(json:fileName:)`` for the UTF-8 file at `path`.
  public static func load(path: String) throws(DataFileError) -> TensorSpec {
    try parse(json: try TextFile.read(path: path), fileName: path)
  }
}
