import Foundation
import DataIO
import Theorems

/// `verify bench`: the figures of issue 7 on fixed instances, in one run.
///
/// For each instance (``BenchInstance``) a child process (this executable with the hidden
/// `bench --instance NAME --part measure`) measures the integrator work of the flow to the
/// horizon, the cost of one right-hand-side evaluation against its flop count, the phases
/// (setup, flow, certificate, hypotheses), and the fixed-step gradient-descent baseline
/// (``GradientDescentBaseline``) for B seconds with the flow's time to the same
/// log(1/Loss) and to the same distance from the certified direction. A second child
/// (`--part verdict`) runs the theorem's whole check: its wall time, start to exit, is the
/// "whole process" figure, and `wait4` gives each child's peak memory. Then the target
/// command of the issue (`verify --theorem 2 … --horizon 1000` on the first instance's data)
/// and, in the full bench, `verify --all --json` are timed as whole processes, and the
/// targets are printed as met or not met next to their figures.
///
/// Timings are wall-clock on whatever else the machine is doing: the environment line
/// prints the load average at the start and the end.
enum BenchCommand {
  static let specs: [OptionSpec] = [
    .flag("quick", help: "scaled-down instances and budgets of a fraction of a second (a smoke run: every figure, none at the issue's sizes)"),
    .value("baseline-seconds", "B", help: "wall-clock budget of the gradient-descent baseline per instance (default 60, quick 0.25)"),
    .value("max-seconds", "S", help: "deadline of the budgeted flows (Theorem 3, large instances) and of a phase that may not finish (default 60, quick 2)"),
    .value("only", "NAMES", help: "comma-separated instance names (default: all): t2-diagonal, t2-conv, t4-diagonal, t3-fc, t2-large-L1, t2-large-L3"),
    .flag("in-process", help: "measure in this process (no peak memory per instance, no whole-process figures); the default when the executable is not `verify`"),
    .flag("json", help: "print one JSON object instead of the tables"),
    .flag("help", help: "print this help"),
  ]

  /// Options of the child processes (not in the help).
  static let hiddenSpecs: [OptionSpec] = [
    .value("instance", "NAME", help: "measure one instance (child process)"),
    .value("part", "PART", help: "measure | verdict"),
  ]

  /// The names of the figures every bench prints (checked by the tests).
  static let figureNames = [
    "RHS evaluations", "accepted steps", "rejected steps", "preparations", "solves",
    "flops/eval", "ns/eval", "ns/eval CPU", "bound ns @1 GFLOP/s", "eval/bound", "ns/step outside evals",
    "seconds to verdict", "verdict", "setup s", "flow s", "certificate s", "hypotheses s", "peak MB", "data MB",
    "process wall s", "process CPU s", "GD η", "λ₀", "GD iterations", "GD ns/iter", "GD s", "GD log(1/Loss)", "GD KKT residual",
    "GD distance", "flow s to same log(1/Loss)", "ratio same log(1/Loss)", "flow distance there", "GD–flow gap there",
    "flow s to same distance", "ratio same distance", "cores", "build", "date", "load average",
    "whole process", "verify --all",
  ]

  /// Seconds of the whole process of an independent scipy implementation of the flow with
  /// LSODA on n = 20, d = 50 (quoted by issue 7); the target is 30× faster.
  static let lsodaSeconds = 8.7

