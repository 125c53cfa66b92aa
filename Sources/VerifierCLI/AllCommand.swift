import DataIO
import Theorems

/// `verify --all`: every theorem's default sweep, one verdict line each, and the worst verdict
/// as the exit code (refuted 1, then inconclusive or hypothesis not met 2, else 0).
extension VerifierCommand {
  /// The theorems in the order `--all` and `--list` show them.
  static let allTheorems = ["1", "2", "3", "4", "5", "woodworth2020", "azulay2021", "soudry2018", "gunasekar2018"]

  /// Options `--all` passes on to every theorem (the others are theorem-specific).
  static let sharedOptions = ["seed", "cases"]

  static func runAll(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void) throws -> Int32 {
    for name in args.values.keys.sorted() where !sharedOptions.contains(name) && name != "baseline" {
      throw UsageError(message: "--\(name) cannot be combined with --all",
                       hint: "--all runs every theorem's default sweep; it passes on only --seed and --cases")
    }
    for name in args.flags.sorted() where !["all", "json", "update-baseline"].contains(name) {
      throw UsageError(message: "--\(name) cannot be combined with --all", hint: "--all takes --json, --seed, --cases and --baseline")
    }
    if args.flag("update-baseline") && args.value("baseline") == nil {
      throw UsageError(message: "--update-baseline needs --baseline FILE", hint: "e.g. --baseline Baselines/all-cases2.json")
    }
    var passOn: [String] = []
    for name in sharedOptions { if let v = args.value(name) { passOn += ["--\(name)", v] } }
    var rows: [(theorem: String, verdict: String, reason: String, json: JSONValue?)] = []
    var worst: Int32 = 0
    for theorem in allTheorems {
      var text = ""
      var problems = ""
      let code = run(["--theorem", theorem, "--json"] + passOn, output: { text += $0 }, errors: { problems += $0 })
      guard code == 0 || code == 1 || code == 2, let object = try? JSONValue.parse(text) else {
        rows.append((theorem, "error", problems.isEmpty ? "exit \(code)" : problems, nil))
        worst = max(worst, 2)
        continue
      }
      rows.append((theorem, object["verdict"]?.stringValue ?? "?", object["reason"]?.stringValue ?? "", object))
      worst = worse(worst, code)
    }
    let verdict = worst == 0 ? "holds" : worst == 1 ? "refuted" : "inconclusive"
    let document = JSONValue.object([
      ("verdict", .string(verdict)),
      ("theorems", .array(rows.map { r in r.json ?? .object([("theorem", .string(r.theorem)), ("verdict", .string(r.verdict)),
                                                                ("reason", .string(r.reason))]) })),
    ]).serialized(pretty: true)
    if let path = args.value("baseline") {
      return try checkBaseline(document, path: path, update: args.flag("update-baseline"), output: output, errors: errors)
    }
    if args.flag("json") {
      output(document)
    } else {
      var out = "| theorem | verdict | evidence |\n|---|---|---|\n"
      for r in rows { out += "| \(r.theorem) | \(r.verdict) | \(r.reason) |\n" }
      out += "\nWorst verdict: \(verdict.uppercased()) (exit \(worst))"
      output(out)
    }
    return worst
  }

  /// The worse of two exit codes: refuted (1) over inconclusive (2) over holds (0).
  static func worse(_ a: Int32, _ b: Int32) -> Int32 {
    if a == 1 || b == 1 { return 1 }
    return max(a, b)
  }
}
