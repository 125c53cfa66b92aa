import Testing
@testable import DataIO

@Suite("Tensor files")
struct TensorFileTests {
  @Test("a valid tensor file reads its shape and slices")
  func valid() throws {
    let spec = try TensorSpec.parse(json: #"{"dimensions": [2, 2], "slices": [[1, 0, 0, 0], [0, 0, 0, 1.5]]}"#, fileName: "t.json")
    #expect(spec.dimensions == [2, 2] && spec.inputDimension == 2 && spec.slices[1] == [0, 0, 0, 1.5])
  }

  @Test("errors say what is wrong, where, and how to fix it", arguments: [
    (#"{"dimensions": [2, 2], "slices": [[1, 0, 0]]}"#, "slices[0] has 3 numbers"),
    (#"{"dimensions": [2, 0], "slices": [[1]]}"#, "dimensions[1]"),
    (#"{"dims": [2], "slices": [[1, 2]]}"#, "unknown key \"dims\""),
    (#"{"dimensions": [2], "slices": [[1, "a"]]}"#, "slices[0][1]"),
    (#"{"dimensions": [2]}"#, "missing or empty \"slices\""),
    (#"[1, 2]"#, "expected an object"),
  ])
  func errors(json: String, expected: String) {
    do {
      _ = try TensorSpec.parse(json: json, fileName: "t.json")
      Issue.record("expected an error for \(json)")
    } catch {
      #expect(error.description.contains(expected), "\(error.description)")
      #expect(!error.hint.isEmpty)
    }
  }
}
