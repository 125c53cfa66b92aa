import DataIO
import Foundation
import GradientFlow
import LinearAlgebra
import Symbolic
import Theorems

/// `verify --theorem 1 | 3 | 5`: general tensor networks and fully-connected networks.
extension VerifierCommand {
  /// The options that Theorems 1, 3 and 5 share with Theorem 2 (seed, cases, depth, widths).
  static func tensorSweep(_ args: ParsedArguments, theorem: String) throws -> TensorSweepConfiguration {
    var config = TensorSweepConfiguration()
    config.seed = try parsedSeed(args) ?? 1
    if theorem == "1" {
      config.architectures = [.fullyConnected, .convolutional, .diagonal]
      config.depths = [2, 3]
    }
    if let k = try args.choice("network", from: theorem == "1" ? TensorArchitectureKind.allCases.map(\.rawValue) : ["fc"]) {
      config.architectures = [TensorArchitectureKind(rawValue: k)!]
    }
    if let L = try args.int("depth", in: 1...6) { config.depths = [L] }
    config.widths = try parsedWidths(args)
    if let w = config.widths {
      let kinds = config.architectures
      for L in config.depths {
        if kinds.contains(.fullyConnected), w.count != L - 1 {
          throw UsageError(message: "--widths gives \(w.count) hidden width(s) but depth \(L) needs \(L - 1)",
                           hint: "for depth L give L − 1 widths, e.g. --depth 3 --widths 4,2")
        }
        if kinds.contains(.convolutional), w.count != L {
          throw UsageError(message: "--widths gives \(w.count) filter size(s) but depth \(L) needs \(L)",
                           hint: "for a convolutional network give one filter size per layer, e.g. --depth 2 --widths 3,2")
        }
      }
    }
    if let loss = try args.choice("loss", from: ClassificationLoss.allCases.map(\.rawValue)) {
      config.loss = ClassificationLoss(rawValue: loss)!
    }
    if let s = try args.double("init-scale", where: .positive) { config.initScale = s }
    if let g = try args.double("horizon", where: .between(10...1e8)) { config.horizon = g }
    config.cases = try args.int("cases", in: 1...1000) ?? 6
    if let path = args.value("tensor") {
      guard theorem == "1" else {
        throw UsageError(message: "--tensor is an option of theorem 1", hint: "theorem 3 is about fully-connected networks")
      }
      let spec = try TensorSpec.load(path: path)
      config.customNetwork = TensorNetwork(.tensor(dimensions: spec.dimensions, slices: spec.slices),
                                           inputDimension: spec.inputDimension)
      config.architectures = [.fullyConnected]  // the shape label is unused with a custom network
      config.depths = [spec.dimensions.count]
      if args.value("cases") == nil { config.cases = 1 }
    }
    if let path = args.value("data") {
      let ds = try LabeledDataset.load(path: path, kind: .classification)
      if let net = config.customNetwork, net.inputDimension != ds.dimension {
        throw DataFileError(file: path, message: "the data have \(ds.dimension) features but the tensor has \(net.inputDimension) slices",
                            hint: "give one slice 𝓜(e_k) per input coordinate")
      }
      if config.customNetwork == nil, config.architectures.contains(.convolutional),
         let w = config.widths, let longest = w.max(), longest > ds.dimension {
        throw UsageError(message: "--widths: filter size \(longest) exceeds the data's dimension d = \(ds.dimension)",
                         hint: "give filter sizes from 1 to \(ds.dimension), e.g. --widths \(Array(repeating: min(2, ds.dimension), count: w.count).map(String.init).joined(separator: ","))")
      }
      config.customData = ClassificationData(inputs: ds.inputs, labels: ds.targets)
      if args.value("cases") == nil { config.cases = 1 }
    }
    return config
  }

  static func parsedSeed(_ args: ParsedArguments) throws -> UInt64? {
    guard let text = args.value("seed") else { return nil }
    guard let s = UInt64(text), s < (1 << 53) else {
      throw UsageError(message: "--seed '\(text)' is not an integer from 0 to 2⁵³ − 1 (9007199254740991)",
                       hint: "for example --seed 42; case seeds printed by a report are always in range")
    }
    return s
  }

