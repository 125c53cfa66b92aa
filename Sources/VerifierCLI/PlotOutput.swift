import DataIO
import Foundation
import GradientFlow
import LinearAlgebra
import Plotting
import Theorems

/// `--plot DIR`: SVG figures of a run, written next to each other in DIR (created if needed).
/// Every file is a standalone SVG whose series carry their data (`data-points`).
enum PlotOutput {
  /// Writes the plots; returns the file names written.
  static func write(_ plots: [(name: String, plot: LinePlot)], to directory: String) throws -> [String] {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      for (name, plot) in plots {
        try plot.svg().write(toFile: (directory as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
      }
    } catch {
      throw DataFileError(file: directory, message: "cannot write the plots (\(error.localizedDescription))",
                          hint: "give --plot a directory you can write to")
    }
    return plots.map(\.name)
  }

  /// Theorem 2: the KKT residual and the distance to the certificate against log(1/Loss)
  /// (log–log, one series per case), and case 0's normalized transformed coordinates ρ̂ⱼ
  /// over the trajectory.
  static func theorem2(_ sweep: SweepResult) -> [(name: String, plot: LinePlot)] {
    let index = Dictionary(uniqueKeysWithValues: sweep.cases.enumerated().map { ($1.seed, $0) })
    func label(_ r: CaseResult) -> String { "case \(index[r.seed] ?? 0): \(r.networkKind.rawValue) L=\(r.depth)" }
    let residual = LinePlot(
      title: "Theorem 2: KKT residual of the flow's direction", xLabel: "log(1/Loss)", yLabel: "KKT residual (spec §4.8 b)",
      xScale: .log10, yScale: .log10,
      series: sweep.cases.map { r in Series(name: label(r), x: r.checkpoints.map(\.logInverseLoss), y: r.checkpoints.map(\.kktResidual)) })
    let distance = LinePlot(
      title: "Theorem 2: distance to the certified KKT point", xLabel: "log(1/Loss)", yLabel: "‖β̂ − β̂_cert‖",
      xScale: .log10, yScale: .log10,
      series: sweep.cases.map { r in
        Series(name: label(r), x: r.checkpoints.map(\.logInverseLoss), y: r.checkpoints.map { $0.distanceToCertificate ?? .nan })
      })
    var out = [(name: "theorem2-kkt-residual.svg", plot: residual), (name: "theorem2-distance.svg", plot: distance)]
    if let first = sweep.cases.first, let width = first.checkpoints.first?.transformedDirection.count, width > 0 {
      let coordinates = LinePlot(
        title: "Theorem 2, \(label(first)): ρ̂ over the trajectory", xLabel: "log(1/Loss)",
        yLabel: "ρ̂ⱼ (real vectorization)", xScale: .log10, yScale: .linear,
        series: (0..<min(width, 12)).map { j in
          Series(name: "ρ̂ coordinate \(j)", x: first.checkpoints.map(\.logInverseLoss),
                 y: first.checkpoints.map { $0.transformedDirection.count > j ? $0.transformedDirection[j] : .nan },
                 style: .lineAndMarkers)
        })
      out.append((name: "theorem2-coordinates.svg", plot: coordinates))
    }
    return out
  }

  /// Theorems 1 and 3: Lyu–Li ε, the tuple residual, ‖β̂ − ŵ_SVM‖ and σ₂/σ₁ against log(1/Loss).
  static func tensor(_ theorem: String, _ sweep: TensorSweepResult) -> [(name: String, plot: LinePlot)] {
    let index = Dictionary(uniqueKeysWithValues: sweep.cases.enumerated().map { ($1.seed, $0) })
    func label(_ r: TensorCaseResult) -> String { "case \(index[r.seed] ?? 0): \(r.architecture)" }
    func plot(_ title: String, _ y: String, _ value: @escaping (TensorCheckpointEvidence) -> Double?) -> LinePlot {
      LinePlot(title: "Theorem \(theorem): \(title)", xLabel: "log(1/Loss)", yLabel: y, xScale: .log10, yScale: .log10,
               series: sweep.cases.map { r in
                 Series(name: label(r), x: r.checkpoints.map(\.logInverseLoss), y: r.checkpoints.map { value($0) ?? .nan })
               })
    }
    return [
      (name: "theorem\(theorem)-lyu-li-epsilon.svg", plot: plot("Lyu–Li ε (spec §4.8 c)", "ε (relative)", { $0.lyuLiEpsilon })),
      (name: "theorem\(theorem)-tuple-residual.svg", plot: plot("singular-vector-tuple residual", "maxₗ ‖gₗ − s v̂ₗ‖/s", { $0.tupleResidual })),
      (name: "theorem\(theorem)-svm-distance.svg", plot: plot("distance to the SVM direction", "‖β̂ − ŵ_SVM‖", { $0.svmAngle })),
      (name: "theorem\(theorem)-rank-one.svg", plot: plot("layer alignment (FC)", "max σ₂/σ₁", { $0.maxRankOneRatio })),
    ]
  }

  /// Theorem 5: ‖β^∞(α) − β_min‖/‖β_min‖ against α (log–log), one series per case.
  static func theorem5(_ cases: [Theorem5Result]) -> [(name: String, plot: LinePlot)] {
    [(name: "theorem5-alpha.svg", plot: LinePlot(
      title: "Theorem 5: distance to the minimum-ℓ2 interpolant as α → 0", xLabel: "initialization scale α",
      yLabel: "‖β∞(α) − β_min‖ / ‖β_min‖", xScale: .log10, yScale: .log10,
      series: cases.map { r in
        Series(name: "\(r.architecture), r = \(r.rate.map(short) ?? "—")", x: r.scales,
               y: r.distances.map { $0 ?? .nan }, style: .lineAndMarkers)
      }))]
  }

  /// Theorem 4 `--alpha-sweep`: distances to the weighted-ℓ1 and weighted-ℓ2 limits against α.
  static func theorem4AlphaSweep(_ rows: [(seed: UInt64, points: [(alpha: Double, l1: Double, l2: Double)])])
    -> [(name: String, plot: LinePlot)]
  {
    [(name: "theorem4-alpha-sweep.svg", plot: LinePlot(
      title: "Theorem 4: α → 0 gives weighted ℓ1, α → ∞ weighted ℓ2", xLabel: "initialization scale α",
      yLabel: "relative distance", xScale: .log10, yScale: .log10,
      series: rows.flatMap { row in
        [Series(name: "seed \(row.seed): to weighted ℓ1", x: row.points.map(\.alpha), y: row.points.map(\.l1), style: .lineAndMarkers),
         Series(name: "seed \(row.seed): to weighted ℓ2", x: row.points.map(\.alpha), y: row.points.map(\.l2),
                style: .lineAndMarkers, dashed: true)]
      }))]
  }

  /// gunasekar2018: case 0's limit directions in the Fourier domain, |ρ̂ⱼ| per mode (ρ = the
  /// DFT coefficients of β, normalized): the convolutional network's limit is sparse there
  /// (ℓ_{2/L} of the DFT), the FC network's is the SVM direction's spectrum.
  static func gunasekar(_ results: [Gunasekar2018.CaseResult]) -> [(name: String, plot: LinePlot)] {
    // The case whose two limits differ most shows the contrast best.
    guard let r = results.max(by: {
      $0.fullyConnected.direction.subtracting($0.convolutional.direction).norm2
        < $1.fullyConnected.direction.subtracting($1.convolutional.direction).norm2
    }), !r.fullyConnected.direction.isEmpty, r.convolutional.direction.count == r.fullyConnected.direction.count else { return [] }
    let d = r.fullyConnected.direction.count
    let conv = LinearNetwork.convolutional(dimension: d, depth: r.depth)
    guard let lu = try? LUFactorization(conv.linearMap) else { return [] }
    func spectrum(_ beta: [Double]) -> [Double] {
      let m = conv.space.magnitudes(lu.solve(beta))
      let top = max(m.max() ?? 1, .leastNormalMagnitude)
      return m.map { $0 / top }
    }
    let modes = conv.space.modeIndex.map(Double.init)
    let p = formatExponent(2 / Double(r.depth))
    return [(name: "gunasekar2018-contrast.svg", plot: LinePlot(
      title: "FC vs conv on the same data, L = \(r.depth): Fourier spectra",
      xLabel: "DFT mode j (data seed \(r.seed))", yLabel: "|ρ̂ⱼ| / max |ρ̂|", xScale: .linear, yScale: .linear,
      series: [
        Series(name: "FC network (→ ℓ2)", x: modes, y: spectrum(r.fullyConnected.direction), style: .lineAndMarkers),
        Series(name: "SVM direction ŵ", x: modes, y: spectrum(r.fullyConnected.svmDirection), style: .markers),
        Series(name: "conv network (→ ℓ\(p) of DFT)", x: modes, y: spectrum(r.convolutional.direction),
               style: .lineAndMarkers, dashed: true),
      ]))]
  }
}