  static func run(_ arguments: [String], output: (String) -> Void, errors: (String) -> Void) -> Int32 {
    do {
      let args = try parseArguments(arguments, specs: specs + hiddenSpecs)
      if args.flag("help") {
        output(helpText(program: "verify bench", overview: "Measures the verifier against issue 7's targets and a fixed-step gradient-descent baseline.",
                        specs: specs, usage: "swift run -c release verify bench [--quick] [--baseline-seconds B] [--max-seconds S]"))
        return 0
      }
      let quick = args.flag("quick")
      let settings = BenchSettings(
        quick: quick,
        baselineSeconds: try args.double("baseline-seconds", where: .positive) ?? (quick ? 0.25 : 60),
        maxSeconds: try args.double("max-seconds", where: .positive) ?? (quick ? 2 : 60),
        abandonsPhases: args.value("instance") != nil)
      var instances = BenchInstance.all(quick: quick)
      if let only = args.value("only") {
        let names = only.split(separator: ",").map(String.init)
        for name in names where !instances.contains(where: { $0.name == name }) {
          throw UsageError(message: "unknown instance '\(name)'",
                           hint: "available: " + instances.map(\.name).joined(separator: ", "))
        }
        instances = instances.filter { names.contains($0.name) }
      }
      if let name = args.value("instance") {
        guard let instance = instances.first(where: { $0.name == name }) else {
          throw UsageError(message: "unknown instance '\(name)'", hint: "see `verify bench --help`")
        }
        let part = try args.choice("part", from: ["measure", "verdict"]) ?? "measure"
        runChild(instance, part: part, settings: settings)
        return 0
      }
      let executable = BenchChildProcess.currentExecutable
      let children = !args.flag("in-process") && executable.map { ($0 as NSString).lastPathComponent == "verify" } == true
      var passOn = ["--baseline-seconds", "\(settings.baselineSeconds)", "--max-seconds", "\(settings.maxSeconds)"]
      if quick { passOn.append("--quick") }
      var report = BenchReport(environment: .current(
        mode: quick ? "quick (scaled-down instances)" : "full", baselineSeconds: settings.baselineSeconds,
        maxSeconds: settings.maxSeconds, childProcesses: children))
      for instance in instances {
        errors("bench: \(instance.name) …")
        var entry = BenchInstanceReport()
        if children, let executable {
          entry = measureInChildren(instance, executable: executable, passOn: passOn, settings: settings)
        } else {
          let runner = BenchRunner(instance: instance, settings: settings, emit: { _ in })
          var figures = runner.measure()
          if !instance.large { figures.merge(verdict: runner.verdict()) }
          entry.figures = figures
        }
        report.instances.append(entry)
      }
      if children, let executable {
        errors("bench: whole process …")
        measureWholeProcess(&report, executable: executable, quick: quick)
        if !quick && args.value("only") == nil {
          errors("bench: verify --all …")
          let all = BenchChildProcess.run(executable, ["--all", "--json"], timeout: 1800)
          report.allSweep = all.figures
          report.allSweepVerdict = (try? JSONValue.parse(all.output))?["verdict"]?.stringValue
        }
      }
      report.environment.loadAverageAtEnd = BenchEnvironment.loadAverage()
      report.targets = targets(report, quick: quick)
      if args.flag("json") {
        let encoder = jsonEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        output(String(decoding: try encoder.encode(report), as: UTF8.self))
      } else {
        output(BenchTables.render(report))
      }
      return 0
    } catch let e as UsageError {
      errors(e.description)
      return UsageError.exitCode
    } catch {
      errors("error: \(error)")
      return 70
    }
  }

  /// The child side: measures one part and writes its figures as `BENCH {json}` lines.
  static func runChild(_ instance: BenchInstance, part: String, settings: BenchSettings) {
    let encoder = jsonEncoder()
    let emit = { (f: BenchFigures) in
      guard let data = try? encoder.encode(f) else { return }
      FileHandle.standardOutput.write(Data("BENCH ".utf8) + data + Data("\n".utf8))
    }
    let runner = BenchRunner(instance: instance, settings: settings, emit: emit)
    _ = part == "verdict" ? runner.verdict() : runner.measure()
    // A phase abandoned at its budget may still be running on a helper thread.
    exit(0)
  }

