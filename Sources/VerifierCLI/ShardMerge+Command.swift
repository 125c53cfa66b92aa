import DataIO
import Theorems

/// `verify merge FILE…`: combines the JSON reports of the shards of one run (`--shard i/N
/// --json`, see ``Shard``) into the report of the whole run.
///
/// The merged JSON is byte for byte the unsharded run's `--json`: every field that does not
/// depend on the cases (statement, identities, configuration, thresholds, …) is the same in
/// every shard and is kept as it is; the cases are put back in order by their `index`; the
/// verdict and reason are recomputed from them by the rule the run applies
/// (``SweepVerdictRule``); Theorem 2's shrunk counterexample is the one of the shard that
/// holds the first refuted case (each shard shrinks its own first refuted case, and shrinking
/// depends only on the case); the `shard` object is dropped. For `--all`, each theorem's
/// reports are merged so, and the worst verdict is recomputed.
///
/// Exit codes: the merged verdict's (0 holds, 1 refuted, 2 inconclusive or hypothesis not
/// met); 64 for a malformed command line; 65 when the files are not the complete set of
/// shards of one run (not JSON, not a shard report, different runs, a shard missing or
/// given twice, cases missing).
extension VerifierCommand {
  static let mergeSpecs: [OptionSpec] = [
    .flag("json", help: "print the merged report as JSON: byte-identical to the unsharded run's --json"),
    .flag("help", help: "print this help"),
  ]