  /// --widths k₁,k₂,…: positive integers ≤ 64.
  static func parsedWidths(_ args: ParsedArguments) throws -> [Int]? {
    guard let text = args.value("widths") else { return nil }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    var out: [Int] = []
    for p in parts {
      guard let k = Int(p.trimmingCharacters(in: .whitespaces)), (1...64).contains(k) else {
        throw UsageError(message: "--widths '\(text)': '\(p)' is not an integer from 1 to 64",
                         hint: "a comma-separated list, e.g. --widths 4,3")
      }
      out.append(k)
    }
    return out
  }

  static func runTensorTheorem(_ theorem: String, _ args: ParsedArguments, output: (String) -> Void,
                               errors: (String) -> Void, context: RunContext = RunContext()) throws -> Int32 {
    let statement = theorem == "1" ? Theorem1.statement : Theorem3.statement
    if !context.validateOnly { inBackground { _ = TensorTheoremIdentities.results(theorem) } }
    var config = try tensorSweep(args, theorem: theorem)
    config.budget = context.budget
    if theorem == "3", let p = try args.double("against-norm", where: .between(0.05...1000)) {
      config.claim = args.flag("fourier") ? .fourierNorm(p) : .inputNorm(p)
    }
    if theorem == "1", let p = try args.double("against-norm", where: .between(0.05...1000)) {
      guard p == 1 || p == 2 else {
        throw UsageError(message: "--against-norm \(short(p)) is not supported by theorem 1",
                         hint: "use 1 or 2: the claim that β converges to the ℓ1 or ℓ2 max-margin direction")
      }
      config.claimedNorm = p
    }
    let slice = try SweepSlice(args, totalCases: config.cases)
    if context.validateOnly {
      // Build one case of every shape (data, network, initialization), not the flows.
      for i in 0..<min(config.cases, config.architectures.count * config.depths.count) { _ = config.makeCase(i) }
      return 0
    }
    let progress = Progress.reporter("Theorem \(theorem)")
    var sweep = theorem == "1"
      ? Theorem1.runSweep(config, caseIndices: slice.caseIndices, progress: progress)
      : Theorem3.runSweep(config, caseIndices: slice.caseIndices, progress: progress)
    let identities = TensorTheoremIdentities.results(theorem)
    (sweep.verdict, sweep.reason) = SweepVerdictRule(theorem: theorem).verdict(
      sweep.cases.map { .init(verdict: $0.verdict, seed: $0.seed) }, identities: identities)
    (sweep.verdict, sweep.reason) = budgeted(sweep.verdict, sweep.reason, caseReasons: sweep.cases.map(\.reason),
                                             budget: config.budget)
    if args.flag("json") {
      output(slice.report(JSONValue.object([
        ("theorem", .string(theorem)), ("verdict", .string(sweep.verdict.rawValue)), ("reason", .string(sweep.reason)),
        ("statement", .string(statement.oneLine)), ("identities", IdentityReport.json(identities)),
        ("configuration", .object([
          ("seed", .integer(Int(config.seed))), ("loss", .string(config.loss.rawValue)),
          ("initScale", .number(config.initScale)), ("horizon", .number(config.horizon)),
        ])),
        ("cases", .array(sweep.cases.map(caseJSON))),
      ])).serialized(pretty: true))
    } else {
      var out = statement.rendered() + "\n" + IdentityReport.text(identities) + "\n"
      out += "Sweep: \(sweep.cases.count) case(s), seed \(config.seed), \(config.customNetwork != nil ? "user tensor" : config.architectures.map(\.rawValue).joined(separator: ", "))\(config.customData != nil ? ", user data" : ""), depths \(config.depths.map(String.init).joined(separator: ", ")), loss \(config.loss.rawValue), init N(0, \(config.initScale)²), horizon log(1/Loss) = \(short(config.horizon))\n"
      out += theorem == "1"
        ? "Thresholds: Lyu–Li ε and the singular-vector-tuple residual ≤ \(Theorem1.Thresholds().residualBound) and falling (or ≤ 1e-7); τ_act = 1e-3.\n\n"
        : "Thresholds: ‖β̂ − ŵ_SVM‖ ≤ \(Theorem3.Thresholds().angleBound) and falling (or ≤ 1e-7), max σ₂/σ₁ falling; a wrong claim is refuted when its KKT residual at ŵ_SVM is ≥ 1e-6.\n\n"
      for r in sweep.cases {
        out += "  seed \(r.seed) (\(r.architecture), L = \(r.depth), n×d = \(r.n)×\(r.d), \(r.steps) steps): \(r.verdict.rawValue) — \(r.reason)\n"
        for h in r.hypotheses where !h.met { out += "      ✗ \(h.name): \(h.detail)\n" }
        if r.verdict != .holds {
          out += "      replay: swift run verify --theorem \(theorem) --seed \(r.seed) --cases 1 --network \(kindName(r.architecture)) --depth \(r.depth)"
            + (args.value("against-norm").map { " --against-norm \($0)" } ?? "") + (args.flag("fourier") ? " --fourier" : "") + "\n"
        }
      }
      if let c = sweep.cases.first, !c.checkpoints.isEmpty {
        out += "\nCheckpoints of case 0 (log(1/Loss), Lyu–Li ε, δ, tuple residual, ‖β̂ − ŵ_SVM‖, max σ₂/σ₁, drift):\n"
        for cp in c.checkpoints {
          out += "    " + [cp.logInverseLoss, cp.lyuLiEpsilon, cp.lyuLiDelta, cp.tupleResidual ?? .nan, cp.svmAngle,
                           cp.maxRankOneRatio ?? .nan, cp.conservationDrift].map(short).joined(separator: "  ") + "\n"
        }
      }
      out += "\nVerdict: \(sweep.verdict.rawValue.uppercased()) — \(sweep.reason)\n"
      output(out)
    }
    if let dir = args.value("plot") {
      let names = try PlotOutput.write(PlotOutput.tensor(theorem, sweep), to: dir)
      let note = "plots written to \(dir): " + names.joined(separator: ", ")
      if args.flag("json") { errors(note) } else { output(note) }
    }
    return slice.exitCode(sweep.verdict)
  }

