/// A syntax error in JSON text, at a 1-based line and column (column in Unicode scalars).
public struct JSONParseError: Error, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String
  public var hint: String

  public init(line: Int, column: Int, message: String, hint: String) {
    self.line = line
    self.column = column
    self.message = message
    self.hint = hint
  }

  /// `line:column: error: message` and an indented hint.
  public var description: String { "\(line):\(column): error: \(message)\n  hint: \(hint)" }

  /// The same error reported against `file`.
  public func located(in file: String) -> DataFileError {
    DataFileError(file: file, line: line, column: column, message: message, hint: hint)
  }
}

extension JSONValue {
  /// Parses one JSON value (RFC 8259), keeping the order of object keys.
  ///
  /// Strict: no comments, trailing commas, single quotes, leading zeros, `NaN` or
  /// `Infinity`; nesting deeper than 512 levels is refused. A leading byte-order mark is
  /// ignored. A number without fraction or exponent that fits in `Int` becomes `.integer`,
  /// any other number `.number`; a number that overflows a `Double` is an error.
  ///
  /// - Complexity: O(n) in the length of `text`.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    return try parser.document()
  }
}

/// Recursive descent over UTF-8 bytes. Positions are byte offsets, turned into line and
/// column only when an error is reported.
struct JSONParser {
  static let maximumDepth = 512
  let bytes: [UInt8]
  var index = 0
  var depth = 0

  init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

  /// An error at byte offset `offset` (default: the current one).
  private func error(_ message: String, _ hint: String, at offset: Int? = nil) -> JSONParseError {
    let end = min(offset ?? index, bytes.count)
    var line = 1
    var column = 1
    for i in 0..<end where !(i < 3 && bytes.starts(with: [0xEF, 0xBB, 0xBF])) {
      if bytes[i] == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if bytes[i] & 0xC0 != 0x80 {
        column += 1
      }
    }
    return JSONParseError(line: line, column: column, message: message, hint: hint)
  }

  /// The character at the current offset, quoted for a message.
  private var found: String {
    guard index < bytes.count else { return "the end of the text" }
    var end = index + 1
    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
    return "'" + String(decoding: bytes[index..<end], as: UTF8.self) + "'"
  }

  private mutating func skipWhitespace() {
    while let b = current, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
  }