  /// The last figures a child wrote.
  static func figures(in output: String) -> BenchFigures? {
    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("BENCH ") }) else { return nil }
    return try? jsonDecoder().decode(BenchFigures.self, from: Data(line.dropFirst(6).utf8))
  }

  /// JSON with NaN and ±∞ written as the strings "nan", "inf", "-inf" (figures that were
  /// not measured, e.g. λ₀ when η is given).
  static func jsonEncoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return encoder
  }

  static func jsonDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return decoder
  }

  /// The measure child, then the verdict child (up to three times while it takes under 5 s,
  /// for a median of the whole-process time).
  static func measureInChildren(_ instance: BenchInstance, executable: String, passOn: [String],
                                settings: BenchSettings) -> BenchInstanceReport {
    var entry = BenchInstanceReport()
    let budget = settings.baselineSeconds + 6 * settings.maxSeconds + 900
    let measure = BenchChildProcess.run(executable, ["bench", "--instance", instance.name, "--part", "measure"] + passOn,
                                        timeout: budget)
    entry.measureProcess = measure.figures
    entry.figures = figures(in: measure.output)
    if measure.figures.exitCode != 0 || entry.figures == nil {
      entry.problem = "measure process: exit \(measure.figures.exitCode.map(String.init) ?? "signal \(measure.figures.signal ?? 0)")"
        + (measure.figures.timedOut ? " (killed after \(short(budget)) s)" : "")
        + (measure.errorOutput.isEmpty ? "" : ": " + String(measure.errorOutput.suffix(400)))
    }
    guard !instance.large else { return entry }
    var checks: [BenchFigures] = []
    for _ in 0..<(settings.quick ? 1 : 3) {
      let verdict = BenchChildProcess.run(executable, ["bench", "--instance", instance.name, "--part", "verdict"] + passOn,
                                          timeout: 12 * settings.maxSeconds + 120)
      entry.verdictProcesses.append(verdict.figures)
      if let v = figures(in: verdict.output) { checks.append(v) }
      if verdict.figures.wallSeconds > 5 || verdict.figures.exitCode != 0 { break }
    }
    if var v = checks.first {
      v.checkSeconds = median(checks.compactMap(\.checkSeconds))
      if entry.figures == nil { entry.figures = v } else { entry.figures!.merge(verdict: v) }
    }
    return entry
  }

  /// Times the issue's target command as whole processes on the first Theorem-2 instance's
  /// data (median of 5 runs; 1 in quick mode).
  static func measureWholeProcess(_ report: inout BenchReport, executable: String, quick: Bool) {
    guard let instance = BenchInstance.all(quick: quick).first(where: { $0.family == .theorem2Diagonal && !$0.large }) else {
      return
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("verify-bench-\(getpid())-\(instance.n)x\(instance.d).csv").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard (try? instance.dataCSV().write(toFile: path, atomically: true, encoding: .utf8)) != nil else { return }
    let arguments = ["--theorem", "2", "--network", "diagonal", "--depth", "\(instance.depth)", "--data", path,
                     "--horizon", "1000"]
    report.wholeProcessCommand = "verify " + arguments.joined(separator: " ").replacingOccurrences(of: path, with: "FILE")
      + " (n = \(instance.n), d = \(instance.d), data of \(instance.name))"
    for _ in 0..<(quick ? 1 : 5) {
      report.wholeProcess.append(BenchChildProcess.run(executable, arguments, timeout: 600).figures)
    }
  }
}

extension BenchFigures {
  /// Takes the verdict, its reason and the whole check's time from the verdict process.
  mutating func merge(verdict v: BenchFigures) {
    verdict = v.verdict
    reason = v.reason
    checkSeconds = v.checkSeconds
    if let p = v.phases.first(where: { $0.name == "whole check" }) { phases.append(p) }
  }