  static func kindName(_ architecture: String) -> String {
    architecture.hasPrefix("fc") ? "fc" : architecture.hasPrefix("conv") ? "conv" : architecture
  }

  static func caseJSON(_ r: TensorCaseResult) -> JSONValue {
    .object([
      ("seed", .integer(Int(r.seed))), ("architecture", .string(r.architecture)), ("depth", .integer(r.depth)),
      ("n", .integer(r.n)), ("d", .integer(r.d)), ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
      ("hypotheses", .array(r.hypotheses.map { h in
        .object([("name", .string(h.name)), ("met", .bool(h.met)), ("detail", .string(h.detail))])
      })),
      ("checkpoints", .array(r.checkpoints.map { cp in
        .object([
          ("logInverseLoss", .number(cp.logInverseLoss)), ("lyuLiEpsilon", .number(cp.lyuLiEpsilon)),
          ("lyuLiDelta", .number(cp.lyuLiDelta)), ("tupleResidual", cp.tupleResidual.map(JSONValue.number) ?? .null),
          ("equalNormResidual", .number(cp.equalNormResidual)), ("svmAngle", .number(cp.svmAngle)),
          ("svmStationarity", cp.svmStationarity.map(JSONValue.number) ?? .null),
          ("maxRankOneRatio", cp.maxRankOneRatio.map(JSONValue.number) ?? .null),
          ("minAlignment", cp.minAlignment.map(JSONValue.number) ?? .null),
          ("conservationDrift", .number(cp.conservationDrift)), ("acceptedSteps", .integer(cp.acceptedSteps)),
        ])
      })),
      ("direction", .array(r.direction.map(JSONValue.number))),
      ("certificate", .object([("direction", .array(r.svmDirection.map(JSONValue.number)))])),
      ("claimedResidual", r.claimedResidual.map(JSONValue.number) ?? .null),
      ("acceptedSteps", .integer(r.steps)),
    ])
  }

