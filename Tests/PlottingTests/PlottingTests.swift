import Foundation
import Testing

@testable import Plotting

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The elements of an XML document with their attributes, or the parser's error.
final class ElementCollector: NSObject, XMLParserDelegate {
  var elements: [(name: String, attributes: [String: String])] = []
  var text = ""

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    elements.append((elementName, attributeDict))
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

/// Parses `svg`, expecting no error, and returns its elements and character data.
func parse(_ svg: String) -> ElementCollector {
  let parser = XMLParser(data: Data(svg.utf8))
  let collector = ElementCollector()
  parser.delegate = collector
  let ok = parser.parse()
  #expect(ok, "XML parse error: \(String(describing: parser.parserError))")
  return collector
}

/// The drawn points of each series, read back from the `data-points` attributes.
func seriesData(_ svg: String) -> [String: [Point]] {
  var result: [String: [Point]] = [:]
  for element in parse(svg).elements {
    guard let name = element.attributes["data-series"], let data = element.attributes["data-points"]
    else { continue }
    result[name] = data.split(separator: " ").map { pair in
      let xy = pair.split(separator: ",")
      return Point(x: Double(String(xy[0]))!, y: Double(String(xy[1]))!)
    }
  }
  return result
}

/// Equally spaced with a step of 1, 2 or 5 × 10ᵏ (up to rounding).
func isNiceAndEven(_ ticks: [Double]) -> Bool {
  guard ticks.count >= 2 else { return false }
  let step = ticks[1] - ticks[0]
  let power = pow(10, floor(log10(step) + 1e-9))
  let factor = step / power
  let nice = [1.0, 2.0, 5.0].contains { abs(factor - $0) < 1e-6 }
  let even = zip(ticks, ticks.dropFirst()).allSatisfy { abs(($1 - $0) - step) <= 1e-9 * step }
  return nice && even
}

@Suite("Axis ticks")
struct TickTests {
  @Test("linear [0.013, 0.97]: 0, 0.2, …, 1")
  func unitRange() {
    let t = AxisScale.linear.ticks(covering: 0.013, 0.97)
    #expect(t.labels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    #expect(t.lower == 0 && t.upper == 1)
    #expect(isNiceAndEven(t.major))
    #expect(t.minor.isEmpty && t.exponents == nil)
  }

  @Test("log [1, 1e4]: one label per decade, minor ticks 2…9")
  func logDecades() {
    let t = AxisScale.log10.ticks(covering: 1, 1e4)
    #expect(t.major == [1, 10, 100, 1000, 10000])
    #expect(t.labels == ["1e0", "1e1", "1e2", "1e3", "1e4"])
    #expect(t.exponents == [0, 1, 2, 3, 4])
    #expect(t.minor.count == 4 * 8)
    #expect(t.minor.first == 2 && t.minor.last == 9000)
  }

  @Test("log over many decades labels every few decades, at most 8 labels")
  func logManyDecades() {
    let t = AxisScale.log10.ticks(covering: 3e-13, 2e7)
    #expect(t.major.count <= 8)
    #expect(t.lower <= 3e-13 && t.upper >= 2e7)
    let exponents = t.exponents ?? []
    let every = exponents[1] - exponents[0]
    #expect(every > 1 && exponents.allSatisfy { $0 % every == 0 })
    #expect(zip(exponents, exponents.dropFirst()).allSatisfy { $1 - $0 == every })
    #expect(t.labels.first == "1e\(exponents[0])")
    #expect(!t.minor.isEmpty && t.minor.allSatisfy { t.lower < $0 && $0 < t.upper })
  }

  @Test("a constant range is widened around the value")
  func constantRange() {
    for c in [5.0, 0, -3e-7, 1e9] {
      let t = AxisScale.linear.ticks(covering: c, c)
      #expect(t.lower < c && c < t.upper, "\(c): \(t.major)")
      #expect((4...8).contains(t.major.count))
      #expect(isNiceAndEven(t.major))
    }
    let zero = AxisScale.linear.ticks(covering: 0, 0)
    #expect(zero.lower == -1 && zero.upper == 1)
    let log = AxisScale.log10.ticks(covering: 100, 100)
    #expect(log.major == [10, 100, 1000])
  }

  @Test("negative range [-7.3, -0.2]: -8, -6, …, 0")
  func negatives() {
    let t = AxisScale.linear.ticks(covering: -0.2, -7.3)
    #expect(t.major == [-8, -6, -4, -2, 0])
    #expect(t.labels == ["-8", "-6", "-4", "-2", "0"])
    #expect(!t.major.contains { $0 == 0 && $0.sign == .minus })
  }

