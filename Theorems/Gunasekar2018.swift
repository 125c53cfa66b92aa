import GradientFlow
import LinearAlgebra
import PropertyChecking
import Symbolic

/// Gunasekar, Lee, Soudry & Srebro (NeurIPS 2018), spec §4.3, as a contrast on the same data:
/// a fully-connected network of depth L converges in direction to the ℓ2 max margin (SVM),
/// while a full-length circular convolutional network of depth L converges to a stationary
/// point of the ℓ_{2/L} max margin of the DFT coefficients. The verifier checks both
/// (Theorem 3's and Theorem 2's predicates) and refutes the swapped claims: FC against
/// ℓ_{2/L}(DFT) and conv against ℓ2 (‖Fβ‖₂ ∝ ‖β‖₂ by Parseval, so ℓ2 of the DFT is the SVM).
public enum Gunasekar2018 {
  public static let statement = TheoremStatement(
    identifier: "gunasekar2018",
    title: "the same data, two architectures: FC → ℓ2 max margin, full-length conv → ℓ_{2/L} of the DFT",
    reference: "Gunasekar, Lee, Soudry & Srebro, NeurIPS 2018; spec §4.3 (via Yun et al. Thms 2, 3)",
    setting: [
      "separable data; FC f(x) = xᵀW₁⋯w_L and full-length circular conv networks of the same depth L",
      "gradient flow on the exponential loss from small Gaussian initializations",
      "FC: β̂ → the solution of the problem below; conv: ρ̂ = F̂β → a KKT point of min Σⱼ |ρⱼ|^p/p, p = 2/L, same constraints in the DFT space",
    ],
    problem: Theorem3.l2MaxMargin(variable: "β"),
    conclusionVerb: "for the FC network, β(t)/‖β(t)‖ converges to the direction of the solution of",
    hypotheses: [
      (name: "separable", statement: "some β has yᵢ xᵢᵀβ > 0 for all i (the LP of Theorem 2)"),
      (name: "loss below ℓ(0)", statement: "Loss(Θ(t₀)) < ℓ(0) for some t₀"),
    ])

  /// One data set, both networks, four claims.
  public struct CaseResult: Sendable {
    public var seed: UInt64
    public var depth: Int
    public var n: Int
    public var d: Int
    /// FC vs the SVM (the claim) and vs ℓ_{2/L}(DFT) (swapped).
    public var fullyConnected: TensorCaseResult
    public var fullyConnectedSwapped: TensorCaseResult
    /// Conv vs ℓ_{2/L}(DFT) (the claim) and vs ℓ2 (swapped).
    public var convolutional: Theorems.CaseResult
    public var convolutionalSwapped: Theorems.CaseResult
    public var verdict: Verdict
    public var reason: String
    /// Both swapped claims refuted on this data set.
    public var discriminates: Bool {
      Gunasekar2018.discriminates(fullyConnectedSwapped: fullyConnectedSwapped.verdict,
                                  convolutionalSwapped: convolutionalSwapped.verdict)
    }
  }

  /// A case's data discriminate the two problems when both swapped claims are refuted on them.
  public static func discriminates(fullyConnectedSwapped: Verdict, convolutionalSwapped: Verdict) -> Bool {
    fullyConnectedSwapped == .refuted && convolutionalSwapped == .refuted
  }

  /// A sweep's verdict from its cases in case order: `combinedVerdict` with 75% of the cases
  /// meeting the hypotheses required to hold; without `swapped`, "holds" also needs one case
  /// whose data discriminate the two problems (otherwise the sweep has not shown that the
  /// architectures differ), and the reason counts those cases.
  public static func sweepVerdict(_ cases: [(verdict: Verdict, seed: UInt64, discriminates: Bool)],
                                  swapped: Bool) -> (Verdict, String) {
    var (verdict, reason) = combinedVerdict(cases.map { ($0.verdict, $0.seed) }, decidedFraction: 0.75)
    guard !swapped else { return (verdict, reason) }
    let discriminating = cases.filter(\.discriminates).count
    if verdict == .holds && discriminating == 0 {
      verdict = .inconclusive
      reason = "no case's data discriminate the two problems (the swapped claims were not refuted); \(reason)"
    } else {
      reason += "; \(discriminating) of \(cases.count) case(s) refute both swapped claims"
    }
    return (verdict, reason)
  }

