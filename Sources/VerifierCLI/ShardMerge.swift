import DataIO
import Dispatch
import Theorems

/// `--shard i/N`: the i-th of N deterministic slices of a sweep's cases, counted from 1.
///
/// Shard i holds the cases k (counted from 0, as in reports) with k mod N = i − 1: the slices'
/// sizes differ by at most one, and each slice mixes the sweep's network kinds and depths,
/// which cycle with k, so the shards of a job array take about equally long. Every case keeps
/// the seed it has in the whole sweep (`seed(ofCase: k)`), so a shard's cases are exactly the
/// unsharded run's, and `verify merge` puts them back in order by their `index`.
struct Shard: Equatable, Sendable {
  /// i, 1 ≤ i ≤ count.
  var index: Int
  /// N.
  var count: Int

  /// The largest N accepted.
  static let maximumCount = 100_000

  /// The case indices of this shard among `total` cases, increasing.
  func caseIndices(total: Int) -> [Int] {
    Array(stride(from: index - 1, to: total, by: count))
  }

  /// Whether case k belongs to this shard.
  func contains(case k: Int) -> Bool { k % count == index - 1 }

  var description: String { "\(index)/\(count)" }

  /// `--shard i/N`, or nil when absent. It needs `--json` (a shard's report is an input of
  /// `verify merge`, so it is JSON; asking for it up front fails before any work is done)
  /// and excludes `--plot` (plots need the whole sweep).
  static func parse(_ args: ParsedArguments) throws(UsageError) -> Shard? {
    guard let text = args.value("shard") else { return nil }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw UsageError(message: "--shard expects i/N, the i-th of N slices, got '\(text)'",
                       hint: "for example --shard 2/8 (i from 1 to N)")
    }
    guard (1...maximumCount).contains(n), (1...n).contains(i) else {
      throw UsageError(message: "--shard \(text): i must be between 1 and N, and N between 1 and \(maximumCount)",
                       hint: "shards are counted from 1: --shard 1/\(max(n, 1)) … --shard \(max(n, 1))/\(max(n, 1))")
    }
    guard args.flag("json") else {
      throw UsageError(message: "--shard writes the shard's JSON for `verify merge`, but --json is not given",
                       hint: "add --json and redirect it to a file, e.g. --shard \(text) --json > shard-\(i).json")
    }
    if args.value("plot") != nil {
      throw UsageError(message: "--plot cannot be combined with --shard", hint: "plots need the whole sweep: run it without --shard to plot")
    }
    return Shard(index: i, count: n)
  }

  /// The options of a run that decide its results, sorted by name, without `--shard`,
  /// `--threads` and `--json`: shards belong to the same run when these are equal. Values
  /// that a shell would split or expand are single-quoted, so the text can be pasted back.
  static func runOptions(_ args: ParsedArguments) -> String {
    let ignored: Set = ["shard", "threads", "json"]
    var parts: [String] = []
    for name in (Array(args.values.keys) + Array(args.flags)).sorted() where !ignored.contains(name) {
      guard let value = args.values[name] else {
        parts.append("--\(name)")
        continue
      }
      let plain = value.allSatisfy { $0.isLetter || $0.isNumber || "._/,=:+-".contains($0) }
      parts.append("--\(name) " + (plain ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"))
    }
    return parts.joined(separator: " ")
  }
}

/// The cases one run of a sweep checks — all of them, or with `--shard i/N` the shard's
/// slice — and how its JSON records them: every case object starts with its `index` in the
/// sweep, and a shard's report has a `shard` object after `theorem` (Docs/JSONSchema.md).
struct SweepSlice {
  var shard: Shard?
  var totalCases: Int
  /// ``Shard/runOptions(_:)`` of the run.
  var options: String

  init(_ args: ParsedArguments, totalCases: Int) throws(UsageError) {
    shard = try Shard.parse(args)
    self.totalCases = totalCases
    options = Shard.runOptions(args)
  }

  /// The indices of the cases to run, increasing.
  var caseIndices: [Int] { shard?.caseIndices(total: totalCases) ?? Array(0..<totalCases) }

  /// The `shard` object of a theorem's shard report.
  static func shardJSON(_ shard: Shard, totalCases: Int?, options: String) -> JSONValue {
    var fields: [(String, JSONValue)] = [("index", .integer(shard.index)), ("count", .integer(shard.count))]
    if let totalCases { fields.append(("totalCases", .integer(totalCases))) }
    fields.append(("options", .string(options)))
    return .object(fields)
  }

  /// The report with each entry of `cases` given its index (the entries are the results of
  /// ``caseIndices``, in order) and, for a shard, the `shard` object after `theorem`.
  func report(_ json: JSONValue) -> JSONValue {
    guard case .object(var pairs) = json else { return json }
    if let k = pairs.firstIndex(where: { $0.0 == "cases" }), case .array(let cases) = pairs[k].1 {
      let indices = caseIndices
      precondition(cases.count == indices.count, "\(cases.count) case results for \(indices.count) case indices")
      pairs[k].1 = .array(zip(indices, cases).map { index, object in
        guard case .object(let fields) = object else { return object }
        return .object([("index", .integer(index))] + fields)
      })
    }
    if let shard {
      let position = pairs.firstIndex { $0.0 == "theorem" }.map { $0 + 1 } ?? 0
      pairs.insert(("shard", Self.shardJSON(shard, totalCases: totalCases, options: options)), at: position)
    }
    return .object(pairs)
  }

  /// The exit code: the verdict's, or 0 for a shard once its report is written. A shard's
  /// verdict is only its slice's (`verify merge` decides the sweep's), and a job scheduler
  /// starts the merge only after every shard exits 0 (Slurm's `afterok`).
  func exitCode(_ verdict: Verdict) -> Int32 { shard == nil ? verdict.exitCode : 0 }
}

extension VerifierCommand {
  /// Starts `work` on another thread, to overlap with the flows (the identity derivations,
  /// which are computed once per process, whichever thread asks first) — unless the run is
  /// limited to one thread, which then computes them when the report needs them.
  static func inBackground(_ work: @escaping @Sendable () -> Void) {
    let limit = Parallelism.threadLimit
    guard limit != 1 else { return }
    DispatchQueue.global().async { Parallelism.$threadLimit.withValue(limit, operation: work) }
  }
}
