import Foundation
import LinearAlgebra
import GradientFlow
import DataIO
import Theorems
import PropertyChecking

extension VerifierCommand {
  static func runTheorem4(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void,
                          context: RunContext = RunContext()) throws -> Int32 {
    var config = Theorem4SweepConfiguration()
    config.budget = context.budget
    if let seedText = args.value("seed") {
      guard let s = UInt64(seedText), s < (1 << 53) else {
        throw UsageError(message: "--seed '\(seedText)' is not an integer from 0 to 2⁵³ − 1", hint: "for example --seed 42")
      }
      config.seed = s
    }
    if let k = try args.choice("network", from: NetworkKind.allCases.map(\.rawValue)) {
      config.networks = [NetworkKind(rawValue: k)!]
    }
    if let L = try args.int("depth", in: 2...12) { config.depths = [L] }
    if let a = try args.double("scale", where: .between(1e-4...1e4)) { config.alpha = a }
    if let shape = try args.choice("shape", from: ["uniform", "random"]) { config.randomShape = shape == "random" }
    if let against = try args.choice("against", from: ["l2"]) { _ = against; config.claim = .l2 }
    if let k = try args.int("against-depth", in: 2...12) {
      if config.claim != .theorem { throw UsageError(message: "--against and --against-depth both given", hint: "choose one") }
      config.claim = .depth(k)
    }
    if args.flag("general-init") {
      if config.claim != .theorem || args.value("data") != nil {
        throw UsageError(message: "--general-init runs on generated data against the §2.7 predictor", hint: "drop --data, --against and --against-depth")
      }
      config.generalInitialization = true
    }
    let thresholds = Theorem4.Thresholds()
    if args.value("plot") != nil && !args.flag("alpha-sweep") {
      throw UsageError(message: "--plot is an option of theorem 4 only with --alpha-sweep",
                       hint: "add --alpha-sweep, or drop --plot")
    }
    if args.flag("alpha-sweep") {
      if args.value("data") != nil || args.value("scale") != nil || config.claim != .theorem {
        throw UsageError(message: "--alpha-sweep chooses its own scales and data",
                         hint: "drop --data, --scale, --against and --against-depth")
      }
      let slice = try SweepSlice(args, totalCases: try args.int("cases", in: 1...100) ?? 4)
      if context.validateOnly { return 0 }
      return try runAlphaSweep(config, slice: slice, json: args.flag("json"),
                               plot: args.value("plot"), output: output, errors: errors)
    }
    if context.validateOnly {
      // Read the file or build one case of every shape, not the flows.
      _ = try SweepSlice(args, totalCases: try args.int("cases", in: 1...10_000) ?? 12)
      if let path = args.value("data") {
        _ = try LabeledDataset.load(path: path, kind: .regression)
      } else {
        for i in 0..<(config.networks.count * config.depths.count) {
          let (kind, depth) = config.shape(ofCase: i)
          _ = Theorem4.generateCase(seed: config.seed(ofCase: i), kind: kind, depth: depth, configuration: config)
        }
      }
      return 0
    }
    inBackground { _ = Theorem4.identityResults }
    var sweep: Theorem4SweepResult
    let slice: SweepSlice
    if let path = args.value("data") {
      let ds = try LabeledDataset.load(path: path, kind: .regression)
      let kind = config.networks.count == 1 ? config.networks[0] : .diagonal
      let depth = config.depths.count == 1 ? config.depths[0] : 2
      config.networks = [kind]
      config.depths = [depth]
      var rng = SeededGenerator(seed: config.seed)
      let net = Theorem2.network(kind: kind, dimension: ds.dimension, depth: depth, using: &rng)
      slice = try SweepSlice(args, totalCases: try args.int("cases", in: 1...10_000) ?? 1)
      var cases: [Theorem4Case] = []
      for i in slice.caseIndices {
        var caseRNG = SeededGenerator(seed: config.seed(ofCase: i))
        let m = net.space.coordinateCount
        let alpha = config.alpha ?? Elementary.pow(10, caseRNG.uniform(in: config.logAlphaRange))
        let eta = config.randomShape ? (0..<m).map { _ in caseRNG.uniform(in: 0.5...1.5) } : Array(repeating: 1.0, count: m)
        var c = Theorem4Case(seed: config.seed(ofCase: i), network: net, inputs: ds.inputs, targets: ds.targets,
                             alpha: alpha, shape: eta, claim: config.claim)
        c.budget = config.budget
        cases.append(c)
      }
      sweep = Theorem4.assemble(parallelMap(cases) { Theorem4.check($0, thresholds: thresholds) }, thresholds: thresholds)
    } else {
      config.cases = try args.int("cases", in: 1...10_000) ?? 12
      slice = try SweepSlice(args, totalCases: config.cases)
      sweep = Theorem4.runSweep(config, thresholds: thresholds, caseIndices: slice.caseIndices,
                                progress: Progress.reporter("Theorem 4"))
    }
    (sweep.verdict, sweep.reason) = SweepVerdictRule(theorem: "4").verdict(
      sweep.cases.map { .init(verdict: $0.verdict, seed: $0.seed) }, identities: Theorem4.identityResults)
    (sweep.verdict, sweep.reason) = budgeted(sweep.verdict, sweep.reason, caseReasons: sweep.cases.map(\.reason),
                                             budget: config.budget)
    if args.flag("json") {
      output(slice.report(Theorem4Report.json(sweep, configuration: config, thresholds: thresholds)).serialized(pretty: true))
    } else {
      var text = Theorem4Report.text(sweep, configuration: config, thresholds: thresholds)
      if sweep.verdict == .refuted, let first = sweep.cases.first(where: { $0.verdict == .refuted }) {
        let (kind, depth) = (first.networkKind, first.depth)
        let original = Theorem4.generateCase(seed: first.seed, kind: kind, depth: depth, configuration: config)
        if args.value("data") == nil, let s = Theorem4.shrinkRefutation(original, thresholds: thresholds) {
          text += "\nCounterexample (refuted; shrunk in \(s.steps) steps to n = \(s.shrunk.inputs.rows), d = \(s.shrunk.inputs.columns)):\n"
          for i in 0..<s.shrunk.inputs.rows {
            text += "    " + s.shrunk.inputs.row(i).appending(contentsOf: [s.shrunk.targets[i]]).map { "\($0)" }.joined(separator: ", ") + "\n"
          }
        }
      }
      output(text)
    }
    return slice.exitCode(sweep.verdict)
  }
}

