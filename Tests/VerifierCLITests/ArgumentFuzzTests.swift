import Foundation
import PropertyChecking
import Testing

@testable import VerifierCLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hostile command lines (issue 8, item 1, the argument half): seeded argument vectors built
/// from `VerifierCommand.specs` — unknown, misspelt and duplicated options, missing values,
/// wrong types, out-of-range and non-finite numbers, conflicting options, missing and
/// malformed files, empty strings, Unicode look-alikes. Every vector must parse (exit 0) or
/// end in exit 64 (usage) or 65 (data) with an error that says what is wrong, where (the
/// option, the theorem or the file) and how to fix it (a hint) — never a trap, another
/// exit code or a stack trace.
///
/// `ARGUMENT_FUZZ_CASES=N` changes the 10 000 validate-only cases (run through
/// ``RunContext/validateOnly``: arguments, files and cases are checked, no flow runs);
/// `ARGUMENT_FUZZ_END_TO_END=N` the 48 vectors that run for real under tiny budgets;
/// `ARGUMENT_FUZZ_SEED=N` draws other vectors; `ARGUMENT_FUZZ_VERBOSE=1` prints every vector
/// before it runs (to find one that traps: a trap ends the process before shrinking).
/// Measured: 100 000 validate-only vectors in 31 s and 3 000 end-to-end vectors in 204 s
/// (debug build, two shared cores), all clean.
@Suite("Hostile command lines: verify never traps")
struct ArgumentFuzzTests {
  static func environment(_ name: String) -> Int? {
    guard let raw = getenv(name), let n = Int(String(cString: raw)), n > 0 else { return nil }
    return n
  }
  static var validateCases: Int { environment("ARGUMENT_FUZZ_CASES") ?? 10_000 }
  static var endToEndCases: Int { environment("ARGUMENT_FUZZ_END_TO_END") ?? 48 }
  static var verbose: Bool { environment("ARGUMENT_FUZZ_VERBOSE") != nil }
  static var seed: UInt64? { environment("ARGUMENT_FUZZ_SEED").map(UInt64.init) }

  // MARK: - Files

