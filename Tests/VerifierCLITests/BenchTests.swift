import Foundation
import Testing
@testable import VerifierCLI

/// `verify bench`: the flop counts it judges evaluations against, the child-process
/// measurement, and a quick run that prints every figure. No timing is asserted here: the
/// speed targets live in the bench's output (Docs/Performance.md), never in tests.
@Suite("verify bench")
struct BenchTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("flop counts of one evaluation and one preparation follow their formulas")
  func flopFormulas() {
    // Theorem 2 diagonal, n = 20, d = 50, L = 3: N꜀ = 50, N = 150; F = 4nN꜀ + 9N + 10n, of
    // which the two matrix–vector products m = Aρ and q = Aᵀp are 4·20·50 = 4000.
    let classification = BenchFlops.classification(n: 20, columns: 50, state: 150)
    #expect(classification.0 == "4nN꜀ + 9N + 10n")
    #expect(classification.1 == 5550)
    // Theorem 4 diagonal, n = 50, d = 200, L = 3: 4·50·200 + 5·600 + 50.
    #expect(BenchFlops.regression(n: 50, columns: 200, state: 600).1 == 43050)
    // 2n²N + 8n³/3 with n = 3, N = 10: 180 + 72.
    #expect(BenchFlops.woodburyPreparation(n: 3, state: 10).1 == 252)
    // 2n²N + 2n³/3 with n = 3, N = 10: 180 + 18.
    #expect(BenchFlops.regressionPreparation(n: 3, state: 10).1 == 198)
    // 2N³/3 + nN² with n = 2, N = 3: 18 + 18.
    #expect(BenchFlops.densePreparation(n: 2, state: 3).1 == 36)
  }

  @Test("a child process is measured by wait4: exit code, wall time, peak memory, timeout")
  func childProcess() {
    let exited = BenchChildProcess.run("/bin/sh", ["-c", "echo hello; exit 3"], timeout: 60)
    #expect(exited.figures.exitCode == 3 && exited.output == "hello\n" && !exited.figures.timedOut)
    #expect(exited.figures.maxResidentMegabytes > 0 && exited.figures.wallSeconds < 60)
    let killed = BenchChildProcess.run("/bin/sh", ["-c", "sleep 30"], timeout: 0.2)
    #expect(killed.figures.timedOut && killed.figures.signal == 9 && killed.figures.exitCode == nil)
  }

  /// One instance per kind of measurement (a whole check, the dense-Jacobian flow with a
  /// deadline, a large instance's phases); the others add minutes in a debug build.
  @Test("`verify bench --quick` prints every figure and target")
  func quickPrintsEveryFigure() {
    let instances = ["t2-diagonal", "t3-fc", "t2-large-L1"]
    let (code, out, err) = run(["bench", "--quick", "--only", instances.joined(separator: ","), "--max-seconds", "0.5"])
    #expect(code == 0, "\(err)")
    for name in BenchCommand.figureNames {
      #expect(out.contains(name), "the bench output lacks “\(name)”")
    }
    for instance in instances {
      #expect(out.contains("| \(instance)"), "no row for \(instance)")
    }
    for target in ["GD ratio", "RHS eval", "large instance", "whole process", "verify --all"] {
      #expect(out.contains("| \(target)"), "no target row “\(target)”")
    }
  }

  @Test("`verify bench --quick --json` decodes, with the figures of the instance asked for")
  func quickJSON() throws {
    let (code, out, err) = run(["bench", "--quick", "--only", "t2-diagonal", "--json"])
    #expect(code == 0, "\(err)")
    let report = try BenchCommand.jsonDecoder().decode(BenchReport.self, from: Data(out.utf8))
    let figures = try #require(report.instances.first?.figures)
    #expect(report.instances.count == 1 && figures.instance == "t2-diagonal")
    #expect((figures.evaluations ?? 0) > 0 && (figures.nanosecondsPerEvaluation ?? 0) > 0)
    #expect(figures.verdict != nil && (figures.baseline?.iterations ?? 0) > 0)
  }

  @Test("usage errors exit 64")
  func usage() {
    #expect(run(["bench", "--only", "t9"]).0 == 64)
    #expect(run(["bench", "--baseline-seconds", "-1"]).0 == 64)
    #expect(run(["bench", "--help"]).1.contains("--baseline-seconds"))
  }
}