  static func runTheorem5(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void,
                          context: RunContext = RunContext()) throws -> Int32 {
    if !context.validateOnly { inBackground { _ = TensorTheoremIdentities.results("5") } }
    var config = Theorem5SweepConfiguration()
    config.budget = context.budget
    config.seed = try parsedSeed(args) ?? 1
    if let L = try args.int("depth", in: 2...5) { config.depths = [L] }
    config.widths = try parsedWidths(args)
    if let w = config.widths, let bad = config.depths.first(where: { $0 - 1 != w.count }) {
      throw UsageError(message: "--widths gives \(w.count) hidden width(s) but depth \(bad) needs \(bad - 1)",
                       hint: "for depth L give L − 1 widths, e.g. --depth 3 --widths 4,2")
    }
    config.cases = try args.int("cases", in: 1...1000) ?? 4
    if let against = try args.choice("against", from: ["l1"]) { config.claimsL1 = against == "l1" }
    let slice = try SweepSlice(args, totalCases: config.cases)
    if context.validateOnly {
      for i in 0..<min(config.cases, config.depths.count) { _ = config.makeCase(i) }
      return 0
    }
    let sweep = Theorem5.runSweep(config, caseIndices: slice.caseIndices, progress: Progress.reporter("Theorem 5"))
    let identities = TensorTheoremIdentities.results("5")
    let ruled = SweepVerdictRule(theorem: "5").verdict(
      sweep.cases.map { .init(verdict: $0.verdict, seed: $0.seed) }, identities: identities)
    let (verdict, reason) = budgeted(ruled.0, ruled.1, caseReasons: sweep.cases.map(\.reason), budget: config.budget)
    if args.flag("json") {
      output(slice.report(JSONValue.object([
        ("theorem", .string("5")), ("verdict", .string(verdict.rawValue)), ("reason", .string(reason)),
        ("statement", .string(Theorem5.statement.oneLine)), ("identities", IdentityReport.json(identities)),
        ("cases", .array(sweep.cases.map { r in
          .object([
            ("seed", .integer(Int(r.seed))), ("architecture", .string(r.architecture)), ("depth", .integer(r.depth)),
            ("n", .integer(r.n)), ("d", .integer(r.d)), ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
            ("scales", .array(r.scales.map(JSONValue.number))),
            ("relativeDistances", .array(r.distances.map { $0.map(JSONValue.number) ?? .null })),
            ("rate", r.rate.map(JSONValue.number) ?? .null), ("acceptedSteps", .array(r.steps.map(JSONValue.integer))),
            ("minimumNormInterpolant", .array(r.minimumNorm.map(JSONValue.number))),
            ("claimedGap", r.claimedGap.map(JSONValue.number) ?? .null),
          ])
        })),
      ])).serialized(pretty: true))
    } else {
      var out = Theorem5.statement.rendered() + "\n" + IdentityReport.text(identities) + "\n"
      out += "Sweep: \(sweep.cases.count) case(s), seed \(config.seed), depths \(config.depths.map(String.init).joined(separator: ", ")), scales α = \(config.scales.map(short).joined(separator: ", ")); each flow runs to relative residual \(short(Theorem5.Thresholds().residual)) (rtol 1e-8).\n"
      out += "Holds for a case when ‖β^∞(α) − β_min‖/‖β_min‖ decreases as α decreases with a fitted exponent r > 0 (distance ∝ α^r). At a finite α the limit is not the minimum-norm interpolant (spec §2.6), so equality is never claimed.\n\n"
      for r in sweep.cases {
        out += "  seed \(r.seed) (\(r.architecture), L = \(r.depth), n×d = \(r.n)×\(r.d), steps \(r.steps.map(String.init).joined(separator: "/"))): \(r.verdict.rawValue) — \(r.reason)\n"
        if r.verdict != .holds {
          out += "      replay: swift run verify --theorem 5 --seed \(r.seed) --cases 1 --depth \(r.depth)" + (config.claimsL1 ? " --against l1" : "") + "\n"
        }
      }
      out += "\nVerdict: \(verdict.rawValue.uppercased()) — \(reason)\n"
      output(out)
    }
    if let dir = args.value("plot") {
      let names = try PlotOutput.write(PlotOutput.theorem5(sweep.cases), to: dir)
      let note = "plots written to \(dir): " + names.joined(separator: ", ")
      if args.flag("json") { errors(note) } else { output(note) }
    }
    return slice.exitCode(verdict)
  }
}

/// The identities Theorems 1, 3 and 5 rest on: the conservation laws of multilinear,
/// diagonal and fully-connected networks (spec §2.1, §5), computed once per process.
enum TensorTheoremIdentities {
  static let multilinear = (ConservationLaws.multilinear() + ConservationLaws.diagonal(depths: 2...4)
    + ConservationLaws.fullyConnected()).map { $0.check() }
  static let fullyConnected = ConservationLaws.fullyConnected().map { $0.check() }

  static func results(_ theorem: String) -> [IdentityResult] {
    theorem == "1" ? multilinear : fullyConnected
  }
}

