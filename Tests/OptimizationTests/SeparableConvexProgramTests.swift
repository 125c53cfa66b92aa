import LinearAlgebra
import Optimization
import Testing

/// A random underdetermined regression: B (n × m) standard normal and y = B·ρ_true with a
/// standard normal ρ_true, so y ∈ range(B) and ‖y‖ is of order √m.
func randomRegression(seed: UInt64, n: Int, m: Int) -> (b: Matrix, y: [Double], random: TestRandom) {
  var random = TestRandom(seed: seed)
  let b = random.normalMatrix(rows: n, columns: m)
  let y = b * random.normalVector(m)
  return (b, y, random)
}

/// Scales 10^u with u uniform on [lower, upper]: log-uniform over the decades.
func logUniform(_ count: Int, decades lower: Double, _ upper: Double, _ random: inout TestRandom) -> [Double] {
  (0..<count).map { _ in Elementary.pow(10, lower + (upper - lower) * random.uniform()) }
}

/// ‖a − b‖/‖b‖.
func relativeDistance(_ a: [Double], _ b: [Double]) -> Double { (a - b).norm2 / b.norm2 }

/// `.optimal` with both §4.8(e) residuals below their tolerances, printing them on failure.
func expectConverged(
  _ r: SeparableConvexResult, stationarity: Double = 1e-12, feasibility: Double = 1e-13, _ context: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(r.status == .optimal, "\(context): status \(r.status), stop \(r.stopReason)", sourceLocation: sourceLocation)
  #expect(r.feasibilityResidual <= feasibility,
          "\(context): feasibility \(r.feasibilityResidual) > \(feasibility)", sourceLocation: sourceLocation)
  #expect(r.stationarityResidual <= stationarity,
          "\(context): stationarity \(r.stationarityResidual) > \(stationarity)", sourceLocation: sourceLocation)
}

