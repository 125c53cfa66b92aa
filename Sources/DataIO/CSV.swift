/// A comma-separated table, as read by ``parse(_:fileName:)``.
///
/// The dialect is RFC 4180 with the leniencies hand-written files need:
/// - Records end at LF, CRLF or a lone CR; a final line ending is optional.
/// - Blank lines (empty, or only spaces and tabs) are skipped wherever they occur, so a
///   table can end with empty lines or be split into blocks. Line numbers still count them.
/// - A byte-order mark (U+FEFF) at the start of the text is ignored.
/// - A field may be quoted with double quotes; inside, `""` is a literal quote, and commas
///   and line breaks are part of the field. Spaces or tabs before the opening quote and
///   after the closing quote are ignored. A quote inside an unquoted field, text after a
///   closing quote, and a quoted field that never closes are errors.
/// - Unquoted fields are kept verbatim, surrounding spaces included; numeric readers trim
///   them. Rows may have different numbers of fields: readers check the shape they expect.
///
/// The first record is a header iff one of its fields is neither empty nor parsable by
/// `Double(String)` after trimming spaces. `Double(String)` also accepts `nan`, `inf` and
/// hexadecimal floats, so a first data row containing such a value stays a data row and
/// the numeric reader reports the value where it is, rather than swallowing the row as a
/// header. Header names are trimmed of spaces and tabs.
public struct CSVTable: Sendable, Equatable {
  /// Column names, if the first record is a header.
  public var header: [String]?
  /// The data records, fields verbatim.
  public var rows: [[String]]
  /// The line on which each data record starts.
  public var lineNumbers: [Int]
  /// The line of the header, if there is one.
  public var headerLine: Int?
  /// For each data record, the position of each field: its first character that is not a
  /// space or tab (the opening quote of a quoted field), or its start if it is blank.
  public var fieldPositions: [[TextPosition]]
  /// For each data record, the position just past its last character.
  public var rowEnds: [TextPosition]

  public init(
    header: [String]?, rows: [[String]], lineNumbers: [Int], headerLine: Int? = nil,
    fieldPositions: [[TextPosition]], rowEnds: [TextPosition]
  ) {
    precondition(
      rows.count == lineNumbers.count && rows.count == fieldPositions.count
        && rows.count == rowEnds.count,
      "CSVTable has \(rows.count) rows but \(lineNumbers.count) line numbers, \(fieldPositions.count) position lists and \(rowEnds.count) row ends"
    )
    self.header = header
    self.rows = rows
    self.lineNumbers = lineNumbers
    self.headerLine = headerLine
    self.fieldPositions = fieldPositions
    self.rowEnds = rowEnds
  }

  /// Parses `text`; `fileName` is used only in error messages.
  ///
  /// - Complexity: O(n) in the length of `text`.
  public static func parse(_ text: String, fileName: String) throws(DataFileError) -> CSVTable {
    var scanner = CSVScanner(text: text, fileName: fileName)
    let records = try scanner.records()
    var table = CSVTable(header: nil, rows: [], lineNumbers: [], fieldPositions: [], rowEnds: [])
    var rest = records[...]
    if let first = rest.first, isHeader(first.fields) {
      table.header = first.fields.map(NumberField.trimmed)
      table.headerLine = first.line
      rest = rest.dropFirst()
    }
    for record in rest {
      table.rows.append(record.fields)
      table.lineNumbers.append(record.line)
      table.fieldPositions.append(record.positions)
      table.rowEnds.append(record.end)
    }
    return table
  }

  static func isHeader(_ fields: [String]) -> Bool {
    fields.contains { field in
      let text = NumberField.trimmed(field)
      return !text.isEmpty && Double(text) == nil
    }
  }
}

/// One record of a CSV text with the positions of its fields.
struct CSVRecord {
  var fields: [String] = []
  var positions: [TextPosition] = []
  var line: Int
  var end = TextPosition(line: 1, column: 1)
}

/// A single pass over the Unicode scalars of a CSV text. Scalars, not Characters: Swift
/// treats CRLF as one Character, and columns are counted in scalars.
struct CSVScanner {
  let scalars: [Unicode.Scalar]
  let fileName: String
  var index = 0
  var position = TextPosition(line: 1, column: 1)

  init(text: String, fileName: String) {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    self.scalars = scalars
    self.fileName = fileName
  }

  private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
    index + offset < scalars.count ? scalars[index + offset] : nil
  }

  private static func isLineEnd(_ s: Unicode.Scalar) -> Bool { s == "\n" || s == "\r" }
  private static func isBlank(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" }

  /// Moves past one scalar, keeping `position` current (CR LF counts as one line end).
  private mutating func advance() {
    let s = scalars[index]
    index += 1
    if s == "\n" || (s == "\r" && peek() != "\n") {
      position.line += 1
      position.column = 1
    } else {
      position.column += 1
    }
  }

  private mutating func skipBlanks() {
    while let s = peek(), Self.isBlank(s) { advance() }
  }

  private mutating func consumeLineEnd() {
    if peek() == "\r" { advance() }
    if peek() == "\n" { advance() }
  }

  /// Whether the rest of the current line holds only spaces and tabs.
  private func restOfLineIsBlank() -> Bool {
    var i = index
    while i < scalars.count, Self.isBlank(scalars[i]) { i += 1 }
    return i == scalars.count || Self.isLineEnd(scalars[i])
  }

  mutating func records() throws(DataFileError) -> [CSVRecord] {
    var records: [CSVRecord] = []
    while index < scalars.count {
      if restOfLineIsBlank() {
        skipBlanks()
        consumeLineEnd()
        continue
      }
      var record = CSVRecord(line: position.line)
      while true {
        let (text, start) = try field()
        record.fields.append(text)
        record.positions.append(start)
        if peek() == "," {
          advance()
          continue
        }
        record.end = position
        consumeLineEnd()
        break
      }
      records.append(record)
    }
    return records
  }

  /// One field; stops before the comma or line end that follows it.
  private mutating func field() throws(DataFileError) -> (String, TextPosition) {
    let fieldStart = position
    var value = String.UnicodeScalarView()
    while let s = peek(), Self.isBlank(s) {
      value.append(s)
      advance()
    }
    guard let first = peek(), first != ",", !Self.isLineEnd(first) else {
      return (String(value), fieldStart)
    }
    let start = position
    if first == "\"" { return (try quotedField(), start) }
    while let s = peek(), s != ",", !Self.isLineEnd(s) {
      if s == "\"" {
        throw DataFileError(
          file: fileName, at: position, message: "a double quote inside an unquoted field",
          hint: #"quote the whole field and double the inner quote, as in "say ""hi""""#)
      }
      value.append(s)
      advance()
    }
    return (String(value), start)
  }

  /// A field starting at an opening quote.
  private mutating func quotedField() throws(DataFileError) -> String {
    let open = position
    advance()
    var value = String.UnicodeScalarView()
    while true {
      guard let s = peek() else {
        throw DataFileError(
          file: fileName, at: open,
          message: "a quoted field is not closed before the end of the file",
          hint: #"end the field with a double quote; write a quote inside a field as two quotes """#
        )
      }
      advance()
      if s == "\"" {
        guard peek() == "\"" else { break }
        advance()
      }
      value.append(s)
    }
    skipBlanks()
    if let s = peek(), s != ",", !Self.isLineEnd(s) {
      throw DataFileError(
        file: fileName, at: position,
        message: "unexpected '\(Character(s))' after the closing quote of a field",
        hint:
          #"put a comma after the closing quote, or include the text in the quotes (a quote inside is written "")"#
      )
    }
    return String(value)
  }
}
