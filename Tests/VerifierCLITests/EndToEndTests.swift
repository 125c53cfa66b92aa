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

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Runs with user files: data, initialization, decomposition.
@Suite("verify with files")
struct FileInputTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  func write(_ text: String, _ name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("verify-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  /// Spec §2.3's counterexample through the command line: exit 2, the failed hypothesis
  /// named, and the distance to the ℓ1 optimum shown.
  @Test("sign-locked --init is reported as hypothesisNotMet")
  func signLockedInit() throws {
    let data = try write("x1,x2,y\n1,0.5,1\n", "one.csv")
    let initFile = try write("0.1,0.1\n-0.1,0.1\n", "locked.csv")
    let (code, out, err) = run(["--theorem", "2", "--network", "diagonal", "--depth", "2", "--data", data,
                                "--init", initFile, "--horizon", "1000"])
    #expect(code == 2, "\(err)")
    #expect(out.contains("hypothesisNotMet") && out.contains("sign-locked"), "\(out)")
    #expect(out.contains("global ℓ_{1} optimum"))
  }

  @Test("a malformed data file names its line and column and exits 65")
  func malformed() throws {
    let data = try write("x1,x2,y\n1,0.5,1\n2,abc,-1\n", "bad.csv")
    let (code, _, err) = run(["--theorem", "2", "--data", data])
    #expect(code == 65)
    #expect(err.contains(":3:"), "\(err)")
  }

  /// A 2-layer real decomposition with S a rotation and U_l = I: holds on separable data.
  @Test("--decomposition FILE runs an odn network")
  func decomposition() throws {
    let c = 0.6, s = 0.8
    let json = "{\"S\": [[\(c), \(-s)], [\(s), \(c)]], \"U\": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]}"
    let path = try write(json, "odn.json")
    let data = try write("1,0.2,1\n0.9,-0.4,1\n-1,0.1,-1\n-0.8,-0.5,-1\n0.3,1,1\n", "sep.csv")
    let (code, out, err) = run(["--theorem", "2", "--decomposition", path, "--data", data, "--horizon", "1000", "--json"])
    #expect(code == 0, "\(err)\(out)")
    #expect(out.contains("\"network\": \"odn\""))
    let bad = try write("{\"S\": [[1, 0], [0, 1]], \"U\": [[[1, 1], [0, 1]]]}", "bad.json")
    #expect(run(["--theorem", "2", "--decomposition", bad]).0 == 65)
  }

  @Test("logistic loss and --against-norm 2 at depth 1 hold")
  func logistic() {
    let (code, out, _) = run(["--theorem", "2", "--network", "diagonal", "--depth", "1", "--cases", "2",
                              "--loss", "logistic", "--against-norm", "2", "--horizon", "1000"])
    #expect(code == 0, "\(out)")
  }

  @Test("--seed beyond 2⁵³ is a usage error")
  func seedRange() {
    #expect(run(["--theorem", "2", "--seed", "9007199254740992"]).0 == 64)
  }
}

@Suite("verify --theorem 4")
struct Theorem4CommandTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("holds, refutes with --against, rejects theorem-2 options")
  func command() {
    let (c1, o1, _) = run(["--theorem", "4", "--cases", "2", "--json"])
    #expect(c1 == 0, "\(o1)")
    for key in ["\"scale\"", "\"shape\"", "\"limit\"", "\"transformedLimit\"", "\"predicted\"", "\"relativeDistance\"",
                "\"certificateResidual\""] {
      #expect(o1.contains(key), "missing \(key)")
    }
    #expect(run(["--theorem", "4", "--cases", "2", "--json"]).1 == o1)
    #expect(run(["--theorem", "4", "--cases", "2", "--against", "l2", "--depth", "3"]).0 == 1)
    #expect(run(["--theorem", "4", "--against-norm", "2"]).0 == 64)
    #expect(run(["--theorem", "2", "--scale", "0.1"]).0 == 64)
  }
}

