import LinearAlgebra
import GradientFlow

/// What the flow looked like at one checkpoint, as the certificate search needs it.
public struct DirectionSample: Sendable {
  public var logInverseLoss: Double
  /// ρ (any positive scale).
  public var transformed: [Double]
  /// Normalized loss weights pᵢ = wᵢ/Loss: in the limit they point along the multipliers.
  public var weights: [Double]
  public init(logInverseLoss: Double, transformed: [Double], weights: [Double]) {
    self.logInverseLoss = logInverseLoss
    self.transformed = transformed
    self.weights = weights
  }
}

/// The outcome of searching for a KKT point near the flow.
public struct CertificateSearchResult: Sendable {
  /// The valid certificate nearest to the flow's last direction, if any.
  public var certificate: KKTCertificate?
  /// ‖β̂_flow − β̂_cert‖ at the last sample.
  public var distance: Double?
  public var candidatesTried: Int
  public var validCandidates: Int
  /// The smallest residual among candidates that did not validate (for reports).
  public var bestInvalidResidual: Double?
  /// Candidates not tried because their Newton system exceeds `largestNewtonSystem`
  /// unknowns, or because the deadline passed.
  public var skippedTooLarge = 0
  public var skippedByDeadline = 0
}

extension MaxMarginProblem {
  /// Searches candidate supports and active sets near the flow and certifies each by
  /// `polish` (spec §4.8 b; issue: "search candidates; identify the support from the
  /// trend as well as the magnitudes").
  ///
  /// Supports: groups ordered by |ρ̃_g| at the last sample, cut at the largest gaps of
  /// log|ρ̃|, and the groups whose |ρ̃_g| levels off between the last two samples (fitted
  /// exponent of log(1/Loss) above −τ; off the support magnitudes keep decaying at a
  /// power of log(1/Loss)). For p > 1 the support is every group.
  /// Active sets: points whose loss weight pᵢ is not negligible (exponential tails make
  /// non-support weights vanish like e^{−gap·log(1/Loss)}), points within τ of unit
  /// margin, and, for p = 1 on a real space, the |P| smallest margins (a vertex).
  /// - Parameters:
  ///   - linearMap: T with β = Tρ, to measure distances between directions in β.
  ///   - newtonIterations: the iteration cap of each candidate's `polish` (a candidate whose
  ///     Newton iteration has not converged by then does not validate).
  public func searchCertificate(samples: [DirectionSample], linearMap: Matrix,
                                validityTolerance: Double = 1e-10, maxCandidates: Int = 48,
                                newtonIterations: Int = 60,
                                deadline: ContinuousClock.Instant? = nil) -> CertificateSearchResult {
    searchCertificate(samples: samples, coefficients: { linearMap * $0 }, validityTolerance: validityTolerance,
                      maxCandidates: maxCandidates, newtonIterations: newtonIterations, deadline: deadline)
  }

