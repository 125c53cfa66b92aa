import Foundation
import LinearAlgebra
import Testing

@testable import DataIO

@Suite("Reading files")
struct TextFileTests {
  /// A fresh directory for one test, removed by the caller.
  func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "DataIOTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test("load reads a dataset file and reports errors against its path")
  func loadDataset() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = dir.appendingPathComponent("good.csv")
    try "x,y\n1,1\n2,-1\n".write(to: good, atomically: true, encoding: .utf8)
    let data = try LabeledDataset.load(path: good.path, kind: .classification)
    #expect(data.inputs == Matrix([[1], [2]]))
    let bad = dir.appendingPathComponent("bad.csv")
    try "x,y\n1,1\n2,3\n".write(to: bad, atomically: true, encoding: .utf8)
    let error = try dataFileError {
      _ = try LabeledDataset.load(path: bad.path, kind: .classification)
    }
    #expect(error.file == bad.path && error.line == 3 && error.column == 3)
    #expect(try LabeledDataset.load(path: bad.path, kind: .regression).targets == [1, 3])
  }

  @Test("a missing file and a directory")
  func missing() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("nope.csv").path
    let error = try dataFileError { _ = try LabeledDataset.load(path: missing, kind: .regression) }
    #expect(error.description.hasPrefix("\(missing): error: no such file\n  hint: check the path"))
    let directory = try dataFileError { _ = try TextFile.read(path: dir.path) }
    #expect(directory.message == "is a directory, not a file")
  }

  @Test("invalid UTF-8 is reported at the first bad byte")
  func invalidUTF8() throws {
    let bytes: [UInt8] = Array("x,y\n1,".utf8) + [0xE9] + Array(",1\n".utf8)
    let error = try dataFileError { _ = try TextFile.decodeUTF8(bytes, fileName: "latin1.csv") }
    #expect(error.line == 2 && error.column == 3)
    #expect(error.message == "the file is not valid UTF-8 text")
    #expect(try TextFile.decodeUTF8(Array("é,1".utf8), fileName: "ok.csv") == "é,1")
  }

  @Test("initialization and decomposition files load from disk")
  func loadOthers() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let initPath = dir.appendingPathComponent("init.csv")
    try "1,2\n3,4\n".write(to: initPath, atomically: true, encoding: .utf8)
    #expect(
      try InitializationFile.load(path: initPath.path, expectedLayers: 2, expectedWidth: 2) == [
        [1, 2], [3, 4],
      ])
    let decPath = dir.appendingPathComponent("d.json")
    try #"{"S": [[2]], "U": [[[1]], [[-1]]]}"#.write(to: decPath, atomically: true, encoding: .utf8)
    #expect(try DecompositionSpec.load(path: decPath.path).u.count == 2)
  }
}