extension VerifierCommand {
  /// The α-limit trends on generated cases: α ∈ {10^−0.5, 10^−1, 10^−1.5, 10^−2} for the
  /// weighted-ℓ1 side and {10^0.5, 10, 10^1.5} for the weighted-ℓ2 side.
  static func runAlphaSweep(_ c: Theorem4SweepConfiguration, slice: SweepSlice, json: Bool, plot: String?,
                            output: (String) -> Void, errors: (String) -> Void) throws -> Int32 {
    let small = [-0.5, -1, -1.5, -2].map { Elementary.pow(10, $0) }
    let large = [0.5, 1, 1.5].map { Elementary.pow(10, $0) }
    let cases = slice.caseIndices.map { i -> Theorem4Case in
      let (kind, depth) = c.shape(ofCase: i)
      return Theorem4.generateCase(seed: c.seed(ofCase: i), kind: kind, depth: depth, configuration: c)
    }
    let trends = parallelMap(cases) { tc in
      Theorem4.alphaTrend(network: tc.network, inputs: tc.inputs, targets: tc.targets, shape: tc.shape,
                          smallAlphas: small, largeAlphas: large, budget: c.budget)
    }
    let rows = Array(zip(cases, trends))
    let ruled = SweepVerdictRule(theorem: "4").verdict(
      rows.map { .init(verdict: $0.1.verdict, seed: $0.0.seed) }, identities: Theorem4.identityResults)
    let (verdict, reason) = budgeted(ruled.0, ruled.1, caseReasons: rows.map(\.1.reason), budget: c.budget)
    if json {
      output(slice.report(JSONValue.object([
        ("theorem", .string("4")),
        ("mode", .string("alphaSweep")),
        ("verdict", .string(verdict.rawValue)),
        ("reason", .string(reason)),
        ("identities", IdentityReport.json(Theorem4.identityResults)),
        ("cases", .array(rows.map { tc, r in
          .object([
            ("seed", .integer(Int(tc.seed))), ("network", .string(tc.network.kind.rawValue)), ("depth", .integer(tc.network.depth)),
            ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
            ("smallScaleRate", r.smallScaleRate.map(JSONValue.number) ?? .null),
            ("largeScaleRate", r.largeScaleRate.map(JSONValue.number) ?? .null),
            ("points", .array(r.points.map { p in
              .object([("scale", .number(p.alpha)), ("distanceToWeightedL1", .number(p.distanceToL1)),
                       ("distanceToWeightedL2", .number(p.distanceToL2)), ("acceptedSteps", .integer(p.steps))])
            })),
          ])
        })),
      ])).serialized(pretty: true))
    } else {
      var out = "Theorem 4 limits (spec §2.5): as α → 0 the flow's limit approaches argmin Σ ηⱼ^{−(L−2)}|ρⱼ| (L = 2: ‖ρ‖₁, at a logarithmic rate); as α → ∞ it approaches argmin Σ ρⱼ²/ηⱼ^{2(L−1)}, both s.t. XSᵀρ = y.\n"
      out += "Holds for a case when both distances fall monotonically toward their limit with a fitted rate > 0.\n\n"
      for (tc, r) in rows {
        out += "  seed \(tc.seed) (\(tc.network.kind.rawValue), L = \(tc.network.depth), n×d = \(tc.inputs.rows)×\(tc.inputs.columns)): \(r.verdict.rawValue) — \(r.reason)\n"
      }
      out += "\nVerdict: \(verdict.rawValue.uppercased()) — \(reason)\n"
      output(out)
    }
    if let dir = plot {
      let series = rows.map { tc, r in (seed: tc.seed, points: r.points.map { (alpha: $0.alpha, l1: $0.distanceToL1, l2: $0.distanceToL2) }) }
      let names = try PlotOutput.write(PlotOutput.theorem4AlphaSweep(series), to: dir)
      let note = "plots written to \(dir): " + names.joined(separator: ", ")
      if json { errors(note) } else { output(note) }
    }
    return slice.exitCode(verdict)
  }
}