@Suite("verify refutation report")
struct RefutationReportTests {
  /// The full text path of a refutation: shrinking, the shrunk data and the replay line.
  /// (A report line once used `[Double] + [Double]`, which traps by design: only this
  /// end-to-end run reaches it.)
  @Test("a refuted sweep prints the shrunk counterexample and its replay command")
  func refutedReport() {
    var out = "", err = ""
    let code = VerifierCommand.run(["--theorem", "2", "--network", "diagonal", "--depth", "3", "--against-norm", "2",
                                    "--cases", "1", "--horizon", "1000"],
                                   output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    #expect(code == 1, "\(err)")
    #expect(out.contains("Counterexample (refuted; shrunk"), "\(out)")
    #expect(out.contains("replay the original: swift run verify --theorem 2 --network diagonal --depth 3 --seed 1"))
  }
}

@Suite("verify neighbour theorems")
struct NeighbourCommandTests {
  @Test("woodworth2020 and azulay2021 hold; a wrong depth is refuted; wrong options are usage errors")
  func neighbours() {
    func run(_ a: [String]) -> Int32 { VerifierCommand.run(a, output: { _ in }, errors: { _ in }) }
    #expect(run(["--theorem", "woodworth2020", "--cases", "2"]) == 0)
    #expect(run(["--theorem", "azulay2021", "--cases", "2", "--init-shape", "0.5"]) == 0)
    #expect(run(["--theorem", "woodworth2020", "--cases", "1", "--against-depth", "3"]) == 1)
    #expect(run(["--theorem", "azulay2021", "--depth", "3"]) == 64)
    #expect(run(["--theorem", "woodworth2020", "--network", "conv"]) == 64)
  }
}

@Suite("verify --theorem 4 --general-init")
struct GeneralInitCommandTests {
  @Test("a random (non-Theorem-4) initialization is checked against the §2.7 predictor")
  func generalInit() {
    var out = ""
    let code = VerifierCommand.run(["--theorem", "4", "--general-init", "--cases", "1", "--depth", "2", "--seed", "3"],
                                   output: { out += $0 }, errors: { _ in })
    #expect(code == 0, "\(out)")
    #expect(out.contains("general initialization (spec §2.7)"))
  }
}

@Suite("verify --latex and --statement")
struct StatementOutputTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("--latex prints only the statement and exits 0", arguments: ["1", "2", "3", "4", "5", "woodworth2020", "azulay2021", "gunasekar2018"])
  func latex(theorem: String) {
    let (code, out, err) = run(["--theorem", theorem, "--latex"])
    #expect(code == 0 && err.isEmpty)
    #expect(out.contains("\\paragraph{") && out.contains("\\min_{") && !out.contains("Verdict"))
  }

  @Test("--statement prints the Unicode statement; an unknown theorem is a usage error")
  func statement() {
    let (code, out, _) = run(["--theorem", "2", "--statement"])
    #expect(code == 0 && out.contains("Stationarity (derived)"))
    let (bad, _, err) = run(["--theorem", "7", "--latex"])
    #expect(bad == 64 && err.contains("unknown theorem"))
  }
}

@Suite("Identities in reports")
struct IdentityOutputTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("--json lists the identities at the top level with name, statement and status")
  func json() throws {
    let (code, out, _) = run(["--theorem", "woodworth2020", "--cases", "1", "--json"])
    #expect(code == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    let identities = try #require(object["identities"] as? [[String: Any]])
    #expect(identities.count == 6)
    for entry in identities {
      #expect(entry["name"] is String && entry["statement"] is String)
      #expect(["proved", "checked", "refuted"].contains(entry["status"] as? String ?? ""))
    }
    #expect(identities.allSatisfy { ($0["status"] as? String) == "proved" })
  }

  @Test("the text report says which identities were proved and which checked")
  func text() {
    let (_, out, _) = run(["--theorem", "2", "--network", "diagonal", "--depth", "2", "--cases", "1", "--horizon", "100"])
    #expect(out.contains("Identities the proof rests on"))
    #expect(out.contains("proved exactly") && out.contains("checked numerically"))
    #expect(out.contains("diagonal L=8"))
  }
}

@Suite("verify --theorem 1, 3, 5, gunasekar2018, soudry2018")
struct TensorCommandTests {
  func run(_ args: [String]) -> (Int32, String, String) {
    var out = "", err = ""
    let code = VerifierCommand.run(args, output: { out += $0 + "\n" }, errors: { err += $0 + "\n" })
    return (code, out, err)
  }

