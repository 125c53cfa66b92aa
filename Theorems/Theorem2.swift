import LinearAlgebra
import GradientFlow
import Certification
import Optimization
import Symbolic

/// Yun, Krishnan & Mobahi (ICLR 2021), Theorem 2 (spec §2.3): for an L-layer orthogonally
/// decomposable linear tensor network trained by gradient flow on separable data with the
/// exponential or logistic loss, once Loss < ℓ(0), ρ(t) converges in direction to a
/// (scaled) KKT point of min ‖ρ‖_{2/L} s.t. yᵢ(Sxᵢ)ᵀρ ≥ 1.
public enum Theorem2 {
  public static let statement = TheoremStatement(
    identifier: "2",
    title: "ODECO networks on separable data: ℓ_{2/L} max margin in the transformed space",
    reference: "Yun, Krishnan & Mobahi, ICLR 2021, Thm 2; spec §2.3, §4.8 b",
    setting: [
      "L-layer orthogonally decomposable linear tensor network f(x; Θ) = (Sx)ᵀρ, ρⱼ = Πₗ [U_lᵀvₗ]ⱼ",
      "gradient flow on Loss = Σᵢ ℓ(yᵢ f(xᵢ)), ℓ exponential or logistic",
    ],
    problem: problem,
    conclusionVerb: "ρ(t)/‖ρ(t)‖ converges to a scaled KKT point of",
    hypotheses: [
      (name: "decomposable", statement: "𝓜(x) = Σⱼ [Sx]ⱼ [U₁]:ⱼ ⊗ ⋯ ⊗ [U_L]:ⱼ with U_lᴴU_l = I"),
      (name: "separable", statement: "some β has yᵢ xᵢᵀβ > 0 for all i (checked by the LP max t s.t. yᵢxᵢᵀβ ≥ t, ‖β‖∞ ≤ 1)"),
      (name: "not sign-locked", statement: "for L ≥ 2, in every mode j the smallest |aₗⱼ(0)| is strictly below the second smallest (spec §2.3: otherwise ρⱼ can never change sign)"),
      (name: "loss below ℓ(0)", statement: "Loss(Θ(t₀)) < ℓ(0) for some t₀"),
    ])

  /// The ℓ_{2/L} max-margin problem of spec §2.3 as expressions, with the KKT condition
  /// derived from its Lagrangian
  ///
  ///     𝓛(ρ, λ) = Σⱼ (1/p)|ρⱼ|^p − Σᵢ λᵢ (yᵢ Σⱼ x̃ᵢⱼ ρⱼ − 1),   x̃ᵢ = S xᵢ,  p = 2/L,
  ///
  /// by differentiating with respect to ρⱼ (real modes) and, for complex modes, where the
  /// margin is the real part ½(x̃ᵢⱼρⱼ + conj(x̃ᵢⱼρⱼ)), with the Wirtinger derivative 2∂/∂ρ̄ⱼ.
  /// The objective's term is `MaxMarginObjective.term`, the one the certificate solver
  /// differentiates.
  public static let problem: OptimizationProblem = {
    let rho = Expr.symbol(MaxMarginObjective.mode)
    let p = Expr.symbol(MaxMarginObjective.exponent)
    let x = Expr.variable("x̃", "i", "j"), y = Expr.variable("y", "i"), lambda = Expr.variable("λ", "i")
    let objective = Expr.sum(over: "j", MaxMarginObjective.term)
    let margin = y * .sum(over: "j", x * rho)
    let complexMargin = y * .sum(over: "j", (x * rho + .conjugate(x * rho)) / 2)
    let multiplierTerm = Expr.sum(over: "i", lambda * (margin - 1))
    let complexMultiplierTerm = Expr.sum(over: "i", lambda * (complexMargin - 1))
    let mode = MaxMarginObjective.mode
    return OptimizationProblem(
      variable: .variable("ρ"),
      objective: objective,
      constraints: [Formula(margin, .atLeast, 1, "for all i")],
      definitions: [
        Formula(p, .definedAs, 2 / Expr.variable("L")),
        Formula(x, .definedAs, .sum(over: "k", .variable("S", "j", "k") * .variable("x", "i", "k"))),
      ],
      stationarity: [
        .stationarity(objective: objective, multiplierTerm: multiplierTerm, withRespectTo: mode,
                      "for real modes with ρⱼ ≠ 0"),
        Formula((2 * objective.wirtingerDerivative(withRespectTo: mode, conjugate: true)).simplifiedOrUnchanged, .equals,
                (2 * complexMultiplierTerm.wirtingerDerivative(withRespectTo: mode, conjugate: true)).simplifiedOrUnchanged,
                "for complex modes with ρⱼ ≠ 0 (Wirtinger)"),
        Formula(.variable("λ", "i"), .atLeast, 0, "for all i, and λᵢ = 0 unless yᵢ Σⱼ x̃ᵢⱼρⱼ = 1"),
      ])
  }()

