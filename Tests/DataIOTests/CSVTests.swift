import Testing

@testable import DataIO

@Suite("CSV parsing")
struct CSVTests {
  @Test("LF and CRLF give the same table, with line numbers and field columns")
  func lineEndings() throws {
    let lf = try CSVTable.parse("x,y\n1,2\n3,4\n", fileName: "a.csv")
    let crlf = try CSVTable.parse("x,y\r\n1,2\r\n3,4\r\n", fileName: "a.csv")
    let cr = try CSVTable.parse("x,y\r1,2\r3,4", fileName: "a.csv")
    #expect(lf == crlf)
    #expect(lf == cr)
    #expect(lf.header == ["x", "y"])
    #expect(lf.headerLine == 1)
    #expect(lf.rows == [["1", "2"], ["3", "4"]])
    #expect(lf.lineNumbers == [2, 3])
    #expect(
      lf.fieldPositions[1] == [TextPosition(line: 3, column: 1), TextPosition(line: 3, column: 3)])
    #expect(lf.rowEnds[0] == TextPosition(line: 2, column: 4))
  }

  @Test("no trailing newline, blank lines skipped but counted, byte-order mark ignored")
  func blankLinesAndBOM() throws {
    let table = try CSVTable.parse("\u{FEFF}1,2\n\n  \t\n3,4\n\n", fileName: "a.csv")
    #expect(table.header == nil)
    #expect(table.rows == [["1", "2"], ["3", "4"]])
    #expect(table.lineNumbers == [1, 4])
    #expect(table.fieldPositions[0][0] == TextPosition(line: 1, column: 1))
    let noNewline = try CSVTable.parse("1,2\n3,4", fileName: "a.csv")
    #expect(noNewline.rows == table.rows)
  }

  @Test("quoted fields: commas, doubled quotes, line breaks, spaces around quotes")
  func quotedFields() throws {
    let text = "name,\"note\"\n\"a,b\",\"say \"\"hi\"\"\"\n \"two\nlines\" ,x\n3,4\n"
    let table = try CSVTable.parse(text, fileName: "q.csv")
    #expect(table.header == ["name", "note"])
    #expect(table.rows == [["a,b", "say \"hi\""], ["two\nlines", "x"], ["3", "4"]])
    #expect(table.lineNumbers == [2, 3, 5])
    #expect(table.fieldPositions[1][0] == TextPosition(line: 3, column: 2))
    #expect(table.fieldPositions[1][1] == TextPosition(line: 4, column: 9))
  }

  @Test("unquoted fields keep their spaces; empty and trailing fields are kept")
  func verbatimFields() throws {
    let table = try CSVTable.parse(" 1 ,,3,\n", fileName: "a.csv")
    #expect(table.rows == [[" 1 ", "", "3", ""]])
    #expect(table.fieldPositions[0].map(\.column) == [2, 5, 6, 8])
  }

  @Test(
    "header iff some field is not a number",
    arguments: [
      ("x1,x2,y", true), ("1,2,-1", false), ("1.5, -2e3 ,+1", false), ("a,1,2", true),
      ("1,,2", false), ("nan,inf,0x1p3", false), ("\"1\",2", false), ("\"x\",2", true),
    ])
  func headerDetection(firstLine: String, isHeader: Bool) throws {
    let table = try CSVTable.parse(firstLine + "\n1,2,3\n", fileName: "h.csv")
    #expect((table.header != nil) == isHeader)
    #expect(table.rows.count == (isHeader ? 1 : 2))
  }

  @Test("header names are trimmed")
  func headerTrimmed() throws {
    #expect(try CSVTable.parse(" x1 ,\ty\n1,2", fileName: "a.csv").header == ["x1", "y"])
  }

  @Test("an unterminated quote is reported at the opening quote")
  func unterminatedQuote() throws {
    let error = try #require(throws: DataFileError.self) {
      try CSVTable.parse("1,2\n3,\"4\n5,6\n", fileName: "u.csv")
    }
    #expect(error.file == "u.csv" && error.line == 2 && error.column == 3)
    #expect(error.message.contains("not closed"))
    #expect(error.description.hasPrefix("u.csv:2:3: error: a quoted field is not closed"))
    #expect(error.description.contains("\n  hint: "))
  }

  @Test("a quote inside an unquoted field is reported where it is")
  func strayQuote() throws {
    let error = try #require(throws: DataFileError.self) {
      try CSVTable.parse("1,2\r\n3,ab\"c\r\n", fileName: "s.csv")
    }
    #expect(error.line == 2 && error.column == 5)
    #expect(error.message == "a double quote inside an unquoted field")
  }

  @Test("text after a closing quote is reported where it starts")
  func textAfterQuote() throws {
    let error = try #require(throws: DataFileError.self) {
      try CSVTable.parse("\"ab\" x,1\n", fileName: "t.csv")
    }
    #expect(error.line == 1 && error.column == 6)
    #expect(error.message.contains("'x' after the closing quote"))
  }

  @Test("an empty or blank text gives an empty table")
  func emptyText() throws {
    for text in ["", "\n\n", "\u{FEFF}", " \r\n\t"] {
      let table = try CSVTable.parse(text, fileName: "e.csv")
      #expect(table.header == nil && table.rows.isEmpty, "text \(text.debugDescription)")
    }
  }
}

@Suite("Error descriptions")
struct DataFileErrorTests {
  @Test("file:line:column, file:line and file alone")
  func formats() {
    let full = DataFileError(
      file: "data.csv", line: 3, column: 2, message: "'abc' is not a number", hint: "fix it")
    #expect(full.description == "data.csv:3:2: error: 'abc' is not a number\n  hint: fix it")
    let lineOnly = DataFileError(file: "data.csv", line: 3, message: "m", hint: "h")
    #expect(lineOnly.description == "data.csv:3: error: m\n  hint: h")
    let fileOnly = DataFileError(file: "data.csv", message: "m", hint: "h")
    #expect(fileOnly.description == "data.csv: error: m\n  hint: h")
  }
}
