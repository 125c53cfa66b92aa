/// Text helpers for writing SVG without Foundation: XML escaping and deterministic
/// number formatting.
enum SVGText {
  /// `text` with `&`, `<`, `>`, `"` and `'` replaced by their entities, so it can stand
  /// in character data or in a double- or single-quoted attribute. Characters that XML 1.0
  /// forbids (C0 controls other than tab, line feed and carriage return) are dropped.
  ///
  /// - Complexity: O(n) in the length of `text`.
  static func escaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// `value` rounded to `decimals` places (half away from zero), without trailing zeros
  /// or a trailing point: `fixed(12.5, 2) == "12.5"`, `fixed(-0.001, 2) == "0"`.
  /// `value` must be finite and `|value| · 10^decimals` must fit in an `Int`.
  static func fixed(_ value: Double, decimals: Int) -> String {
    precondition(value.isFinite && (0...9).contains(decimals), "cannot format \(value) to \(decimals) places")
    var scale = 1
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (value * Double(scale)).rounded(.toNearestOrAwayFromZero)
    precondition(scaled.magnitude < 9e18, "\(value) is too large to format to \(decimals) places")
    let n = Int(scaled)
    if n == 0 { return "0" }
    let sign = n < 0 ? "-" : ""
    let whole = n.magnitude / UInt(scale)
    var fraction = n.magnitude % UInt(scale)
    var width = decimals
    while width > 0 && fraction % 10 == 0 {
      fraction /= 10
      width -= 1
    }
    guard width > 0 else { return sign + String(whole) }
    var digits = String(fraction)
    digits = String(repeating: "0", count: width - digits.count) + digits
    return sign + String(whole) + "." + digits
  }

  /// An SVG coordinate or length: `value` to two decimals.
  static func coordinate(_ value: Double) -> String { fixed(value, decimals: 2) }

  /// `value` in plain decimal notation (no exponent) with the shortest digits that read
  /// back to the same `Double`: `plain(1e-5) == "0.00001"`, `plain(12.0) == "12"`.
  /// `value` must be finite.
  static func plain(_ value: Double) -> String {
    precondition(value.isFinite, "cannot write \(value) in plain decimal")
    if value == 0 { return "0" }
    var text = value.description
    var sign = ""
    if text.hasPrefix("-") {
      sign = "-"
      text.removeFirst()
    }
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exponent = Int(text[text.index(after: e)...]) ?? 0
      text = String(text[..<e])
    }
    // Digits without the point, and how many of them precede it.
    var pointPosition = text.count
    if let dot = text.firstIndex(of: ".") {
      pointPosition = text.distance(from: text.startIndex, to: dot)
      text.remove(at: dot)
    }
    var digits = Array(text)
    pointPosition += exponent
    // Strip leading zeros (keeping the point position consistent) and trailing zeros
    // after the point.
    while digits.count > 1, digits.first == "0" {
      digits.removeFirst()
      pointPosition -= 1
    }
    while digits.count > max(pointPosition, 1), digits.last == "0" { digits.removeLast() }
    if pointPosition <= 0 {
      return sign + "0." + String(repeating: "0", count: -pointPosition) + String(digits)
    }
    if pointPosition >= digits.count {
      return sign + String(digits) + String(repeating: "0", count: pointPosition - digits.count)
    }
    return sign + String(digits[..<pointPosition]) + "." + String(digits[pointPosition...])
  }
}
