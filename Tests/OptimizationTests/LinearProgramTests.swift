import LinearAlgebra
import Optimization
import Testing

/// Optimal results must certify themselves: tiny primal and dual infeasibility and gap.
private func expectCertified(
  _ r: LinearProgramResult, tolerance: Double = 1e-10, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(r.status == .optimal, "\(what): status \(r.status)", sourceLocation: sourceLocation)
  #expect(r.primalInfeasibility <= tolerance, "\(what): primal infeasibility \(r.primalInfeasibility)",
          sourceLocation: sourceLocation)
  #expect(r.dualInfeasibility <= tolerance, "\(what): dual infeasibility \(r.dualInfeasibility)",
          sourceLocation: sourceLocation)
  let scale = max(1, abs(r.objective))
  #expect(r.dualityGap <= tolerance * scale, "\(what): duality gap \(r.dualityGap)", sourceLocation: sourceLocation)
}

@Suite("Linear programming: textbook, degenerate, infeasible, unbounded, random")
struct LinearProgramTests {
  /// Hillier & Lieberman's Wyndor Glass: max 3x₁ + 5x₂, x₁ ≤ 4, 2x₂ ≤ 12, 3x₁ + 2x₂ ≤ 18.
  /// Optimum (2, 6), value 36, shadow prices (0, 3/2, 1).
  @Test func wyndorGlass() {
    let lp = LinearProgram(c: [-3, -5], a: Matrix([[1, 0], [0, 2], [3, 2]]), b: [4, 12, 18])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.x, [2, 6], tolerance: 1e-14, "x")
    expectClose(r.objective, -36, tolerance: 1e-14, "objective")
    expectClose(r.inequalityMultipliers, [0, 1.5, 1], tolerance: 1e-14, "shadow prices")
  }

  /// Chvátal (1983) §2: max 5x₁ + 4x₂ + 3x₃; optimum (2, 0, 1), value 13, duals (1, 0, 1).
  @Test func chvatalChapter2() {
    let lp = LinearProgram(
      c: [-5, -4, -3], a: Matrix([[2, 3, 1], [4, 1, 2], [3, 4, 2]]), b: [5, 11, 8])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.x, [2, 0, 1], tolerance: 1e-14, "x")
    expectClose(r.objective, -13, tolerance: 1e-14, "objective")
    expectClose(r.inequalityMultipliers, [1, 0, 1], tolerance: 1e-14, "duals")
  }

  /// A diet-type problem needing phase 1: min 2x₁ + 3x₂, x₁ + x₂ ≥ 4, x₁ + 3x₂ ≥ 6 → (3, 1), 9.
  @Test func coveringNeedsPhaseOne() {
    let lp = LinearProgram(c: [2, 3], a: Matrix([[-1, -1], [-1, -3]]), b: [-4, -6])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.x, [3, 1], tolerance: 1e-14, "x")
    expectClose(r.objective, 9, tolerance: 1e-14, "objective")
    expectClose(r.inequalityMultipliers, [1.5, 0.5], tolerance: 1e-14, "duals")
  }

  /// Equality, a free variable and a redundant equality row:
  /// min x + 2y s.t. x + y = 3, 2x + 2y = 6, x − y ≤ 1, x free, y ≥ 0 → (2, 1), value 4.
  @Test func equalitiesFreeVariableAndRedundantRow() {
    let lp = LinearProgram(
      c: [1, 2], a: Matrix([[1, -1]]), b: [1], aEq: Matrix([[1, 1], [2, 2]]), bEq: [3, 6],
      bounds: [.free, .nonNegative])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.x, [2, 1], tolerance: 1e-14, "x")
    expectClose(r.objective, 4, tolerance: 1e-14, "objective")
  }

  /// A free variable that must go negative: min −x₁ − x₂ with x₁ free, x₁ + x₂ ≤ −1, x₂ ≤ 2,
  /// −x₁ ≤ 5 → x₁ = −3, x₂ = 2, value 1.
  @Test func negativeFreeVariable() {
    let lp = LinearProgram(
      c: [-1, -1], a: Matrix([[1, 1], [0, 1], [-1, 0]]), b: [-1, 2, 5], bounds: [.free, .nonNegative])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.objective, 1, tolerance: 1e-14, "objective")
    #expect(abs(r.x[0] + r.x[1] + 1) <= 1e-14, "x₁ + x₂ = −1 at the optimum, got \(r.x)")
  }

  /// Beale (1955): cycles under Dantzig's rule with smallest-index ties in the ratio test
  /// (our largest-pivot tie-break happens to avoid it). Optimum x = (1, 0, 1, 0), value −5/4.
  @Test func bealeCyclingExample() {
    let lp = LinearProgram(
      c: [-0.75, 20, -0.5, 6],
      a: Matrix([[0.25, -8, -1, 9], [0.5, -12, -0.5, 3], [0, 0, 1, 0]]), b: [0, 0, 1])
    let r = lp.solve(maxIterations: 500)
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.objective, -1.25, tolerance: 1e-14, "objective")
    expectClose(r.x, [1, 0, 1, 0], tolerance: 1e-14, "x")
  }

  /// Hall & McKinnon (2004), "The simplest examples where the simplex method cycles": cycles
  /// under Dantzig's rule whatever the tie-breaking (checked: it hits any iteration limit
  /// without the Bland fallback). Homogeneous, it is unbounded; with Σx ≤ 1 added the
  /// optimum is x = (0, ½, 0, ½), value −7/8.
  @Test func hallMcKinnonCyclingExample() {
    let c = [-2.3, -2.15, 13.55, 0.4]
    let rows: [[Double]] = [[0.4, 0.2, -1.4, -0.2], [-7.8, -1.4, 7.8, 0.4]]
    let homogeneous = LinearProgram(c: c, a: Matrix(rows), b: [0, 0]).solve(maxIterations: 200)
    #expect(homogeneous.status == .unbounded)
    #expect((homogeneous.unboundedRay?.residual ?? 1) <= 1e-14)
    let bounded = LinearProgram(c: c, a: Matrix(rows + [[1, 1, 1, 1]]), b: [0, 0, 1]).solve(maxIterations: 200)
    expectCertified(bounded, tolerance: 1e-14)
    expectClose(bounded.objective, -0.875, tolerance: 1e-15, "objective")
    expectClose(bounded.x, [0, 0.5, 0, 0.5], tolerance: 1e-15, "x")
  }

  /// Klee–Minty cube, n = 5: max Σ 10^{n−j} x_j s.t. 2Σ_{j<i} 10^{i−j} x_j + x_i ≤ 100^{i−1};
  /// the optimum is x = 100^{n−1} e_n (Dantzig's rule visits all 2ⁿ vertices).
  @Test func kleeMintyCube() {
    let n = 5
    var a = Matrix(rows: n, columns: n)
    var b = [Double](repeating: 0, count: n)
    var c = [Double](repeating: 0, count: n)
    for i in 0..<n {
      c[i] = -Elementary.pow(10, Double(n - 1 - i))
      b[i] = Elementary.pow(100, Double(i))
      a[i, i] = 1
      for j in 0..<i { a[i, j] = 2 * Elementary.pow(10, Double(i - j)) }
    }
    let r = LinearProgram(c: c, a: a, b: b).solve()
    expectCertified(r, tolerance: 1e-13 * 1e8)
    expectClose(r.objective, -1e8, tolerance: 1e-15, "objective")
    expectClose(r.x, [0, 0, 0, 0, 1e8], tolerance: 1e-15, "x")
  }

  /// A highly degenerate vertex: many constraints through the optimum (1, 1).
  @Test func degenerateVertex() {
    let lp = LinearProgram(
      c: [-1, -1],
      a: Matrix([[1, 0], [0, 1], [1, 1], [1, -1], [-1, 1], [2, 1], [1, 2]]), b: [1, 1, 2, 0, 0, 3, 3])
    let r = lp.solve()
    expectCertified(r, tolerance: 1e-13)
    expectClose(r.x, [1, 1], tolerance: 1e-14, "x")
  }

  @Test func infeasibleInequalities() {
    let lp = LinearProgram(c: [1, 1], a: Matrix([[1, 1], [-1, -1]]), b: [1, -2])
    let r = lp.solve()
    #expect(r.status == .infeasible)
    let f = try! #require(r.farkasCertificate)
    #expect(f.bound < -0.5 && f.residual <= 1e-14, "Farkas bound \(f.bound), residual \(f.residual)")
    #expect(r.primalInfeasibility > 0.1, "the returned point is infeasible: \(r.primalInfeasibility)")
  }

  @Test func infeasibleEqualityWithFreeVariable() {
    // x₁ − x₂ = 1 and x₁ − x₂ = 3 (x₁ free), x₂ ≥ 0.
    let lp = LinearProgram(
      c: [0, 1], aEq: Matrix([[1, -1], [1, -1]]), bEq: [1, 3], bounds: [.free, .nonNegative])
    let r = lp.solve()
    #expect(r.status == .infeasible)
    let f = try! #require(r.farkasCertificate)
    #expect(f.bound < 0 && f.residual <= 1e-14, "Farkas bound \(f.bound), residual \(f.residual)")
  }

  @Test func unboundedRay() {
    let lp = LinearProgram(c: [-1, -1], a: Matrix([[1, -1]]), b: [1])
    let r = lp.solve()
    #expect(r.status == .unbounded)
    let ray = try! #require(r.unboundedRay)
    #expect(ray.slope < 0 && ray.residual <= 1e-14, "slope \(ray.slope), residual \(ray.residual)")
    #expect(r.primalInfeasibility <= 1e-14, "x is feasible")
  }

  @Test func unboundedFreeVariable() {
    let r = LinearProgram(c: [1, 0], a: Matrix([[0, 1]]), b: [1], bounds: [.free, .free]).solve()
    #expect(r.status == .unbounded)
    let ray = try! #require(r.unboundedRay)
    #expect(ray.slope < 0 && ray.residual <= 1e-14 && ray.direction[0] < 0)
  }

  @Test func noConstraints() {
    let bounded = LinearProgram(c: [1, 2]).solve()
    expectCertified(bounded, tolerance: 0)
    #expect(bounded.x == [0, 0])
    let unbounded = LinearProgram(c: [1, -2]).solve()
    #expect(unbounded.status == .unbounded && unbounded.unboundedRay?.direction == [0, 1])
  }

  @Test func iterationLimitIsReported() {
    let r = LinearProgram(
      c: [-5, -4, -3], a: Matrix([[2, 3, 1], [4, 1, 2], [3, 4, 2]]), b: [5, 11, 8]
    ).solve(maxIterations: 1)
    #expect(r.status == .iterationLimit)
  }

  /// Random feasible and bounded LPs built from a primal point x₀ and a dual point (u₀, s₀):
  /// b = Ax₀ + slack (with some rows tight, so vertices are degenerate), c = s₀ − Aᵀu₀ − A_eqᵀv₀.
  /// The optimum must certify itself and be no worse than x₀.
  @Test("random LPs certify themselves", arguments: [
    (seed: UInt64(1), m: 10, p: 0, n: 15), (seed: 2, m: 30, p: 5, n: 20), (seed: 3, m: 60, p: 10, n: 40),
    (seed: 4, m: 5, p: 3, n: 30), (seed: 5, m: 120, p: 20, n: 150),
  ])
  func randomLP(seed: UInt64, m: Int, p: Int, n: Int) {
    var rng = TestRandom(seed: seed)
    let a = rng.normalMatrix(rows: m, columns: n), aEq = rng.normalMatrix(rows: p, columns: n)
    let bounds: [LinearProgram.VariableBound] = (0..<n).map { $0 % 4 == 3 ? .free : .nonNegative }
    let x0 = (0..<n).map { j in bounds[j] == .free ? rng.normal() : (rng.uniform() < 0.5 ? 0 : rng.uniform()) }
    let b = (a * x0).map { $0 + (rng.uniform() < 0.3 ? 0 : rng.uniform()) }
    let u0 = (0..<m).map { _ in rng.uniform() < 0.5 ? 0 : rng.uniform() }
    let v0 = rng.normalVector(p)
    let s0 = (0..<n).map { j in bounds[j] == .free ? 0 : rng.uniform() }
    let c = s0 - a.transposedTimes(u0) - aEq.transposedTimes(v0)
    let lp = LinearProgram(c: c, a: a, b: b, aEq: aEq, bEq: aEq * x0, bounds: bounds)
    let r = lp.solve()
    let context = "seed \(seed), \(m)+\(p) rows × \(n) columns"
    expectCertified(r, tolerance: 1e-10, context)
    #expect(r.objective <= c.dot(x0) + 1e-9 * max(1, abs(r.objective)), "\(context): worse than x₀")
  }
}
