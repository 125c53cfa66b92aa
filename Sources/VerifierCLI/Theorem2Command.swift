import Foundation
import LinearAlgebra
import GradientFlow
import DataIO
import Theorems
import PropertyChecking

extension VerifierCommand {
  static func runTheorem2(_ args: ParsedArguments, output: (String) -> Void, errors: (String) -> Void,
                          context: RunContext = RunContext()) throws -> Int32 {
    var config = Theorem2SweepConfiguration()
    config.budget = context.budget
    if let seedText = args.value("seed") {
      // Seeds stay below 2⁵³ so that every JSON reader holds them exactly.
      guard let s = UInt64(seedText), s < (1 << 53) else {
        throw UsageError(message: "--seed '\(seedText)' is not an integer from 0 to 2⁵³ − 1 (9007199254740991)",
                         hint: "for example --seed 42; case seeds printed by a report are always in range")
      }
      config.seed = s
    }
    if let k = try args.choice("network", from: NetworkKind.allCases.map(\.rawValue)) {
      config.networks = [NetworkKind(rawValue: k)!]
    }
    if let L = try args.int("depth", in: 1...12) { config.depths = [L] }
    if let loss = try args.choice("loss", from: ClassificationLoss.allCases.map(\.rawValue)) {
      config.loss = ClassificationLoss(rawValue: loss)!
    }
    if let s = try args.double("init-scale", where: .positive) { config.initScale = s }
    if let g = try args.double("horizon", where: .between(10...1e10)) { config.horizon = g }
    if let p = try args.double("against-norm", where: .between(0.05...1000)) { config.claimedExponent = p }
    let explicitCases = try args.int("cases", in: 1...10_000)

    var custom: [Theorem2Case]?
    if args.value("data") != nil || args.value("decomposition") != nil || args.value("init") != nil {
      custom = try customCases(args, config: &config, cases: explicitCases ?? 1)
    } else {
      config.cases = explicitCases ?? 12
    }
    let slice = try SweepSlice(args, totalCases: custom?.count ?? config.cases)
    if context.validateOnly {
      // Build one case of every shape (data, network, initialization), not the flows.
      if custom == nil {
        for i in 0..<min(config.cases, config.networks.count * config.depths.count) {
          let (kind, depth) = config.shape(ofCase: i)
          _ = Theorem2.generateCase(seed: config.seed(ofCase: i), kind: kind, depth: depth, configuration: config)
        }
      }
      return 0
    }
    let thresholds = Theorem2.Thresholds()
    // The identities are derived and checked on another thread while the flows run.
    let networks = Set(config.networks)
    inBackground { _ = Theorem2.identityResults(networks: networks) }
    var sweep: SweepResult
    if let custom {
      let cases = slice.caseIndices.map { custom[$0] }
      let results = Theorem2.checkAll(cases, thresholds: thresholds)
      sweep = Theorem2.assemble(cases: cases, results: results, thresholds: thresholds,
                                shrinking: !args.flag("no-shrink"), initScale: config.initScale)
    } else {
      sweep = Theorem2.runSweep(config, thresholds: thresholds, shrinking: !args.flag("no-shrink"),
                                caseIndices: slice.caseIndices, progress: Progress.reporter("Theorem 2"))
    }
    (sweep.verdict, sweep.reason) = SweepVerdictRule(theorem: "2").verdict(
      sweep.cases.map { .init(verdict: $0.verdict, seed: $0.seed) }, identities: Theorem2.identityResults(networks: networks))
    (sweep.verdict, sweep.reason) = budgeted(sweep.verdict, sweep.reason, caseReasons: sweep.cases.map(\.reason),
                                             budget: config.budget)
    if args.flag("json") {
      output(slice.report(Theorem2Report.json(sweep, configuration: config, thresholds: thresholds)).serialized(pretty: true))
    } else {
      output(Theorem2Report.text(sweep, configuration: config, thresholds: thresholds, customData: custom != nil))
    }
    if let dir = args.value("plot") {
      let names = try PlotOutput.write(PlotOutput.theorem2(sweep), to: dir)
      let note = "plots written to \(dir): " + names.joined(separator: ", ")
      if args.flag("json") { errors(note) } else { output(note) }
    }
    return slice.exitCode(sweep.verdict)
  }

  /// Cases on user-supplied data, decomposition or initialization: case 0 is exactly the
  /// requested configuration; further cases redraw the initialization from their seeds.
  static func customCases(_ args: ParsedArguments, config: inout Theorem2SweepConfiguration,
                          cases: Int) throws -> [Theorem2Case] {
    var rng = SeededGenerator(seed: config.seed)
    var decomposition: DecompositionSpec?
    if let path = args.value("decomposition") {
      decomposition = try DecompositionSpec.load(path: path)
      if let k = args.value("network"), k != NetworkKind.orthogonallyDecomposable.rawValue {
        throw UsageError(message: "--decomposition describes an odn network but --network is '\(k)'",
                         hint: "drop --network or use --network odn")
      }
      config.networks = [.orthogonallyDecomposable]
      if let L = config.depths.count == 1 ? config.depths.first : nil, L != decomposition!.u.count {
        throw UsageError(message: "--depth \(L) but the decomposition has \(decomposition!.u.count) layer bases",
                         hint: "drop --depth or give one U_l per layer")
      }
      config.depths = [decomposition!.u.count]
    }
    let kind = config.networks.count == 1 ? config.networks[0] : .diagonal
    let depth = config.depths.count == 1 ? config.depths[0] : 2
    config.networks = [kind]
    config.depths = [depth]
    var data: ClassificationData
    if let path = args.value("data") {
      let ds = try LabeledDataset.load(path: path, kind: .classification)
      data = ClassificationData(inputs: ds.inputs, labels: ds.targets)
    } else {
      let d = decomposition?.s.columns ?? Theorem2.dataShape(depth: depth, using: &rng).d
      data = Theorem2.separableData(n: 2 * d + 2, d: d, sparsity: d, margin: 0.1, using: &rng)
    }
    let network: LinearNetwork
    if let decomposition {
      guard decomposition.s.columns == data.dimension else {
        throw DataFileError(file: args.value("decomposition")!, line: nil, column: nil,
                            message: "S has \(decomposition.s.columns) columns but the data have d = \(data.dimension)",
                            hint: "S must be m × d for d input features")
      }
      network = .orthogonallyDecomposable(s: decomposition.s, u: decomposition.u)
    } else {
      network = Theorem2.network(kind: kind, dimension: data.dimension, depth: depth, using: &rng)
    }
    var out: [Theorem2Case] = []
    for i in 0..<cases {
      let seed = config.seed(ofCase: i)
      var caseRNG = SeededGenerator(seed: seed)
      var initial = Theorem2.gaussianInitialization(network: network, scale: config.initScale, using: &caseRNG)
      if i == 0, let path = args.value("init") {
        let widths = Set(network.layerWidths)
        initial = try InitializationFile.load(path: path, expectedLayers: depth,
                                              expectedWidth: widths.count == 1 ? widths.first : nil)
        for (l, layer) in initial.enumerated() where layer.count != network.layerWidths[l] {
          throw DataFileError(file: path, line: l + 1, column: nil,
                              message: "layer \(l + 1) has \(layer.count) entries, the network needs \(network.layerWidths[l])",
                              hint: "one row per layer with that layer's parameters v_l")
        }
      }
      var c = Theorem2Case(seed: seed, network: network, data: data, initialLayers: initial, loss: config.loss,
                           horizon: config.horizon, claimedExponent: config.claimedExponent)
      c.budget = config.budget
      out.append(c)
    }
    return out
  }
}
