import DataIO
import Theorems

/// `verify --all`: every theorem's default sweep, one verdict line each, and the worst verdict
/// as the exit code (refuted 1, then inconclusive or hypothesis not met 2, else 0).
extension VerifierCommand {
  /// The theorems in the order `--all` and `--list` show them.
  static let allTheorems = ["1", "2", "3", "4", "5", "woodworth2020", "azulay2021", "soudry2018", "gunasekar2018"]

  /// Options `--all` passes on to every theorem (the others are theorem-specific). `--threads`
  /// needs no passing on: the limit is bound for the whole run (`Parallelism.threadLimit`).
  static let sharedOptions = ["seed", "cases", "shard", "max-seconds", "max-steps"]

  static func runAll(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void,
                     context: RunContext = RunContext()) throws -> Int32 {
    for name in args.values.keys.sorted() where !sharedOptions.contains(name) && !["baseline", "threads"].contains(name) {
      throw UsageError(message: "--\(name) cannot be combined with --all",
                       hint: "--all runs every theorem's default sweep; it passes on only --seed, --cases, --shard, --max-seconds and --max-steps")
    }
    for name in args.flags.sorted() where !["all", "json", "update-baseline"].contains(name) {
      throw UsageError(message: "--\(name) cannot be combined with --all",
                       hint: "--all takes --json, --seed, --cases, --shard, --threads, --max-seconds, --max-steps and --baseline")
    }
    if args.flag("update-baseline") && args.value("baseline") == nil {
      throw UsageError(message: "--update-baseline needs --baseline FILE", hint: "e.g. --baseline Baselines/all-cases2.json")
    }
    let shard = try Shard.parse(args)
    if shard != nil, args.value("baseline") != nil {
      throw UsageError(message: "--baseline cannot be combined with --shard",
                       hint: "a baseline is compared with the whole run: compare an unsharded --all run")
    }
    var passOn: [String] = []
    for name in sharedOptions { if let v = args.value(name) { passOn += ["--\(name)", v] } }
    // Every theorem must accept the shared options before any runs (--cases 5000 is valid
    // for theorem 2, not for theorem 1): a usage error is exit 64 up front, not an error row.
    // The one deadline of --max-seconds is handed to every theorem.
    let deadline = context.budget.deadline
    for theorem in allTheorems {
      var problems = ""
      let code = run(["--theorem", theorem, "--json"] + passOn, output: { _ in }, errors: { problems += $0 },
                     deadline: deadline, validateOnly: true)
      if code == UsageError.exitCode || code == 65 {
        errors("--all, theorem \(theorem): " + problems)
        return code
      }
    }
    if context.validateOnly { return 0 }
    var rows: [JSONValue] = []
    for theorem in allTheorems {
      var text = ""
      var problems = ""
      let code = run(["--theorem", theorem, "--json"] + passOn, output: { text += $0 }, errors: { problems += $0 },
                     deadline: deadline, validateOnly: false)
      guard code == 0 || code == 1 || code == 2, let object = try? JSONValue.parse(text) else {
        rows.append(.object([("theorem", .string(theorem)), ("verdict", .string("error")),
                             ("reason", .string(problems.isEmpty ? "exit \(code)" : problems))]))
        continue
      }
      rows.append(object)
    }
    var document = allDocument(rows)
    if let shard {
      document = .object([("shard", SweepSlice.shardJSON(shard, totalCases: nil, options: Shard.runOptions(args)))]
                         + (document.objectValue ?? []))
    }
    let text = document.serialized(pretty: true)
    if let path = args.value("baseline") {
      return try checkBaseline(text, path: path, update: args.flag("update-baseline"), output: output, errors: errors)
    }
    if args.flag("json") {
      output(text)
    } else {
      output(allTable(document))
    }
    return shard == nil ? allExitCode(rows) : 0
  }

  /// The `--all` document of the theorems' reports (or error rows), in `allTheorems` order:
  /// `verdict`, the worst of theirs, then `theorems`. `verify merge` builds the merged one
  /// with it too.
  static func allDocument(_ rows: [JSONValue]) -> JSONValue {
    let worst = allExitCode(rows)
    return .object([
      ("verdict", .string(worst == 0 ? "holds" : worst == 1 ? "refuted" : "inconclusive")),
      ("theorems", .array(rows)),
    ])
  }

  /// The worst exit code of the theorems' verdicts (refuted 1, then inconclusive, hypothesis
  /// not met or an error 2, else 0).
  static func allExitCode(_ rows: [JSONValue]) -> Int32 {
    rows.reduce(0) { worst, row in
      worse(worst, row["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:))?.exitCode ?? 2)
    }
  }

  /// The `--all` report: one row per theorem and the worst verdict.
  static func allTable(_ document: JSONValue) -> String {
    var out = "| theorem | verdict | evidence |\n|---|---|---|\n"
    for r in document["theorems"]?.arrayValue ?? [] {
      out += "| \(r["theorem"]?.stringValue ?? "?") | \(r["verdict"]?.stringValue ?? "?") | \(r["reason"]?.stringValue ?? "") |\n"
    }
    let verdict = document["verdict"]?.stringValue ?? "?"
    let code = verdict == "holds" ? 0 : verdict == "refuted" ? 1 : 2
    out += "\nWorst verdict: \(verdict.uppercased()) (exit \(code))"
    return out
  }

  /// The worse of two exit codes: refuted (1) over inconclusive (2) over holds (0).
  static func worse(_ a: Int32, _ b: Int32) -> Int32 {
    if a == 1 || b == 1 { return 1 }
    return max(a, b)
  }
}
