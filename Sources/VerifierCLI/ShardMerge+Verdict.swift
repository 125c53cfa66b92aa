import Symbolic
import Theorems

/// How a theorem's reported sweep verdict follows from its cases: the one rule that a run and
/// `verify merge` both apply, so that merged shards state the unsharded run's verdict and
/// reason word for word.
///
/// The cases, in case order, combine by the theorem's rule — `combinedVerdict` with the
/// theorem's decided fraction (at least that fraction of the cases meeting the hypotheses
/// hold, none refuted), and for gunasekar2018 ``Gunasekar2018/sweepVerdict(_:swapped:)`` —
/// then a refuted identity turns "holds" into inconclusive (`IdentityReport.adjusted`): a
/// derivation the check relies on would be wrong.
struct SweepVerdictRule {
  /// One case as the rule sees it: its verdict and seed, and for gunasekar2018 whether its
  /// data discriminate the two problems.
  struct Case {
    var verdict: Verdict
    var seed: UInt64
    var discriminates = false
  }

  /// The `--theorem` name.
  var theorem: String
  /// gunasekar2018 `--swapped`.
  var swapped = false

  /// The fraction of the cases meeting the hypotheses that must hold: each theorem's default
  /// threshold (the command line does not change thresholds).
  var decidedFraction: Double {
    switch theorem {
    case "1": Theorem1.Thresholds().decidedFraction
    case "2": Theorem2.Thresholds().decidedFraction
    case "3": Theorem3.Thresholds().decidedFraction
    case "4": Theorem4.Thresholds().decidedFraction
    case "5": Theorem5.Thresholds().decidedFraction
    default: 0.75  // woodworth2020, azulay2021, soudry2018
    }
  }

  /// The verdict and reason of a sweep whose cases are `cases`, in case order, given the names
  /// of the refuted identities (in report order).
  func verdict(_ cases: [Case], refutedIdentities: [String]) -> (Verdict, String) {
    let (verdict, reason) = theorem == "gunasekar2018"
      ? Gunasekar2018.sweepVerdict(cases.map { ($0.verdict, $0.seed, $0.discriminates) }, swapped: swapped)
      : combinedVerdict(cases.map { ($0.verdict, $0.seed) }, decidedFraction: decidedFraction)
    return IdentityReport.adjusted(verdict, reason, refuted: refutedIdentities)
  }

  /// The same, with the identities as computed in a run.
  func verdict(_ cases: [Case], identities: [IdentityResult]) -> (Verdict, String) {
    verdict(cases, refutedIdentities: identities.filter { $0.status == .refuted }.map(\.name))
  }
}
