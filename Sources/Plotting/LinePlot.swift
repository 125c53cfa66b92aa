import LinearAlgebra

/// One data point of a ``Series``.
public struct Point: Sendable, Hashable {
  public var x: Double
  public var y: Double

  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// How a ``Series`` is drawn.
public enum SeriesStyle: Sendable, Hashable {
  /// Points joined by straight segments, in the order given.
  case line
  /// A marker at each point, not joined.
  case markers
  /// Both.
  case lineAndMarkers
}

/// A named sequence of points, drawn in one colour and marker shape.
public struct Series: Sendable, Hashable {
  /// Shown in the legend and written as the `data-series` attribute.
  public var name: String
  /// The data, in drawing order. Points with a non-finite coordinate, or a non-positive one
  /// on a log axis, are not drawn (and not written to `data-points`).
  public var points: [Point]
  public var style: SeriesStyle
  /// Draw the line dashed (no effect on markers).
  public var dashed: Bool

  public init(name: String, points: [Point], style: SeriesStyle = .line, dashed: Bool = false) {
    self.name = name
    self.points = points
    self.style = style
    self.dashed = dashed
  }

  /// A series from `(x, y)` pairs.
  public init(
    name: String, points: [(x: Double, y: Double)], style: SeriesStyle = .line, dashed: Bool = false
  ) {
    self.init(name: name, points: points.map { Point(x: $0.x, y: $0.y) }, style: style, dashed: dashed)
  }

  /// A series from parallel coordinate arrays, which must have the same length.
  public init(name: String, x: [Double], y: [Double], style: SeriesStyle = .line, dashed: Bool = false) {
    precondition(x.count == y.count, "series \(name) has \(x.count) x values but \(y.count) y values")
    self.init(name: name, points: zip(x, y).map { Point(x: $0, y: $1) }, style: style, dashed: dashed)
  }
}

/// A line plot of one or more series, written as a standalone SVG 1.1 document.
///
/// Layout: the title above, the y label rotated on the left, the x label below, and the
/// legend outside the plot area: to the right, or below the x label when the series names
/// are long. Both axes get nice ticks (``AxisScale/ticks(covering:_:)``) covering every
/// drawable point of every series, a light grid and tick labels. Colours cycle through the
/// Okabe–Ito palette and marker shapes through circle, square, triangle and diamond, so
/// series stay distinguishable without colour.
///
/// The document is deterministic: the same plot gives the same bytes. Coordinates are
/// rounded to 2 decimals. Each drawn series is a `<path>` carrying `data-series` (its name)
/// and `data-points` (the drawn points as `x,y` pairs in plain decimal, separated by spaces,
/// each number reading back to the exact `Double`). A series with nothing drawable has no
/// path and is listed in the legend as "(no data)".
public struct LinePlot: Sendable, Hashable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var xScale: AxisScale
  public var yScale: AxisScale
  public var series: [Series]
  /// Document width in pixels (at least 200 is used).
  public var width: Double
  /// Document height in pixels (at least 150 is used).
  public var height: Double

  public init(
    title: String = "", xLabel: String = "", yLabel: String = "",
    xScale: AxisScale = .linear, yScale: AxisScale = .linear,
    series: [Series] = [], width: Double = 640, height: Double = 420
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.xScale = xScale
    self.yScale = yScale
    self.series = series
    self.width = width
    self.height = height
  }