@Suite("Separable convex program: Newton on the dual and on the null space")
struct SeparableConvexProgramTests {
  /// Q = ½Σρⱼ²/dⱼ: both routes reproduce the closed form D·Bᵀ(B·D·Bᵀ)⁻¹y. The dual is then
  /// itself quadratic, so one Newton step is exact up to rounding (a second may refine it).
  @Test("quadratic potentials match the weighted-ℓ2 closed form", arguments: [
    (seed: UInt64(11), n: 3, m: 8, decades: 2.0), (seed: 12, n: 5, m: 12, decades: 2),
    (seed: 13, n: 4, m: 20, decades: 4), (seed: 14, n: 2, m: 6, decades: 0),
  ])
  func quadraticMatchesClosedForm(seed: UInt64, n: Int, m: Int, decades: Double) throws {
    var (b, y, random) = randomRegression(seed: seed, n: n, m: m)
    let d = logUniform(m, decades: -decades, decades, &random)
    let context = "seed \(seed), \(n)×\(m), d ∈ 1e±\(decades)"
    let closed = try minimumWeightedL2Interpolant(b: b, y: y, weights: d)
    let program = SeparableConvexProgram(b: b, y: y, potential: .weightedQuadratic(weights: d))
    let dual = program.solveDual(), primal = program.solvePrimal()
    expectConverged(dual, context + " dual")
    expectConverged(primal, context + " primal")
    let dualError = relativeDistance(dual.rho, closed.rho), primalError = relativeDistance(primal.rho, closed.rho)
    let muError = relativeDistance(dual.mu, closed.mu)
    print("[\(context)] quadratic vs closed form: dual \(dualError) (\(dual.iterations) steps), primal "
          + "\(primalError) (\(primal.iterations) steps), μ \(muError)")
    #expect(dualError <= 1e-12 && primalError <= 1e-12 && muError <= 1e-12,
            "\(context): dual \(dualError), primal \(primalError), μ \(muError)")
    #expect(dual.iterations <= 2 && primal.iterations <= 2, "\(context): \(dual.iterations), \(primal.iterations) steps")
  }

  /// Qⱼ″ = 1/dⱼ spanning 1e-12 … 1e12. Needs the row-sorted QR for the step and the carried
  /// s (dual) or ρ (primal): recomputing s = Bᵀμ or ρ = ρ₀ + Nw leaves residuals of 1e-9 and
  /// 0.6 on these seeds.
  @Test("badly scaled quadratic potentials (Q″ from 1e-12 to 1e12)", arguments: [UInt64(21), 22, 23])
  func badlyScaledQuadratic(seed: UInt64) throws {
    var (b, y, random) = randomRegression(seed: seed, n: 4, m: 10)
    var d = logUniform(10, decades: -12, 12, &random)
    d[0] = 1e-12
    d[1] = 1e12
    let context = "seed \(seed), d ∈ [1e-12, 1e12]"
    let program = SeparableConvexProgram(b: b, y: y, potential: .weightedQuadratic(weights: d))
    let dual = program.solveDual(), primal = program.solvePrimal()
    let closed = try minimumWeightedL2Interpolant(b: b, y: y, weights: d)
    expectConverged(dual, context + " dual")
    expectConverged(primal, context + " primal")
    let agreement = relativeDistance(dual.rho, primal.rho), closedError = relativeDistance(dual.rho, closed.rho)
    print("[\(context)] badly scaled quadratic: dual vs primal \(agreement), dual vs closed form \(closedError), "
          + "steps \(dual.iterations)/\(primal.iterations), stationarity \(dual.stationarityResidual)/"
          + "\(primal.stationarityResidual), closed-form feasibility \(closed.feasibilityResidual)")
    #expect(agreement <= 1e-12 && closedError <= 1e-12, "\(context): \(agreement), \(closedError)")
    #expect(closed.feasibilityResidual <= 1e-13, "\(context): closed form \(closed.feasibilityResidual)")
  }

  /// Woodworth/Azulay-type hyperbolic entropy with kⱼ from 1e-3 to 1e3: the two independent
  /// routes agree.
  @Test("the two routes agree on hyperbolic-entropy potentials (k from 1e-3 to 1e3)", arguments: [
    (seed: UInt64(31), n: 3, m: 8), (seed: 32, n: 5, m: 12), (seed: 33, n: 6, m: 25),
    (seed: 34, n: 2, m: 10), (seed: 35, n: 8, m: 15),
  ])
  func routesAgree(seed: UInt64, n: Int, m: Int) {
    var (b, y, random) = randomRegression(seed: seed, n: n, m: m)
    let k = logUniform(m, decades: -3, 3, &random)
    let context = "seed \(seed), \(n)×\(m), k ∈ [1e-3, 1e3]"
    let program = SeparableConvexProgram(b: b, y: y, potential: .hyperbolicEntropy(scales: k))
    let dual = program.solveDual(), primal = program.solvePrimal()
    expectConverged(dual, context + " dual")
    expectConverged(primal, context + " primal")
    let agreement = relativeDistance(dual.rho, primal.rho)
    let muAgreement = relativeDistance(primal.mu, dual.mu)
    print("[\(context)] routes: ρ \(agreement), μ \(muAgreement), steps dual \(dual.iterations) "
          + "(\(dual.stopReason)), primal \(primal.iterations) (\(primal.stopReason)), stationarity "
          + "\(dual.stationarityResidual)/\(primal.stationarityResidual), feasibility "
          + "\(dual.feasibilityResidual)/\(primal.feasibilityResidual)")
    #expect(agreement <= 1e-10 && muAgreement <= 1e-10, "\(context): ρ \(agreement), μ \(muAgreement)")
    #expect(abs(dual.objective - primal.objective) <= 1e-12 * max(1, abs(primal.objective)),
            "\(context): objectives \(dual.objective) vs \(primal.objective)")
  }

  /// kⱼ from 1e-12 to 1e12 makes Qⱼ″ = 1/√(ρ² + kⱼ²) span about 24 decades at the solution.
  @Test("the routes agree on badly scaled hyperbolic entropy (k from 1e-12 to 1e12)",
        arguments: [UInt64(41), 42, 43])
  func badlyScaledHyperbolicEntropy(seed: UInt64) {
    var (b, y, random) = randomRegression(seed: seed, n: 4, m: 12)
    let k = logUniform(12, decades: -12, 12, &random)
    let context = "seed \(seed), k ∈ [1e-12, 1e12]"
    let program = SeparableConvexProgram(b: b, y: y, potential: .hyperbolicEntropy(scales: k))
    let dual = program.solveDual(), primal = program.solvePrimal()
    expectConverged(dual, context + " dual")
    expectConverged(primal, context + " primal")
    let agreement = relativeDistance(dual.rho, primal.rho)
    print("[\(context)] badly scaled entropy: ρ \(agreement), steps \(dual.iterations)/\(primal.iterations) "
          + "(\(dual.stopReason)/\(primal.stopReason)), stationarity \(dual.stationarityResidual)/"
          + "\(primal.stationarityResidual)")
    #expect(agreement <= 1e-10, "\(context): ρ \(agreement)")
  }

  /// With tiny scales and a large y the first Newton step of the dual (H = k·BBᵀ at μ = 0)
  /// is huge, and k·sinh overflows: the line search must reject the non-finite trials and
  /// backtrack rather than return them.
  @Test("an overflowing first step is backtracked, not returned")
  func overflowIsBacktracked() {
    var (b, y, _) = randomRegression(seed: 61, n: 3, m: 9)
    y = y.scaled(by: 1e3)
    let program = SeparableConvexProgram(b: b, y: y, potential: .hyperbolicEntropy(scales: [Double](repeating: 1e-8, count: 9)))
    let dual = program.solveDual(), primal = program.solvePrimal()
    expectConverged(dual, "dual")
    expectConverged(primal, "primal")
    let agreement = relativeDistance(dual.rho, primal.rho)
    print("overflowing first step: ρ agreement \(agreement), steps \(dual.iterations)/\(primal.iterations)")
    #expect(agreement <= 1e-10, "agreement \(agreement)")
  }

  /// The closures of the built-in potentials are consistent: Q′ by central differences,
  /// φ = (Q′)⁻¹, and the Legendre transform Φ(s) = k(cosh s − 1) of the hyperbolic entropy.
  @Test("built-in potentials: derivatives, inverse gradient and conjugate")
  func builtInPotentials() {
    let k = [1e-3, 1.0, 1e3]
    let q = SeparablePotential.hyperbolicEntropy(scales: k)
    for j in k.indices {
      for rho in [-7.0, -0.3, 0, 2e-4, 5, 900] {
        let h = 1e-6 * max(abs(rho), k[j])
        let difference = (q.value(j, rho + h) - q.value(j, rho - h)) / (2 * h)
        expectClose(difference, q.gradient(j, rho), tolerance: 1e-7, "Q′ at k = \(k[j]), ρ = \(rho)")
        let slope = (q.gradient(j, rho + h) - q.gradient(j, rho - h)) / (2 * h)
        expectClose(slope / q.secondDerivative(j, rho), 1, tolerance: 1e-7, "Q″ at k = \(k[j]), ρ = \(rho)")
        expectClose(q.gradientInverse(j, q.gradient(j, rho)), rho, tolerance: 1e-13, "φ(Q′(ρ)) at ρ = \(rho)")
      }
      for s in [-3.0, 0.1, 2] {
        expectClose(q.conjugate(j, s), k[j] * (Elementary.cosh(s) - 1), tolerance: 1e-13, "Φ at s = \(s)")
      }
    }
    #expect(q.value(0, 0) == 0 && q.value(0, 1e-300) >= 0 && q.value(2, 1e300).isFinite)
  }
}

