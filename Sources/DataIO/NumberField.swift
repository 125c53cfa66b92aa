/// Strict parsing of one numeric field of a data file.
///
/// Accepted: optional spaces or tabs around a decimal number with an optional sign, fraction
/// and exponent — `3`, `-0.5`, `+.5`, `2.`, `1e-3`, `6.02E23`. The text is then converted
/// with `Double(String)`, which rounds correctly. Rejected explicitly, each with its own
/// message: an empty field, the spellings of infinity and NaN that `Double(String)` would
/// accept (`inf`, `Infinity`, `nan`, `nan(0x1)`, `snan`), hexadecimal floats (`0x1p3`),
/// and values that overflow a `Double` (`1e400`). Values that underflow become 0 (or a
/// subnormal), as decimal-to-binary conversion always does.
enum NumberField {
  /// A description of the field for messages, e.g. `field 2, 'x2'`.
  struct Context {
    var position: TextPosition
    var what: String
  }

  static func parse(_ raw: String, fileName: String, context: Context) throws(DataFileError)
    -> Double
  {
    let text = trimmed(raw)
    func fail(_ message: String, _ hint: String) -> DataFileError {
      DataFileError(file: fileName, at: context.position, message: message, hint: hint)
    }
    if text.isEmpty {
      throw fail(
        "missing value (\(context.what))", "write a number here; an empty field is not read as 0")
    }
    if isDecimal(text) {
      guard let value = Double(text), value.isFinite else {
        throw fail(
          "'\(text)' is out of the range of a double, whose magnitude is at most 1.8e308 (\(context.what))",
          "rescale the data; the verifier's conclusions are invariant to a positive scaling of the inputs"
        )
      }
      return value
    }
    let unsigned = text.drop { $0 == "+" || $0 == "-" }.lowercased()
    if unsigned.hasPrefix("inf") || unsigned.hasPrefix("nan") || unsigned.hasPrefix("snan") {
      throw fail(
        "'\(text)' is not a finite number (\(context.what))",
        "the verifier needs finite data: remove the row or replace the value")
    }
    if unsigned.hasPrefix("0x") {
      throw fail(
        "'\(text)' is a hexadecimal number (\(context.what))",
        "write the value in decimal, e.g. 8 instead of 0x1p3")
    }
    let separators = text.contains(";") ? "semicolons" : text.contains("\t") ? "tabs" : nil
    if let separators, text.contains(where: \.isNumber) {
      throw fail(
        "'\(text)' is not a number (\(context.what))",
        "fields are separated by commas, not \(separators)")
    }
    throw fail(
      "'\(text)' is not a number (\(context.what))",
      "write a decimal number such as 0.5, -3 or 1e-3 (a period as decimal separator, no thousands separators)"
    )
  }

  /// `text` without leading and trailing spaces and tabs.
  static func trimmed(_ text: String) -> String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !isBlank($0) }),
      let last = text.lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(text[first...last])
  }

  /// Whether `text` matches `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`.
  static func isDecimal(_ text: String) -> Bool {
    var scalars = text.unicodeScalars[...]
    func digits() -> Int {
      var count = 0
      while let s = scalars.first, ("0"..."9").contains(s) {
        scalars.removeFirst()
        count += 1
      }
      return count
    }
    if let s = scalars.first, s == "+" || s == "-" { scalars.removeFirst() }
    var mantissaDigits = digits()
    if scalars.first == "." {
      scalars.removeFirst()
      mantissaDigits += digits()
    }
    guard mantissaDigits > 0 else { return false }
    if let s = scalars.first, s == "e" || s == "E" {
      scalars.removeFirst()
      if let s = scalars.first, s == "+" || s == "-" { scalars.removeFirst() }
      guard digits() > 0 else { return false }
    }
    return scalars.isEmpty
  }
}
