import Testing

@testable import DataIO

@Suite("JSON")
struct JSONTests {
  static let sample: JSONValue = [
    "theorem": "Theorem 1 (linear fully-connected)",
    "verdict": "holds",
    "depth": 3,
    "tolerance": 1e-8,
    "margin": 0.5,
    "aligned": true,
    "counterexample": nil,
    "direction": [0.6, -0.8],
    "matrix": [[1.0, 0.0], [0.0, 1.0]],
    "nested": ["z": 1, "a": [], "m": [:]],
    "text": "tab\there \"quoted\" back\\slash é ∑ \u{01}",
  ]

  @Test("serialize → parse gives the same value, pretty and compact")
  func roundTrip() throws {
    for pretty in [true, false] {
      let text = Self.sample.serialized(pretty: pretty)
      #expect(try JSONValue.parse(text) == Self.sample, "\(text)")
    }
  }

  @Test("key order is kept, and order matters for equality")
  func keyOrder() throws {
    let parsed = try JSONValue.parse(#"{"b": 1, "a": 2, "c": {"z": 0, "y": 1}}"#)
    #expect(parsed.objectValue?.map(\.0) == ["b", "a", "c"])
    #expect(parsed["c"]?.objectValue?.map(\.0) == ["z", "y"])
    #expect(parsed != (["a": 2, "b": 1, "c": ["z": 0, "y": 1]] as JSONValue))
    #expect(parsed.serialized(pretty: false) == #"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
  }

  @Test("pretty output is fixed: indentation, inline scalar arrays, empty containers")
  func prettyFormat() {
    let value: JSONValue = ["a": [1, 2.5], "b": [[1.0], []], "c": [:], "d": []]
    let expected = """
      {
        "a": [1, 2.5],
        "b": [
          [1.0],
          []
        ],
        "c": {},
        "d": []
      }
      """
    #expect(value.serialized() == expected)
    #expect(value.serialized() == value.serialized())
  }

  @Test(
    "numbers: integers without fraction, doubles shortest with fraction or exponent, non-finite as null"
  )
  func numbers() throws {
    let cases: [(JSONValue, String)] = [
      (.integer(3), "3"), (.integer(-0), "0"), (.number(1), "1.0"), (.number(0.1), "0.1"),
      (.number(-0.0), "-0.0"), (.number(1e-5), "1e-05"), (.number(1e16), "1e+16"),
      (.number(.greatestFiniteMagnitude), "1.7976931348623157e+308"), (.number(.nan), "null"),
      (.number(.infinity), "null"), (.number(-.infinity), "null"),
    ]
    for (value, text) in cases { #expect(value.serialized() == text) }
    #expect(try JSONValue.parse("1.0") == .number(1))
    #expect(try JSONValue.parse("1") == .integer(1))
    #expect(try JSONValue.parse("1E2") == .number(100))
    #expect(try JSONValue.parse("-0") == .integer(0))
    #expect(
      try JSONValue.parse("123456789012345678901") == .number(Double("123456789012345678901")!))
    #expect(JSONValue.integer(1) != JSONValue.number(1))
  }

  @Test(
    "every finite double survives the round trip exactly",
    arguments: [
      0.1, 1.0 / 3, -2.5e-300, .leastNonzeroMagnitude, 123456789.125, .pi, 1e22,
      9_007_199_254_740_994, -.ulpOfOne,
    ])
  func doubleRoundTrip(x: Double) throws {
    let parsed = try JSONValue.parse(JSONValue.number(x).serialized())
    #expect(parsed.doubleValue?.bitPattern == x.bitPattern)
    if case .number = parsed {} else { Issue.record("\(x) did not parse back as .number") }
  }

  @Test("string escaping per RFC 8259")
  func escaping() throws {
    let value = JSONValue.string("\"\\/\u{08}\u{0C}\n\r\t\u{00}\u{1F}\u{7F}é😀")
    let text = value.serialized()
    #expect(text == "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\u{7F}é😀\"")
    #expect(try JSONValue.parse(text) == value)
    #expect(try JSONValue.parse(#""\u00e9\uD83D\uDE00\/""#) == .string("é😀/"))
    #expect(JSONValue.string("a\r\nb").serialized() == #""a\r\nb""#)
  }

  @Test("accessors")
  func accessors() throws {
    let v = try JSONValue.parse(#" {"n": 2, "x": 2.5, "s": "t", "b": false, "a": [null], "n": 3} "#)
    #expect(v["n"]?.intValue == 2)
    #expect(v["n"]?.doubleValue == 2)
    #expect(v["x"]?.doubleValue == 2.5 && v["x"]?.intValue == nil)
    #expect(v["s"]?.stringValue == "t" && v["b"]?.boolValue == false)
    #expect(v["a"]?.arrayValue == [.null])
    #expect(v["missing"] == nil && v.objectValue?.count == 6)
    #expect(v["a"]?.kindDescription == "an array")
  }

  @Test(
    "syntax errors with line and column",
    arguments: [
      ("", 1, 1, "expected a value but found the end"),
      ("[1, 2,]", 1, 7, "comma before the closing ']'"),
      ("{\"a\": 1,}", 1, 9, "comma before the closing '}'"),
      ("{a: 1}", 1, 2, "expected a key in double quotes"),
      ("{\"a\" 1}", 1, 6, "expected ':' after the key \"a\""),
      ("[1 2]", 1, 4, "expected ',' or ']'"),
      ("[\n  1,\n  NaN\n]", 3, 3, "expected a value but found 'N'"),
      ("'x'", 1, 1, "single quote"),
      ("01", 1, 1, "leading zero"),
      ("1.", 1, 3, "after the decimal point"),
      ("1e", 1, 3, "in the exponent"),
      ("-x", 1, 2, "after '-'"),
      ("1e999", 1, 1, "out of the range"),
      ("tru", 1, 1, "expected a value"),
      ("\"abc", 1, 1, "not closed"),
      ("\"a\tb\"", 1, 3, "unescaped control character U+0009"),
      (#""\x""#, 1, 2, "invalid escape '\\x'"),
      (#""\u12G4""#, 1, 6, "four hexadecimal digits"),
      (#""\uD800x""#, 1, 2, "without its low surrogate"),
      (#""\uDC00""#, 1, 2, "low surrogate"),
      ("é [1] x", 1, 1, "expected a value but found 'é'"),
      ("[1] x", 1, 5, "after the JSON value"),
      ("[1,\r\n 2]] ", 2, 4, "after the JSON value"),
      ("{\"k\": [1,\r\n 2]] ", 2, 4, "expected ',' or '}' in an object"),
    ] as [(String, Int, Int, String)])
  func syntaxErrors(text: String, line: Int, column: Int, message: String) throws {
    let error = try #require(throws: JSONParseError.self) { try JSONValue.parse(text) }
    #expect(error.line == line && error.column == column, "\(error)")
    #expect(error.message.contains(message), "\(error)")
    #expect(error.description.hasPrefix("\(line):\(column): error: "))
    #expect(error.located(in: "r.json").description.hasPrefix("r.json:\(line):\(column): error: "))
  }

  @Test("whitespace, byte-order mark and literals")
  func lenientBits() throws {
    #expect(try JSONValue.parse("\u{FEFF} \t\r\n [true,false,null] \n") == [true, false, nil])
  }

  @Test("deep nesting is refused rather than overflowing the stack")
  func depth() throws {
    let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
    let error = try #require(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    #expect(error.message.contains("nesting deeper than 512"))
    let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
    #expect(throws: Never.self) { try JSONValue.parse(ok) }
  }
}
