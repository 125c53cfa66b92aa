import Testing

@testable import DataIO

@Suite("Initialization files")
struct InitializationFileTests {
  @Test("one row per layer, header ignored")
  func layers() throws {
    let text = "v1,v2,v3\n0.1,0,-0.2\n0.3,0.1,0\n"
    let layers = try InitializationFile.layers(
      csv: text, fileName: "i.csv", expectedLayers: 2, expectedWidth: 3)
    #expect(layers == [[0.1, 0, -0.2], [0.3, 0.1, 0]])
    let inferred = try InitializationFile.layers(
      csv: text, fileName: "i.csv", expectedLayers: nil, expectedWidth: nil)
    #expect(inferred == layers)
  }

  @Test("an empty file and a header without rows")
  func empty() throws {
    let none = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "", fileName: "i.csv", expectedLayers: 2, expectedWidth: 2)
    }
    #expect(none.line == nil && none.message == "the file has no data")
    let headerOnly = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "a,b\n", fileName: "i.csv", expectedLayers: 2, expectedWidth: 2)
    }
    #expect(headerOnly.line == 1 && headerOnly.message.contains("no layer rows"))
  }

  @Test("too many and too few layer rows")
  func layerCount() throws {
    let tooMany = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "1,2\n3,4\n\n5,6\n", fileName: "i.csv", expectedLayers: 2, expectedWidth: 2)
    }
    #expect(
      tooMany.line == 4
        && tooMany.message.contains("has 3 layer rows, but the network has 2 layers"))
    let tooFew = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "1,2\n", fileName: "i.csv", expectedLayers: 3, expectedWidth: 2)
    }
    #expect(
      tooFew.line == 1
        && tooFew.message.contains("ends after 1 layer row, but the network has 3 layers"))
  }

  @Test("a row of the wrong width, against the network and against the first row")
  func width() throws {
    let short = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "1,2,3\n4,5\n", fileName: "i.csv", expectedLayers: 2, expectedWidth: 3)
    }
    #expect(short.line == 2 && short.column == 4)
    #expect(short.message.contains("layer 2 has 2 entries, expected 3 (the network's width)"))
    let long = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "1,2\n4,5,6\n", fileName: "i.csv", expectedLayers: nil, expectedWidth: nil)
    }
    #expect(long.line == 2 && long.column == 5)
    #expect(long.message.contains("expected 2 (the first row, line 1)"))
  }

  @Test("a bad entry names its layer and entry")
  func badEntry() throws {
    let error = try dataFileError {
      _ = try InitializationFile.layers(
        csv: "1,2\n4,NaN\n", fileName: "i.csv", expectedLayers: 2, expectedWidth: 2)
    }
    #expect(error.line == 2 && error.column == 3)
    #expect(error.message == "'NaN' is not a finite number (layer 2, entry 2)")
  }
}