  @Test("extreme linear ticks get mantissa-and-exponent labels")
  func extremeLabels() {
    #expect(AxisScale.linear.ticks(covering: 0, 4e5).labels == ["0", "1e5", "2e5", "3e5", "4e5"])
    #expect(AxisScale.linear.ticks(covering: 0, 4e-5).labels == ["0", "1e-5", "2e-5", "3e-5", "4e-5"])
  }

  @Test("random ranges: 4–8 nice, even ticks covering the range")
  func randomRanges() {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func uniform() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    for _ in 0..<2000 {
      let scale = pow(10, uniform() * 20 - 10)
      let a = (uniform() * 2 - 1) * scale
      let b = (uniform() * 2 - 1) * scale
      let t = AxisScale.linear.ticks(covering: a, b)
      #expect((4...8).contains(t.major.count), "\(a) \(b): \(t.major)")
      #expect(t.lower <= min(a, b) && t.upper >= max(a, b), "\(a) \(b): \(t.major)")
      #expect(isNiceAndEven(t.major), "\(a) \(b): \(t.major)")
      #expect(Set(t.labels).count == t.labels.count, "\(a) \(b): \(t.labels)")
    }
  }

  @Test("non-finite or, on log axes, non-positive bounds give the default axis")
  func defaults() {
    #expect(AxisScale.linear.ticks(covering: .nan, 1).major == AxisScale.linear.ticks(covering: 0, 1).major)
    #expect(AxisScale.log10.ticks(covering: -1, 10).major == [1, 10])
  }
}

@Suite("SVG text")
struct SVGTextTests {
  @Test("escaping &, <, >, quotes and apostrophes")
  func escaping() {
    #expect(SVGText.escaped(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
    #expect(SVGText.escaped("x\u{1}y") == "xy")
  }

  @Test("fixed decimals and plain decimals")
  func numbers() {
    #expect(SVGText.fixed(12.5, decimals: 2) == "12.5")
    #expect(SVGText.fixed(-0.004, decimals: 2) == "0")
    #expect(SVGText.fixed(-3.14159, decimals: 2) == "-3.14")
    #expect(SVGText.fixed(7.005, decimals: 0) == "7")
    #expect(SVGText.fixed(0.05, decimals: 2) == "0.05")
    #expect(SVGText.plain(1e-5) == "0.00001")
    #expect(SVGText.plain(1e16) == "10000000000000000")
    #expect(SVGText.plain(12.0) == "12")
    #expect(SVGText.plain(-0.125) == "-0.125")
    for v in [0.1, 1.0 / 3, -2.5e-300, 1.7976931348623157e308, Double.leastNonzeroMagnitude, 123456.789, 1e22, -7.0] {
      let s = SVGText.plain(v)
      #expect(!s.contains("e") && Double(s) == v, "\(v) → \(s)")
    }
  }
}

@Suite("Line plot SVG")
struct LinePlotTests {
  static let sample = LinePlot(
    title: "Loss & margin <demo>", xLabel: "t", yLabel: "loss",
    series: [
      Series(name: "decay", points: [(x: 0, y: 1), (x: 0.5, y: 0.6), (x: 1.25, y: 0.3), (x: 3, y: 0.01)]),
      Series(name: "ramp", x: [0, 1, 2, 3], y: [0.1, 0.2, 0.3, 0.4], style: .lineAndMarkers, dashed: true),
    ])

  @Test("the document is well-formed and carries every series and point")
  func wellFormedWithData() {
    let svg = Self.sample.svg()
    #expect(svg.hasPrefix("<?xml"))
    let doc = parse(svg)
    #expect(doc.elements.first?.name == "svg")
    #expect(doc.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    let data = seriesData(svg)
    #expect(data["decay"] == Self.sample.series[0].points)
    #expect(data["ramp"] == Self.sample.series[1].points)
    #expect(doc.text.contains("decay") && doc.text.contains("ramp"))
    #expect(doc.text.contains("Loss & margin <demo>"))
  }

  @Test("text is escaped and reads back unchanged")
  func escapedNames() {
    let name = #"a<b & "c" 'd'>"#
    let plot = LinePlot(title: name, xLabel: name, yLabel: name, series: [Series(name: name, points: [Point(x: 1, y: 2)])])
    let svg = plot.svg()
    #expect(!svg.contains(name))
    #expect(seriesData(svg)[name] == [Point(x: 1, y: 2)])
  }

