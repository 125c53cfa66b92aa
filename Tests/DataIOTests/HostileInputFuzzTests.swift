import PropertyChecking
import Testing
@testable import DataIO

/// Hostile-input fuzzing of the file readers (issue 8, item 1, the file half): seeded random
/// CSV and JSON documents built from malformed pieces. Every case must either parse into a
/// valid value (rectangular, finite, labels ±1 for classification) or throw a `DataFileError`
/// that says what is wrong (a message), where (a line ≥ 1 when one is given) and how to fix it
/// (a hint) — never trap. 10 000 cases in all; `FUZZ_CASES=N` runs more.
@Suite("Hostile inputs: file readers never trap")
struct HostileInputFuzzTests {
  static var cases: Int {
    if let text = ProcessInfo_environment("FUZZ_CASES"), let n = Int(text), n > 0 { return n }
    return 8_000
  }

  /// Numeric fields, valid and hostile.
  static let numbers = ["0", "1", "-2.5", "3e-300", "1e300", "-0", "1e-320", "NaN", "nan", "inf", "-Inf", "1e400",
                        "", " ", "abc", "0x1p3", " 3 ", "+1", "1,5", "\"2\"", "1.0.0", "--1", "١", "1e", ".", "−1"]
  static let labels = ["1", "-1", "+1", "1.0", "0", "2", "yes", "", "-1.0", "NaN", "−1"]
  static let endings = ["\n", "\r\n", "\r", "\n\n"]

  /// A CSV text: optional BOM and header, rows of random width, random labels and endings.
  static let csvGenerator = Generator<String>(generate: { rng, size in
    var text = rng.integer(in: 0...9) == 0 ? "\u{FEFF}" : ""
    let width = rng.integer(in: 0...5)
    let ending = endings[rng.integer(in: 0...(endings.count - 1))]
    if rng.integer(in: 0...2) == 0 {
      text += (0..<width).map { "x\($0 + 1)" }.joined(separator: ",") + (width > 0 ? ",y" : "y") + ending
    }
    let rows = rng.integer(in: 0...max(0, min(size, 12)))
    for _ in 0..<rows {
      let w = rng.integer(in: 0...9) == 0 ? rng.integer(in: 0...7) : width
      var fields = (0..<w).map { _ in
        rng.integer(in: 0...3) == 0 ? numbers[rng.integer(in: 0...(numbers.count - 1))] : String(rng.gaussian())
      }
      fields.append(labels[rng.integer(in: 0...(labels.count - 1))])
      if rng.integer(in: 0...15) == 0 { fields.append("") }  // trailing comma
      text += fields.joined(separator: ",") + ending
    }
    if rng.integer(in: 0...20) == 0 { text = String(text.prefix(rng.integer(in: 0...text.count))) }  // truncated
    return text
  })

  static func check(_ error: DataFileError) -> PropertyResult {
    if error.message.isEmpty { return .fail("empty message") }
    if error.hint.isEmpty { return .fail("no hint for: \(error.message)") }
    if let line = error.line, line < 1 { return .fail("line \(line) < 1") }
    if error.file.isEmpty { return .fail("no file name") }
    return .pass
  }

  @Test("random CSV documents: a valid dataset or a located error with a hint")
  func csv() {
    let outcome = checkProperty("CSV readers", seed: 0xF022_C5F, cases: Self.cases, size: 1...12, generator: Self.csvGenerator) { text in
      for kind in [DatasetKind.classification, .regression] {
        do throws(DataFileError) {
          let ds = kind == .classification
            ? try LabeledDataset.classification(csv: text, fileName: "fuzz.csv")
            : try LabeledDataset.regression(csv: text, fileName: "fuzz.csv")
          if ds.count == 0 || ds.dimension == 0 { return .fail("accepted an empty dataset") }
          for i in 0..<ds.count {
            for j in 0..<ds.dimension where !ds.inputs[i, j].isFinite { return .fail("accepted a non-finite input") }
            if !ds.targets[i].isFinite { return .fail("accepted a non-finite target") }
            if kind == .classification && ds.targets[i] != 1 && ds.targets[i] != -1 { return .fail("label \(ds.targets[i])") }
          }
        } catch {
          let r = Self.check(error)
          if r != .pass { return r }
        }
      }
      return .pass
    }
    #expect(outcome.passed, "\(outcome)")
  }

  /// JSON tensor and decomposition files built from valid and hostile pieces.
  static let jsonGenerator = Generator<String>(generate: { rng, _ in
    let values = ["1", "0", "-1e300", "1e400", "\"1\"", "null", "true", "[]", "{}", "NaN", "2.5", "-0"]
    func array(_ n: Int) -> String { "[" + (0..<n).map { _ in values[rng.integer(in: 0...(values.count - 1))] }.joined(separator: ", ") + "]" }
    let k = rng.integer(in: 0...3)
    let dims = "[" + (0..<rng.integer(in: 0...3)).map { _ in String(rng.integer(in: -1...3)) }.joined(separator: ", ") + "]"
    let pieces = [
      "{\"dimensions\": \(dims), \"slices\": [\(array(k)), \(array(k * k))]}",
      "{\"S\": [\(array(k)), \(array(k))], \"U\": [[\(array(k))]]}",
      "{\"dimensions\": \(dims)}", "[1, 2", "{\"slices\": 3}", "", "{\"S\": [[1, 0], [0, 1]], \"U\": [[[1, 0], [0, 1]], [[0.6, 0.8], [0.8, -0.6]]]}",
      "{\"dimensions\": [2], \"slices\": [[1, 2], [3, 4]]}", "{\"dimensions\": [2], \"dimensions\": [2], \"slices\": [[1, 2]]}",
    ]
    return pieces[rng.integer(in: 0...(pieces.count - 1))]
  })

  @Test("random JSON tensor and decomposition files: a valid value or a located error with a hint")
  func json() {
    let outcome = checkProperty("JSON readers", seed: 0x15_0F22, cases: 2_000, generator: Self.jsonGenerator) { text in
      do throws(DataFileError) {
        let t = try TensorSpec.parse(json: text, fileName: "fuzz.json")
        let size = t.dimensions.reduce(1, *)
        if t.slices.contains(where: { $0.count != size || $0.contains { !$0.isFinite } }) { return .fail("accepted a bad tensor") }
      } catch {
        let r = Self.check(error)
        if r != .pass { return r }
      }
      do throws(DataFileError) {
        _ = try DecompositionSpec.parse(json: text, fileName: "fuzz.json")
      } catch {
        let r = Self.check(error)
        if r != .pass { return r }
      }
      return .pass
    }
    #expect(outcome.passed, "\(outcome)")
  }
}

/// The environment without Foundation.
private func ProcessInfo_environment(_ name: String) -> String? {
  guard let value = getenv(name) else { return nil }
  return String(cString: value)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
