import LinearAlgebra
import Testing

@testable import DataIO

/// The error thrown by `body`, which must throw a `DataFileError`.
func dataFileError(_ body: () throws -> Void) throws -> DataFileError {
  try #require(throws: DataFileError.self) { try body() }
}

@Suite("Datasets")
struct DatasetTests {
  @Test("a classification file with a header")
  func classificationWithHeader() throws {
    let text = "a,b,label\n1, 2 ,1\r\n-0.5,3e-1,-1.0\n"
    let data = try LabeledDataset.classification(csv: text, fileName: "d.csv")
    #expect(data.inputs == Matrix([[1, 2], [-0.5, 0.3]]))
    #expect(data.targets == [1, -1])
    #expect(data.featureNames == ["a", "b"])
    #expect(data.count == 2 && data.dimension == 2)
  }

  @Test("without a header features are named x1 … xd; one label class only is fine")
  func classificationWithoutHeader() throws {
    let data = try LabeledDataset.classification(csv: "1,2,3,+1\n4,5,6,1.000\n", fileName: "d.csv")
    #expect(data.featureNames == ["x1", "x2", "x3"])
    #expect(data.targets == [1, 1])
  }

  @Test("regression accepts real targets")
  func regression() throws {
    let data = try LabeledDataset.regression(csv: "x,t\n1,0.25\n2,-7\n", fileName: "r.csv")
    #expect(data.inputs == Matrix([[1], [2]]))
    #expect(data.targets == [0.25, -7])
  }

  @Test("an empty file")
  func empty() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: "\n \n", fileName: "e.csv")
    }
    #expect(error == DataFileError(file: "e.csv", message: error.message, hint: error.hint))
    #expect(error.message == "the file has no data")
  }

  @Test("a header without rows")
  func headerOnly() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.regression(csv: "\nx1,y\n", fileName: "h.csv")
    }
    #expect(error.line == 2 && error.column == nil)
    #expect(error.message == "the file has a header but no data rows")
  }

  @Test("a single column leaves no feature")
  func noFeature() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: "1\n-1\n", fileName: "o.csv")
    }
    #expect(error.line == 1)
    #expect(error.message.contains("has 1 column"))
  }

  @Test("a first line mixing names and numbers is refused, not taken as a header")
  func mixedHeader() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: "1,abc,1\n2,3,-1\n", fileName: "m.csv")
    }
    #expect(error.line == 1)
    #expect(error.message.contains("'abc'") && error.message.contains("'1'"))
  }

  @Test("a row with a missing field is reported at the end of the row, with the expected count")
  func missingField() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: "x1,x2,y\n1,2,1\n3,-1\n", fileName: "m.csv")
    }
    #expect(error.line == 3 && error.column == 5)
    #expect(error.message.contains("row has 2 fields, expected 3"))
    #expect(error.message.contains("header on line 1"))
  }

  @Test("a row with an extra field is reported at the first extra field")
  func extraField() throws {
    let error = try dataFileError {
      _ = try LabeledDataset.regression(csv: "1,2,1\n3,4,5,6\n", fileName: "x.csv")
    }
    #expect(error.line == 2 && error.column == 7)
    #expect(error.message.contains("row has 4 fields, expected 3"))
    #expect(error.message.contains("first row, line 1"))
  }

  @Test(
    "a bad number is reported at its field",
    arguments: [
      ("abc", "is not a number"), ("1,5", "expected 3"), ("", "missing value"),
      ("nan", "not a finite number"),
      ("-Infinity", "not a finite number"), ("inf", "not a finite number"),
      ("0x1p3", "hexadecimal"),
      ("1e400", "out of the range"), ("1.2.3", "is not a number"), ("1;2", "not semicolons"),
    ])
  func badNumber(field: String, expected: String) throws {
    let text = "x1,x2,y\n1,2,1\n3,\(field),-1\n"
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: text, fileName: "data.csv")
    }
    #expect(error.file == "data.csv" && error.line == 3)
    #expect(error.column == (expected == "expected 3" ? 7 : 3))
    #expect(error.message.contains(expected) || error.hint.contains(expected), "\(error)")
    if expected != "expected 3" { #expect(error.message.contains("field 2, 'x2'")) }
  }

  @Test("quoted numbers and surrounding spaces are accepted")
  func quotedNumbers() throws {
    let data = try LabeledDataset.regression(csv: "\" 1.5\", 2 ,\"-3\"\n", fileName: "q.csv")
    #expect(data.inputs == Matrix([[1.5, 2]]))
    #expect(data.targets == [-3])
  }

  @Test(
    "a label other than ±1 is reported at the label",
    arguments: ["0", "2", "0.5", "-1.0001", "true"])
  func badLabel(label: String) throws {
    let text = "x1,y\n1,1\n2,\(label)\n"
    let error = try dataFileError {
      _ = try LabeledDataset.classification(csv: text, fileName: "l.csv")
    }
    #expect(error.line == 3 && error.column == 3)
    if label == "true" {
      #expect(error.message.contains("is not a number"))
    } else {
      #expect(error.message.contains("label '\(label)' is neither +1 nor -1"))
    }
  }

  @Test("the same labels are fine for regression")
  func labelsAsTargets() throws {
    #expect(
      try LabeledDataset.regression(csv: "1,0\n2,0.5\n", fileName: "r.csv").targets == [0, 0.5])
  }
}