  /// The thresholds of the predicate, reported with every verdict.
  public struct Thresholds: Sendable {
    /// A certificate's residual must be at most this (see `KKTCertificate.isValid`).
    public var certificateResidual = 1e-10
    /// ‖β̂_flow − β̂_cert‖ at the last checkpoint must be at most this for "holds".
    /// Directions converge like log(1/Loss)^{−r}: at depth 1, r ≈ 1 (spec §6), so at the
    /// default horizon 10⁴ the distance is ~10⁻⁴; 0.05 leaves room for slower rates
    /// (r ≈ 0.3) while excluding points that merely lie in the same orthant.
    public var distanceBound = 0.05
    /// Below this distance the flow sits on the certificate to integration accuracy
    /// (rtol 1e-9 ⇒ direction error ~1e-8): no trend is needed.
    public var distanceFloor = 1e-7
    /// A convex case's certificate must match the independent global optimum this well
    /// (LP and QP solutions are exact to ~1e-12; the barrier SOCP to its reported gap).
    public var globalOptimumAgreement = 1e-8
    /// For --against-norm: the claimed problem's KKT residual at the flow's certificate
    /// must exceed this for "refuted" (10⁴ × the certificate's own precision).
    public var refutationResidual = 1e-6
    /// Fraction of a sweep's cases (among those meeting the hypotheses) that must decide.
    public var decidedFraction = 0.75
    public init() {}
  }
}

/// One Theorem-2 instance: network, data, initialization, loss and horizon.
public struct Theorem2Case: Sendable {
  public var seed: UInt64
  public var network: LinearNetwork
  public var data: ClassificationData
  /// Each layer's parameters vₗ (original coordinates).
  public var initialLayers: [[Double]]
  public var loss: ClassificationLoss
  /// The largest log(1/Loss) checkpoint.
  public var horizon: Double
  /// The claimed exponent (nil: the theorem's 2/L).
  public var claimedExponent: Double?
  /// The run's budgets (`--max-seconds`, `--max-steps`).
  public var budget = FlowBudget()
  /// Solver caps and integrator settings (internal: the tests' way to inject failures).
  var limits = NumericalLimits()

  public init(seed: UInt64, network: LinearNetwork, data: ClassificationData, initialLayers: [[Double]],
              loss: ClassificationLoss, horizon: Double, claimedExponent: Double? = nil) {
    self.seed = seed
    self.network = network
    self.data = data
    self.initialLayers = initialLayers
    self.loss = loss
    self.horizon = horizon
    self.claimedExponent = claimedExponent
  }

  /// The theorem's exponent 2/L.
  public var theoremExponent: Double { 2 / Double(network.depth) }

  /// The flow's initial state in transformed coordinates (layout of `ClassificationFlow`).
  public var initialState: [Double] {
    let sp = network.space, L = network.depth
    let a = initialLayers.enumerated().map { network.transformedLayer($0.element, layer: $0.offset) }
    var state = [Double](repeating: 0, count: L * sp.coordinateCount)
    for g in 0..<sp.groupCount {
      let w = sp.isComplex[g] ? 2 : 1
      for l in 0..<L { for c in 0..<w { state[L * sp.offsets[g] + l * w + c] = a[l][sp.offsets[g] + c] } }
    }
    return state
  }
}

/// One checkpoint of a case report.
public struct CheckpointReport: Sendable {
  public var logInverseLoss: Double
  /// The KKT residual of the flow's direction (spec §4.8 b, `KKTResidual.total`).
  public var kktResidual: Double
  /// ‖β̂_flow − β̂_cert‖ (nil without a certificate).
  public var distanceToCertificate: Double?
  /// Lyu–Li parameter-space residuals (ε relative to ‖Θ̄‖, δ) of spec §4.8 c.
  public var parameterResidual: Double
  public var conservationDrift: Double
  public var acceptedSteps: Int
  public var rejectedSteps: Int
  public var evaluations: Int
  /// The unit transformed direction ρ̂ at this checkpoint (real vectorization), for plots.
  public var transformedDirection: [Double] = []
}

/// The certificate as reported.
public struct CertificateReport: Sendable {
  /// Unit β = Tρ* of the polished KKT point.
  public var direction: [Double]
  /// ρ* at unit margin (real vectorization).
  public var point: [Double]
  public var multipliers: [Double]
  public var residual: Double
  public var support: [Int]
  public var active: [Int]
  public var newtonIterations: Int
}

/// The evidence and verdict for one case.
public struct CaseResult: Sendable {
  public var seed: UInt64
  public var networkKind: NetworkKind
  public var depth: Int
  public var n: Int
  public var d: Int
  public var loss: ClassificationLoss
  public var exponent: Double
  public var claimedExponent: Double
  public var verdict: Verdict
  public var reason: String
  public var hypotheses: [HypothesisCheck]
  public var checkpoints: [CheckpointReport]
  /// Final unit β̂ of the flow.
  public var direction: [Double]
  /// Final ρ̂ (unit, real vectorization) and the space (to write complex pairs).
  public var transformedDirection: [Double]
  public var space: TransformedSpace
  public var support: [Int]
  public var active: [Int]
  public var certificate: CertificateReport?
  public var fittedRate: Double?
  /// Distance between the certificate and an independent global optimum (convex cases).
  public var globalOptimumDistance: Double?
  /// For --against-norm: the claimed problem's KKT residual at the certificate and the
  /// distance from the certificate to the claimed problem's optimum (when computable).
  public var claimedResidual: Double?
  public var claimedOptimumDistance: Double?
  public var lossBelowInitial: String?
  public var candidatesTried: Int
}
