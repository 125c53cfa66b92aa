import LinearAlgebra
import Testing

@testable import DataIO

@Suite("Decomposition files")
struct DecompositionFileTests {
  static let valid = #"""
    {
      "S": [[1.0, 0.0], [0.0, 2]],
      "U": [ [[1, 0], [0, 1]], [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]] ]
    }
    """#

  func error(_ json: String) throws -> DataFileError {
    try dataFileError { _ = try DecompositionSpec.parse(json: json, fileName: "dec.json") }
  }

  @Test("a valid decomposition")
  func valid() throws {
    let spec = try DecompositionSpec.parse(json: Self.valid, fileName: "dec.json")
    #expect(spec.s == Matrix([[1, 0], [0, 2]]))
    #expect(spec.u == [Matrix.identity(2), Matrix([[0, 1], [1, 0], [0, 0]])])
  }

  @Test("a rotation written to 17 digits passes; one perturbed by 1e-6 fails with its deviation")
  func orthonormalityTolerance() throws {
    let c = 0.6
    let s = 0.8
    let rotation = #"{"S": [[1, 0], [0, 1]], "U": [[[\#(c), \#(-s)], [\#(s), \#(c)]]]}"#
    #expect(throws: Never.self) { try DecompositionSpec.parse(json: rotation, fileName: "r.json") }
    let perturbed = #"{"S": [[1, 0], [0, 1]], "U": [[[1.000001, 0], [0, 1]]]}"#
    let e = try error(perturbed)
    #expect(e.message.contains("the columns of U[0] (2×2) are not orthonormal"))
    #expect(e.message.contains("= 2.00000099"))
    #expect(e.message.contains("tolerance 1e-10·max(k, m) = 2e-10"))
    #expect(DecompositionSpec.orthonormalityTolerance(rows: 5, columns: 3) == 5e-10)
  }

  @Test("a JSON syntax error carries line and column")
  func syntax() throws {
    let e = try error("{\n  \"S\": [[1, 0],],\n  \"U\": []\n}")
    #expect(e.file == "dec.json" && e.line == 2 && e.column == 16)
    #expect(e.message.contains("comma before the closing ']'"))
  }

  @Test(
    "shape and key problems name the key path",
    arguments: [
      (#"[1]"#, "the document is an array"),
      (#"{"S": [[1]], "U": [[[1]]], "s": 1}"#, "unknown key \"s\""),
      (#"{"S": [[1]], "U": [[[1]]], "S": [[1]]}"#, "appears twice"),
      (#"{"U": [[[1]]]}"#, "missing key \"S\""),
      (#"{"S": [[1]]}"#, "missing key \"U\""),
      (#"{"S": 3, "U": [[[1]]]}"#, "S is a number, expected a matrix"),
      (#"{"S": [], "U": [[[1]]]}"#, "S is an empty matrix"),
      (#"{"S": [1, 2], "U": [[[1]]]}"#, "S[0] is a number, expected a row"),
      (#"{"S": [[]], "U": [[[1]]]}"#, "S[0] is an empty row"),
      (#"{"S": [[1, 2], [3]], "U": [[[1]]]}"#, "S[1] has 1 entries, but S[0] has 2"),
      (#"{"S": [[1, "2"]], "U": [[[1]]]}"#, "S[0][1] is a string, expected a number"),
      (#"{"S": [[1]], "U": {}}"#, "\"U\" is an object, expected an array of matrices"),
      (#"{"S": [[1]], "U": []}"#, "\"U\" is an empty array"),
      (
        #"{"S": [[1], [0]], "U": [[[1, 0], [0, 1]], [[1, 0]]]}"#,
        "U[1] is 1×2: fewer rows than columns"
      ),
      (
        #"{"S": [[1, 0]], "U": [[[1, 0]]]}"#,
        "U[0] is 1×2, but S is 1×2, so U[0] needs m = 1 columns"
      ),
      (#"{"S": [[1]], "U": [[[true]]]}"#, "U[0][0][0] is a boolean"),
    ])
  func shapeErrors(json: String, expected: String) throws {
    let e = try error(json)
    #expect(e.message.contains(expected), "\(e)")
    #expect(e.line == nil && e.file == "dec.json")
  }

  @Test("a wrongly-cased key gets a suggestion")
  func keyCase() throws {
    let e = try error(#"{"s": [[1]], "U": [[[1]]]}"#)
    #expect(e.hint.hasPrefix("did you mean \"S\"?"))
  }
}
