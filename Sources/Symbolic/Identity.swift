import LinearAlgebra

// MARK: - Claims and their outcome

/// How an identity lhs = rhs was settled.
///
/// The statuses are ordered by strength of evidence: `proved` is exact algebra, `checked` is
/// agreement at sampled points within a stated tolerance, `refuted` is a point where the two
/// sides differ (certified by the zero test, or beyond the numeric tolerance), and
/// `undecided` means neither: no exact proof and no numeric evidence (no numeric check was
/// configured, or no sample point could be evaluated).
public enum IdentityStatus: String, Sendable, Equatable, CaseIterable {
  case proved, checked, refuted, undecided
}

/// The outcome of `Identity.check()`.
public struct IdentityResult: Sendable {
  /// The identity's name, e.g. "diagonal L=5: [v₁]ⱼ² − [v₂]ⱼ² conserved (j = 1)".
  public var name: String
  /// The claim in plain text.
  public var statement: String
  /// The two sides as stated.
  public var lhs: Expr
  public var rhs: Expr
  public var status: IdentityStatus
  /// The method if proved; "N random points (seed s), |lhs − rhs| ≤ abs + rel·max(|lhs|, |rhs|)
  /// …" if checked; the failing point and value if refuted; the reason if undecided.
  public var detail: String
  /// The refuting point (symbol values), when refuted.
  public var point: [Symbol: Double]?
  /// What the exact zero test said (kept for reports).
  public var exactDecision: ZeroDecision
  /// The largest |lhs − rhs| seen over the numeric samples, when the numeric check ran.
  public var largestSampledDifference: Double?

  /// "proved  name — detail" in one line.
  public var summary: String { "\(status.rawValue)\t\(name) — \(detail)" }
}

// MARK: - Numeric sampling

/// The acceptance bound of a numeric comparison: |a − b| ≤ absolute + relative·max(|a|, |b|).
///
/// The bound is symmetric in a and b; it is not transitive (a ≈ b and b ≈ c do not give
/// a ≈ c with the same bound), so every comparison is made between the two sides of one
/// claim, never chained.
public struct NumericTolerance: Sendable, Equatable {
  public var absolute: Double
  public var relative: Double
  /// Why this bound is right for the expressions compared: the rounding error of their
  /// evaluation (number of terms × magnitude × ε), the accuracy of root finding and
  /// quadrature, the conditioning of an inverse.
  public var justification: String

  public init(absolute: Double, relative: Double, justification: String) {
    precondition(absolute >= 0 && relative >= 0, "tolerances are non-negative")
    self.absolute = absolute
    self.relative = relative
    self.justification = justification
  }

  /// The bound for the pair (a, b).
  public func bound(_ a: Double, _ b: Double) -> Double {
    absolute + relative * Swift.max(Swift.abs(a), Swift.abs(b))
  }

  /// 1e-9 absolute and relative: polynomial and elementary expressions of ≲ 10³ terms of
  /// magnitude ≲ 10² evaluate with a rounding error ≲ 10³·10²·2.2e-16 ≈ 2e-11, two orders
  /// below the bound; a false identity differs by O(1) at a generic point.
  public static let polynomial = NumericTolerance(
    absolute: 1e-9, relative: 1e-9,
    justification: "rounding of ≲10³ terms of magnitude ≲10² is ≲2e-11; false claims differ by O(1)")
}

/// How to sample when exact algebra does not settle an identity: ranges of the free
/// symbols, the number of points, the tolerance, and numeric implementations of opaque
/// functions (ℓ, ℓ′) and of implicit inverses where the caller has better ones than root
/// finding.
///
/// Points are drawn uniformly from the ranges with a seeded generator (SplitMix64), so a
/// failure is replayed from the seed the detail reports.
public struct NumericCheck: Sendable {
  /// Ranges per symbol; a free symbol without a range is drawn from `defaultRange`.
  public var ranges: [Symbol: ClosedRange<Double>]
  public var defaultRange: ClosedRange<Double>
  public var count: Int
  public var tolerance: NumericTolerance
  public var functions: [String: @Sendable (Double) -> Double]
  public var seed: UInt64