  /// `searchCertificate(samples:linearMap:…)` with β = T ρ given as a function (so that
  /// T = I or an FFT need not be a stored matrix).
  public func searchCertificate(samples: [DirectionSample], coefficients: ([Double]) -> [Double],
                                validityTolerance: Double = 1e-10, maxCandidates: Int = 48,
                                newtonIterations: Int = 60,
                                deadline: ContinuousClock.Instant? = nil) -> CertificateSearchResult {
    guard let last = samples.last, let scaled = unitMarginScaling(last.transformed) else {
      return CertificateSearchResult(certificate: nil, distance: nil, candidatesTried: 0, validCandidates: 0,
                                     bestInvalidResidual: nil)
    }
    let groups = space.groupCount
    let mags = space.magnitudes(scaled)
    let top = mags.max() ?? 0
    let order = (0..<groups).sorted { mags[$0] > mags[$1] || (mags[$0] == mags[$1] && $0 < $1) }
    var supports: [[Int]] = []
    func addSupport(_ s: [Int]) {
      let sorted = s.sorted()
      if !sorted.isEmpty && !supports.contains(sorted) { supports.append(sorted) }
    }
    if offSupportRule == .zero {
      addSupport(Array(0..<groups))
    } else {
      var gaps: [(k: Int, gap: Double)] = []
      for k in 1..<max(groups, 1) {
        let a = mags[order[k - 1]], b = mags[order[k]]
        guard a > 0 else { break }
        let gap = b > 0 ? Elementary.log(a / b) : 800
        gaps.append((k, gap))
      }
      for (k, _) in gaps.sorted(by: { $0.gap > $1.gap }).prefix(4) { addSupport(Array(order[0..<k])) }
      if samples.count >= 2, let prevScaled = unitMarginScaling(samples[samples.count - 2].transformed) {
        let prevMags = space.magnitudes(prevScaled)
        let span = Elementary.log(last.logInverseLoss / samples[samples.count - 2].logInverseLoss)
        if span > 0 {
          for tau in [0.1, 0.25, 0.5] {
            addSupport((0..<groups).filter { g in
              guard mags[g] > 1e-12 * top, prevMags[g] > 0 else { return false }
              return Elementary.log(mags[g] / prevMags[g]) / span > -tau
            })
          }
        }
      }
      addSupport(Array(0..<groups))
    }
    let m = margins(scaled)
    let pointOrder = (0..<pointCount).sorted { m[$0] < m[$1] || (m[$0] == m[$1] && $0 < $1) }
    var actives: [[Int]] = []
    func addActive(_ a: [Int]) {
      let sorted = a.sorted()
      if !sorted.isEmpty && !actives.contains(sorted) { actives.append(sorted) }
    }
    let pmax = last.weights.max() ?? 0
    for theta in [1e-8, 1e-4, 1e-2] { addActive((0..<pointCount).filter { last.weights[$0] >= theta * pmax }) }
    for tau in [1e-4, 1e-3, 1e-2] { addActive((0..<pointCount).filter { m[$0] <= 1 + tau }) }

    let flowDirection = coefficients(last.transformed).normalized
    var best: (KKTCertificate, Double)?
    var tried = 0, valid = 0
    var bestInvalid: Double?
    var pairs: [([Int], [Int])] = []
    for s in supports {
      var localActives = actives
      if offSupportRule == .dualNormBound && space.isReal {
        let k = min(s.count, pointCount)
        let vertex = Array(pointOrder[0..<k]).sorted()
        if !localActives.contains(vertex) { localActives.insert(vertex, at: 0) }
      }
      for a in localActives { pairs.append((s, a)) }
    }
    var tooLarge = 0, late = 0
    for (s, a) in pairs.prefix(maxCandidates) {
      let unknowns = s.reduce(0) { $0 + space.coordinates(of: $1).count } + a.count
      // p = 2 has a dual form on |A| unknowns (`polishDual`); other exponents need Newton.
      let dual = unknowns > Self.largestNewtonSystem && abs(exponent - 2) < 1e-12 && a.count <= Self.largestNewtonSystem
      if unknowns > Self.largestNewtonSystem && !dual { tooLarge += 1; continue }
      if let deadline, ContinuousClock.now >= deadline { late += 1; continue }
      tried += 1
      let polished = dual
        ? polishDual(active: a)
        : polish(support: s, active: a, initialPoint: scaled,
                 initialMultipliers: nnlsMultipliers(at: scaled, support: s, active: a), maxIterations: newtonIterations)
      guard let cert = polished else { continue }
      if cert.isValid(tolerance: validityTolerance) {
        valid += 1
        let dist = (coefficients(cert.point).normalized.subtracting(flowDirection)).norm2
        if best == nil || dist < best!.1 - 1e-15 { best = (cert, dist) }
      } else {
        bestInvalid = min(bestInvalid ?? .infinity, cert.residual)
      }
    }
    return CertificateSearchResult(certificate: best?.0, distance: best?.1, candidatesTried: tried,
                                   validCandidates: valid, bestInvalidResidual: bestInvalid,
                                   skippedTooLarge: tooLarge, skippedByDeadline: late)
  }

  /// λ = argmin_{λ ≥ 0} ‖∇_P − (A_Aᵀλ)_P‖ at ρ (an initial guess for `polish`).
  func nnlsMultipliers(at rho: [Double], support: [Int], active: [Int]) -> [Double] {
    let grad = objectiveGradient(rho)
    let coords = support.flatMap { Array(space.coordinates(of: $0)) }
    let system = Matrix(rows: coords.count, columns: active.count) { c, k in marginMatrix[active[k], coords[c]] }
    let nnls = nonNegativeLeastSquares(system, coords.map { grad[$0] })
    var lambda = [Double](repeating: 0, count: pointCount)
    for (k, i) in active.enumerated() { lambda[i] = nnls.x[k] }
    return lambda
  }
}

/// The exponent r of a fitted power law distance ≈ C · log(1/Loss)^{−r}, by least squares
/// on (log log(1/Loss), log distance) over the given samples (nil with fewer than two
/// usable samples). Distances at or below `floor` are excluded (they carry no trend).
public func fittedDecayRate(logInverseLosses: [Double], distances: [Double], floor: Double = 1e-13) -> Double? {
  var xs: [Double] = [], ys: [Double] = []
  for (g, dist) in zip(logInverseLosses, distances) where g > 1 && dist > floor {
    xs.append(Elementary.log(g)); ys.append(Elementary.log(dist))
  }
  guard xs.count >= 2 else { return nil }
  let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
  var sxy = 0.0, sxx = 0.0
  for k in xs.indices { sxy += (xs[k] - mx) * (ys[k] - my); sxx += (xs[k] - mx) * (xs[k] - mx) }
  guard sxx > 0 else { return nil }
  return -sxy / sxx
}
