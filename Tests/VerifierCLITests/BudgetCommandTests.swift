import DataIO
import GradientFlow
import Testing
import Theorems

@testable import VerifierCLI

/// `--max-seconds` and `--max-steps` (issue 8, item 3): validated, passed on by `--all`,
/// one deadline for the whole run, and a budget that cuts a case makes it — and the sweep —
/// inconclusive with the reason.
@Suite("verify --max-seconds and --max-steps")
struct BudgetCommandTests {
  func run(_ args: [String], deadline: ContinuousClock.Instant? = nil) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" },
                                   deadline: deadline, validateOnly: false)
    return (code, out, err)
  }

  @Test("out-of-range or malformed budgets are usage errors naming the option",
        arguments: [("max-seconds", "0"), ("max-seconds", "-1"), ("max-seconds", "1000001"), ("max-seconds", "nan"),
                    ("max-seconds", "inf"), ("max-seconds", "1e-400"), ("max-seconds", "ten"), ("max-steps", "0"),
                    ("max-steps", "-5"), ("max-steps", "1000000001"), ("max-steps", "1.5"), ("max-steps", "1e6")])
  func validation(option: String, value: String) {
    for args in [["--theorem", "2", "--\(option)", value], ["--all", "--\(option)", value]] {
      let (code, _, err) = run(args)
      #expect(code == 64, "\(args): exit \(code)")
      #expect(err.contains("--\(option)") && err.contains("hint:"), "\(err)")
    }
  }

  @Test("the extreme valid budgets parse")
  func extremes() {
    for args in [["--max-seconds", "1e6"], ["--max-seconds", "0.001"], ["--max-steps", "1"], ["--max-steps", "1000000000"]] {
      let code = VerifierCommand.run(["--theorem", "4"] + args, output: { _ in }, errors: { _ in }, deadline: nil,
                                     validateOnly: true)
      #expect(code == 0, "\(args)")
    }
  }

  @Test("a step budget cuts every case: inconclusive, exit 2, the reason names --max-steps")
  func steps() throws {
    let (code, out, err) = run(["--theorem", "2", "--network", "diagonal", "--depth", "2", "--cases", "2",
                                "--max-steps", "3", "--json"])
    #expect(code == 2, "\(err)")
    let json = try JSONValue.parse(out)
    #expect(json["verdict"]?.stringValue == "inconclusive")
    #expect(json["reason"]?.stringValue?.contains("rerun with a larger --max-steps") == true, "\(json["reason"] ?? .null)")
    #expect(out.contains("step budget of 3 accepted steps exhausted at log(1/Loss)"))
  }

  @Test("--all passes --max-steps to every theorem")
  func allPassesSteps() throws {
    let (code, out, err) = run(["--all", "--cases", "1", "--max-steps", "1", "--json"])
    #expect(code == 2, "\(err)")
    let json = try JSONValue.parse(out)
    guard case .array(let theorems)? = json["theorems"] else {
      Issue.record("no theorems array: \(out.prefix(300))")
      return
    }
    #expect(theorems.count == VerifierCommand.allTheorems.count)
    for t in theorems {
      #expect(t["verdict"]?.stringValue == "inconclusive", "\(t["theorem"] ?? .null): \(t["reason"] ?? .null)")
      #expect(t["reason"]?.stringValue?.contains("--max-steps") == true, "\(t["theorem"] ?? .null): \(t["reason"] ?? .null)")
    }
  }

  /// One deadline for the whole run: handed a spent deadline, `--all` cuts every theorem even
  /// though `--max-seconds` alone (10⁶ s from each theorem's start) would cut none.
  @Test("--all hands one deadline to every theorem")
  func allSharesDeadline() throws {
    let spent = ContinuousClock.now.advanced(by: .seconds(-1))
    let (code, out, err) = run(["--all", "--cases", "1", "--max-seconds", "1000000", "--json"], deadline: spent)
    #expect(code == 2, "\(err)")
    let json = try JSONValue.parse(out)
    guard case .array(let theorems)? = json["theorems"] else {
      Issue.record("no theorems array")
      return
    }
    for t in theorems {
      #expect(t["reason"]?.stringValue?.contains("time budget of 1000000 s (--max-seconds)") == true,
              "\(t["theorem"] ?? .null): \(t["reason"] ?? .null)")
    }
  }

  @Test("a sweep in which a user's budget cut a case is not 'holds'; a refutation stands")
  func sweepVerdict() {
    let cut = "the flow stopped early: time budget of 5 s (--max-seconds) exhausted; \(FlowBudget.timeBudgetAdvice)"
    let budget = FlowBudget(seconds: 5)
    let (v, reason) = VerifierCommand.budgeted(.holds, "7 of 8 hold", caseReasons: ["ok", cut], budget: budget)
    #expect(v == .inconclusive && reason.contains("1 case(s) cut by the time budget of 5 s"), "\(reason)")
    #expect(VerifierCommand.budgeted(.refuted, "r", caseReasons: [cut], budget: budget).0 == .refuted)
    // Without a user budget the default step budget is one inconclusive case among others.
    #expect(VerifierCommand.budgeted(.holds, "h", caseReasons: [cut], budget: FlowBudget()).0 == .holds)
  }
}
