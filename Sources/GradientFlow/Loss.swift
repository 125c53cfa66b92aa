import LinearAlgebra

/// Classification losses ℓ(m) of the margin m = y f(x), evaluated in log space so that
/// log(1/Loss) of 10¹⁰ and beyond is reached without underflow.
public enum ClassificationLoss: String, CaseIterable, Sendable {
  /// ℓ(m) = e^{−m}.
  case exponential
  /// ℓ(m) = log(1 + e^{−m}).
  case logistic

  /// ℓ(0): 1 for the exponential loss, log 2 for the logistic loss.
  public var valueAtZero: Double { self == .exponential ? 1 : Elementary.log(2) }

  /// log ℓ(m).
  ///
  /// Logistic: ℓ(m) = log1p(e^{−m}). For m > 0 write t = e^{−m}, so
  /// log ℓ = −m + log(log1p(t)/t); log1p(t)/t → 1 as t → 0 and is computed directly
  /// while t is normal (for t < 2⁻¹⁰⁰⁰ its log is below 1e-300 and is dropped).
  @inlinable public func logLoss(margin m: Double) -> Double {
    switch self {
    case .exponential: return -m
    case .logistic:
      if m > 0 {
        let t = Elementary.exp(-m)
        if t < 1e-300 { return -m }
        return -m + Elementary.log(Elementary.log1p(t) / t)
      }
      return Elementary.log(Elementary.softplus(-m))
    }
  }

  /// log w(m), where w = −ℓ′(m) is the weight of a point in −∇Loss = Σᵢ wᵢ ∇mᵢ:
  /// e^{−m} for the exponential loss, σ(−m) = 1/(1 + e^{m}) for the logistic loss.
  @inlinable public func logWeight(margin m: Double) -> Double {
    switch self {
    case .exponential: return -m
    case .logistic: return -Elementary.softplus(m)
    }
  }

  /// −w′(m)/w(m): 1 for the exponential loss, 1 − σ(−m) = σ(m) for the logistic loss.
  /// It enters the Jacobian of the normalized weights (see `ClassificationFlow`).
  @inlinable public func weightDecayRate(margin m: Double) -> Double {
    switch self {
    case .exponential: return 1
    case .logistic: return 1 / (1 + Elementary.exp(-m))
    }
  }

  /// log Loss = log Σᵢ ℓ(mᵢ) and the normalized weights pᵢ = wᵢ/Loss (softmax-like, so
  /// they neither underflow nor overflow at any margin), both in log space. These are the
  /// coefficients of −∇Loss/Loss = Σᵢ pᵢ∇mᵢ shared by the classification flows.
  public func normalizedWeights(margins m: [Double]) -> (logLoss: Double, weights: [Double]) {
    let total = Elementary.logSumExp(m.map { self.logLoss(margin: $0) })
    let p = m.map { Elementary.exp(self.logWeight(margin: $0) - total) }
    return (total, p)
  }
}
