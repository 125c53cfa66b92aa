import LinearAlgebra
import Regularizers
import Testing

/// Q_{L,α,η} of Theorem 4 (spec §2.5): value, gradient, Hessian diagonal, tilt, limits.
@Suite("Weighted regularizer Q_{L,α,η}")
struct WeightedRegularizerTests {
  /// A random instance: m modes, shape η ∈ [0.3, 2], |ρⱼ|/cⱼ^L log-uniform in [10⁻², 10²]
  /// with random signs and (if tilted) ρⱼ(0)/cⱼ^L uniform in [−10, 10], so that h⁻¹ is
  /// evaluated both far from g_L and close to it (where the tail differences take over).
  static func instance(depth: Int, alpha: Double, tilted: Bool, seed: UInt64)
    -> (q: WeightedRegularizer, rho: [Double])
  {
    var rng = SplitMix64(seed: seed)
    let m = 5
    let shape = (0..<m).map { _ in rng.uniform(0.3, 2) }
    let scales = shape.map { Elementary.pow(alpha * $0, Double(depth)) }
    let rho0 = tilted ? scales.map { $0 * rng.uniform(-10, 10) } : nil
    let rho = scales.map { $0 * rng.logUniform(0.01, 100) * (Bool.random(using: &rng) ? 1 : -1) }
    return (WeightedRegularizer(depth: depth, alpha: alpha, shape: shape, initialProduct: rho0), rho)
  }

  @Test("∇Q and diag ∇²Q match five-point differences of Q and ∇Q (with and without tilt)",
        arguments: [2, 3, 4, 6])
  func gradientAndHessian(depth: Int) {
    var worst = WorstCase()
    for seed: UInt64 in 1...4 {
      for alpha in [0.3, 1, 2.5] {
        for tilted in [false, true] {
          let (regularizer, rho) = Self.instance(depth: depth, alpha: alpha, tilted: tilted, seed: seed)
          let gradient = regularizer.gradient(rho)
          let hessian = regularizer.hessianDiagonal(rho)
          for j in rho.indices {
            // Step 10⁻³|ρⱼ|: truncation (h/|ρⱼ|)⁴ ~ 10⁻¹², rounding ε·|Q|/(h·|∂Q|) ≲ 10⁻¹⁰
            // (Q sums all modes, so its rounding is larger than one mode's).
            let h = 1e-3 * Swift.abs(rho[j])
            let partial = fivePointDerivative({ x in
              var moved = rho
              moved[j] = x
              return regularizer.value(moved)
            }, at: rho[j], step: h)
            let label = "seed \(seed), α = \(alpha), tilted \(tilted), j = \(j)"
            let scale = Swift.max(Swift.abs(gradient[j]), regularizer.value(rho) / Swift.abs(rho[j]))
            worst.record(Swift.abs(partial - gradient[j]) / scale, at: "∂Q, " + label)
            let second = fivePointDerivative({ x in
              var moved = rho
              moved[j] = x
              return regularizer.gradient(moved)[j]
            }, at: rho[j], step: h)
            worst.record(relativeError(second, hessian[j]), at: "∂²Q, " + label)
          }
        }
      }
    }
    // Tolerance 1e-8: the rounding term ε|Q|/h of the differences dominates (measured
    // ≤ 2·10⁻¹¹); the identities themselves are exact.
    #expect(worst.error <= 1e-8, "L = \(depth): \(worst), tolerance 1e-8")
  }

  @Test("Without tilt Q = α² Σ ηⱼ² q_L(ρⱼ/(αηⱼ)^L) (the boxed formula); ∇Q(ρ(0)) = 0 with tilt")
  func boxedFormulaAndStationaryStart() {
    for depth in [2, 3, 5] {
      let r = DepthRegularizer(depth: depth)
      let (regularizer, rho) = Self.instance(depth: depth, alpha: 0.7, tilted: false, seed: 11)
      var boxed = 0.0
      for j in rho.indices {
        let c = 0.7 * regularizer.shape[j]
        let eta = regularizer.shape[j]
        boxed += 0.7 * 0.7 * eta * eta * r.q(rho[j] / Elementary.pow(c, Double(depth)))
      }
      // Same terms, scaled differently (c² vs α²η²): a few ulps.
      #expect(relativeError(regularizer.value(rho), boxed) <= 8 * eps, "L = \(depth)")
      let (tilted, _) = Self.instance(depth: depth, alpha: 0.7, tilted: true, seed: 12)
      let atStart = tilted.gradient(tilted.initialProduct)
      #expect(atStart.allSatisfy { $0 == 0 }, "L = \(depth): ∇Q(ρ(0)) = \(atStart)")
      #expect(tilted.hessianDiagonal(tilted.initialProduct).allSatisfy { $0 > 0 })
    }
  }

