/// A 1-based position in a text file.
///
/// `column` counts Unicode scalars from the start of the line, so a tab and a multi-byte
/// character each count as one. A byte-order mark at the start of a file is not counted.
public struct TextPosition: Sendable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// `line:column`.
  public var description: String { "\(line):\(column)" }
}

/// A problem in a file the user supplied: what is wrong, where, and how to fix it.
///
/// `description` follows the compiler's diagnostic format, so terminals and editors that
/// recognise `file:line:column:` can jump to the spot:
///
///     data.csv:3:2: error: 'abc' is not a number (field 2, 'x2')
///       hint: write a decimal number such as 0.5, -3 or 1e-3
///
/// `line` is nil for a problem with the file as a whole (it does not exist, it is empty);
/// `column` is nil for a problem with a whole line, or with a JSON key whose position the
/// document model does not keep (the message then names the key path instead).
public struct DataFileError: Error, Equatable, CustomStringConvertible {
  /// The file name as the user gave it.
  public var file: String
  /// 1-based line, if the problem has one.
  public var line: Int?
  /// 1-based column in Unicode scalars (see ``TextPosition``), if the problem has one.
  public var column: Int?
  /// What is wrong, in one sentence without a trailing period.
  public var message: String
  /// How to fix it.
  public var hint: String

  public init(file: String, line: Int? = nil, column: Int? = nil, message: String, hint: String) {
    self.file = file
    self.line = line
    self.column = line == nil ? nil : column
    self.message = message
    self.hint = hint
  }

  /// An error at `position` in `file`.
  public init(file: String, at position: TextPosition, message: String, hint: String) {
    self.init(
      file: file, line: position.line, column: position.column, message: message, hint: hint)
  }

  /// `file[:line[:column]]: error: message` and an indented hint on the next line.
  public var description: String {
    var location = file
    if let line {
      location += ":\(line)"
      if let column { location += ":\(column)" }
    }
    return "\(location): error: \(message)\n  hint: \(hint)"
  }
}
