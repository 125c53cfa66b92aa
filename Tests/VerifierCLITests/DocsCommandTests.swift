import Foundation
import Testing
@testable import VerifierCLI

/// Every `swift run verify …` command written in the docs parses with the current options
/// and names a theorem that exists, and every relative link points to a file.
@Suite("Commands and links in the docs")
struct DocsCommandTests {
  static func documents() throws -> [(String, String)] {
    let root = GeneratedDocsTests.root
    let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Docs").path)
      .filter { $0.hasSuffix(".md") }.map { "Docs/" + $0 } + ["README.md"]
    return try docs.sorted().map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
  }

  /// How the docs invoke the tool: `swift run verify`, and in scripts that build once
  /// (Docs/Cluster.md) `swift run -c release verify` and `.build/release/verify`.
  static let invocations = ["swift run verify", "swift run -c release verify", ".build/release/verify"]

  /// "swift run verify --theorem 2 --depth 3" up to the closing backtick or end of line.
  static func commands(in text: String) -> [String] {
    var out: [String] = []
    for line in text.components(separatedBy: "\n") {
      var rest = Substring(line)
      while let r = invocations.compactMap({ rest.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
        let tail = rest[r.upperBound...]
        let end = tail.firstIndex { $0 == "`" } ?? tail.endIndex
        out.append(String(tail[..<end]).trimmingCharacters(in: .whitespaces))
        rest = tail[end...]
      }
    }
    return out
  }

  @Test("documented commands parse and name existing theorems")
  func commandsParse() throws {
    var checked = 0
    for (file, text) in try Self.documents() {
      for command in Self.commands(in: text) {
        // Placeholders like [--depth D] or N are documentation syntax, not arguments.
        if command.contains("[") || command.contains("…") || command.contains("|") { continue }
        // A shell comment (# …) or a redirection (> FILE) ends the arguments.
        let words = command.split(separator: " ").map(String.init)
        let args = Array(words.prefix { !$0.hasPrefix("#") && !$0.hasPrefix(">") })
        // Placeholders: N, FILE, NAME, P, α, …: a value that is all capitals or one non-ASCII letter.
        if args.contains(where: { a in !a.hasPrefix("-") && (a.allSatisfy { $0.isUppercase } || (a.count == 1 && !a.first!.isASCII)) }) {
          continue
        }
        do {
          // `verify merge FILE… [--json]` has options of its own, and needs its files.
          if args.first == "merge" {
            let parsed = try parseArguments(Array(args.dropFirst()), specs: VerifierCommand.mergeSpecs)
            #expect(!parsed.positionals.isEmpty, "\(file): `verify \(command)` names no shard files")
            checked += 1
            continue
          }
          // `verify bench [options]` likewise (Docs/Performance.md).
          if args.first == "bench" {
            let parsed = try parseArguments(Array(args.dropFirst()), specs: BenchCommand.specs)
            #expect(parsed.positionals.isEmpty, "\(file): `verify \(command)` has stray arguments")
            checked += 1
            continue
          }
          let parsed = try parseArguments(args, specs: VerifierCommand.specs)
          if let theorem = parsed.value("theorem") {
            #expect(VerifierCommand.statement(of: theorem) != nil, "\(file): unknown theorem in `verify \(command)`")
          }
          checked += 1
        } catch {
          Issue.record("\(file): `swift run verify \(command)` does not parse: \(error)")
        }
      }
    }
    #expect(checked >= 20, "only \(checked) documented commands found")
  }

  @Test("relative links point to existing files")
  func links() throws {
    let root = GeneratedDocsTests.root
    var checked = 0
    for (file, text) in try Self.documents() {
      var rest = Substring(text)
      while let open = rest.range(of: "](") {
        let tail = rest[open.upperBound...]
        guard let close = tail.firstIndex(of: ")") else { break }
        let target = String(tail[..<close])
        rest = tail[close...]
        if target.hasPrefix("http") || target.hasPrefix("#") || target.isEmpty { continue }
        let base = (file as NSString).deletingLastPathComponent
        let path = root.appendingPathComponent(base).appendingPathComponent(target.components(separatedBy: "#")[0]).path
        #expect(FileManager.default.fileExists(atPath: path), "\(file): broken link \(target)")
        checked += 1
      }
    }
    #expect(checked >= 6, "only \(checked) relative links found")
  }
}