  static func runMerge(_ arguments: [String], output: (String) -> Void, errors: (String) -> Void) -> Int32 {
    do {
      let args = try parseArguments(arguments, specs: mergeSpecs)
      if args.flag("help") {
        output(helpText(
          program: "verify merge",
          overview: "Merges the JSON reports of the shards of one run (verify … --shard i/N --json) into the report of the whole run, and exits with its verdict. Docs/Cluster.md shows how to run shards as a job array.",
          specs: mergeSpecs, usage: "verify merge SHARD.json… [--json]"))
        return 0
      }
      guard !args.positionals.isEmpty else {
        throw UsageError(message: "verify merge needs the shard reports to merge",
                         hint: "pass the N files written by `verify … --shard i/N --json`, e.g. verify merge shard-*.json")
      }
      var reports: [ShardReport] = []
      for path in args.positionals { reports.append(try ShardReport.load(path: path)) }
      let merged = try ShardMerge.merge(reports)
      let isAll = merged["theorems"] != nil
      let code = isAll ? allExitCode(merged["theorems"]?.arrayValue ?? [])
        : (merged["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:))?.exitCode ?? 2)
      if args.flag("json") {
        output(merged.serialized(pretty: true))
      } else {
        let run = "`verify \(reports[0].options)`, \(reports[0].shard.count) shard\(reports[0].shard.count == 1 ? "" : "s")"
        output(isAll ? "Merged \(run)\n\n" + allTable(merged) : ShardMerge.text(merged, run: run))
      }
      return code
    } catch let e as UsageError {
      errors(e.description)
      return UsageError.exitCode
    } catch let e as DataFileError {
      errors(e.description)
      return 65
    } catch let e as MergeError {
      errors(e.description)
      return 65
    } catch {
      errors("error: \(error)")
      return 70
    }
  }
}

/// The files given to `verify merge` are not the complete set of shards of one run.
struct MergeError: Error, CustomStringConvertible {
  var message: String
  var hint: String
  var description: String { "error: \(message)\n  hint: \(hint)" }
}

/// One shard's report as read from its file.
struct ShardReport {
  var file: String
  var document: JSONValue
  var shard: Shard
  /// ``Shard/runOptions(_:)`` of the run.
  var options: String
  /// The number of cases of the whole sweep (nil for `--all`, whose theorems have their own).
  var totalCases: Int?

  /// More cases than any sweep has (`--cases` is at most 10 000): a larger `totalCases` is
  /// not from `verify`.
  static let maximumCases = 1_000_000

  static func load(path: String) throws(DataFileError) -> ShardReport {
    let text = try TextFile.read(path: path)
    let document: JSONValue
    do { document = try JSONValue.parse(text) } catch {
      throw DataFileError(file: path, line: error.line, column: error.column,
                          message: "not a JSON shard report: \(error.message)",
                          hint: "pass the files written by `verify … --shard i/N --json`")
    }
    let fields = try shardFields(document, location: path)
    return ShardReport(file: path, document: document, shard: fields.shard, options: fields.options,
                       totalCases: fields.totalCases)
  }

  /// The `shard` object of a report (a whole file's, or one theorem's inside an `--all` report).
  static func shardFields(_ report: JSONValue, location: String) throws(DataFileError)
    -> (shard: Shard, options: String, totalCases: Int?)
  {
    guard report.objectValue != nil else {
      throw DataFileError(file: location, message: "not a shard report: the JSON is \(report.kindDescription), not an object",
                          hint: "pass the files written by `verify … --shard i/N --json`")
    }
    guard let shard = report["shard"] else {
      throw DataFileError(file: location,
                          message: "not a shard report: it has no \"shard\" field (the report of an unsharded run is already complete)",
                          hint: "merge the files written by `verify … --shard i/N --json`")
    }
    guard let i = shard["index"]?.intValue, let n = shard["count"]?.intValue, (1...Shard.maximumCount).contains(n),
          (1...n).contains(i), let options = shard["options"]?.stringValue
    else {
      throw DataFileError(file: location, message: "the \"shard\" field is malformed: \(shard.serialized(pretty: false))",
                          hint: "it needs integers \"index\" (1…count) and \"count\" and the string \"options\"; rerun the shard")
    }
    let total = shard["totalCases"]?.intValue
    if shard["totalCases"] != nil, !(0...maximumCases).contains(total ?? -1) {
      throw DataFileError(file: location, message: "the \"shard\" field's \"totalCases\" is not an integer from 0 to \(maximumCases)",
                          hint: "rerun the shard")
    }
    return (Shard(index: i, count: n), options, total)
  }
}

enum ShardMerge {
  /// The merged report of `reports`, which must be every shard of one run exactly once.
  static func merge(_ reports: [ShardReport]) throws -> JSONValue {
    let first = reports[0]
    for r in reports.dropFirst() {
      if r.options != first.options {
        throw MergeError(message: "\(r.file) and \(first.file) are shards of different runs: options '\(r.options)' and '\(first.options)'",
                         hint: "merge the shards of one run: run every shard with the same options, changing only --shard (and --threads)")
      }
      if r.shard.count != first.shard.count {
        throw MergeError(message: "\(r.file) is shard \(r.shard.description) but \(first.file) is shard \(first.shard.description): the runs were split differently",
                         hint: "merge the N shards of one split; rerun the missing ones with the same N")
      }
    }
    var byIndex: [Int: ShardReport] = [:]
    for r in reports {
      if let other = byIndex[r.shard.index] {
        throw MergeError(message: "shard \(r.shard.description) is given twice: \(other.file) and \(r.file)",
                         hint: "pass each shard's file once")
      }
      byIndex[r.shard.index] = r
    }
    let n = first.shard.count
    let missing = (1...n).filter { byIndex[$0] == nil }
    if !missing.isEmpty {
      let given = byIndex.keys.sorted().map { "\($0)/\(n) in \(byIndex[$0]!.file)" }.joined(separator: ", ")
      let example = missing[0]
      throw MergeError(
        message: "\(missing.count) of \(n) shards missing: \(missing.map { "\($0)/\(n)" }.joined(separator: ", ")) (given: \(given))",
        hint: "run each missing shard and pass its file too, e.g. verify \(first.options) --shard \(example)/\(n) --json > shard-\(example).json")
    }
    let ordered = (1...n).map { byIndex[$0]! }
    guard first.document["theorems"] != nil else {
      return try mergeTheorem(ordered.map { ($0.file, $0.shard, $0.document) })
    }
    // --all: the theorems' reports position by position.
    let lists = ordered.map { $0.document["theorems"]?.arrayValue ?? [] }
    for (r, list) in zip(ordered, lists) where list.count != lists[0].count {
      throw MergeError(message: "\(r.file) has \(list.count) theorem reports, \(ordered[0].file) has \(lists[0].count)",
                       hint: "merge the shards of one run of one version of verify")
    }
    var rows: [JSONValue] = []
    for k in 0..<lists[0].count {
      let entries = lists.map { $0[k] }
      let name = entries[0]["theorem"]?.stringValue ?? "?"
      if entries[0]["shard"] == nil {
        // An error entry (the theorem's run failed the same way in every shard) is kept as is.
        for (r, e) in zip(ordered, entries) where e != entries[0] {
          throw MergeError(message: "theorem \(name) failed in \(ordered[0].file)"
                             + (e["shard"] == nil ? " and differently in \(r.file)" : " but not in \(r.file)")
                             + ": \(entries[0]["reason"]?.stringValue ?? "")",
                           hint: "fix the cause and rerun the shards")
        }
        rows.append(entries[0])
        continue
      }
      var parts: [(String, Shard, JSONValue)] = []
      for (r, e) in zip(ordered, entries) {
        let location = "\(r.file) (theorem \(name))"
        if e["shard"] == nil, e["verdict"]?.stringValue == "error" {
          throw MergeError(message: "theorem \(name) failed in \(r.file) but not in \(ordered[0].file): \(e["reason"]?.stringValue ?? "")",
                           hint: "fix the cause and rerun that shard")
        }
        guard e["theorem"]?.stringValue == name else {
          throw MergeError(message: "\(r.file) has theorem \(e["theorem"]?.stringValue ?? "?") where \(ordered[0].file) has \(name)",
                           hint: "merge the shards of one run of one version of verify")
        }
        let fields = try ShardReport.shardFields(e, location: location)
        guard fields.shard == r.shard else {
          throw DataFileError(file: location, message: "the theorem's shard \(fields.shard.description) is not the file's \(r.shard.description)",
                              hint: "rerun the shard")
        }
        parts.append((location, r.shard, e))
      }
      rows.append(try mergeTheorem(parts))
    }
    return VerifierCommand.allDocument(rows)
  }

  /// Keys of a theorem's report that differ between shards; every other one must be equal.
  static let perShardKeys: Set = ["shard", "verdict", "reason", "cases", "counterexample"]

  /// One theorem's merged report from its shards' reports, in shard order.
  static func mergeTheorem(_ parts: [(location: String, shard: Shard, report: JSONValue)]) throws -> JSONValue {
    let (firstLocation, _, firstReport) = parts[0]
    let firstFields = try ShardReport.shardFields(firstReport, location: firstLocation)
    guard let total = firstFields.totalCases else {
      throw DataFileError(file: firstLocation, message: "the \"shard\" field has no \"totalCases\"", hint: "rerun the shard")
    }
    let shared = { (report: JSONValue) in (report.objectValue ?? []).filter { !perShardKeys.contains($0.0) } }
    var cases: [Int: (case: JSONValue, part: Int)] = [:]
    for (p, (location, shard, report)) in parts.enumerated() {
      let fields = try ShardReport.shardFields(report, location: location)
      if fields.options != firstFields.options || fields.totalCases != total {
        throw MergeError(message: "\(location) and \(firstLocation) are shards of different runs: options '\(fields.options)' (\(fields.totalCases ?? 0) cases) and '\(firstFields.options)' (\(total) cases)",
                         hint: "merge the shards of one run")
      }
      let mine = shared(report)
      let theirs = shared(firstReport)
      if JSONValue.object(mine) != JSONValue.object(theirs) {
        let key = zip(mine, theirs).first { $0.0 != $1.0 || $0.1 != $1.1 }?.0.0 ?? "(the list of fields)"
        throw MergeError(message: "\(location) and \(firstLocation) differ in \"\(key)\", which is the same in every shard of one run",
                         hint: "the files come from different runs or versions of verify: rerun all shards with one build and the same options")
      }
      guard let list = report["cases"]?.arrayValue else {
        throw DataFileError(file: location, message: "the report has no \"cases\" array", hint: "rerun the shard")
      }
      for c in list {
        guard let k = c["index"]?.intValue, (0..<total).contains(k), shard.contains(case: k) else {
          throw DataFileError(file: location,
                              message: "a case's \"index\" (\(c["index"]?.serialized(pretty: false) ?? "missing")) is not one of shard \(shard.description)'s cases of 0…\(total - 1)",
                              hint: "shard i of N holds the cases k with k mod N = i − 1; rerun the shard")
        }
        if cases[k] != nil {
          throw DataFileError(file: location, message: "case \(k) appears twice", hint: "rerun the shard")
        }
        cases[k] = (c, p)
      }
    }
    let missing = (0..<total).filter { cases[$0] == nil }
    if let k = missing.first {
      let owner = parts.first { $0.shard.contains(case: k) }?.location ?? "?"
      throw MergeError(message: "\(missing.count) case(s) missing from the shards, first case \(k) (in \(owner))",
                       hint: "the file is incomplete or was edited: rerun that shard")
    }
    let merged = (0..<total).map { cases[$0]! }
    let theorem = firstReport["theorem"]?.stringValue ?? ""
    var ruleCases: [SweepVerdictRule.Case] = []
    for (k, entry) in merged.enumerated() {
      guard let verdict = entry.case["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:)),
            let seed = entry.case["seed"]?.intValue, seed >= 0 else {
        throw DataFileError(file: parts[entry.part].location, message: "case \(k) has no valid \"verdict\" and \"seed\"",
                            hint: "rerun the shard")
      }
      let discriminates = Gunasekar2018.discriminates(
        fullyConnectedSwapped: entry.case["fullyConnectedSwapped"]?["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:)) ?? .inconclusive,
        convolutionalSwapped: entry.case["convolutionalSwapped"]?["verdict"]?.stringValue.flatMap(Verdict.init(rawValue:)) ?? .inconclusive)
      ruleCases.append(.init(verdict: verdict, seed: UInt64(seed), discriminates: discriminates))
    }
    let refutedIdentities = (firstReport["identities"]?.arrayValue ?? [])
      .filter { $0["status"]?.stringValue == "refuted" }.map { $0["name"]?.stringValue ?? "?" }
    let rule = SweepVerdictRule(theorem: theorem, swapped: firstReport["swapped"]?.boolValue ?? false)
    let (verdict, reason) = rule.verdict(ruleCases, refutedIdentities: refutedIdentities)
    // The layout (and Theorem 2's counterexample) of the shard holding the first refuted case.
    let template = merged.first { $0.case["verdict"]?.stringValue == Verdict.refuted.rawValue }.map { parts[$0.part].report }
      ?? firstReport
    var out: [(String, JSONValue)] = []
    for (key, value) in template.objectValue ?? [] where key != "shard" {
      switch key {
      case "verdict": out.append((key, .string(verdict.rawValue)))
      case "reason": out.append((key, .string(reason)))
      case "cases": out.append((key, .array(merged.map(\.case))))
      default: out.append((key, value))
      }
    }
    return .object(out)
  }

  /// The merged report of one theorem as text: its cases and the verdict.
  static func text(_ report: JSONValue, run: String) -> String {
    let cases = report["cases"]?.arrayValue ?? []
    var out = "Theorem \(report["theorem"]?.stringValue ?? "?"): merged \(run), \(cases.count) case\(cases.count == 1 ? "" : "s")\n\n"
    for c in cases {
      out += "  case \(c["index"]?.intValue ?? -1) (seed \(c["seed"]?.intValue ?? -1)): \(c["verdict"]?.stringValue ?? "?") — \(c["reason"]?.stringValue ?? "")\n"
    }
    let verdict = report["verdict"]?.stringValue ?? "?"
    out += "\nVerdict: \(verdict.uppercased()) — \(report["reason"]?.stringValue ?? "")\n"
    return out
  }
}
