import LinearAlgebra

/// How data values map to positions along an axis.
public enum AxisScale: Sendable, Hashable {
  /// Position proportional to the value.
  case linear
  /// Position proportional to the base-10 logarithm of the value; values that are not
  /// positive cannot be drawn and are dropped.
  case log10
}

/// The extent, ticks and tick labels of one axis, as chosen by ``AxisScale/ticks(covering:_:)``.
public struct AxisTicks: Sendable, Equatable {
  /// The axis starts here (a data value, not a logarithm); it is the first major tick.
  public var lower: Double
  /// The axis ends here; it is the last major tick.
  public var upper: Double
  /// Labelled tick values, increasing, from `lower` to `upper`.
  public var major: [Double]
  /// Unlabelled tick values strictly between major ticks (on log axes, 2…9 × 10ᵏ when the
  /// decades are few enough); empty on linear axes.
  public var minor: [Double]
  /// One label per major tick: plain decimals (`"0.25"`), or `"2e5"`-style for very large
  /// or very small linear ticks; on log axes `"1e-3"`, `"1e0"`, `"1e4"`.
  public var labels: [String]
  /// On log axes, the power of ten of each major tick (the SVG writes it as a superscript);
  /// `nil` on linear axes.
  public var exponents: [Int]?
}

extension AxisScale {
  /// Nice ticks for an axis that must show the values `low...high`.
  ///
  /// Linear: the step is 1, 2 or 5 × 10ᵏ, the smallest giving at most 8 ticks (hence at
  /// least 4), and the axis is widened to the multiples of the step around the data. A
  /// constant range `c...c` is widened to `c ± |c|/10` (to `-1...1` for 0). Log: the axis
  /// runs over whole decades around the data, labelled every 1 or more decades so that
  /// there are at most 8 labels; a single value at a power of ten gets a decade either
  /// side. The bounds may come in either order; non-finite bounds, or non-positive ones on
  /// a log axis, give the default axis (`0...1` linear, `1...10` log).
  ///
  /// - Complexity: O(1) apart from the ticks returned.
  public func ticks(covering low: Double, _ high: Double) -> AxisTicks {
    let lo = Swift.min(low, high)
    let hi = Swift.max(low, high)
    switch self {
    case .linear:
      guard lo.isFinite && hi.isFinite else { return Self.linearTicks(0, 1) }
      return Self.linearTicks(lo, hi)
    case .log10:
      guard lo.isFinite && hi.isFinite && lo > 0 else { return Self.logTicks(1, 10) }
      return Self.logTicks(lo, hi)
    }
  }

  private static func linearTicks(_ low: Double, _ high: Double) -> AxisTicks {
    var lo = low
    var hi = high
    let magnitude = Swift.max(lo.magnitude, hi.magnitude)
    if hi - lo <= magnitude * 1e-12 {
      let half = magnitude == 0 ? 1 : magnitude / 10
      lo -= half
      hi += half
    }
    let span = hi - lo
    // Candidate steps 1, 2, 5 × 10ᵏ, increasing, starting well below span / 8.
    var power = Elementary.pow(10, (Elementary.log10(span) - 2).rounded(.down))
    var chosen: (step: Double, first: Double, last: Double)?
    search: while chosen == nil {
      for factor in [1.0, 2.0, 5.0] {
        let step = factor * power
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        if last - first + 1 <= 8 {
          chosen = (step, first, last)
          break search
        }
      }
      power *= 10
    }
    let (step, first, last) = chosen!
    let count = Int(last - first) + 1
    let major = (0..<count).map { i -> Double in
      let v = (first + Double(i)) * step
      return v == 0 ? 0 : v  // no negative zero
    }
    return AxisTicks(
      lower: major.first!, upper: major.last!, major: major, minor: [],
      labels: linearLabels(major, step: step), exponents: nil)
  }

  /// Labels for evenly spaced ticks: fixed decimals enough to tell them apart, or
  /// mantissa-and-exponent when the ticks are ≥ 10⁵ or the step is < 10⁻⁴.
  private static func linearLabels(_ ticks: [Double], step: Double) -> [String] {
    let largest = ticks.map(\.magnitude).max() ?? 0
    let stepPower = Int((Elementary.log10(step) + 1e-9).rounded(.down))
    if largest < 1e5 && step >= 1e-4 {
      let decimals = Swift.max(0, -stepPower)
      return ticks.map { SVGText.fixed($0, decimals: decimals) }
    }
    let exponent = Int((Elementary.log10(largest) + 1e-9).rounded(.down))
    let scale = Elementary.pow(10, Double(exponent))
    let decimals = Swift.min(9, Swift.max(0, exponent - stepPower))
    return ticks.map { tick in
      if tick == 0 { return "0" }
      return (SVGText.fixed(tick / scale, decimals: decimals) + "e" + String(exponent))
    }
  }

  private static func logTicks(_ low: Double, _ high: Double) -> AxisTicks {
    var a = Int((Elementary.log10(low) + 1e-9).rounded(.down))
    var b = Int((Elementary.log10(high) - 1e-9).rounded(.up))
    if a == b {  // a single value at a power of ten
      a -= 1
      b += 1
    }
    // Label every `every` decades, at multiples of `every`, the smallest giving ≤ 8 labels.
    var every = Swift.max(1, (b - a) / 7)
    while true {
      let first = Int((Double(a) / Double(every)).rounded(.down)) * every
      let last = Int((Double(b) / Double(every)).rounded(.up)) * every
      if (last - first) / every + 1 <= 8 {
        a = first
        b = last
        break
      }
      every += 1
    }
    let exponents = Array(stride(from: a, through: b, by: every))
    let major = exponents.map { Elementary.pow(10, Double($0)) }
    var minor: [Double] = []
    if every == 1 && b - a <= 8 {
      for k in a..<b {
        let decade = Elementary.pow(10, Double(k))
        for m in 2...9 { minor.append(Double(m) * decade) }
      }
    } else if every > 1 {
      for k in a..<b where k % every != 0 { minor.append(Elementary.pow(10, Double(k))) }
    }
    return AxisTicks(
      lower: major.first!, upper: major.last!, major: major, minor: minor,
      labels: exponents.map { ("1e" + String($0)) }, exponents: exponents)
  }
}