  mutating func document() throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    let value = try self.value()
    skipWhitespace()
    guard index == bytes.count else {
      throw error(
        "unexpected \(found) after the JSON value",
        "a JSON document holds exactly one value; wrap several in an array")
    }
    return value
  }

  private mutating func value() throws(JSONParseError) -> JSONValue {
    guard let b = current else {
      throw error(
        "expected a value but found the end of the text", "the document is empty or cut short")
    }
    switch b {
    case UInt8(ascii: "{"): return try container(isObject: true)
    case UInt8(ascii: "["): return try container(isObject: false)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "'"):
      throw error("unexpected single quote", "JSON strings are written in double quotes")
    default:
      throw error(
        "expected a value but found \(found)",
        "a value is an object, array, string in double quotes, number, true, false or null (JSON has no NaN or Infinity)"
      )
    }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONParseError)
    -> JSONValue
  {
    let utf8 = Array(word.utf8)
    guard bytes[index...].starts(with: utf8) else {
      throw error(
        "expected a value but found \(found)", "the literals are true, false and null, in lowercase"
      )
    }
    index += utf8.count
    return value
  }

  /// An array or an object, starting at its opening bracket.
  private mutating func container(isObject: Bool) throws(JSONParseError) -> JSONValue {
    let close = UInt8(ascii: isObject ? "}" : "]")
    let what = isObject ? "object" : "array"
    guard depth < Self.maximumDepth else {
      throw error("nesting deeper than \(Self.maximumDepth) levels", "flatten the document")
    }
    depth += 1
    defer { depth -= 1 }
    index += 1
    var elements: [JSONValue] = []
    var pairs: [(String, JSONValue)] = []
    skipWhitespace()
    if current == close {
      index += 1
      return isObject ? .object([]) : .array([])
    }
    while true {
      skipWhitespace()
      if isObject {
        guard current == UInt8(ascii: "\"") else {
          let trailing = current == close
          throw error(
            trailing
              ? "a comma before the closing '}'"
              : "expected a key in double quotes but found \(found)",
            trailing
              ? "JSON does not allow a comma after the last member"
              : "object keys are strings in double quotes")
        }
        let key = try string()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else {
          throw error(
            "expected ':' after the key \"\(key)\" but found \(found)", "write \"key\": value")
        }
        index += 1
        skipWhitespace()
        pairs.append((key, try value()))
      } else {
        if current == close {
          throw error(
            "a comma before the closing ']'", "JSON does not allow a comma after the last element")
        }
        elements.append(try value())
      }
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        index += 1
      } else if current == close {
        index += 1
        return isObject ? .object(pairs) : .array(elements)
      } else {
        throw error(
          "expected ',' or '\(Character(Unicode.Scalar(close)))' in an \(what) but found \(found)",
          "separate the \(isObject ? "members" : "elements") of an \(what) with commas and close it"
        )
      }
    }
  }

  private mutating func string() throws(JSONParseError) -> String {
    let open = index
    index += 1
    var out: [UInt8] = []
    while true {
      guard let b = current else {
        throw error(
          "a string is not closed before the end of the text", "end the string with a double quote",
          at: open)
      }
      switch b {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        try escape(into: &out)
      case 0x00..<0x20:
        throw error(
          "an unescaped control character U+\(String(b, radix: 16, uppercase: true).leftPadded(to: 4)) in a string",
          "write it as an escape such as \\n, \\t or \\u00\(String(b, radix: 16).leftPadded(to: 2))"
        )
      default:
        out.append(b)
        index += 1
      }
    }
  }

  /// The escape after a backslash.
  private mutating func escape(into out: inout [UInt8]) throws(JSONParseError) {
    let simple: [UInt8: UInt8] = [
      UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
      UInt8(ascii: "b"): 0x08,
      UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
      UInt8(ascii: "t"): 0x09,
    ]
    guard let b = current else { return }
    if let replacement = simple[b] {
      out.append(replacement)
      index += 1
      return
    }
    guard b == UInt8(ascii: "u") else {
      throw error(
        "invalid escape '\\\(found.dropFirst().dropLast())' in a string",
        #"the escapes are \", \\, \/, \b, \f, \n, \r, \t and \uXXXX"#, at: index - 1)
    }
    let start = index - 1
    var code = try hex4()
    if (0xD800..<0xDC00).contains(code) {
      guard bytes[index...].starts(with: Array("\\u".utf8)) else {
        throw error(
          "a high surrogate \\u\(String(code, radix: 16)) without its low surrogate",
          "write the pair \\uD8xx\\uDCxx", at: start)
      }
      index += 1
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low) else {
        throw error(
          "a high surrogate \\u\(String(code, radix: 16)) without its low surrogate",
          "write the pair \\uD8xx\\uDCxx", at: start)
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
    } else if (0xDC00..<0xE000).contains(code) {
      throw error(
        "a low surrogate \\u\(String(code, radix: 16)) without a high surrogate before it",
        "write the pair \\uD8xx\\uDCxx", at: start)
    }
    out.append(contentsOf: Array(String(Character(Unicode.Scalar(code)!)).utf8))
  }

  /// Four hex digits after `u` (the current byte).
  private mutating func hex4() throws(JSONParseError) -> UInt32 {
    index += 1
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let b = current, let digit = UInt32(String(Unicode.Scalar(b)), radix: 16) else {
        throw error(
          "expected four hexadecimal digits after \\u but found \(found)",
          "write \\u followed by exactly four hex digits")
      }
      code = code * 16 + digit
      index += 1
    }
    return code
  }

  private mutating func number() throws(JSONParseError) -> JSONValue {
    let start = index
    func isDigit(_ b: UInt8?) -> Bool { b.map { (0x30...0x39).contains($0) } ?? false }
    if current == UInt8(ascii: "-") { index += 1 }
    guard isDigit(current) else {
      throw error(
        "expected a digit after '-' but found \(found)",
        "JSON has no -Infinity; numbers are written like -1.5e3")
    }
    if current == UInt8(ascii: "0"), isDigit(index + 1 < bytes.count ? bytes[index + 1] : nil) {
      throw error(
        "a number with a leading zero", "write 7 rather than 07; JSON has no octal", at: start)
    }
    while isDigit(current) { index += 1 }
    var isInteger = true
    if current == UInt8(ascii: ".") {
      isInteger = false
      index += 1
      guard isDigit(current) else {
        throw error(
          "expected a digit after the decimal point but found \(found)", "write 1.0 rather than 1.")
      }
      while isDigit(current) { index += 1 }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      isInteger = false
      index += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
      guard isDigit(current) else {
        throw error(
          "expected a digit in the exponent but found \(found)", "write an exponent like 1e-3")
      }
      while isDigit(current) { index += 1 }
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if isInteger, let n = Int(text) { return .integer(n) }
    guard let x = Double(text), x.isFinite else {
      throw error(
        "the number \(text) is out of the range of a double",
        "magnitudes above 1.8e308 cannot be represented", at: start)
    }
    return .number(x)
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: Swift.max(0, width - count)) + self
  }
}