  @Test("Saturated gradient (α → 0): tails J keep ∂Q/∂ρ accurate where h⁻¹ ≈ g_L (L = 3)")
  func saturatedGradient() {
    // L = 3: h⁻¹(u) = atan t with t³ + t = u, so h⁻¹(u) − h⁻¹(u⁰) = atan(1/t⁰) − atan(1/t)
    // (both t > 0), each term accurate to an ulp of itself: a reference free of cancellation.
    let alpha = 1e-4
    let shape = [1.0, 0.5]
    let c3 = shape.map { Elementary.pow(alpha * $0, 3) }
    let rho0 = [0.4, 0.2]  // u⁰ ~ 10¹¹ – 10¹²: h⁻¹ within 10⁻⁴ of π/2
    let rho = [0.5, 0.19]
    let regularizer = WeightedRegularizer(depth: 3, alpha: alpha, shape: shape, initialProduct: rho0)
    let gradient = regularizer.gradient(rho)
    for j in 0..<2 {
      let t = Self.cubicRoot(rho[j] / c3[j])
      let t0 = Self.cubicRoot(rho0[j] / c3[j])
      let reference = (Elementary.atan(1 / t0) - Elementary.atan(1 / t)) / (alpha * shape[j])
      // A naive difference of two values near π/2 would be wrong at the 10⁻⁸ level here.
      let e = relativeError(gradient[j], reference)
      #expect(e <= 1e-13, "j = \(j): relative error \(e), tolerance 1e-13")
    }
  }

  /// The real root of t³ + t = u (u > 0) by the hyperbolic form of Cardano's formula, then
  /// one Newton step: independent of the implementation's algebraic form.
  static func cubicRoot(_ u: Double) -> Double {
    var t = 1.1547005383792515 * Elementary.sinh(Elementary.asinh(2.598076211353316 * u) / 3)
    t -= (t * t * t + t - u) / (3 * t * t + 1)
    return t
  }

  @Test("α → ∞: Q/[(α^{2−2L}/2) Σ ρ²/η^{2(L−1)}] → 1 at rate α^{−2L}", arguments: [2, 3, 4, 6])
  func kernelLimit(depth: Int) {
    var previous = Double.infinity
    for alpha in [3.0, 10, 30] {
      let (regularizer, unitRho) = Self.instance(depth: depth, alpha: 1, tilted: false, seed: 5)
      let q = WeightedRegularizer(depth: depth, alpha: alpha, shape: regularizer.shape)
      let deviation = Swift.abs(q.value(unitRho) / q.weightedL2Limit(unitRho) - 1)
      // q(u) = u²/2 − (L−1)u⁴/6 + …, uⱼ = ρⱼ/(αηⱼ)^L: relative deviation ≤ (L−1)/3·max u².
      let maxU = unitRho.indices.map { j in
        Swift.abs(unitRho[j]) / Elementary.pow(alpha * q.shape[j], Double(depth))
      }.max()!
      let bound = Double(depth - 1) / 3 * maxU * maxU * 1.01 + 8 * eps
      #expect(deviation <= bound, "L = \(depth), α = \(alpha): deviation \(deviation), bound \(bound)")
      #expect(deviation < previous || deviation <= 8 * eps)
      previous = deviation
    }
  }