  public init(ranges: [Symbol: ClosedRange<Double>] = [:], defaultRange: ClosedRange<Double> = -1...1,
              count: Int = 16, tolerance: NumericTolerance = .polynomial,
              functions: [String: @Sendable (Double) -> Double] = [:], seed: UInt64 = 0x1DE7_17E5)
  {
    precondition(count >= 1, "a numeric check needs at least one point")
    self.ranges = ranges
    self.defaultRange = defaultRange
    self.count = count
    self.tolerance = tolerance
    self.functions = functions
    self.seed = seed
  }

  /// The exponential loss ℓ(u) = e^{−u} with ℓ′(u) = −e^{−u}, ℓ″(u) = e^{−u}, under the keys
  /// of the opaque function `name` (spec §1.1).
  public static func exponentialLoss(_ name: String = "ℓ") -> [String: @Sendable (Double) -> Double] {
    let f = OpaqueFunction(name)
    return [
      f.key: { Elementary.exp(-$0) },
      f.derivative.key: { -Elementary.exp(-$0) },
      f.derivative.derivative.key: { Elementary.exp(-$0) },
    ]
  }
}

// MARK: - Identity

/// A claimed identity lhs = rhs between expressions, and how to settle it.
///
/// `check()` asks the exact zero test about lhs − rhs (`Expr.decideZero`):
/// - proved → `proved`, with the engine's method;
/// - refuted → `refuted` at the engine's point, re-evaluated here with the numeric check's
///   functions (ℓ′ and so on); if the engine's point cannot be evaluated here or does not
///   reproduce the gap (the engine may give opaque atoms values of its own), the numeric
///   check looks for a point of its own, and failing that the engine's certificate stands
///   (the detail says it was not reproduced);
/// - undecided → the numeric check: every sampled point within the tolerance → `checked`;
///   the first point beyond it → `refuted` there; no numeric check or no evaluable point →
///   `undecided`.
public struct Identity: Sendable {
  public var name: String
  /// The claim lhs = rhs.
  public var lhs: Expr
  public var rhs: Expr
  /// The claim in plain text (by default a plain rendering of lhs = rhs, shortened).
  public var statement: String
  /// How to sample when exact algebra fails; nil: no numeric fallback.
  public var numericCheck: NumericCheck?
  public var zeroTestOptions: ZeroTestOptions

  public init(name: String, lhs: Expr, rhs: Expr, statement: String? = nil,
              numericCheck: NumericCheck? = nil, zeroTestOptions: ZeroTestOptions = .init())
  {
    self.name = name
    self.lhs = lhs
    self.rhs = rhs
    self.statement = statement ?? (IdentityText.render(lhs, limit: 120) + " = " + IdentityText.render(rhs, limit: 120))
    self.numericCheck = numericCheck
    self.zeroTestOptions = zeroTestOptions
  }

  /// lhs − rhs, the expression whose vanishing is claimed.
  public var difference: Expr { lhs - rhs }

  /// Settles the claim (see the type's documentation).
  /// - Complexity: one exact zero test, plus `numericCheck.count` evaluations of both sides
  ///   when the exact test is undecided.
  public func check() -> IdentityResult {
    let decision = difference.decideZero(options: zeroTestOptions)
    var result = IdentityResult(
      name: name, statement: statement, lhs: lhs, rhs: rhs, status: .undecided, detail: "",
      point: nil, exactDecision: decision, largestSampledDifference: nil)
    switch decision {
    case .proved(let method):
      result.status = .proved
      result.detail = "exact: \(method)"
    case .refuted(let point, let value, let bound):
      let engine = "zero test: |lhs − rhs| = \(short(Swift.abs(value))) > \(short(bound)) at \(describe(point))"
      let reevaluated = try? sides(at: point)
      if let s = reevaluated, Swift.abs(s.0 - s.1) > (numericCheck?.tolerance ?? .polynomial).bound(s.0, s.1) {
        result.status = .refuted
        result.point = point
        result.detail = engine + "; re-evaluated: lhs = \(short(s.0)), rhs = \(short(s.1))"
      } else if let sampled = sample(into: &result), sampled.status == .refuted {
        result.status = .refuted
        result.detail = sampled.detail + " (\(engine))"
      } else {
        // The engine's certificate (a value beyond its rigorous error bound, possibly with
        // its own values for opaque atoms, which a claim about every ℓ must survive) is
        // exact evidence; the detail says that it was not reproduced here.
        result.status = .refuted
        result.point = point
        let here = reevaluated.map { "re-evaluated here: |lhs − rhs| = \(short(Swift.abs($0.0 - $0.1))), within this identity's tolerance" }
          ?? "not evaluable with this identity's numeric functions"
        result.detail = engine + " (\(here); no sampled point exceeds the tolerance)"
      }
    case .undecided(let reason):
      if let sampled = sample(into: &result) {
        result.status = sampled.status
        result.detail = sampled.detail + "; exact test undecided: \(reason)"
      } else {
        result.status = .undecided
        result.detail = "exact test undecided (\(reason)); no numeric check configured"
      }
    }
    return result
  }