  @Test("a user-supplied tensor (the diagonal tensor written out) holds under Theorem 1")
  func tensorFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("diag-\(UUID().uuidString).json").path
    try #"{"dimensions": [3, 3], "slices": [[1,0,0,0,0,0,0,0,0], [0,0,0,0,1,0,0,0,0], [0,0,0,0,0,0,0,0,1]]}"#
      .write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let (code, out, _) = run(["--theorem", "1", "--tensor", path])
    #expect(code == 0 && out.contains("user tensor") && out.contains("HOLDS"), "\(out.suffix(400))")
  }

  @Test("usage errors: --widths of the wrong length, --tensor outside Theorem 1, unsupported --against-norm")
  func usage() {
    #expect(run(["--theorem", "3", "--depth", "3", "--widths", "4"]).0 == 64)
    #expect(run(["--theorem", "3", "--tensor", "x.json"]).0 == 64)
    #expect(run(["--theorem", "2", "--widths", "3"]).0 == 64)
    #expect(run(["--theorem", "1", "--against-norm", "3"]).0 == 64)
    #expect(run(["--theorem", "3", "--widths", "0"]).0 == 64)
  }

  @Test("--json of Theorem 3 carries certificate.direction, the unit SVM direction")
  func json() throws {
    let (code, out, _) = run(["--theorem", "3", "--cases", "1", "--depth", "2", "--json"])
    #expect(code == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
    let cases = try #require(object["cases"] as? [[String: Any]])
    let certificate = try #require(cases[0]["certificate"] as? [String: Any])
    let direction = try #require(certificate["direction"] as? [Double])
    #expect(abs(direction.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12)
    #expect(object["identities"] is [[String: Any]])
  }

  @Test("gunasekar2018 --swapped refutes with replay commands; soudry2018 --against-norm 1 refutes")
  func swapped() {
    let (code, out, _) = run(["--theorem", "gunasekar2018", "--cases", "1", "--swapped"])
    #expect(code == 1 && out.contains("replay: swift run verify --theorem gunasekar2018 --seed 1"), "\(out.suffix(300))")
    let (soudry, text, _) = run(["--theorem", "soudry2018", "--cases", "1", "--against-norm", "1"])
    #expect(soudry == 1 && text.contains("refuted"))
  }
}

@Suite("verify --plot")
struct PlotOutputTests {
  @Test("the SVG files are well-formed and carry one point per checkpoint of every case")
  func plots() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plots-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var out = ""
    let code = VerifierCommand.run(["--theorem", "3", "--cases", "2", "--depth", "2", "--plot", dir],
                                   output: { out += $0 + "\n" }, errors: { _ in })
    #expect(code == 0 && out.contains("plots written to"))
    let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".svg") }
    #expect(files.count == 4, "\(files)")
    let svg = try String(contentsOfFile: (dir as NSString).appendingPathComponent("theorem3-svm-distance.svg"), encoding: .utf8)
    let parser = XMLParser(data: Data(svg.utf8))
    #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
    // Two cases, each with the half-decade checkpoints 10 … 10⁴ (7 points).
    let series = svg.components(separatedBy: "data-points=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
    #expect(series.count == 2)
    for s in series { #expect(s.split(separator: " ").count == 7, "\(s)") }
  }
}

@Suite("Determinism of the JSON reports")
struct DeterminismTests {
  /// The same seed gives the same bytes: cases run on both cores, results are collected in
  /// case order, and the JSON carries no timings.
  @Test("two runs give byte-identical JSON", arguments: [
    ["--theorem", "2", "--cases", "3", "--horizon", "1000", "--json"],
    ["--theorem", "3", "--cases", "3", "--json"],
    ["--theorem", "soudry2018", "--cases", "2", "--json"],
  ])
  func identical(args: [String]) {
    func once() -> String {
      var out = ""
      _ = VerifierCommand.run(args, output: { out += $0 }, errors: { _ in })
      return out
    }
    let a = once(), b = once()
    #expect(!a.isEmpty && a == b, "\(args.joined(separator: " ")) differs between runs")
  }
}