  /// Small input files, valid and hostile, written once per process.
  static let files: [String: String] = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-argument-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let contents: [(String, String)] = [
      ("classification.csv", "x1,x2,y\n1,0.2,1\n0.9,-0.4,1\n-1,0.1,-1\n-0.8,-0.5,-1\n"),
      ("regression.csv", "1,0,2,0.5,1.5\n0,1,1,-1,2\n"),
      ("huge.csv", "x1,x2,y\n1e300,2e300,1\n-1e300,5e299,-1\n"),
      ("tiny.csv", "x1,x2,y\n1e-300,2e-300,1\n-1e-300,5e-301,-1\n"),
      ("labels.csv", "1,2,3\n4,5,0\n"),
      ("empty.csv", ""),
      ("header.csv", "x1,x2,y\n"),
      ("nan.csv", "1,NaN,1\n2,3,-1\n"),
      ("ragged.csv", "1,2,1\n3,-1\n"),
      ("crlf.csv", "1,0.5,1\r\n-1,0.2,-1\r\n"),
      ("init.csv", "0.1,-0.2\n0.3,0.1\n"),
      ("decomposition.json", "{\"S\": [[0.6, -0.8], [0.8, 0.6]], \"U\": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}"),
      ("bad.json", "{\"S\": [[1, 0], [0, 1]], \"U\": [[[1, 1], [0, 1]]]}"),
      ("tensor.json", "{\"dimensions\": [2, 2], \"slices\": [[1, 0, 0, 1], [0, 1, 1, 0]]}"),
      ("garbage.json", "{\"dimensions\": [2, "),
      ("latin1.csv", "1,2,1\n\u{FFFD}\u{00E9},3,-1\n"),
    ]
    var paths: [String: String] = [:]
    for (name, text) in contents {
      let url = dir.appendingPathComponent(name)
      try? text.write(to: url, atomically: true, encoding: .utf8)
      paths[name] = url.path
    }
    paths["directory"] = dir.path
    return paths
  }()

  // MARK: - Pieces of command lines

  static let theorems = ["1", "2", "3", "4", "5", "woodworth2020", "azulay2021", "gunasekar2018", "soudry2018"]
  static let badTheorems = ["0", "6", "", "２", "woodworth", "1.0", "theorem2", "SOUDRY2018", "2 "]
  static let integers = ["0", "1", "2", "3", "4", "6", "12", "13", "100", "1000", "10000", "10001", "-1", "-0", "+3", "1e3",
                         "1.5", "9007199254740991", "9007199254740992", "18446744073709551616", "0x10", "٣", "abc", " 2",
                         "1000000000", "1000000001"]
  static let reals = ["0.1", "0.5", "1", "2", "10", "100", "1e4", "1e10", "1e11", "0", "-0.5", "-1", "1e-300", "1e300",
                      "5e-324", "1e400", "NaN", "nan", "inf", "-inf", "Infinity", "0x1p3", "1_000", "1,5", "1e", ".",
                      "−1", "0.05", "1000", "1e6", "1000001", "0.001"]
  static let words = ["diagonal", "conv", "odn", "fc", "exponential", "logistic", "uniform", "random", "l1", "l2",
                      "Diagonal", "diag", "none", "ℓ1", "l3"]
  static let widths = ["3", "3,2", "2,2", "4,3,2", "0", "65", "64", "1,,2", "a", "-1", "3, 2", "3;2", "1,2,3,4,5,6,7",
                       "64,64"]
  static let junk = ["", " ", "--", "-", "-1", "—theorem", "－－depth", "--théorem", "--depht", "--theorem=", "---all",
                     "-x", "--no-such-option", "🙂", "\u{0}", "--json=1", "--help=yes", "garbage"]

  /// The option names of the command, from its specs (values and flags).
  static let valueOptions = VerifierCommand.specs.filter { $0.kind == .value }.map(\.name)
  static let flagOptions = VerifierCommand.specs.filter { $0.kind == .flag }.map(\.name)

  /// A value for `--name`: mostly of the right kind, sometimes hostile.
  static func value(for name: String, _ rng: inout SeededGenerator) -> String {
    func pick(_ a: [String]) -> String { a[rng.integer(in: 0...(a.count - 1))] }
    if rng.integer(in: 0...14) == 0 { return pick(junk + reals + integers) }
    switch name {
    case "theorem": return rng.integer(in: 0...5) == 0 ? pick(badTheorems) : pick(theorems)
    case "depth", "seed", "cases", "against-depth", "max-steps": return pick(integers)
    case "init-scale", "horizon", "against-norm", "scale", "init-shape", "max-seconds": return pick(reals)
    case "network", "loss", "shape", "against": return pick(words)
    case "widths": return pick(widths)
    case "data", "init":
      return files[pick(["classification.csv", "regression.csv", "huge.csv", "tiny.csv", "labels.csv", "empty.csv",
                         "header.csv", "nan.csv", "ragged.csv", "crlf.csv", "init.csv", "latin1.csv", "directory"])]
        ?? "/nonexistent/data.csv"
    case "decomposition", "tensor":
      return rng.integer(in: 0...4) == 0 ? "/nonexistent/x.json"
        : files[pick(["decomposition.json", "bad.json", "tensor.json", "garbage.json", "empty.csv"])]!
    case "plot": return pick([files["directory"]!, "/proc/verify-fuzz/plots", files["empty.csv"]!])
    case "baseline": return pick(["/nonexistent/baseline.json", files["garbage.json"]!, files["empty.csv"]!])
    default: return pick(junk)
    }
  }

  /// A random argument vector: a mode, a handful of options (right and wrong), and mutations.
  static let generator = Generator<[String]>(
    generate: { rng, _ in
      func pick(_ a: [String]) -> String { a[rng.integer(in: 0...(a.count - 1))] }
      var args: [String] = []
      switch rng.integer(in: 0...19) {
      case 0: args = ["--all"]
      case 1: args = [pick(["--help", "-h", "--version", "--list"])]
      case 2: args = []
      default: args = ["--theorem", rng.integer(in: 0...9) == 0 ? pick(badTheorems) : pick(theorems)]
      }
      var names = (0..<rng.integer(in: 0...4)).map { _ in
        rng.integer(in: 0...3) == 0 ? pick(flagOptions) : pick(valueOptions.filter { $0 != "theorem" })
      }
      // A file option in a quarter of the vectors, so that the readers are reached.
      if rng.integer(in: 0...3) == 0 { names.append(pick(["data", "init", "decomposition", "tensor"])) }
      if rng.integer(in: 0...49) == 0 { names.append("theorem") }
      for name in names {
        if flagOptions.contains(name) {
          args.append(rng.integer(in: 0...19) == 0 ? "--\(name)=\(pick(words))" : "--\(name)")
          continue
        }
        let v = value(for: name, &rng)
        switch rng.integer(in: 0...19) {
        case 0: args.append("--\(name)=\(v)")
        case 1: args.append("--\(name)")  // value missing (or taken from the next option)
        default: args += ["--\(name)", v]
        }
      }
      // Mutations: duplicate an option, insert junk, drop the last token.
      if rng.integer(in: 0...15) == 0, let k = args.indices.filter({ args[$0].hasPrefix("--") }).randomElement(using: &rng) {
        args += args[k..<min(k + 2, args.count)]
      }
      if rng.integer(in: 0...11) == 0 { args.insert(pick(junk), at: rng.integer(in: 0...args.count)) }
      if rng.integer(in: 0...19) == 0, !args.isEmpty { args.removeLast() }
      return args
    },
    shrink: { Shrink.removingElements(from: $0) })

  // MARK: - The property

  /// The outcome of one command line: exit 0, or 64/65 with what, where and a hint.
  static func judge(_ args: [String], validateOnly: Bool, allowVerdicts: Bool = false) -> PropertyResult {
    if verbose { print("verify", args.map { "'\($0)'" }.joined(separator: " ")) }
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" },
                                   deadline: nil, validateOnly: validateOnly)
    switch code {
    case 0:
      return .pass
    case 1, 2:
      guard allowVerdicts else { return .fail("exit \(code) from a validate-only run: \(err.prefix(300))") }
      return out.contains("Verdict:") || out.contains("\"verdict\"") ? .pass
        : .fail("exit \(code) without a verdict: \(out.prefix(300))")
    case UsageError.exitCode, 65:
      let lines = err.split(separator: "\n", omittingEmptySubsequences: true)
      guard let first = lines.first, first.contains("error: "), first.count > "error: ".count + 3 else {
        return .fail("exit \(code) without an 'error:' line: \(err)")
      }
      guard let hint = lines.first(where: { $0.contains("hint: ") }), hint.count > "  hint: ".count + 3 else {
        return .fail("exit \(code) without a hint: \(err)")
      }
      // Where: a usage error names an option, an argument or the theorem; a data error
      // starts with the file as given.
      if code == 65 {
        let given = args + args.compactMap { a in a.firstIndex(of: "=").map { String(a[a.index(after: $0)...]) } }
        let named = given.contains { !$0.isEmpty && first.hasPrefix($0) } || first.contains("/")
        return named ? .pass : .fail("exit 65 without the file's name: \(err)")
      }
      let located = first.contains("--") || first.contains("theorem") || first.contains("argument")
        || (first.contains("option") && hint.contains("--"))
      return located ? .pass : .fail("exit 64 without naming the option: \(err)")
    default:
      return .fail("exit \(code): \(err.prefix(400))")
    }
  }

  @Test("10 000 seeded command lines, parsed and validated without running flows: exit 0, 64 or 65 with a hint")
  func validateOnly() {
    let outcome = checkProperty("verify arguments", seed: Self.seed ?? 0xA46_F022, cases: Self.validateCases, size: 1...8,
                                generator: Self.generator, maxShrinkSteps: 100) { args in
      Self.judge(args, validateOnly: true)
    }
    #expect(outcome.passed, "\(outcome)")
  }

  /// Command lines that run for real, bounded by tiny budgets: a verdict (exit 0, 1, 2) or
  /// a usage/data error — and never longer than the budget by much.
  static let endToEndGenerator = Generator<[String]>(
    generate: { rng, size in
      // The generated options, less those that would make the run long (--all runs nine
      // theorems; the budget and the case count are set below) and --update-baseline.
      let long = ["all", "max-seconds", "max-steps", "cases", "horizon", "update-baseline", "theorem"]
      let drawn = generator.generate(&rng, size)
      var args = ["--theorem", theorems[rng.integer(in: 0...(theorems.count - 1))]]
      var k = 0
      while k < drawn.count {
        let token = drawn[k]
        let name = token.hasPrefix("--") ? String(token.dropFirst(2).prefix { $0 != "=" }) : nil
        if let name, long.contains(name) || ["help", "version", "list"].contains(name) {
          k += token.contains("=") || k + 1 >= drawn.count || drawn[k + 1].hasPrefix("--") ? 1 : 2
          continue
        }
        args.append(token)
        k += 1
      }
      args += ["--max-seconds", "1", "--cases", "1", "--no-shrink"]
      if rng.integer(in: 0...1) == 0 { args += ["--horizon", "100"] }
      return args
    },
    shrink: { Shrink.removingElements(from: $0) })

  @Test("48 command lines run end to end under --max-seconds 1: a verdict or a usage/data error")
  func endToEnd() {
    let outcome = checkProperty("verify end to end", seed: Self.seed ?? 0xE2E_F022, cases: Self.endToEndCases, size: 1...8,
                                generator: Self.endToEndGenerator, maxShrinkSteps: 10) { args in
      Self.judge(args, validateOnly: false, allowVerdicts: true)
    }
    #expect(outcome.passed, "\(outcome)")
  }

  @Test("the hostile vectors that once trapped or slipped through now end cleanly")
  func regressions() {
    let cases: [[String]] = [
      // Conv filters longer than the drawn dimension (precondition in TensorNetwork).
      ["--theorem", "1", "--network", "conv", "--depth", "2", "--widths", "64,64", "--cases", "1", "--max-seconds", "1"],
      // Stray positional arguments were ignored.
      ["--theorem", "2", "--depth", "2", "3"],
      // A shared option some theorems reject: exit 64 before anything runs, not an error row.
      ["--all", "--cases", "5000"],
    ]
    for args in cases {
      let r = Self.judge(args, validateOnly: false, allowVerdicts: true)
      #expect(r == .pass, "\(args): \(r)")
    }
    var err = ""
    let code = VerifierCommand.run(["--theorem", "2", "--depth", "2", "3"], output: { _ in }, errors: { err += $0 })
    #expect(code == 64 && err.contains("unexpected argument '3'"), "\(err)")
    #expect(VerifierCommand.run(["--all", "--cases", "5000"], output: { _ in }, errors: { _ in }) == 64)
  }
}