  private func context(_ point: [Symbol: Double]) -> EvaluationContext {
    EvaluationContext(point, functions: numericCheck?.functions ?? [:])
  }

  private func sides(at point: [Symbol: Double]) throws(SymbolicError) -> (Double, Double) {
    let c = context(point)
    return (try lhs.evaluate(c), try rhs.evaluate(c))
  }

  /// Runs the numeric check; nil when none is configured. Sets `point` and
  /// `largestSampledDifference` on `result`.
  private func sample(into result: inout IdentityResult) -> (status: IdentityStatus, detail: String)? {
    guard let check = numericCheck else { return nil }
    var generator = SplitMix64(seed: check.seed)
    let symbols = lhs.freeSymbols.union(rhs.freeSymbols).sorted()
    var evaluated = 0, failures = 0
    var firstFailure: String?
    var largest = 0.0
    for _ in 0..<check.count {
      var point: [Symbol: Double] = [:]
      for s in symbols {
        let range = check.ranges[s] ?? check.defaultRange
        point[s] = range.lowerBound + (range.upperBound - range.lowerBound) * generator.uniform()
      }
      let l: Double, r: Double
      do { (l, r) = try sides(at: point) } catch {
        failures += 1
        if firstFailure == nil { firstFailure = "\(error) at \(describe(point))" }
        continue
      }
      evaluated += 1
      let gap = Swift.abs(l - r)
      largest = Swift.max(largest, gap)
      result.largestSampledDifference = largest
      if !(gap <= check.tolerance.bound(l, r)) {
        result.point = point
        return (.refuted, "numeric: at \(describe(point)) lhs = \(short(l)), rhs = \(short(r)), "
          + "|lhs − rhs| = \(short(gap)) > \(short(check.tolerance.bound(l, r))) "
          + "(abs \(short(check.tolerance.absolute)) + rel \(short(check.tolerance.relative))·max|side|)")
      }
    }
    guard evaluated > 0 else {
      return (.undecided, "numeric: none of \(check.count) points could be evaluated (\(firstFailure ?? "?"))")
    }
    var detail = "numeric: \(evaluated) random point\(evaluated == 1 ? "" : "s") (seed \(check.seed)), |lhs − rhs| ≤ "
      + "\(short(check.tolerance.absolute)) + \(short(check.tolerance.relative))·max(|lhs|, |rhs|), "
      + "largest |lhs − rhs| = \(short(largest)) [\(check.tolerance.justification)]"
    if failures > 0 { detail += "; \(failures) points outside the domain skipped (\(firstFailure ?? "?"))" }
    return (.checked, detail)
  }
}

// MARK: - Gradient flow

/// Gradient flow Θ̇ = −∇_Θ 𝓛(Θ) on a symbolic loss (spec §1.1), for deriving conservation
/// laws: a quantity C(Θ) is conserved when dC/dt = Σₖ ∂C/∂θₖ · θ̇ₖ vanishes identically.
///
/// The loss is built with an opaque ℓ, 𝓛 = Σᵢ ℓ(yᵢ·f(xᵢ; Θ)), so the time derivative of a
/// polynomial quantity is a polynomial in the parameters, the data symbols and the atoms
/// ℓ′(yᵢ·f(xᵢ; Θ)): the identity dC/dt = 0 is then proved exactly, for every loss at once.
public struct GradientFlowModel: Sendable {
  public var parameters: [Symbol]
  public var loss: Expr

