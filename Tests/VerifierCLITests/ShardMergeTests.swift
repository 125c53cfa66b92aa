import DataIO
import Foundation
import Testing
@testable import VerifierCLI

/// `--threads`, `--shard i/N` and `verify merge` (Docs/Cluster.md): a one-thread run, a run on
/// all cores and the merge of any split of a sweep print the same JSON, byte for byte.
@Suite("Threads, shards and merge give the unsharded run's JSON")
struct ShardMergeTests {
  /// `verify args` in-process: the exit code, standard output as printed (without the newline
  /// `print` adds) and standard error.
  static func run(_ args: [String]) -> (code: Int32, out: String, err: String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  /// A new empty directory for shard files, removed by `body`'s caller.
  static func withDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
  }

  /// Runs the `n` shards of `args` (each must exit 0, its verdict being only its slice's),
  /// writes their JSON into `dir` and merges the files in reverse order (the order must not
  /// matter).
  static func shardedAndMerged(_ args: [String], shards n: Int, in dir: URL,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> (code: Int32, out: String, err: String) {
    var files: [String] = []
    for i in 1...n {
      let shard = run(args + ["--json", "--shard", "\(i)/\(n)"])
      #expect(shard.code == 0, "shard \(i)/\(n) of \(args.joined(separator: " ")): \(shard.err)", sourceLocation: sourceLocation)
      let path = dir.appendingPathComponent("shard-\(i)-of-\(n).json").path
      try (shard.out + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      files.append(path)
    }
    return run(["merge"] + files.reversed() + ["--json"])
  }

  /// Theorem 2 on diagonal networks of depths 1–4 against ℓ2: case 0 (depth 1) holds and
  /// cases 1–3 are refuted, so the first refuted case, whose shrunk counterexample the report
  /// carries, is in shard 2 of both splits, and the merge exits 1. gunasekar2018 has its own
  /// sweep rule (the data must discriminate the two problems); at this short horizon it is
  /// inconclusive (exit 2).
  @Test("one thread, all cores, 2 and 3 shards merged: the same bytes and exit code", arguments: [
    ["--theorem", "2", "--against-norm", "2", "--network", "diagonal", "--cases", "4", "--horizon", "1000"],
    ["--theorem", "gunasekar2018", "--cases", "2", "--horizon", "100"],
  ])
  func sameBytes(args: [String]) throws {
    let whole = Self.run(args + ["--json"])
    #expect([0, 1, 2].contains(whole.code) && whole.out.hasPrefix("{"), "\(whole.err)")
    let one = Self.run(args + ["--json", "--threads", "1"])
    #expect(one.code == whole.code)
    #expect(one.out == whole.out, "--threads 1 differs from the parallel run")
    try Self.withDirectory { dir in
      for n in [2, 3] {
        let merged = try Self.shardedAndMerged(args, shards: n, in: dir)
        #expect(merged.code == whole.code, "merge of \(n) shards: exit \(merged.code), unsharded \(whole.code): \(merged.err)")
        #expect(merged.out == whole.out, "the merge of \(n) shards differs from the unsharded JSON")
      }
    }
  }

  @Test("--all --cases 2 in 2 shards merges to the unsharded --all document")
  func all() throws {
    let whole = Self.run(["--all", "--cases", "2", "--json"])
    #expect(whole.out.hasPrefix("{"), "\(whole.err)")
    try Self.withDirectory { dir in
      let merged = try Self.shardedAndMerged(["--all", "--cases", "2"], shards: 2, in: dir)
      #expect(merged.code == whole.code, "\(merged.err)")
      #expect(merged.out == whole.out, "the merged --all document differs from the unsharded one")
    }
  }

  @Test("merge refuses an incomplete or mixed set of files, saying what, where and how to fix it")
  func mergeErrors() throws {
    try Self.withDirectory { dir in
      func write(_ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
      }
      func shard(_ i: Int, of n: Int, cases: Int = 3) throws -> String {
        let r = Self.run(["--theorem", "woodworth2020", "--cases", "\(cases)", "--json", "--shard", "\(i)/\(n)"])
        #expect(r.code == 0, "\(r.err)")
        return try write("w-\(cases)-\(i)-of-\(n).json", r.out)
      }
      let (s1, s2, s3) = (try shard(1, of: 3), try shard(2, of: 3), try shard(3, of: 3))
      #expect(Self.run(["merge", s1, s2, s3]).code == 0)

      let missing = Self.run(["merge", s1, s3])
      #expect(missing.code == 65)
      #expect(missing.err.contains("missing: 2/3") && missing.err.contains("--cases 3 --theorem woodworth2020 --shard 2/3 --json"),
              "\(missing.err)")

      let twice = Self.run(["merge", s1, s2, s2, s3])
      #expect(twice.code == 65 && twice.err.contains("shard 2/3 is given twice"), "\(twice.err)")

      let otherRun = Self.run(["merge", s1, s2, try shard(3, of: 3, cases: 4)])
      #expect(otherRun.code == 65 && otherRun.err.contains("different runs") && otherRun.err.contains("'--cases 4"), "\(otherRun.err)")

      let otherSplit = Self.run(["merge", s1, try shard(2, of: 2)])
      #expect(otherSplit.code == 65 && otherSplit.err.contains("split differently"), "\(otherSplit.err)")

      let notJSON = try write("notes.json", "shard 1 done\n")
      let garbled = Self.run(["merge", s1, notJSON])
      #expect(garbled.code == 65 && garbled.err.hasPrefix("\(notJSON):1:1: error: not a JSON shard report"), "\(garbled.err)")

      let whole = try write("whole.json", Self.run(["--theorem", "woodworth2020", "--cases", "3", "--json"]).out)
      let unsharded = Self.run(["merge", whole])
      #expect(unsharded.code == 65 && unsharded.err.contains("no \"shard\" field"), "\(unsharded.err)")

      // A shard file that lost a case (edited or truncated).
      var edited = try JSONValue.parse(String(contentsOfFile: s2, encoding: .utf8)).objectValue ?? []
      if let k = edited.firstIndex(where: { $0.0 == "cases" }) { edited[k].1 = .array([]) }
      let truncated = Self.run(["merge", s1, try write("edited.json", JSONValue.object(edited).serialized()), s3])
      #expect(truncated.code == 65 && truncated.err.contains("case(s) missing") && truncated.err.contains("case 1"), "\(truncated.err)")

      #expect(Self.run(["merge"]).code == 64)
      #expect(Self.run(["merge", s1, "--theorem", "2"]).code == 64)
      let noJSON = Self.run(["--theorem", "woodworth2020", "--shard", "1/2"])
      #expect(noJSON.code == 64 && noJSON.err.contains("--json"), "\(noJSON.err)")
      #expect(Self.run(["--theorem", "2", "--shard", "3/2", "--json"]).code == 64)
      #expect(Self.run(["--theorem", "2", "--threads", "0"]).code == 64)
    }
  }

  @Test("shard slices are balanced, disjoint and cover the sweep", arguments: [1, 2, 3, 7, 12])
  func slices(count n: Int) {
    for total in [1, 5, 12, 13] {
      let slices = (1...n).map { Shard(index: $0, count: n).caseIndices(total: total) }
      #expect(slices.flatMap { $0 }.sorted() == Array(0..<total))
      #expect((slices.map(\.count).max() ?? 0) - (slices.map(\.count).min() ?? 0) <= 1)
      for (i, slice) in slices.enumerated() { #expect(slice.allSatisfy { Shard(index: i + 1, count: n).contains(case: $0) }) }
    }
  }
}
