/// The outcome of checking a claim. Order of severity for a sweep: refuted, then
/// inconclusive / hypothesisNotMet, then holds.
public enum Verdict: String, Sendable, CaseIterable {
  /// Certified evidence supports the claim.
  case holds
  /// Certified evidence contradicts the claim (with a replayable counterexample).
  case refuted
  /// The evidence does not decide (slow convergence, budget, solver failure): the reason says why.
  case inconclusive
  /// A hypothesis of the theorem fails for this input, so the theorem says nothing.
  case hypothesisNotMet

  /// Process exit code: 0 holds, 1 refuted, 2 inconclusive or hypothesis not met.
  public var exitCode: Int32 {
    switch self {
    case .holds: 0
    case .refuted: 1
    case .inconclusive, .hypothesisNotMet: 2
    }
  }
}

/// One hypothesis of a theorem, checked on one case.
public struct HypothesisCheck: Sendable {
  public var name: String
  /// What the hypothesis says (rendered from the theorem's definition).
  public var statement: String
  public var met: Bool
  /// How it was checked and the figures (e.g. the separability LP's margin).
  public var detail: String
  public init(name: String, statement: String, met: Bool, detail: String) {
    self.name = name
    self.statement = statement
    self.met = met
    self.detail = detail
  }
}
