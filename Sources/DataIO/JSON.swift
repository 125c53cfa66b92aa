/// A JSON value (RFC 8259) whose objects keep their keys in order.
///
/// Order matters for reports meant to be read and diffed, so an object is a list of
/// key–value pairs, not a dictionary; duplicate keys are kept as written (``subscript(_:)``
/// returns the first). Integers and other numbers are distinct cases so that counts and
/// seeds print without a fraction and measured quantities with one.
///
/// Equality compares cases structurally: objects are equal iff they have the same pairs in
/// the same order; `.integer(1)` and `.number(1.0)` are different; numbers compare with
/// `==`, so `.number(.nan)` is not equal to itself, as for `Double`.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  case number(Double)
  case integer(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.number(let x), .number(let y)): return x == y
    case (.integer(let x), .integer(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x == y
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }
}

// MARK: - Access

extension JSONValue {
  /// The value of the first pair with key `key`, if this is an object that has one.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let pairs) = self else { return nil }
    return pairs.first { $0.0 == key }?.1
  }

  /// The number, for `.number` and `.integer`.
  public var doubleValue: Double? {
    switch self {
    case .number(let x): return x
    case .integer(let n): return Double(n)
    default: return nil
    }
  }

  public var intValue: Int? { if case .integer(let n) = self { n } else { nil } }
  public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
  public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
  public var objectValue: [(String, JSONValue)]? {
    if case .object(let o) = self { o } else { nil }
  }

  /// The kind of value in words, for error messages: "an array", "a number", ….
  public var kindDescription: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number, .integer: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  var isContainer: Bool {
    switch self {
    case .array, .object: true
    default: false
    }
  }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
  ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public init(nilLiteral: ()) { self = .null }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .integer(value) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// An object with the pairs in the order written.
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}

// MARK: - Serialization

extension JSONValue {
  /// The value as JSON text; the same value always gives the same text.
  ///
  /// - Numbers: `.integer` prints its digits (`3`); a finite `.number` prints Swift's
  ///   shortest representation that reads back to the same `Double`, which always has a
  ///   fraction or an exponent (`1.0`, `0.1`, `1e-05`, `1e+16`), so it parses back as a
  ///   `.number`. Non-finite numbers, which JSON cannot represent, are written as `null`.
  /// - Strings: `"` and `\` are escaped, as are control characters U+0000–U+001F (`\b`,
  ///   `\f`, `\n`, `\r`, `\t`, the rest as `\u00xx` with lowercase hex); everything else,
  ///   including non-ASCII text, is written as UTF-8.
  /// - `pretty: true`: two-space indentation, `"key": value`; an array whose elements are
  ///   all scalars stays on one line (`[1.0, 2.0]`, so a matrix prints one row per line);
  ///   empty containers are `[]` and `{}`. `pretty: false`: no whitespace at all.
  /// No trailing newline in either form.
  public func serialized(pretty: Bool = true) -> String {
    var out = ""
    write(to: &out, pretty: pretty, indent: "")
    return out
  }

  private func write(to out: inout String, pretty: Bool, indent: String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .integer(let n): out += String(n)
    case .number(let x): out += x.isFinite ? "\(x)" : "null"
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let elements):
      guard !elements.isEmpty else {
        out += "[]"
        return
      }
      if !pretty || !elements.contains(where: \.isContainer) {
        out += "["
        for (i, element) in elements.enumerated() {
          if i > 0 { out += pretty ? ", " : "," }
          element.write(to: &out, pretty: pretty, indent: indent)
        }
        out += "]"
      } else {
        let inner = indent + "  "
        out += "[\n"
        for (i, element) in elements.enumerated() {
          out += i > 0 ? ",\n" + inner : inner
          element.write(to: &out, pretty: pretty, indent: inner)
        }
        out += "\n" + indent + "]"
      }
    case .object(let pairs):
      guard !pairs.isEmpty else {
        out += "{}"
        return
      }
      let inner = indent + "  "
      out += pretty ? "{\n" : "{"
      for (i, (key, value)) in pairs.enumerated() {
        if i > 0 { out += pretty ? ",\n" : "," }
        if pretty { out += inner }
        Self.writeString(key, to: &out)
        out += pretty ? ": " : ":"
        value.write(to: &out, pretty: pretty, indent: inner)
      }
      out += pretty ? "\n" + indent + "}" : "}"
    }
  }

  private static func writeString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\u{00}"..."\u{1F}":
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