/// Renders Theorem-4 results (schema: Docs/JSONSchema.md). No timings in the JSON.
enum Theorem4Report {
  static func claimText(_ c: Theorem4.Claim) -> String {
    switch c {
    case .theorem: "argmin Q_{L,α,η} (the theorem)"
    case .l2: "the minimum ℓ2 interpolant (--against l2)"
    case .depth(let k): "argmin Q_{\(k),α,η} (--against-depth \(k))"
    }
  }

  static func text(_ sweep: Theorem4SweepResult, configuration c: Theorem4SweepConfiguration,
                   thresholds t: Theorem4.Thresholds) -> String {
    var out = Theorem4.statement.rendered() + "\n" + IdentityReport.text(Theorem4.identityResults)
    out += "\nChecked claim: the flow's interpolating limit equals \(claimText(c.claim)).\n"
    out += "Sweep: \(sweep.cases.count) case(s), seed \(c.seed), networks \(c.networks.map(\.rawValue).joined(separator: ", ")), depths \(c.depths.map(String.init).joined(separator: ", ")), α \(c.alpha.map(short) ?? "10^U[\(c.logAlphaRange.lowerBound), \(c.logAlphaRange.upperBound)]"), shape \(c.randomShape ? "η ~ U[0.5, 1.5]" : "η = 1")\n"
    out += "Thresholds: relative distance ≤ \(short(t.relativeDistance)), dual-certificate residual ≤ \(short(t.certificateResidual)); a wrong claim is refuted at distance ≥ \(short(t.refutationDistance)) while the theorem's prediction matches; flow stops at relative residual 1e-12 (rtol 1e-10); prediction by Newton on the convex dual.\n\n"
    let header = ["case", "seed", "network", "L", "n×d", "α", "distance", "certificate", "claimed", "steps", "verdict"]
    let widths = [5, 18, 9, 3, 6, 10, 11, 12, 11, 7, 0]
    out += zip(header, widths).map { Theorem2Report.pad($0, $1) }.joined() + "\n"
    for (k, r) in sweep.cases.enumerated() {
      let cells = ["\(k)", "\(r.seed)", r.networkKind.rawValue, "\(r.depth)", "\(r.n)×\(r.d)", short(r.alpha),
                   r.relativeDistance.map(short) ?? "—", r.certificateResidual.map(short) ?? "—",
                   r.claimedDistance.map(short) ?? "—", "\(r.steps)", r.verdict.rawValue]
      out += zip(cells, widths).map { Theorem2Report.pad($0, $1) }.joined() + "\n"
    }
    out += "\nEvidence:\n"
    for (k, r) in sweep.cases.enumerated() {
      out += "  case \(k) (seed \(r.seed), \(r.networkKind.rawValue), L = \(r.depth), α = \(short(r.alpha))): \(r.verdict.rawValue) — \(r.reason)"
        + (r.mirrorInvariantResidual.map { "; mirror-flow invariant along the path \(short($0))" } ?? "") + "\n"
      for h in r.hypotheses where !h.met || k == 0 { out += "      \(h.met ? "✓" : "✗") \(h.name): \(h.detail)\n" }
    }
    out += "\nVerdict: \(sweep.verdict.rawValue.uppercased()) — \(sweep.reason)\n"
    if sweep.verdict != .holds, let r = sweep.cases.first(where: { $0.verdict != .holds }) {
      out += "Replay a case: swift run verify --theorem 4 --network \(r.networkKind.rawValue) --depth \(r.depth) --seed \(r.seed) --cases 1\(argumentsOfClaim(c.claim))\n"
    }
    return out
  }

