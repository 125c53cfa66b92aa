import DataIO
import Foundation
import LinearAlgebra
import Theorems

/// Regression of the verifier's claims against a committed baseline (`verify --all --json`
/// output): a changed verdict anywhere, or a figure that got worse than the baseline by more
/// than `factor`, is a regression.
///
/// The comparison walks both JSON documents in parallel (objects by key, arrays by index):
/// - every string under a key `verdict` must be equal;
/// - numbers under "lower is better" keys (residuals, distances, angles, ε, drifts) must
///   satisfy now ≤ factor · max(baseline, floor) — the floor (1e-12) keeps rounding-level
///   figures from tripping the check when the baseline is ~1e-16;
/// - `logInverseLoss` (how far a flow got) must satisfy now ≥ baseline / factor.
/// Shapes that differ (a case added or removed) are reported too. Figures are compared with
/// a factor, not bit for bit, so that a different CPU's last-digit differences pass while a
/// real regression (a tolerance 100× stricter, a changed norm) fails.
struct BaselineComparison {
  var factor = 10.0
  var floor = 1e-12

  struct Difference: CustomStringConvertible {
    var path: String
    var message: String
    var description: String { "\(path): \(message)" }
  }

  static let lowerIsBetter = ["residual", "distance", "angle", "epsilon", "drift", "gap"]

  static func isLowerBetter(_ key: String) -> Bool {
    let k = key.lowercased()
    if k.contains("claimed") || k.contains("rate") || k.contains("exponent") { return false }
    return lowerIsBetter.contains { k.contains($0) }
  }

  func compare(baseline: JSONValue, now: JSONValue) -> [Difference] {
    var out: [Difference] = []
    walk(baseline, now, path: "", key: "", into: &out)
    return out
  }

  private func walk(_ a: JSONValue, _ b: JSONValue, path: String, key: String, into out: inout [Difference]) {
    switch (a, b) {
    case (.object(let pa), .object):
      for (k, va) in pa {
        let label = path.isEmpty ? k : path + " › " + k
        guard let vb = b[k] else {
          out.append(Difference(path: label, message: "missing now (present in the baseline)"))
          continue
        }
        walk(va, vb, path: label, key: k, into: &out)
      }
    case (.array(let xa), .array(let xb)):
      if xa.count != xb.count {
        out.append(Difference(path: path, message: "\(xb.count) entries now, \(xa.count) in the baseline"))
      }
      for i in 0..<min(xa.count, xb.count) {
        // Theorems are labelled by name ("theorem 3"), other entries by index.
        let label = xa[i]["theorem"]?.stringValue.map { "theorem \($0)" } ?? (path + "[\(i)]")
        walk(xa[i], xb[i], path: label, key: key, into: &out)
      }
    case (.string(let sa), .string(let sb)):
      if key == "verdict" && sa != sb { out.append(Difference(path: path, message: "verdict \(sa) → \(sb)")) }
    default:
      guard let x = a.doubleValue, let y = b.doubleValue else { return }
      if BaselineComparison.isLowerBetter(key), x.isFinite {
        if !(y <= factor * max(Swift.abs(x), floor)) {
          out.append(Difference(path: path, message: "\(short(x)) → \(short(y)) (more than \(short(factor))× the baseline)"))
        }
      } else if key == "logInverseLoss", x.isFinite, !(y >= x / factor) {
        out.append(Difference(path: path, message: "reached log(1/Loss) \(short(x)) → \(short(y))"))
      }
    }
  }
}

extension VerifierCommand {
  /// `--baseline FILE`: compares the `--all --json` document with FILE; `--update-baseline`
  /// writes it instead. Exit 1 with a readable diff on a regression.
  static func checkBaseline(_ document: String, path: String, update: Bool, output: (String) -> Void,
                            errors: (String) -> Void) throws -> Int32 {
    if update {
      do { try (document + "\n").write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw DataFileError(file: path, message: "cannot write the baseline (\(error.localizedDescription))",
                            hint: "check that the directory exists and is writable")
      }
      output("wrote the baseline \(path)")
      return 0
    }
    let baselineText = try TextFile.read(path: path)
    let baseline: JSONValue
    do { baseline = try JSONValue.parse(baselineText) } catch { throw error.located(in: path) }
    guard let now = try? JSONValue.parse(document) else {
      errors("error: the run's JSON did not parse")
      return 70
    }
    let differences = BaselineComparison().compare(baseline: baseline, now: now)
    if differences.isEmpty {
      output("baseline \(path): no regression (verdicts equal, every figure within 10× of the baseline)")
      return 0
    }
    var text = "REGRESSION against the baseline \(path): \(differences.count) difference(s)\n"
    for d in differences.prefix(40) { text += "  \(d)\n" }
    if differences.count > 40 { text += "  … and \(differences.count - 40) more\n" }
    text += "If the change is intended, rewrite the baseline: swift run verify --all --json --cases 2 --update-baseline --baseline \(path)"
    errors(text)
    return 1
  }
}