  @Test("same plot, same bytes")
  func deterministic() {
    #expect(Self.sample.svg() == Self.sample.svg())
    #expect(Self.sample.svg() == LinePlot(
      title: Self.sample.title, xLabel: Self.sample.xLabel, yLabel: Self.sample.yLabel,
      series: Self.sample.series).svg())
  }

  @Test("log axes drop non-positive points; non-finite points are dropped everywhere")
  func dropping() {
    let plot = LinePlot(
      xScale: .log10, yScale: .log10,
      series: [
        Series(name: "mixed", points: [(x: 0, y: 1), (x: -1, y: 2), (x: 1, y: 0), (x: 10, y: 5), (x: .nan, y: 3), (x: 100, y: .infinity), (x: 1000, y: 0.5)]),
        Series(name: "hopeless", points: [(x: -1, y: 1), (x: 2, y: -3)]),
      ])
    let svg = plot.svg()
    let data = seriesData(svg)
    #expect(data["mixed"] == [Point(x: 10, y: 5), Point(x: 1000, y: 0.5)])
    #expect(data["hopeless"] == nil)
    #expect(svg.contains("hopeless (no data)"))
    let linear = LinePlot(series: [Series(name: "s", x: [0, 1, .nan, 3], y: [-1, .infinity, 2, 4])])
    #expect(seriesData(linear.svg())["s"] == [Point(x: 0, y: -1), Point(x: 3, y: 4)])
  }

  @Test("an empty plot still draws axes on the default range")
  func empty() {
    let svg = LinePlot(title: "nothing").svg()
    let doc = parse(svg)
    #expect(seriesData(svg).isEmpty)
    #expect(doc.elements.contains { $0.name == "rect" })
    #expect(doc.text.contains("0.2") && doc.text.contains("1"))
    let log = LinePlot(xScale: .log10, yScale: .log10, series: [Series(name: "none", points: [Point]())]).svg()
    _ = parse(log)
    #expect(log.contains("none (no data)"))
  }

  @Test("coordinates have at most two decimals")
  func rounding() {
    let svg = LinePlot(series: [Series(name: "s", x: [0, 1 / 3.0, 2], y: [1 / 7.0, 2, 3])]).svg()
    for element in parse(svg).elements {
      for key in ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height"] {
        guard let v = element.attributes[key] else { continue }
        let decimals = v.split(separator: ".").dropFirst().first?.count ?? 0
        #expect(decimals <= 2 && Double(v) != nil, "\(element.name) \(key)=\(v)")
      }
    }
  }

  /// Writes example plots when `PLOTTING_EXAMPLES_DIR` is set (for looking at them).
  @Test("example plots (written only when PLOTTING_EXAMPLES_DIR is set)")
  func examples() throws {
    guard let dir = ProcessInfo.processInfo.environment["PLOTTING_EXAMPLES_DIR"] else { return }
    let xs = (0...30).map { pow(10, 1 + 3 * Double($0) / 30) }
    let logLog = LinePlot(
      title: "Loss along the flow", xLabel: "time t", yLabel: "loss",
      xScale: .log10, yScale: .log10,
      series: [
        Series(name: "1/t", x: xs, y: xs.map { 1 / $0 }),
        Series(name: "1/t²", x: xs, y: xs.map { 1 / ($0 * $0) }, style: .lineAndMarkers),
        Series(name: "log(t)/t", x: xs, y: xs.map { log($0) / $0 }, dashed: true),
        Series(name: "all negative", x: xs, y: xs.map { -$0 }),
      ])
    let ts = (0...40).map { Double($0) / 4 }
    let linear = LinePlot(
      title: "Margin & alignment", xLabel: "step", yLabel: "value",
      series: [
        Series(name: "normalized margin", x: ts, y: ts.map { 1 - exp(-$0 / 2) - 0.2 }),
        Series(name: "alignment", x: ts, y: ts.map { 0.6 * cos($0) * exp(-$0 / 5) }, style: .markers),
      ])
    let narrow = LinePlot(
      title: "Narrow, negative, long names", xLabel: "x", yLabel: "y",
      series: [
        Series(name: "a series with a rather long descriptive name", x: [-4e5, -1e5, 2e5], y: [-7.3, -2, -0.2]),
        Series(name: "second", x: [-3e5, 0], y: [-5, -1], style: .markers),
      ],
      width: 360, height: 300)
    try narrow.svg().write(toFile: dir + "/narrow.svg", atomically: true, encoding: .utf8)
    try logLog.svg().write(toFile: dir + "/loglog.svg", atomically: true, encoding: .utf8)
    try linear.svg().write(toFile: dir + "/linear.svg", atomically: true, encoding: .utf8)
  }
}