  /// Okabe–Ito colours, the darker ones first; yellow is last as it is faint on white.
  static let palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000", "#F0E442",
  ]

  /// The points of `series` that can be drawn on this plot's axes.
  func drawablePoints(_ series: Series) -> [Point] {
    series.points.filter { p in
      p.x.isFinite && p.y.isFinite && (xScale == .linear || p.x > 0) && (yScale == .linear || p.y > 0)
    }
  }

  /// The complete SVG document.
  ///
  /// - Complexity: O(n) in the total number of points.
  public func svg() -> String {
    var w = SVGWriter()
    let W = width.isFinite ? Swift.max(width, 200) : 640
    let H = height.isFinite ? Swift.max(height, 150) : 420
    let drawn = series.map(drawablePoints)
    let all = drawn.joined()
    let xTicks = xScale.ticks(
      covering: all.map(\.x).min() ?? .nan, all.map(\.x).max() ?? .nan)
    let yTicks = yScale.ticks(
      covering: all.map(\.y).min() ?? .nan, all.map(\.y).max() ?? .nan)

    // Font sizes and text width estimate (average glyph ≈ 0.57 em in DejaVu Sans).
    let tickFont = 11.0
    let labelFont = 13.0
    let titleFont = 15.0
    let legendFont = 12.0
    func textWidth(_ s: String, _ size: Double) -> Double { Double(s.count) * size * 0.57 }

    // Legend size.
    var legendNames = zip(series, drawn).map { s, d in d.isEmpty ? s.name + " (no data)" : s.name }
    let rowHeight = 18.0
    let swatch = 26.0
    let legendExtra = swatch + 24
    var legendWidth =
      series.isEmpty ? 0 : legendExtra + (legendNames.map { textWidth($0, legendFont) }.max() ?? 0)
    let legendHeight = series.isEmpty ? 0 : Double(series.count) * rowHeight + 10
    let legendRight = legendWidth <= W * 0.35
    if !legendRight && legendWidth > W - 20 {
      // Below the plot and still too wide: shorten the names with an ellipsis.
      let fit = Swift.max(4, Int((W - 20 - legendExtra) / (legendFont * 0.57)))
      legendNames = legendNames.map { $0.count <= fit ? $0 : String($0.prefix(fit - 1)) + "…" }
      legendWidth = legendExtra + (legendNames.map { textWidth($0, legendFont) }.max() ?? 0)
    }

    // Margins.
    let yLabelWidth = yTicks.major.indices.map { i in
      textWidth(yTicks.labels[i], tickFont) + (yTicks.exponents == nil ? 0 : 2)
    }.max() ?? 0
    // Half the first x tick label sticks out to the left of the frame.
    let left = Swift.max(
      10 + (yLabel.isEmpty ? 0 : labelFont + 8) + yLabelWidth + 10,
      textWidth(xTicks.labels.first ?? "", tickFont) / 2 + 6)
    let top = title.isEmpty ? 16.0 : titleFont + 22
    var bottom = 10 + tickFont + 12 + (xLabel.isEmpty ? 0 : labelFont + 10)
    var right = 16.0
    if legendRight && !series.isEmpty {
      right += legendWidth + 4
    } else if !series.isEmpty {
      bottom += legendHeight + 8
    }
    // Half a last x tick label may stick out to the right of the frame.
    right = Swift.max(right, textWidth(xTicks.labels.last ?? "", tickFont) / 2 + 6)
    let plotW = Swift.max(W - left - right, 20)
    let plotH = Swift.max(H - top - bottom, 20)
    let x0 = left
    let y0 = top
    let x1 = x0 + plotW
    let y1 = y0 + plotH

    func fraction(_ v: Double, _ t: AxisTicks, _ scale: AxisScale) -> Double {
      switch scale {
      case .linear: return (v - t.lower) / (t.upper - t.lower)
      case .log10:
        let a = Elementary.log10(t.lower)
        return (Elementary.log10(v) - a) / (Elementary.log10(t.upper) - a)
      }
    }
    func px(_ v: Double) -> Double { x0 + fraction(v, xTicks, xScale) * plotW }
    func py(_ v: Double) -> Double { y1 - fraction(v, yTicks, yScale) * plotH }
    let c = SVGText.coordinate

    w.line(#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#)
    w.line(
      #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(c(W))" height="\#(c(H))" viewBox="0 0 \#(c(W)) \#(c(H))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#
    )
    if !title.isEmpty { w.line("<title>\(SVGText.escaped(title))</title>") }
    w.line(#"<rect x="0" y="0" width="\#(c(W))" height="\#(c(H))" fill="white"/>"#)

    // Grid, minor first so major lines are on top.
    w.line(#"<g stroke="rgb(238,238,238)" stroke-width="0.6">"#)
    for v in xTicks.minor { w.line(#"<line x1="\#(c(px(v)))" y1="\#(c(y0))" x2="\#(c(px(v)))" y2="\#(c(y1))"/>"#) }
    for v in yTicks.minor { w.line(#"<line x1="\#(c(x0))" y1="\#(c(py(v)))" x2="\#(c(x1))" y2="\#(c(py(v)))"/>"#) }
    w.line("</g>")
    w.line(#"<g stroke="rgb(208,208,208)" stroke-width="0.8">"#)
    for v in xTicks.major { w.line(#"<line x1="\#(c(px(v)))" y1="\#(c(y0))" x2="\#(c(px(v)))" y2="\#(c(y1))"/>"#) }
    for v in yTicks.major { w.line(#"<line x1="\#(c(x0))" y1="\#(c(py(v)))" x2="\#(c(x1))" y2="\#(c(py(v)))"/>"#) }
    w.line("</g>")

    // Tick marks, outside the frame.
    w.line(#"<g stroke="black" stroke-width="1">"#)
    for v in xTicks.major { w.line(#"<line x1="\#(c(px(v)))" y1="\#(c(y1))" x2="\#(c(px(v)))" y2="\#(c(y1 + 5))"/>"#) }
    for v in xTicks.minor { w.line(#"<line x1="\#(c(px(v)))" y1="\#(c(y1))" x2="\#(c(px(v)))" y2="\#(c(y1 + 3))"/>"#) }
    for v in yTicks.major { w.line(#"<line x1="\#(c(x0 - 5))" y1="\#(c(py(v)))" x2="\#(c(x0))" y2="\#(c(py(v)))"/>"#) }
    for v in yTicks.minor { w.line(#"<line x1="\#(c(x0 - 3))" y1="\#(c(py(v)))" x2="\#(c(x0))" y2="\#(c(py(v)))"/>"#) }
    w.line("</g>")

    // Tick labels.
    w.line(#"<g font-size="\#(c(tickFont))" fill="black">"#)
    for (i, v) in xTicks.major.enumerated() {
      w.line(
        #"<text x="\#(c(px(v)))" y="\#(c(y1 + 8 + tickFont))" text-anchor="middle">\#(tickLabel(xTicks, i))</text>"#)
    }
    for (i, v) in yTicks.major.enumerated() {
      w.line(
        #"<text x="\#(c(x0 - 8))" y="\#(c(py(v) + tickFont * 0.35))" text-anchor="end">\#(tickLabel(yTicks, i))</text>"#)
    }
    w.line("</g>")

    // Title and axis labels.
    if !title.isEmpty {
      w.line(
        #"<text x="\#(c(x0 + plotW / 2))" y="\#(c(top - 12))" font-size="\#(c(titleFont))" font-weight="bold" text-anchor="middle">\#(SVGText.escaped(title))</text>"#
      )
    }
    if !xLabel.isEmpty {
      w.line(
        #"<text x="\#(c(x0 + plotW / 2))" y="\#(c(y1 + 8 + tickFont + 10 + labelFont))" font-size="\#(c(labelFont))" text-anchor="middle">\#(SVGText.escaped(xLabel))</text>"#
      )
    }
    if !yLabel.isEmpty {
      let lx = 10 + labelFont
      let ly = y0 + plotH / 2
      w.line(
        #"<text x="\#(c(lx))" y="\#(c(ly))" font-size="\#(c(labelFont))" text-anchor="middle" transform="rotate(-90 \#(c(lx)) \#(c(ly)))">\#(SVGText.escaped(yLabel))</text>"#
      )
    }

    // Series, clipped to the frame (markers may overhang it by their size).
    w.line(#"<clipPath id="plot-area"><rect x="\#(c(x0 - 6))" y="\#(c(y0 - 6))" width="\#(c(plotW + 12))" height="\#(c(plotH + 12))"/></clipPath>"#)
    w.line(#"<g clip-path="url(#plot-area)" fill="none" stroke-linejoin="round" stroke-linecap="round">"#)
    for (k, s) in series.enumerated() where !drawn[k].isEmpty {
      let colour = Self.palette[k % Self.palette.count]
      let points = drawn[k]
      let data = points.map { SVGText.plain($0.x) + "," + SVGText.plain($0.y) }.joined(separator: " ")
      var d = ""
      for (i, p) in points.enumerated() {
        d += (i == 0 ? "M" : " L") + c(px(p.x)) + "," + c(py(p.y))
      }
      let stroke = s.style == .markers ? "none" : colour
      let dash = s.dashed ? #" stroke-dasharray="6 4""# : ""
      w.line(
        #"<path data-series="\#(SVGText.escaped(s.name))" data-points="\#(data)" d="\#(d)" stroke="\#(stroke)" stroke-width="1.8"\#(dash)/>"#
      )
      if s.style != .line {
        w.line(#"<g fill="\#(colour)" stroke="none">"#)
        for p in points { w.line(marker(k, px(p.x), py(p.y), 3.5)) }
        w.line("</g>")
      }
    }
    w.line("</g>")

    // Frame.
    w.line(
      #"<rect x="\#(c(x0))" y="\#(c(y0))" width="\#(c(plotW))" height="\#(c(plotH))" fill="none" stroke="black" stroke-width="1"/>"#
    )

    // Legend.
    if !series.isEmpty {
      let lx = legendRight ? x1 + 14 : Swift.max(10, Swift.min(x0, W - legendWidth - 10))
      let ly = legendRight ? y0 : H - legendHeight - 6
      w.line(#"<g font-size="\#(c(legendFont))">"#)
      w.line(
        #"<rect x="\#(c(lx))" y="\#(c(ly))" width="\#(c(legendWidth))" height="\#(c(legendHeight))" fill="white" stroke="rgb(153,153,153)" stroke-width="0.8"/>"#
      )
      for (k, s) in series.enumerated() {
        let colour = Self.palette[k % Self.palette.count]
        let cy = ly + 5 + rowHeight * (Double(k) + 0.5)
        let sx = lx + 8
        w.line(#"<g data-legend="\#(SVGText.escaped(s.name))">"#)
        if s.style != .markers {
          let dash = s.dashed ? #" stroke-dasharray="6 4""# : ""
          w.line(
            #"<line x1="\#(c(sx))" y1="\#(c(cy))" x2="\#(c(sx + swatch))" y2="\#(c(cy))" stroke="\#(colour)" stroke-width="1.8"\#(dash)/>"#
          )
        }
        if s.style != .line {
          w.line(#"<g fill="\#(colour)" stroke="none">\#(marker(k, sx + swatch / 2, cy, 3.5))</g>"#)
        }
        let fill = drawn[k].isEmpty ? "#777777" : "#000000"
        w.line(
          #"<text x="\#(c(sx + swatch + 8))" y="\#(c(cy + legendFont * 0.35))" fill="\#(fill)">\#(SVGText.escaped(legendNames[k]))</text>"#
        )
        w.line("</g>")
      }
      w.line("</g>")
    }
    w.line("</svg>")
    return w.text
  }

  /// The SVG content of major tick label `i`: on log axes 10 with a superscript exponent.
  private func tickLabel(_ ticks: AxisTicks, _ i: Int) -> String {
    if let exponents = ticks.exponents {
      let e = String(exponents[i]).replacingOccurrencesOfMinus()
      return #"10<tspan baseline-shift="super" font-size="8">\#(e)</tspan>"#
    }
    return SVGText.escaped(ticks.labels[i]).replacingOccurrencesOfMinus()
  }

  /// Marker of series `k` (circle, square, triangle, diamond, cycling) centred at (x, y).
  private func marker(_ k: Int, _ x: Double, _ y: Double, _ r: Double) -> String {
    let c = SVGText.coordinate
    switch k % 4 {
    case 0:
      return #"<circle cx="\#(c(x))" cy="\#(c(y))" r="\#(c(r))"/>"#
    case 1:
      let s = r * 0.9
      return #"<rect x="\#(c(x - s))" y="\#(c(y - s))" width="\#(c(2 * s))" height="\#(c(2 * s))"/>"#
    case 2:
      let s = r * 1.2
      return #"<path d="M\#(c(x)),\#(c(y - s)) L\#(c(x + s)),\#(c(y + s * 0.8)) L\#(c(x - s)),\#(c(y + s * 0.8)) Z"/>"#
    default:
      let s = r * 1.25
      return #"<path d="M\#(c(x)),\#(c(y - s)) L\#(c(x + s)),\#(c(y)) L\#(c(x)),\#(c(y + s)) L\#(c(x - s)),\#(c(y)) Z"/>"#
    }
  }
}

/// Accumulates the document line by line.
struct SVGWriter {
  var text = ""
  mutating func line(_ s: String) {
    text += s
    text += "\n"
  }
}

extension String {
  /// The text with ASCII hyphen-minus replaced by the minus sign U+2212, for tick labels.
  fileprivate func replacingOccurrencesOfMinus() -> String {
    var out = String.UnicodeScalarView()
    for u in unicodeScalars { out.append(u == "-" ? "\u{2212}" : u) }
    return String(out)
  }
}
