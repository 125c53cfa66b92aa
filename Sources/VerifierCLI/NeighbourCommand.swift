import LinearAlgebra
import DataIO
import Theorems
import PropertyChecking

extension VerifierCommand {
  /// `--theorem woodworth2020 | azulay2021`: random underdetermined cases (or `--data`),
  /// the flow's limit against the closed-form regularizer's minimizer.
  static func runNeighbour(_ theorem: NeighbourTheorem, _ args: ParsedArguments, output: (String) -> Void,
                           context: RunContext = RunContext()) throws -> Int32 {
    for k in ["network", "against-norm", "against", "loss", "horizon", "init", "init-scale", "decomposition", "shape"]
    where args.value(k) != nil {
      throw UsageError(message: "--\(k) is not an option of \(theorem.rawValue)", hint: "see `verify --help`")
    }
    if theorem == .azulay2021, args.value("depth") != nil || args.value("against-depth") != nil {
      throw UsageError(message: "--depth and --against-depth do not apply to azulay2021 (a two-layer result)",
                       hint: "drop --depth and --against-depth")
    }
    if theorem == .woodworth2020, args.value("init-shape") != nil {
      throw UsageError(message: "--init-shape is an option of azulay2021", hint: "drop it")
    }
    var seed: UInt64 = 1
    if let text = args.value("seed") {
      guard let s = UInt64(text), s < (1 << 53) else {
        throw UsageError(message: "--seed '\(text)' is not an integer from 0 to 2⁵³ − 1", hint: "for example --seed 42")
      }
      seed = s
    }
    let depth = try args.int("depth", in: 2...8) ?? 2
    let claimed = try args.int("against-depth", in: 2...8)
    let fixedAlpha = try args.double("scale", where: .between(1e-3...1e2))
    let fixedShape = try args.double("init-shape", where: .between(-0.95...0.95))
    let cases = try args.int("cases", in: 1...1000) ?? (args.value("data") == nil ? 6 : 1)
    var data: (Matrix, [Double])?
    if let path = args.value("data") {
      let ds = try LabeledDataset.load(path: path, kind: .regression)
      data = (ds.inputs, ds.targets)
    }
    let slice = try SweepSlice(args, totalCases: cases)
    if context.validateOnly { return 0 }
    let givenData = data, baseSeed = seed
    let budget = context.budget
    let results = parallelMap(slice.caseIndices) { i in
      let caseSeed = i == 0 ? baseSeed : SeededGenerator.caseSeed(base: baseSeed, index: i) & ((1 << 53) - 1)
      var rng = SeededGenerator(seed: caseSeed)
      let (x, y) = givenData ?? NeighbourTheorem.randomData(seed: caseSeed)
      let alpha = fixedAlpha ?? Elementary.pow(10, rng.uniform(in: -1...0.5))
      let s = fixedShape ?? (theorem == .azulay2021 ? rng.uniform(in: -0.8...0.8) : 0)
      return theorem.check(inputs: x, targets: y, depth: depth, alpha: alpha, shape: s, claimedDepth: claimed, seed: caseSeed,
                           budget: budget)
    }
    let ruled = SweepVerdictRule(theorem: theorem.rawValue).verdict(
      results.map { .init(verdict: $0.verdict, seed: $0.seed) }, identities: theorem.identityResults)
    let (verdict, reason) = budgeted(ruled.0, ruled.1, caseReasons: results.map(\.reason), budget: context.budget)
    if args.flag("json") {
      output(slice.report(JSONValue.object([
        ("theorem", .string(theorem.rawValue)),
        ("verdict", .string(verdict.rawValue)),
        ("reason", .string(reason)),
        ("statement", .string(theorem.statement.oneLine)),
        ("identities", IdentityReport.json(theorem.identityResults)),
        ("cases", .array(results.map { r in
          .object([
            ("seed", .integer(Int(r.seed))), ("depth", .integer(r.depth)), ("scale", .number(r.alpha)),
            ("shape", .number(r.shape)), ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
            ("limit", .array(r.limit.map(JSONValue.number))), ("predicted", .array(r.predicted.map(JSONValue.number))),
            ("relativeDistance", r.relativeDistance.map(JSONValue.number) ?? .null),
            ("claimedDistance", r.claimedDistance.map(JSONValue.number) ?? .null),
            ("invariantDrift", r.invariantDrift.map(JSONValue.number) ?? .null),
            ("acceptedSteps", .integer(r.steps)),
          ])
        })),
      ])).serialized(pretty: true))
    } else {
      var out = theorem.statement.rendered() + "\n" + IdentityReport.text(theorem.identityResults) + "\n"
      out += "Thresholds: relative distance to the predicted minimizer ≤ 1e-8 and exact-invariant drift ≤ 1e-8 (flow at rtol 1e-10 to relative residual 1e-12; prediction by Newton on the convex dual).\n\n"
      for r in results {
        out += "  seed \(r.seed): depth \(r.depth), α = \(short(r.alpha))" + (theorem == .azulay2021 ? ", s = \(short(r.shape))" : "")
          + ": \(r.verdict.rawValue) — \(r.reason)\n"
      }
      out += "\nVerdict: \(verdict.rawValue.uppercased()) — \(reason)\n"
      output(out)
    }
    return slice.exitCode(verdict)
  }
}