extension VerifierCommand {
  /// `verify --theorem gunasekar2018 [--depth L] [--cases K] [--seed N] [--swapped]`.
  static func runGunasekar(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void,
                           context: RunContext = RunContext()) throws -> Int32 {
    let seed = try parsedSeed(args) ?? 1
    let depths = try args.int("depth", in: 2...4).map { [$0] } ?? [2]
    let cases = try args.int("cases", in: 1...100) ?? 3
    let horizon = try args.double("horizon", where: .between(10...1e8)) ?? 1e4
    let swapped = args.flag("swapped")
    var config = Theorem2SweepConfiguration()
    config.seed = seed
    let slice = try SweepSlice(args, totalCases: cases)
    if context.validateOnly { return 0 }
    let results = slice.caseIndices.map { i in
      Gunasekar2018.check(seed: config.seed(ofCase: i), depth: depths[i % depths.count], horizon: horizon, swapped: swapped,
                          budget: context.budget)
    }
    var (verdict, reason) = SweepVerdictRule(theorem: "gunasekar2018", swapped: swapped).verdict(
      results.map { .init(verdict: $0.verdict, seed: $0.seed, discriminates: $0.discriminates) },
      identities: TensorTheoremIdentities.fullyConnected)
    let partReasons = results.map { r in  // one entry per case, its four parts joined
      [r.reason, r.fullyConnected.reason, r.fullyConnectedSwapped.reason, r.convolutional.reason, r.convolutionalSwapped.reason]
        .joined(separator: " | ")
    }
    (verdict, reason) = budgeted(verdict, reason, caseReasons: partReasons, budget: context.budget)
    if args.flag("json") {
      output(slice.report(JSONValue.object([
        ("theorem", .string("gunasekar2018")), ("verdict", .string(verdict.rawValue)), ("reason", .string(reason)),
        ("statement", .string(Gunasekar2018.statement.oneLine)), ("swapped", .bool(swapped)),
        ("identities", IdentityReport.json(TensorTheoremIdentities.fullyConnected)),
        ("cases", .array(results.map { r in
          .object([
            ("seed", .integer(Int(r.seed))), ("depth", .integer(r.depth)), ("n", .integer(r.n)), ("d", .integer(r.d)),
            ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
            ("fullyConnected", caseJSON(r.fullyConnected)), ("fullyConnectedSwapped", caseJSON(r.fullyConnectedSwapped)),
            ("convolutional", .object([("verdict", .string(r.convolutional.verdict.rawValue)), ("reason", .string(r.convolutional.reason))])),
            ("convolutionalSwapped", .object([("verdict", .string(r.convolutionalSwapped.verdict.rawValue)),
                                              ("reason", .string(r.convolutionalSwapped.reason))])),
          ])
        })),
      ])).serialized(pretty: true))
    } else {
      var out = Gunasekar2018.statement.rendered() + "\n" + IdentityReport.text(TensorTheoremIdentities.fullyConnected) + "\n"
      out += "Each case: one data set; an FC network (hidden widths 3) checked by Theorem 3's predicate, a full-length convolutional network checked by Theorem 2's, each against its own claim and against the other's (swapped).\n"
      out += swapped ? "Mode --swapped: the verdict is that of the swapped claims (refuted when either is refuted on certified evidence).\n\n" : "\n"
      for r in results {
        out += "  seed \(r.seed) (L = \(r.depth), n×d = \(r.n)×\(r.d)): \(r.verdict.rawValue) — \(r.reason)\n"
        out += "      FC → ℓ2: \(r.fullyConnected.verdict.rawValue) — \(r.fullyConnected.reason)\n"
        out += "      FC → ℓ_{2/L}(DFT): \(r.fullyConnectedSwapped.verdict.rawValue) — \(r.fullyConnectedSwapped.reason)\n"
        out += "      conv → ℓ_{2/L}(DFT): \(r.convolutional.verdict.rawValue) — \(r.convolutional.reason)\n"
        out += "      conv → ℓ2: \(r.convolutionalSwapped.verdict.rawValue) — \(r.convolutionalSwapped.reason)\n"
        out += "      replay: swift run verify --theorem gunasekar2018 --seed \(r.seed) --cases 1 --depth \(r.depth)\(swapped ? " --swapped" : "")\n"
      }
      out += "\nVerdict: \(verdict.rawValue.uppercased()) — \(reason)\n"
      output(out)
    }
    if let dir = args.value("plot") {
      let names = try PlotOutput.write(PlotOutput.gunasekar(results), to: dir)
      let note = "plots written to \(dir): " + names.joined(separator: ", ")
      if args.flag("json") { errors(note) } else { output(note) }
    }
    return slice.exitCode(verdict)
  }
}

