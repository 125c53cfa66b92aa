import GradientFlow
import Theorems

/// The text report of `verify bench`: one table per question (integrator work, cost of a
/// right-hand side, verdict and phases, baseline, flow against baseline, targets), in
/// Markdown pipe syntax padded to align in a terminal.
enum BenchTables {
  static func render(_ r: BenchReport) -> String {
    let e = r.environment
    var out = "verify bench — date \(e.date) · cores \(e.cores) · build \(e.configuration) · load average \(e.loadAverageAtStart) (start) → \(e.loadAverageAtEnd) (end)\n"
    out += "mode \(e.mode) · GD budget B = \(short(e.baselineSeconds)) s · flow deadline and phase budget S = \(short(e.maxSeconds)) s · "
      + (e.childProcesses ? "one child process per instance and part (peak memory from wait4)" : "in-process (peak memory: this process so far)") + "\n"
    let figures = r.instances.compactMap(\.figures)

    out += "\n## Integrator work (flow to the horizon; Theorem 4: to relative residual 1e-12)\n"
    out += table(["instance", "N", "horizon", "RHS evaluations", "accepted steps", "rejected steps", "preparations",
                  "solves", "log(1/Loss) reached", "stop"],
                 figures.map { f in
                   [f.instance, "\(f.stateDimension)", f.horizon > 0 ? short(f.horizon) : "interp.", int(f.evaluations),
                    int(f.acceptedSteps), int(f.rejectedSteps), int(f.preparations), int(f.solves), num(f.flowLogInverseLoss),
                    f.flowStop ?? "–"]
                 })

    for f in figures where f.progress.count > 1 {
      out += "  \(f.instance) flow log(1/Loss) @ accepted steps (evaluations): "
        + f.progress.map { p in "\(short(p[0])) @ \(Int(p[1]))" + (p[2].isNaN ? "" : " (\(Int(p[2])))") }.joined(separator: ", ") + "\n"
    }
    out += "\n## Right-hand side: one evaluation at a late state against its flop count (median of timed batches)\n"
    out += table(["instance", "formula", "flops/eval", "ns/eval", "ns/eval CPU", "bound ns @1 GFLOP/s", "eval/bound", "ns/step outside evals",
                  "prep formula", "prep bound ns"],
                 figures.map { f in
                   [f.instance, f.flopFormula ?? "–", num(f.flopsPerEvaluation), num(f.nanosecondsPerEvaluation),
                    num(f.cpuNanosecondsPerEvaluation), num(f.flopsPerEvaluation), f.evaluationRatio.map { short($0) + "×" } ?? "–",
                    num(f.nanosecondsPerStepOutsideEvaluations), f.preparationFlopFormula ?? "–", num(f.flopsPerPreparation)]
                 })
    out += "(flop counts: a multiply–add is 2 flops, exp or log 10; N꜀ = columns of the margin matrix, N = state length; "
      + "ns/step outside evals = (flow time − evaluations × ns/eval) / attempted steps: the preparations and solves.)\n"

    out += "\n## Verdict, phases and memory\n"
    out += table(["instance", "verdict", "seconds to verdict", "setup s", "flow s", "certificate s", "hypotheses s",
                  "peak MB (check)", "peak MB (measure)", "peak MB after flow", "data MB", "process wall s", "process CPU s"],
                 r.instances.compactMap { entry -> [String]? in
                   guard let f = entry.figures else { return nil }
                   let walls = entry.verdictProcesses.map(\.wallSeconds)
                   let cpus = entry.verdictProcesses.map(\.cpuSeconds)
                   let checkMB = entry.verdictProcesses.map(\.maxResidentMegabytes).max()
                   let measureMB = entry.measureProcess?.maxResidentMegabytes ?? f.peakMegabytes
                   return [f.instance, f.verdict ?? "–",
                           f.secondsToVerdict.map { ($0.bounded ? "" : "≥ ") + short($0.seconds) } ?? "–",
                           phase(f, "setup"), phase(f, "flow"), phase(f, "certificate"), phase(f, "hypotheses"),
                           num(checkMB), num(measureMB), num(f.peakMegabytesAfterFlow), short(f.dataMegabytes),
                           walls.isEmpty ? (entry.measureProcess.map { short($0.wallSeconds) + " (measure)" } ?? "–")
                             : short(median(walls)) + (walls.count > 1 ? " (median of \(walls.count))" : ""),
                           cpus.isEmpty ? (entry.measureProcess.map { short($0.cpuSeconds) + " (measure)" } ?? "–")
                             : short(median(cpus))]
                 })
    out += "(phase cells: wall seconds / process CPU seconds. "
      + "seconds to verdict: the theorem's whole check in its own process; for the large instances the phases a verdict needs. "
      + "≥: a phase stopped at its budget. process wall s: the verdict process from start to exit. "
      + "peak MB after flow: the measure process's ru_maxrss before its certificate, baseline and hypotheses.)\n"
    for f in figures {
      out += "  \(f.instance): \(f.verdict ?? "–") — \(f.reason ?? phaseNotes(f))\n"
    }

    out += "\n## Baseline: fixed-step gradient descent on the layers vₗ, η = 1/λ₀ (λ₀ = ‖∇²Loss(Θ₀)‖₂), halved on a loss increase\n"
    out += table(["instance", "GD η", "λ₀", "restarts", "GD iterations", "GD ns/iter", "GD s", "GD log(1/Loss)",
                  "GD KKT residual", "GD distance"],
                 figures.compactMap { f in
                   guard let b = f.baseline else { return nil }
                   return [f.instance, short(b.learningRate), short(b.initialSharpness), "\(b.restarts)", "\(b.iterations)",
                           short(b.nanosecondsPerIteration), short(b.seconds),
                           "\(short(b.initialLogInverseLoss)) → \(short(b.logInverseLoss))", num(b.kktResidual), num(b.distance)]
                 })
    for f in figures {
      guard let b = f.baseline, b.samples.count > 2 else { continue }
      let shown = b.samples.filter { s in
        let k = Int(s[0])
        return k == 0 || k & (k - 1) != 0 || k.trailingZeroBitCount % 3 == 0
      }
      if b.stop == GradientDescentStop.converged.rawValue, let d = b.distance {
        out += "  \(f.instance): GD interpolated (relative residual ≤ 1e-12) at distance \(short(d)) from the prediction: "
          + "the limit of fixed-step GD carries a bias of its step that more iterations do not remove\n"
      }
      out += "  \(f.instance) GD log(1/Loss) by iteration: "
        + shown.map { "\(Int($0[0])): \(short($0[2]))" }.joined(separator: ", ") + " (\(b.stop))\n"
    }

    out += "\n## The flow against the baseline (times measured in this run)\n"
    out += table(["instance", "flow s to same log(1/Loss)", "ratio same log(1/Loss)", "flow evals there", "flow distance there",
                  "GD–flow gap there",
                  "flow s to same distance", "ratio same distance", "flow distance at horizon", "flow KKT at horizon"],
                 figures.compactMap { f in
                   guard let b = f.baseline else { return nil }
                   return [f.instance, qualified(b.sameLossQualifier, b.flowSecondsToSameLoss),
                           ratio(b.sameLossQualifier, b.ratioToSameLoss), int(b.flowEvaluationsToSameLoss),
                           num(b.flowDistanceAtSameLoss), num(b.gapAtSameLoss),
                           qualified(b.sameDistanceQualifier, b.flowSecondsToSameDistance),
                           ratio(b.sameDistanceQualifier, b.ratioToSameDistance), num(f.flowDistance), num(f.flowKKTResidual)]
                 })
    out += "(distance: ‖β̂ − β̂_cert‖ to the certified direction (Theorem 3: the SVM; Theorem 4: ‖ρ − ρ_Q‖/‖ρ_Q‖). "
      + "GD–flow gap: ‖β̂_GD − β̂_flow‖ at the same log(1/Loss) (Theorem 4: ‖ρ_GD − ρ_flow‖/‖ρ_flow‖). "
      + "≤: bounded by a run to a later checkpoint; >: not reached within the run.)\n"
    for f in figures {
      if let note = f.baseline?.sameDistanceNote { out += "  \(f.instance) same distance: \(note)\n" }
    }

    out += "\n## Targets (issue 7)\n"
    out += table(["target", "requirement", "figure", "met"],
                 r.targets.map { [$0.name, $0.requirement, $0.figure, $0.met.map { $0 ? "met" : "NOT met" } ?? "–"] })
    if !r.wholeProcessCommand.isEmpty {
      out += "whole process: \(r.wholeProcessCommand): "
        + r.wholeProcess.map { "\(short($0.wallSeconds)) s (CPU \(short($0.cpuSeconds)) s) / \(short($0.maxResidentMegabytes)) MB" }
        .joined(separator: ", ") + "\n"
    }
    if let all = r.allSweep {
      out += "verify --all --json: \(short(all.wallSeconds)) s (CPU \(short(all.cpuSeconds)) s), peak \(short(all.maxResidentMegabytes)) MB, verdict \(r.allSweepVerdict ?? "?")\n"
    }
    for entry in r.instances { if let p = entry.problem { out += "problem: \(entry.figures?.instance ?? "?"): \(p)\n" } }
    return out
  }