  @Test("α → 0: Q/[g_L α^{2−L} Σ |ρ|/η^{L−2}] → 1 at rate α^{L−2} (L ≥ 3); log rate for L = 2",
        arguments: [2, 3, 4, 6])
  func richLimit(depth: Int) {
    let rho = [0.8, -0.3, 1.7, -0.05]
    let shape = [1.0, 0.6, 1.4, 0.9]
    // L ≥ 3: α ∈ {0.1, 0.03, 0.01} keeps the deviation (∝ α^{L−2}) well above rounding;
    // L = 2 needs decades, its approach being logarithmic.
    let alphas = depth >= 3 ? [0.1, 0.03, 0.01] : [1e-2, 1e-3, 1e-4]
    var deviations: [Double] = []
    for alpha in alphas {
      let q = WeightedRegularizer(depth: depth, alpha: alpha, shape: shape)
      deviations.append(Swift.abs(q.value(rho) / q.weightedL1Limit(rho) - 1))
    }
    if depth >= 3 {
      // q(u) = g|u| − (L/(2(L−2)))|u|^{2/L} + …: relative deviation ∝ |u|^{(2−L)/L} ∝ α^{L−2},
      // up to a relative correction O(|u|^{−2/L}) = O(α²) ≤ 1% (allow 10%).
      for k in 1..<deviations.count {
        let rate = deviations[k - 1] / deviations[k]
        let expected = Elementary.pow(alphas[k - 1] / alphas[k], Double(depth - 2))
        #expect(Swift.abs(rate / expected - 1) <= 0.1, "L = \(depth): rate \(rate), expected \(expected)")
      }
    } else {
      // L = 2: Q = log(1/α)‖ρ‖₁ + O(1), so the relative deviation decays like 1/log(1/α).
      for k in 1..<deviations.count { #expect(deviations[k] < deviations[k - 1]) }
      #expect(deviations.last! <= 0.5)
    }
  }

  @Test("Limit weights: ηⱼ^{−2(L−1)} (ℓ2) and ηⱼ^{−(L−2)} (ℓ1, all ones for L = 2)")
  func limitWeights() {
    let shape = [0.5, 2.0]
    #expect(WeightedRegularizer.weightedL2Weights(depth: 3, shape: shape) == [16, 1.0 / 16])
    #expect(WeightedRegularizer.weightedL1Weights(depth: 4, shape: shape) == [4, 0.25])
    #expect(WeightedRegularizer.weightedL1Weights(depth: 2, shape: shape) == [1, 1])
    let q = WeightedRegularizer(depth: 3, alpha: 0.1, shape: shape)
    #expect(relativeError(q.weightedL1Scale, Double.pi / 2 * 10) <= 2 * eps)
    #expect(relativeError(q.weightedL2Scale, 0.5e4) <= 2 * eps)
  }

  @Test("Weighted ℓ2 minimiser: feasible, and its weighted gradient is orthogonal to null(X_S)")
  func weightedL2Minimizer() throws {
    var rng = SplitMix64(seed: 7)
    let (n, m, depth) = (2, 5, 3)
    let xs = Matrix(rows: n, columns: m) { _, _ in rng.uniform(-1, 1) }
    let y = [0.7, -1.2]
    let shape = (0..<m).map { _ in rng.uniform(0.4, 1.6) }
    let rho = try WeightedRegularizer.weightedL2Minimizer(depth: depth, shape: shape, constraints: xs, targets: y)
    let residual = (xs * rho).subtracting(y).norm2
    // Backward-stable Cholesky solve of a 2×2 system with entries O(1–10): ~10 ulps.
    #expect(residual <= 1e-13, "‖X_S ρ − y‖ = \(residual)")
    // KKT: w ⊙ ρ ∈ range(X_Sᵀ) ⇔ it is orthogonal to every v with X_S v = 0.
    let w = WeightedRegularizer.weightedL2Weights(depth: depth, shape: shape)
    let weighted = zip(w, rho).map { $0 * $1 }
    let gram = try CholeskyFactorization(xs * xs.transposed)
    for _ in 0..<3 {
      let v = (0..<m).map { _ in rng.uniform(-1, 1) }
      let nullPart = v.subtracting(xs.transposedTimes(gram.solve(xs * v)))
      let inner = weighted.dot(nullPart)
      #expect(Swift.abs(inner) <= 1e-12 * weighted.norm2 * nullPart.norm2, "⟨w⊙ρ, v⟩ = \(inner)")
    }
  }
}