extension VerifierCommand {
  /// `verify --theorem soudry2018 [--cases K] [--seed N] [--horizon G] [--against-norm 1]`.
  static func runSoudry(_ args: ParsedArguments, output: (String) -> Void, context: RunContext = RunContext()) throws -> Int32 {
    let seed = try parsedSeed(args) ?? 1
    let cases = try args.int("cases", in: 1...100) ?? 4
    let horizon = try args.double("horizon", where: .between(100...1e8)) ?? 1e4
    let initScale = try args.double("init-scale", where: .positive) ?? 0.1
    let claimed = try args.double("against-norm", where: .between(0.05...1000))
    if let p = claimed, p != 1, p != 2 {
      throw UsageError(message: "--against-norm \(short(p)) is not supported by soudry2018",
                       hint: "use --against-norm 1 (the ℓ1 max-margin solution, computed by an LP)")
    }
    var config = Theorem2SweepConfiguration()
    config.seed = seed
    let slice = try SweepSlice(args, totalCases: cases)
    if context.validateOnly { return 0 }
    let seeds = slice.caseIndices.map(config.seed(ofCase:))
    let budget = context.budget
    let results = parallelMap(seeds) {
      Soudry2018.check(seed: $0, horizon: horizon, initScale: initScale, claimedNorm: claimed, budget: budget)
    }
    let ruled = SweepVerdictRule(theorem: "soudry2018").verdict(
      results.map { .init(verdict: $0.verdict, seed: $0.seed) }, refutedIdentities: [])
    let (verdict, reason) = budgeted(ruled.0, ruled.1, caseReasons: results.map(\.reason), budget: budget)
    if args.flag("json") {
      output(slice.report(JSONValue.object([
        ("theorem", .string("soudry2018")), ("verdict", .string(verdict.rawValue)), ("reason", .string(reason)),
        ("statement", .string(Soudry2018.statement.oneLine)), ("identities", .array([])),
        ("cases", .array(results.map { r in
          .object([
            ("seed", .integer(Int(r.seed))), ("n", .integer(r.n)), ("d", .integer(r.d)),
            ("verdict", .string(r.verdict.rawValue)), ("reason", .string(r.reason)),
            ("logTimes", .array(r.logTimes.map(JSONValue.number))),
            ("residualNorms", .array(r.residualNorms.map(JSONValue.number))),
            ("scaledDirectionErrors", .array(r.scaledDirectionErrors.map(JSONValue.number))),
            ("growthExponent", r.growthExponent.map(JSONValue.number) ?? .null),
            ("claimedResidualNorms", r.claimedResidualNorms.map { .array($0.map(JSONValue.number)) } ?? .null),
            ("claimedGrowthExponent", r.claimedGrowthExponent.map(JSONValue.number) ?? .null),
          ])
        })),
      ])).serialized(pretty: true))
    } else {
      var out = Soudry2018.statement.rendered() + "\n"
      out += "Sweep: \(cases) case(s), seed \(seed), horizon log(1/Loss) = \(short(horizon)); ‖w(t) − ŵ log t‖ is bounded when its fitted growth exponent in log t is ≤ 0.1"
        + (claimed == 1 ? "; the claim checked uses the ℓ1 max-margin solution instead (refuted when its residual grows with exponent ≥ 0.5 while the SVM's stays bounded)" : "") + ".\n\n"
      for r in results {
        out += "  seed \(r.seed) (n×d = \(r.n)×\(r.d)): \(r.verdict.rawValue) — \(r.reason)\n"
        if r.verdict != .holds {
          out += "      replay: swift run verify --theorem soudry2018 --seed \(r.seed) --cases 1" + (claimed.map { " --against-norm \(formatExponent($0))" } ?? "") + "\n"
        }
      }
      out += "\nVerdict: \(verdict.rawValue.uppercased()) — \(reason)\n"
      output(out)
    }
    return slice.exitCode(verdict)
  }
}
