import Foundation
import LinearAlgebra
import Testing

/// |a − b| ≤ tolerance·max(1, |b|) (relative for large values, absolute near zero); the
/// observed error is printed next to the tolerance on failure.
func expectClose(
  _ a: Double, _ b: Double, tolerance: Double, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let error = abs(a - b) / max(1, abs(b))
  #expect(error <= tolerance, "\(what): \(a) vs \(b), error \(error) > tolerance \(tolerance)",
          sourceLocation: sourceLocation)
}

/// max_j |a_j − b_j| ≤ tolerance·max(1, ‖b‖∞), printing the observed error on failure.
func expectClose(
  _ a: [Double], _ b: [Double], tolerance: Double, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(a.count == b.count, "\(what): lengths \(a.count) and \(b.count)", sourceLocation: sourceLocation)
  guard a.count == b.count else { return }
  let error = (a - b).normInfinity / max(1, b.normInfinity)
  #expect(error <= tolerance, "\(what): error \(error) > tolerance \(tolerance)\n got \(a)\n want \(b)",
          sourceLocation: sourceLocation)
}

/// The shared reference fixtures: `<repo>/../shared/fixtures`, located from this file.
enum Fixtures {
  static var directory: URL {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent()  // OptimizationTests
      .deletingLastPathComponent()  // Tests
      .deletingLastPathComponent()  // repo
      .appendingPathComponent("../shared/fixtures").standardizedFileURL
  }

  /// A classification CSV (header x1..xd,y) as Z with rows z_i = y_i x_i.
  static func classification(_ name: String) throws -> Matrix {
    let url = directory.appendingPathComponent("\(name).csv")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw FixtureError.missing("fixture \(url.path) is missing or unreadable")
    }
    let lines = text.split(whereSeparator: \.isNewline).dropFirst()
    var rows: [[Double]] = []
    for line in lines where !line.isEmpty {
      let values = try line.split(separator: ",").map { field -> Double in
        guard let v = Double(field.trimmingCharacters(in: .whitespaces)) else {
          throw FixtureError.malformed("bad number '\(field)' in \(name).csv")
        }
        return v
      }
      let y = values[values.count - 1]
      rows.append(values.dropLast().map { y * $0 })
    }
    return Matrix(rows)
  }

  /// `reference.json`'s `classification.<name>`.
  static func reference(_ name: String) throws -> [String: Any] {
    let url = directory.appendingPathComponent("reference.json")
    guard let data = try? Data(contentsOf: url) else {
      throw FixtureError.missing("fixture \(url.path) is missing or unreadable")
    }
    guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let classification = json["classification"] as? [String: Any],
          let entry = classification[name] as? [String: Any] else {
      throw FixtureError.malformed("reference.json has no classification.\(name)")
    }
    return entry
  }
}

enum FixtureError: Error, CustomStringConvertible {
  case missing(String)
  case malformed(String)
  var description: String {
    switch self {
    case .missing(let s), .malformed(let s): return s
    }
  }
}