  static func argumentsOfClaim(_ c: Theorem4.Claim) -> String {
    switch c {
    case .theorem: ""
    case .l2: " --against l2"
    case .depth(let k): " --against-depth \(k)"
    }
  }

  static func json(_ sweep: Theorem4SweepResult, configuration c: Theorem4SweepConfiguration,
                   thresholds t: Theorem4.Thresholds) -> JSONValue {
    .object([
      ("theorem", .string("4")),
      ("verdict", .string(sweep.verdict.rawValue)),
      ("reason", .string(sweep.reason)),
      ("statement", .string(Theorem4.statement.oneLine)),
      ("identities", IdentityReport.json(Theorem4.identityResults)),
      ("claim", .string(claimText(c.claim))),
      ("thresholds", .object([
        ("relativeDistance", .number(t.relativeDistance)),
        ("certificateResidual", .number(t.certificateResidual)),
        ("refutationDistance", .number(t.refutationDistance)),
        ("decidedFraction", .number(t.decidedFraction)),
      ])),
      ("cases", .array(sweep.cases.map { r in
        .object([
          ("seed", .integer(Int(truncatingIfNeeded: r.seed))),
          ("network", .string(r.networkKind.rawValue)),
          ("depth", .integer(r.depth)),
          ("n", .integer(r.n)),
          ("d", .integer(r.d)),
          ("scale", .number(r.alpha)),
          ("shape", .array(r.shape.map(JSONValue.number))),
          ("verdict", .string(r.verdict.rawValue)),
          ("reason", .string(r.reason)),
          ("hypotheses", .array(r.hypotheses.map { h in
            .object([("name", .string(h.name)), ("met", .bool(h.met)), ("detail", .string(h.detail))])
          })),
          ("limit", .array(r.limit.map(JSONValue.number))),
          ("transformedLimit", .array(r.transformedLimit.map(JSONValue.number))),
          ("predicted", .array(r.predicted.map(JSONValue.number))),
          ("relativeDistance", r.relativeDistance.map(JSONValue.number) ?? .null),
          ("certificateResidual", r.certificateResidual.map(JSONValue.number) ?? .null),
          ("claimedDistance", r.claimedDistance.map(JSONValue.number) ?? .null),
          ("finalRelativeResidual", r.finalResidual.map(JSONValue.number) ?? .null),
          ("conservationDrift", r.conservationDrift.map(JSONValue.number) ?? .null),
          ("mirrorInvariantResidual", r.mirrorInvariantResidual.map(JSONValue.number) ?? .null),
          ("acceptedSteps", .integer(r.steps)),
        ])
      })),
    ])
  }
}