  public init(parameters: [Symbol], loss: Expr) {
    self.parameters = parameters
    self.loss = loss
  }

  /// 𝓛(Θ) = Σᵢ ℓ(yᵢ·fᵢ) for network outputs fᵢ = f(xᵢ; Θ) and labels yᵢ (spec §1.1; the
  /// exponential and logistic losses are ℓ(u) = e^{−u}, log(1 + e^{−u}) of the margin u).
  public static func classification(parameters: [Symbol], outputs: [Expr], labels: [Expr],
                                    loss ell: OpaqueFunction = OpaqueFunction("ℓ")) -> GradientFlowModel
  {
    precondition(outputs.count == labels.count, "\(outputs.count) outputs but \(labels.count) labels")
    let loss = Expr.sum(over: outputs.indices) { i in Expr.opaque(ell, labels[i] * outputs[i]) }
    return GradientFlowModel(parameters: parameters, loss: loss)
  }

  /// θ̇ₖ = −∂𝓛/∂θₖ.
  public func velocity(of parameter: Symbol) -> Expr { -loss.derivative(withRespectTo: parameter) }

  /// The velocity field (θ̇₁, …, θ̇ₚ) in the order of `parameters`.
  public var velocity: [Expr] { parameters.map(velocity(of:)) }

  /// dC/dt = Σₖ ∂C/∂θₖ · θ̇ₖ along the flow (terms with ∂C/∂θₖ identically 0 in the tree are
  /// skipped; the sum is unsimplified).
  /// - Complexity: one derivative of C per parameter, one of the loss per parameter C uses.
  public func timeDerivative(of quantity: Expr) -> Expr {
    var terms: [Expr] = []
    for p in parameters where quantity.contains(p) {
      let dC = quantity.derivative(withRespectTo: p)
      if dC.isZero { continue }
      terms.append(dC * velocity(of: p))
    }
    return Expr.sum(terms).flattenedOnce
  }

  /// The identity dC/dt = 0 with a numeric fallback that samples every symbol in [−1, 1]
  /// under the exponential loss (ℓ′(u) = −e^{−u}).
  public func conservationLaw(_ quantity: Expr, name: String, statement: String? = nil,
                              numericCheck: NumericCheck? = nil) -> Identity
  {
    Identity(name: name, lhs: timeDerivative(of: quantity), rhs: .zero,
             statement: statement ?? "d/dt [\(IdentityText.render(quantity, limit: 100))] = 0 along gradient flow",
             numericCheck: numericCheck ?? NumericCheck(count: 8, functions: NumericCheck.exponentialLoss()))
  }
}

// MARK: - Helpers

private func short(_ x: Double) -> String {
  if x == 0 || !x.isFinite { return "\(x)" }
  let magnitude = Swift.abs(x)
  if magnitude >= 1e-3 && magnitude < 1e6 {
    let r = (x * 1e6).rounded() / 1e6
    return "\(r)"
  }
  let e = Int(Elementary.log10(magnitude).rounded(.down))
  let m = ((x / Elementary.pow(10, Double(e))) * 1000).rounded() / 1000
  return "\(m)e\(e)"
}

private func describe(_ point: [Symbol: Double]) -> String {
  let entries = point.sorted { $0.key < $1.key }
  let shown = entries.prefix(8).map { "\($0.key) = \(short($0.value))" }.joined(separator: ", ")
  return "{" + shown + (entries.count > 8 ? ", … (\(entries.count) symbols)" : "") + "}"
}

/// Identity statements in the Unicode rendering, cut at `limit` characters.
enum IdentityText {
  static func render(_ e: Expr, limit: Int) -> String {
    let s = e.rendered(.unicode)
    return s.count <= limit ? s : String(s.prefix(limit)) + "…"
  }
}
