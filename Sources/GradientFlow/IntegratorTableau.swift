// The ROS34PW2 Rosenbrock W-method: published coefficients, and the transformation to the
// form that needs only solves with (shift·I − J).

/// Coefficients of a 4-stage Rosenbrock W-method, in the published form and transformed.
///
/// **Published form** (Hairer & Wanner, *Solving ODEs II*, §IV.7, eq. (7.4); J any matrix,
/// for a W-method not necessarily ∂f/∂y):
///
///     (I − hγJ) kᵢ = h f(y₀ + Σ_{j<i} αᵢⱼ kⱼ) + hJ Σ_{j<i} γᵢⱼ kⱼ,    y₁ = y₀ + Σ bⱼ kⱼ,
///
/// with ŷ₁ = y₀ + Σ b̂ⱼ kⱼ the embedded solution. Write Γ = (γᵢⱼ), lower triangular with
/// γᵢᵢ = γ.
///
/// **Transformed form** (ibid., eq. (7.5)–(7.6)). Put uᵢ = Σ_{j≤i} γᵢⱼ kⱼ, so u = Γk and
/// k = Γ⁻¹u. The stage equation reads kᵢ − hJ uᵢ = h f(gᵢ); splitting
/// kᵢ = uᵢ/γ + Σ_{j<i} (Γ⁻¹)ᵢⱼ uⱼ and dividing by h gives
///
///     (I/(hγ) − J) uᵢ = f(y₀ + Σ_{j<i} aᵢⱼ uⱼ) + Σ_{j<i} (cᵢⱼ/h) uⱼ,
///     y₁ = y₀ + Σ mⱼ uⱼ,    y₁ − ŷ₁ = Σ eⱼ uⱼ,
///
/// with A = (αᵢⱼ)Γ⁻¹, C = diag(1/γ) − Γ⁻¹ (strictly lower triangular), m = bᵀΓ⁻¹ and
/// e = (b − b̂)ᵀΓ⁻¹. The identity is algebraic, so it holds for every J and the W-property
/// carries over. No Jacobian-vector product appears: the only operation with J is the
/// solve with (shift·I − J), shift = 1/(hγ).
struct RosenbrockTableau: Sendable {
  /// The diagonal γ of Γ.
  let gamma: Double
  /// Transformed stage coefficients aᵢⱼ, strictly lower triangular, row-major 4 × 4.
  let a: [Double]
  /// Transformed coupling coefficients cᵢⱼ, strictly lower triangular, row-major 4 × 4.
  let c: [Double]
  /// Transformed solution weights mⱼ.
  let m: [Double]
  /// Transformed error weights eⱼ: y₁ − ŷ₁ = Σ eⱼ uⱼ.
  let e: [Double]

  /// Transforms a published tableau (row-major lower-triangular α and Γ, weights b, b̂).
  /// - Complexity: O(s³) for s stages (s = 4 here), once.
  init(stages s: Int, alpha: [Double], gammaMatrix: [Double], b: [Double], bHat: [Double]) {
    precondition(
      alpha.count == s * s && gammaMatrix.count == s * s && b.count == s && bHat.count == s,
      "Tableau of \(s) stages needs \(s)×\(s) α and Γ and \(s) weights")
    // Γ⁻¹ by forward substitution, column by column: X = Γ⁻¹ is lower triangular with
    // Xᵢᵢ = 1/Γᵢᵢ and Xᵢⱼ = −(Σ_{j≤k<i} Γᵢₖ Xₖⱼ) / Γᵢᵢ for j < i.
    var inverse = [Double](repeating: 0, count: s * s)
    for j in 0..<s {
      inverse[j * s + j] = 1 / gammaMatrix[j * s + j]
      for i in (j + 1)..<s {
        var sum = 0.0
        for k in j..<i { sum += gammaMatrix[i * s + k] * inverse[k * s + j] }
        inverse[i * s + j] = -sum / gammaMatrix[i * s + i]
      }
    }
    var a = [Double](repeating: 0, count: s * s)
    var c = [Double](repeating: 0, count: s * s)
    for i in 0..<s {
      for j in 0..<i {
        // (αΓ⁻¹)ᵢⱼ = Σ_{j≤k<i} αᵢₖ Xₖⱼ, since α is strictly and X lower triangular.
        var sum = 0.0
        for k in j..<i { sum += alpha[i * s + k] * inverse[k * s + j] }
        a[i * s + j] = sum
        c[i * s + j] = -inverse[i * s + j]
      }
    }
    var m = [Double](repeating: 0, count: s)
    var e = [Double](repeating: 0, count: s)
    for j in 0..<s {
      for i in j..<s {
        m[j] += b[i] * inverse[i * s + j]
        e[j] += (b[i] - bHat[i]) * inverse[i * s + j]
      }
    }
    self.gamma = gammaMatrix[0]
    self.a = a
    self.c = c
    self.m = m
    self.e = e
  }
}

/// ROS34PW2 as published: J. Rang & L. Angermann, "New Rosenbrock W-methods of order 3 for
/// partial differential algebraic equations of index 1", *BIT Numerical Mathematics* 45
/// (2005) 761–787; the 17-digit values as tabulated for `TSROSWRA34PW2` in PETSc's
/// `src/ts/impls/rosw/rosw.c` (and identically in MATLODE's `Coefficients_ROS34PW2.m`).
/// 4 stages, order 3 (also as a W-method, i.e. for any J), embedded order 2, L-stable,
/// stiffly accurate (bᵢ = α₄ᵢ + γ₄ᵢ).
/// γ = 0.4358665215… is the same as for the L-stable 3-stage SDIRK method of order 3 (a root
/// of x³ − 3x² + (3/2)x − 1/6). The order conditions and R(∞) = 0 are checked in the tests.
enum ROS34PW2 {
  static let stages = 4
  static let gamma = 4.3586652150845900e-01
  /// α, strictly lower triangular, row-major.
  static let alpha: [Double] = [
    0, 0, 0, 0,
    8.7173304301691801e-01, 0, 0, 0,
    8.4457060015369423e-01, -1.1299064236484185e-01, 0, 0,
    0, 0, 1, 0,
  ]
  /// Γ, lower triangular with γ on the diagonal, row-major.
  static let gammaMatrix: [Double] = [
    gamma, 0, 0, 0,
    -8.7173304301691801e-01, gamma, 0, 0,
    -9.0338057013044082e-01, 5.4180672388095326e-02, gamma, 0,
    2.4212380706095346e-01, -1.2232505839045147e+00, 5.4526025533510214e-01, gamma,
  ]
  /// Weights of the order-3 solution.
  static let b: [Double] = [
    2.4212380706095346e-01, -1.2232505839045147e+00, 1.5452602553351020e+00, 4.3586652150845900e-01,
  ]
  /// Weights of the embedded order-2 solution.
  static let bHat: [Double] = [
    3.7810903145819369e-01, -9.6042292212423178e-02, 5.0000000000000000e-01, 2.1793326075422950e-01,
  ]
  /// The order p = 3. The local error estimate y₁ − ŷ₁ is O(h^p) (embedded order p − 1),
  /// so the controller uses err^(−1/p); the starting-step heuristic uses 1/(p + 1).
  static let order = 3.0

  /// The transformed coefficients, computed once from the published ones.
  static let tableau = RosenbrockTableau(
    stages: stages, alpha: alpha, gammaMatrix: gammaMatrix, b: b, bHat: bHat)
}