@Suite("Separable convex program: failures are reported, never silent")
struct SeparableConvexFailureTests {
  /// Row 3 of B is row 1 + row 2, and y₃ ≠ y₁ + y₂: no ρ has Bρ = y, the dual is unbounded
  /// below along ẑ ∝ (1, 1, −1), and Newton (with a singular Hessian) cannot converge.
  @Test("inconsistent y with a rank-deficient B is reported infeasible, with a certificate")
  func inconsistentRankDeficient() {
    var (b, y, random) = randomRegression(seed: 71, n: 3, m: 8)
    for j in 0..<8 { b[2, j] = b[0, j] + b[1, j] }
    y[2] = y[0] + y[1] + 0.5
    let program = SeparableConvexProgram(
      b: b, y: y, potential: .hyperbolicEntropy(scales: logUniform(8, decades: -2, 2, &random)))
    for (route, r) in [("dual", program.solveDual()), ("primal", program.solvePrimal())] {
      print("inconsistent \(route): status \(r.status), stop \(r.stopReason), \(r.iterations) steps, "
            + "feasibility \(r.feasibilityResidual)")
      #expect(r.status == .infeasible, "\(route): status \(r.status)")
      #expect(r.feasibilityResidual > 1e-2, "\(route): feasibility \(r.feasibilityResidual)")
      guard let z = r.infeasibilityCertificate else {
        Issue.record("\(route): no certificate")
        continue
      }
      #expect(b.transposedTimes(z).normInfinity <= 1e-14 * b.maxAbs, "\(route): Bᵀẑ = \(b.transposedTimes(z))")
      #expect(y.dot(z) > 0.1, "\(route): yᵀẑ = \(y.dot(z))")
    }
  }