  /// Seconds to a verdict: the whole check when it ran; otherwise (large instances) the
  /// phases a verdict needs (setup, flow, certificate, hypotheses). `bounded` is false when a
  /// phase stopped at its budget (the figure is then a lower bound).
  var secondsToVerdict: (seconds: Double, bounded: Bool)? {
    if let checkSeconds {
      let check = phases.first { $0.name == "whole check" }
      return (checkSeconds, check?.completed ?? true)
    }
    let needed = phases.filter { ["setup", "flow", "certificate", "hypotheses"].contains($0.name) }
    guard !needed.isEmpty else { return nil }
    // The flow's time includes its own setup.
    let total = needed.filter { $0.name != "setup" }.reduce(0) { $0 + $1.seconds }
    return (total, needed.allSatisfy(\.completed) && needed.contains { $0.name == "hypotheses" })
  }

  /// The RHS evaluation time over the flop bound at 1 GFLOP/s.
  var evaluationRatio: Double? {
    guard let ns = nanosecondsPerEvaluation, let flops = flopsPerEvaluation, flops > 0 else { return nil }
    return ns / flops
  }
}

extension BenchCommand {
  /// The issue's targets, each with the figure it is judged on.
  static func targets(_ report: BenchReport, quick: Bool) -> [BenchTarget] {
    var out: [BenchTarget] = []
    let release = report.environment.configuration == "release"
    let note = quick ? " (quick: not at the issue's sizes)" : (release ? "" : " (debug build)")
    let whole = report.wholeProcess.map(\.wallSeconds)
    let limit = lsodaSeconds / 30
    out.append(BenchTarget(
      name: "whole process",
      requirement: "≤ \(short(limit)) s (scipy LSODA \(lsodaSeconds) s / 30)",
      figure: whole.isEmpty ? "not measured (in-process run)"
        : "\(short(median(whole))) s median of \(whole.count), CPU \(short(median(report.wholeProcess.map(\.cpuSeconds)))) s "
          + "(\(short(lsodaSeconds / median(whole)))× LSODA)" + note,
      met: whole.isEmpty || quick ? nil : median(whole) <= limit))
    for entry in report.instances {
      guard let f = entry.figures else { continue }
      if let b = f.baseline, let ratio = b.ratioToSameLoss {
        let q = b.sameLossQualifier == "≤" ? "≥ " : b.sameLossQualifier == ">" ? "< " : ""
        out.append(BenchTarget(
          name: "GD ratio, \(f.instance)", requirement: "≥ 1000× (time to GD's log(1/Loss) after \(short(b.seconds)) s)",
          figure: "\(q)\(short(ratio))×" + note, met: quick ? nil : (q == "< " ? false : ratio >= 1000)))
      }
      if let ratio = f.evaluationRatio {
        out.append(BenchTarget(
          name: "RHS eval, \(f.instance)", requirement: "≤ 3× the flop bound at 1 GFLOP/s",
          figure: "\(short(ratio))× (\(short(f.nanosecondsPerEvaluation!)) ns for \(short(f.flopsPerEvaluation!)) flops"
            + (f.cpuNanosecondsPerEvaluation.map { "; CPU clock \(short($0)) ns" } ?? "") + ")",
          met: ratio <= 3))
      }
      if f.instance.hasPrefix("t2-large"), let v = f.secondsToVerdict {
        out.append(BenchTarget(
          name: "large instance, \(f.instance)", requirement: "verdict (or inconclusive with figures) < 60 s",
          figure: "\(v.bounded ? "" : "≥ ")\(short(v.seconds)) s, \(f.verdict ?? "?")" + note,
          met: quick ? nil : v.bounded && v.seconds < 60))
      }
    }
    if let all = report.allSweep {
      out.append(BenchTarget(name: "verify --all", requirement: "< 60 s",
                             figure: "\(short(all.wallSeconds)) s, \(report.allSweepVerdict ?? "exit \(all.exitCode ?? -1)")",
                             met: all.wallSeconds < 60))
    } else {
      out.append(BenchTarget(name: "verify --all", requirement: "< 60 s",
                             figure: quick ? "skipped in --quick" : "not measured (in-process run or --only)", met: nil))
    }
    return out
  }
}
