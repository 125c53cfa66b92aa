import Testing
@testable import VerifierCLI

@Suite("verify command")
struct EndToEndTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("usage errors exit 64 with a hint")
  func usage() {
    let (c1, _, e1) = run(["--theorem", "2", "--depht", "3"])
    #expect(c1 == 64 && e1.contains("--depth"), "\(e1)")
    let (c2, _, e2) = run(["--theorem", "9"])
    #expect(c2 == 64 && e2.contains("unknown theorem"))
    let (c3, _, _) = run(["--theorem", "2", "--depth", "0"])
    #expect(c3 == 64)
  }

  @Test("a missing data file exits 65")
  func missingData() {
    let (c, _, e) = run(["--theorem", "2", "--data", "/nonexistent/x.csv"])
    #expect(c == 65, "\(e)")
  }

  @Test("--json is deterministic and carries the schema's keys")
  func json() {
    let args = ["--theorem", "2", "--network", "diagonal", "--depth", "2", "--cases", "2", "--horizon", "100", "--json"]
    let (c1, o1, _) = run(args)
    let (c2, o2, _) = run(args)
    #expect(c1 == c2 && o1 == o2)
    for key in ["\"theorem\"", "\"verdict\"", "\"cases\"", "\"checkpoints\"", "\"logInverseLoss\"", "\"kktResidual\"",
                "\"distanceToCertificate\"", "\"direction\"", "\"transformedDirection\"", "\"support\"", "\"active\"",
                "\"certificate\"", "\"multipliers\"", "\"residual\""] {
      #expect(o1.contains(key), "missing \(key)")
    }
  }

  @Test("--help, --version and --list exit 0")
  func info() {
    #expect(run(["--help"]).0 == 0)
    #expect(run(["--version"]).1.contains("verify"))
    #expect(run(["--list"]).1.contains("Theorem 2"))
  }
}
