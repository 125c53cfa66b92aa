import Foundation
import Testing
@testable import VerifierCLI

/// The docs' statements are rendered from the theorems' expressions: every block marked
/// `<!-- generated: verify ARGS -->` followed by a ```text fence must equal what
/// `verify ARGS` prints now. `scripts/update-generated-docs` rewrites them.
@Suite("Generated blocks of the docs")
struct GeneratedDocsTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  struct Block: CustomStringConvertible {
    var file: String
    var line: Int
    var arguments: [String]
    var content: String
    var description: String { "\(file):\(line) verify \(arguments.joined(separator: " "))" }
  }

  static func blocks() throws -> [Block] {
    let docs = root.appendingPathComponent("Docs")
    let files = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
      .map { "Docs/" + $0 } + ["README.md"]
    var out: [Block] = []
    for file in files.sorted() {
      let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        .components(separatedBy: "\n")
      var k = 0
      while k < lines.count {
        let line = lines[k]
        if let r = line.range(of: "<!-- generated: verify "), let end = line.range(of: " -->", range: r.upperBound..<line.endIndex) {
          let args = line[r.upperBound..<end.lowerBound].split(separator: " ").map(String.init)
          var body: [String] = []
          var j = k + 2
          while j < lines.count && lines[j] != "```" { body.append(lines[j]); j += 1 }
          out.append(Block(file: file, line: k + 1, arguments: args, content: body.joined(separator: "\n")))
          k = j
        }
        k += 1
      }
    }
    return out
  }

  @Test("the docs contain generated statement blocks")
  func present() throws {
    let blocks = try Self.blocks()
    for theorem in ["1", "2", "3", "4", "5", "woodworth2020", "azulay2021", "soudry2018", "gunasekar2018"] {
      #expect(blocks.contains { $0.arguments == ["--theorem", theorem, "--statement"] },
              "no generated statement block for theorem \(theorem)")
    }
  }

  @Test("each generated block equals the command's output now")
  func upToDate() throws {
    for block in try Self.blocks() {
      var out = ""
      let code = VerifierCommand.run(block.arguments, output: { out += $0 + "\n" }, errors: { _ in })
      #expect(code == 0, "\(block): exit \(code)")
      let expected = out.trimmingCharacters(in: .newlines)
      #expect(block.content == expected,
              "\(block) is out of date: run scripts/update-generated-docs\n--- doc ---\n\(block.content)\n--- now ---\n\(expected)")
    }
  }
}