  /// The same rank-deficient B with a consistent y: the truncated Newton step still converges.
  @Test("consistent y with a rank-deficient B still converges")
  func consistentRankDeficient() {
    var (b, _, random) = randomRegression(seed: 72, n: 3, m: 8)
    for j in 0..<8 { b[2, j] = b[0, j] + b[1, j] }
    let y = b * random.normalVector(8)
    let program = SeparableConvexProgram(
      b: b, y: y, potential: .hyperbolicEntropy(scales: logUniform(8, decades: -2, 2, &random)))
    let dual = program.solveDual(), primal = program.solvePrimal()
    expectConverged(dual, "dual")
    expectConverged(primal, "primal")
    let agreement = relativeDistance(dual.rho, primal.rho)
    print("rank-deficient, consistent: ρ agreement \(agreement), steps \(dual.iterations)/\(primal.iterations)")
    #expect(agreement <= 1e-10, "agreement \(agreement)")
  }

  @Test("an exhausted step budget is .iterationLimit, with honest residuals")
  func iterationLimit() {
    var (b, y, random) = randomRegression(seed: 73, n: 4, m: 10)
    let program = SeparableConvexProgram(
      b: b, y: y, potential: .hyperbolicEntropy(scales: logUniform(10, decades: -3, -3, &random)))
    let options = SeparableConvexProgram.Options(maxIterations: 2)
    for (route, r) in [("dual", program.solveDual(options: options)), ("primal", program.solvePrimal(options: options))] {
      #expect(r.status == .iterationLimit && r.stopReason == .iterationLimit, "\(route): \(r.status), \(r.stopReason)")
      #expect(r.iterations == 2, "\(route): \(r.iterations) steps")
      #expect(max(r.feasibilityResidual, r.stationarityResidual) > options.acceptance,
              "\(route): residuals \(r.feasibilityResidual), \(r.stationarityResidual) look converged")
    }
  }

  /// Edge cases: a square B (one feasible point, empty null space) and y = 0 (ρ = 0 for an
  /// even potential, residuals absolute).
  @Test("square B and zero right-hand side")
  func edgeCases() throws {
    var (b, y, random) = randomRegression(seed: 75, n: 4, m: 4)
    let potential = SeparablePotential.hyperbolicEntropy(scales: logUniform(4, decades: -1, 1, &random))
    let square = SeparableConvexProgram(b: b, y: y, potential: potential)
    let exact = try solveLinearSystem(b, y)
    for (route, r) in [("dual", square.solveDual()), ("primal", square.solvePrimal())] {
      expectConverged(r, "square, \(route)")
      #expect(relativeDistance(r.rho, exact) <= 1e-13, "square, \(route): \(relativeDistance(r.rho, exact))")
    }
    y = [Double](repeating: 0, count: 4)
    let zero = SeparableConvexProgram(b: b, y: y, potential: potential)
    for (route, r) in [("dual", zero.solveDual()), ("primal", zero.solvePrimal())] {
      #expect(r.status == .optimal && r.iterations == 0 && r.rho.normInfinity == 0, "y = 0, \(route): \(r.rho)")
    }
  }

  /// A potential whose closures return NaN stops at once with `.nonFinite`.
  @Test("non-finite potential values stop the run with .nonFinite")
  func nonFinitePotential() {
    let (b, y, _) = randomRegression(seed: 74, n: 2, m: 5)
    let broken = SeparablePotential(
      value: { _, _ in .nan }, gradient: { _, _ in .nan }, secondDerivative: { _, _ in 1 },
      gradientInverse: { _, _ in .nan })
    let program = SeparableConvexProgram(b: b, y: y, potential: broken)
    for (route, r) in [("dual", program.solveDual()), ("primal", program.solvePrimal())] {
      #expect(r.status == .iterationLimit && r.stopReason == .nonFinite, "\(route): \(r.status), \(r.stopReason)")
    }
  }
}
