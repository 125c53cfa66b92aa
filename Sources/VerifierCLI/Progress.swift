import Foundation

/// Progress of a sweep on standard error: "Theorem 2: 5/12 cases" rewritten in place, only when
/// standard error is a terminal (`isatty(2)`), so that logs, pipes and CI stay quiet and JSON on
/// standard output is never mixed with it.
enum Progress {
  /// A reporter for a sweep, or nil when standard error is not a terminal.
  static func reporter(_ label: String) -> (@Sendable (Int, Int) -> Void)? {
    guard isatty(2) != 0 else { return nil }
    return { done, total in
      let line = "\r\(label): \(done)/\(total) case\(total == 1 ? "" : "s")" + (done == total ? "\n" : "")
      FileHandle.standardError.write(Data(line.utf8))
    }
  }
}