  /// Case `seed`: one data set, the conv network of depth L with its Gaussian initialization,
  /// and an FC network with hidden widths 3 on the same data. With `swapped`, the case's verdict is that of the swapped claims.
  /// `budget` bounds every flow of the case (`--max-seconds`, `--max-steps`).
  public static func check(seed: UInt64, depth: Int, horizon: Double = 1e4, swapped: Bool = false,
                           budget: FlowBudget = FlowBudget()) -> CaseResult {
    var configuration = Theorem2SweepConfiguration()
    configuration.horizon = horizon
    configuration.budget = budget
    // Data from Theorem 2's depth-2 family (n ∈ [3d, 4d], d ∈ [3, 5]) at every depth: with
    // several support points the SVM is generically not a KKT point of ℓ_{2/L}(DFT), so the
    // swapped claims can be refuted (with one support point every ℓ_p problem shares it).
    var conv = Theorem2.generateCase(seed: seed, kind: .convolutional, depth: 2, configuration: configuration)
    if depth != 2 {
      var netRNG = SeededGenerator(seed: seed ^ 0xC0_4B)
      let network = Theorem2.network(kind: .convolutional, dimension: conv.data.dimension, depth: depth, using: &netRNG)
      conv = Theorem2Case(seed: seed, network: network, data: conv.data,
                          initialLayers: Theorem2.gaussianInitialization(network: network, scale: configuration.initScale,
                                                                         using: &netRNG),
                          loss: conv.loss, horizon: horizon)
      conv.budget = budget
    }
    let convCase = conv
    let convSwapped = { var c = convCase; c.claimedExponent = 2; return c }()
    var rng = SeededGenerator(seed: seed ^ 0x6A5E_C4A7)
    let network = TensorNetwork(.fullyConnected(widths: Array(repeating: 3, count: depth - 1)), inputDimension: conv.data.dimension)
    let fc = {
      var c = TensorClassificationCase(
        seed: seed, network: network, data: conv.data,
        initialLayers: network.layerSizes.map { rng.gaussianVector($0, standardDeviation: 0.1) },
        loss: .exponential, horizon: horizon)
      c.budget = budget
      return c
    }()
    let p = 2 / Double(depth)
    let results = parallelMap([0, 1, 2, 3]) { k -> (TensorCaseResult?, Theorems.CaseResult?) in
      switch k {
      case 0: (Theorem3.check(fc), nil)
      case 1: (Theorem3.check(fc, claim: .fourierNorm(p)), nil)
      case 2: (nil, Theorem2.check(convCase))
      default: (nil, Theorem2.check(convSwapped))
      }
    }
    let fcResult = results[0].0!, fcSwapped = results[1].0!, convResult = results[2].1!, convSwappedResult = results[3].1!
    let verdict: Verdict, reason: String
    if swapped {
      let refuted = [fcSwapped.verdict, convSwappedResult.verdict].filter { $0 == .refuted }.count
      verdict = refuted > 0 ? .refuted : (fcSwapped.verdict == .holds && convSwappedResult.verdict == .holds ? .holds : .inconclusive)
      reason = "swapped claims: FC → ℓ_\(formatExponent(p))(DFT) \(fcSwapped.verdict.rawValue), conv → ℓ2 \(convSwappedResult.verdict.rawValue)"
    } else {
      // The claims must hold; the swapped ones are refuted when the data discriminate, and
      // may hold when they do not (the SVM direction is then also ℓ_{2/L}(DFT)-stationary).
      let claimsHold = fcResult.verdict == .holds && convResult.verdict == .holds
      let swappedDecided = [fcSwapped.verdict, convSwappedResult.verdict].allSatisfy { $0 == .refuted || $0 == .holds }
      verdict = claimsHold && swappedDecided ? .holds : .inconclusive
      let discriminates = fcSwapped.verdict == .refuted && convSwappedResult.verdict == .refuted
      reason = "FC → ℓ2 \(fcResult.verdict.rawValue), conv → ℓ_\(formatExponent(p))(DFT) \(convResult.verdict.rawValue); swapped: FC → ℓ_\(formatExponent(p))(DFT) \(fcSwapped.verdict.rawValue), conv → ℓ2 \(convSwappedResult.verdict.rawValue)"
        + (discriminates ? " (the data discriminate: both swapped claims refuted)" : " (the data do not fully discriminate the two problems)")
    }
    return CaseResult(seed: seed, depth: depth, n: conv.data.count, d: conv.data.dimension, fullyConnected: fcResult,
                      fullyConnectedSwapped: fcSwapped, convolutional: convResult, convolutionalSwapped: convSwappedResult,
                      verdict: verdict, reason: reason)
  }
}
