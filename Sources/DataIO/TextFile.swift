import Foundation

/// Reading a user's file as UTF-8 text, with errors that say what went wrong.
public enum TextFile {
  /// The contents of the file at `path`, decoded as UTF-8.
  ///
  /// Errors name the path exactly as given: it does not exist (the hint shows the current
  /// directory, against which relative paths are resolved), it is a directory, it cannot be
  /// read, or it is not valid UTF-8 (with the line and column of the first bad byte).
  public static func read(path: String) throws(DataFileError) -> String {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataFileError(
        file: path, message: "no such file",
        hint:
          "check the path; relative paths are resolved against the current directory '\(manager.currentDirectoryPath)'"
      )
    }
    guard !isDirectory.boolValue else {
      throw DataFileError(
        file: path, message: "is a directory, not a file", hint: "pass the path of a file inside it"
      )
    }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw DataFileError(
        file: path, message: "cannot read the file (\(error.localizedDescription))",
        hint: "check that you have permission to read it")
    }
    return try decodeUTF8(Array(data), fileName: path)
  }

  /// `bytes` decoded as UTF-8; an invalid sequence is reported at its line and column.
  static func decodeUTF8(_ bytes: [UInt8], fileName: String) throws(DataFileError) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var position = TextPosition(line: 1, column: 1)
    decoding: while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar):
        if scalar == "\n" {
          position.line += 1
          position.column = 1
        } else {
          position.column += 1
        }
      case .emptyInput:
        break decoding
      case .error:
        throw DataFileError(
          file: fileName, at: position, message: "the file is not valid UTF-8 text",
          hint: "save the file as UTF-8 (plain text, not a spreadsheet or a Latin-1 export)")
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