  /// Rows under a header, columns padded to their widest cell.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows { for (k, cell) in row.enumerated() { widths[k] = max(widths[k], cell.count) } }
    func line(_ cells: [String]) -> String {
      "| " + cells.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: " | ") + " |\n"
    }
    return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
  }

  static func int(_ x: Int?) -> String { x.map(String.init) ?? "–" }
  static func num(_ x: Double?) -> String { x.map(short) ?? "–" }

  static func phase(_ f: BenchFigures, _ name: String) -> String {
    guard let p = f.phases.first(where: { $0.name == name }) else {
      return f.running == name ? "killed" : "–"
    }
    if p.note?.hasPrefix("skipped") == true { return "skipped" }
    return (p.completed ? "" : "≥ ") + short(p.seconds) + (p.cpuSeconds.map { " / " + short($0) } ?? "")
  }

  static func phaseNotes(_ f: BenchFigures) -> String {
    f.phases.compactMap { p in p.note.map { "\(p.name): \($0)" } }.joined(separator: "; ")
  }

  static func qualified(_ q: String, _ x: Double?) -> String {
    guard let x else { return "–" }
    return (q.isEmpty ? "" : q + " ") + short(x)
  }

  /// A ratio GD/flow: a bound on the flow's time turns around (≤ t gives ≥ ratio).
  static func ratio(_ q: String, _ x: Double?) -> String {
    guard let x else { return "–" }
    return (q == "≤" ? "≥ " : q == ">" ? "< " : "") + short(x) + "×"
  }
}
