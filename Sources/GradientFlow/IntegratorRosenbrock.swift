import LinearAlgebra

/// An adaptive Rosenbrock W-method (ROS34PW2: 4 stages, order 3, embedded order 2,
/// L-stable, stiffly accurate) for stiff autonomous systems y' = f(y).
///
/// Each attempted step calls ``StiffSystem/prepareSolves(at:derivative:shift:)`` once with
/// shift = 1/(hγ) and then solves four systems (shift·I − J)u = r, where J is whatever
/// Jacobian approximation the system chose (see ``ROS34PW2`` for the stage equations). As
/// a W-method it keeps order 3 for any J: a lagged or structurally simplified Jacobian costs
/// extra steps (larger error constants; stability needs J to capture the stiff part of
/// ∂f/∂y), never the order or the convergence.
///
/// Step-size control (Hairer & Wanner, *Solving ODEs II*, §IV.7 and *Solving ODEs I*, §II.4):
/// with err the weighted RMS norm of the embedded error estimate (``IntegratorTolerances``),
///
///     h_new = h · min(facmax, max(facmin, 0.9 · err^(−1/3))),  facmin = 0.2,
///
/// facmax = 5, or 2 for the step right after a rejection. A step with err ≤ 1 is accepted.
/// A non-finite trial state is a rejection (h ← facmin·h); a failed solve is a rejection
/// (h ← h/2), and ``maximumConsecutiveSolveFailures`` of them in a row end the step with
/// ``IntegratorError/solveFailed(time:)``. A requested step below 1e-14·max(|t|, 1) throws
/// ``IntegratorError/stepSizeUnderflow(time:stepSize:)``.
///
/// - Complexity: per attempted step, 3 evaluations of f (plus 1 per accepted step for
///   f(y₀)), 1 preparation, 4 solves and O(n) vector work. All stage buffers are allocated
///   once per dimension and reused; the integrator allocates nothing per step as long as
///   the caller's `state` array is uniquely referenced.
public struct RosenbrockIntegrator: Sendable {
  /// Consecutive failed solves within one ``advance(_:time:state:limit:)`` after which it
  /// throws ``IntegratorError/solveFailed(time:)``. The step is halved after each.
  public static let maximumConsecutiveSolveFailures = 10

  /// The tolerances of the error controller.
  public var tolerances: IntegratorTolerances
  /// The largest step the controller may take.
  public var maxStep: Double
  /// Work counters, cumulative over the integrator's lifetime.
  public var statistics = IntegratorStatistics()
  /// The controller's next step. 0 until the first step when no initial step was given:
  /// the first ``advance(_:time:state:limit:)`` then picks one by the Hairer–Wanner
  /// heuristic. The caller may overwrite it (e.g. after a discontinuity).
  public var suggestedStep: Double

  // Work buffers, sized to the system's dimension on first use (see `reserve`).
  private var derivative: [Double] = []  // f(y₀)
  private var u1: [Double] = []
  private var u2: [Double] = []
  private var u3: [Double] = []
  private var u4: [Double] = []
  private var stage: [Double] = []  // the stage argument y₀ + Σ aᵢⱼuⱼ
  private var candidate: [Double] = []  // y₁

  private static let facmax = 5.0
  private static let facmaxAfterRejection = 2.0
  private static let facmin = 0.2
  private static let safety = 0.9

  /// - Parameters:
  ///   - tolerances: see ``IntegratorTolerances``.
  ///   - initialStep: the first step to try; `nil` for the Hairer–Wanner heuristic.
  ///   - maxStep: an upper bound on every step.
  public init(
    tolerances: IntegratorTolerances, initialStep: Double? = nil, maxStep: Double = .infinity
  ) {
    precondition(maxStep > 0, "maxStep must be positive, got \(maxStep)")
    precondition(
      initialStep.map { $0 > 0 && $0.isFinite } ?? true, "initialStep must be positive and finite")
    self.tolerances = tolerances
    self.maxStep = maxStep
    self.suggestedStep = initialStep ?? 0
  }

  /// Takes ONE accepted step (retrying rejected attempts internally) from (time, state), not beyond `limit` in time; updates time and state in place; returns the step taken.
  ///
  /// A step that would end within 1e-14·max(|t|, 1) of `limit`, or beyond it, is shortened
  /// to end exactly at `limit` (and `time` is then set to `limit` exactly). Only forward
  /// integration is supported: `limit` must exceed `time`.
  /// - Throws: ``IntegratorError``; `time` and `state` are then unchanged.
  public mutating func advance<S: StiffSystem>(
    _ system: inout S, time: inout Double, state: inout [Double], limit: Double
  ) throws(IntegratorError) -> Double {
    precondition(
      state.count == system.dimension,
      "State has \(state.count) entries, the system's dimension is \(system.dimension)")
    precondition(
      limit > time, "advance integrates forward: limit \(limit) must exceed time \(time)")
    reserve(system.dimension)
    system.evaluate(state, into: &derivative)
    statistics.evaluations += 1
    guard Self.allFinite(state), Self.allFinite(derivative) else {
      throw .nonFiniteState(time: time)
    }
    if !(suggestedStep > 0) || !suggestedStep.isFinite {
      suggestedStep = initialStepEstimate(&system, state: state, span: limit - time)
    }
    var h = min(suggestedStep, maxStep)
    var solveFailures = 0
    var afterRejection = false
    while true {
      let minimumStep = 1e-14 * max(abs(time), 1)
      guard h >= minimumStep else { throw .stepSizeUnderflow(time: time, stepSize: h) }
      let remaining = limit - time
      let reachesLimit = h >= remaining - minimumStep
      let step = reachesLimit ? remaining : h

      guard let error = attempt(&system, from: state, stepSize: step) else {
        statistics.rejectedSteps += 1
        solveFailures += 1
        if solveFailures >= Self.maximumConsecutiveSolveFailures { throw .solveFailed(time: time) }
        h = step / 2
        afterRejection = true
        continue
      }
      solveFailures = 0
      guard error.isFinite, Self.allFinite(candidate) else {
        statistics.rejectedSteps += 1
        h = step * Self.facmin
        afterRejection = true
        continue
      }
      // err^(−1/3): the estimate is O(h³) (embedded order 2); Hairer–Nørsett–Wanner I, §II.4.
      let proposal = error > 0 ? Self.safety * Elementary.cbrt(1 / error) : .infinity
      if error <= 1 {
        let growth = afterRejection ? Self.facmaxAfterRejection : Self.facmax
        let next = step * min(growth, max(Self.facmin, proposal))
        // A step shortened to hit `limit` says nothing against the longer step the
        // controller had planned, unless its own error asks for a smaller one.
        suggestedStep = min(maxStep, reachesLimit && next >= step ? max(next, h) : next)
        for i in state.indices { state[i] = candidate[i] }
        time = reachesLimit ? limit : time + step
        statistics.acceptedSteps += 1
        return step
      }
      statistics.rejectedSteps += 1
      h = step * max(Self.facmin, min(1, proposal))
      afterRejection = true
    }
  }

  /// Takes one step of exactly `stepSize`, with no error control and no retry: for order
  /// studies and tests. Counts as an accepted step.
  /// - Returns: the weighted RMS norm of the embedded error estimate of that step.
  /// - Throws: ``IntegratorError/solveFailed(time:)`` if a solve throws,
  ///   ``IntegratorError/nonFiniteState(time:)`` if the input or the result is not finite;
  ///   `time` and `state` are then unchanged.
  public mutating func takeFixedStep<S: StiffSystem>(
    _ system: inout S, time: inout Double, state: inout [Double], stepSize: Double
  ) throws(IntegratorError) -> Double {
    precondition(
      state.count == system.dimension,
      "State has \(state.count) entries, the system's dimension is \(system.dimension)")
    precondition(stepSize > 0, "stepSize must be positive, got \(stepSize)")
    reserve(system.dimension)
    system.evaluate(state, into: &derivative)
    statistics.evaluations += 1
    guard Self.allFinite(state), Self.allFinite(derivative) else {
      throw .nonFiniteState(time: time)
    }
    guard let error = attempt(&system, from: state, stepSize: stepSize) else {
      throw .solveFailed(time: time)
    }
    guard Self.allFinite(candidate) else { throw .nonFiniteState(time: time + stepSize) }
    for i in state.indices { state[i] = candidate[i] }
    time += stepSize
    statistics.acceptedSteps += 1
    return error
  }

  // MARK: - One attempt

  /// Computes y₁ into `candidate` from y₀ = `y` (with f(y₀) already in `derivative`) and
  /// returns the weighted RMS error norm, or `nil` if the system could not factor or solve.
  ///
  /// Stage i solves (I/(hγ) − J) uᵢ = f(y₀ + Σ_{j<i} aᵢⱼuⱼ) + Σ_{j<i} (cᵢⱼ/h) uⱼ; the
  /// right-hand side is built in uᵢ's own buffer and solved in place.
  private mutating func attempt<S: StiffSystem>(
    _ system: inout S, from y: [Double], stepSize h: Double
  ) -> Double? {
    let t = ROS34PW2.tableau
    let (a21, a31, a32, a41, a42, a43) = (t.a[4], t.a[8], t.a[9], t.a[12], t.a[13], t.a[14])
    let (c21, c31, c32, c41, c42, c43) = (
      t.c[4] / h, t.c[8] / h, t.c[9] / h, t.c[12] / h, t.c[13] / h, t.c[14] / h
    )
    do {
      statistics.preparations += 1
      try system.prepareSolves(at: y, derivative: derivative, shift: 1 / (h * t.gamma))

      for i in u1.indices { u1[i] = derivative[i] }  // stage 1: g₁ = y₀, f(g₁) = f(y₀)
      statistics.solves += 1
      try system.solveShifted(&u1)

      Self.combine(into: &stage, base: y, a21, u1, 0, u1, 0, u1)
      system.evaluate(stage, into: &u2)
      Self.accumulate(into: &u2, c21, u1, 0, u1, 0, u1)
      statistics.evaluations += 1
      statistics.solves += 1
      try system.solveShifted(&u2)

      Self.combine(into: &stage, base: y, a31, u1, a32, u2, 0, u2)
      system.evaluate(stage, into: &u3)
      Self.accumulate(into: &u3, c31, u1, c32, u2, 0, u2)
      statistics.evaluations += 1
      statistics.solves += 1
      try system.solveShifted(&u3)

      Self.combine(into: &stage, base: y, a41, u1, a42, u2, a43, u3)
      system.evaluate(stage, into: &u4)
      Self.accumulate(into: &u4, c41, u1, c42, u2, c43, u3)
      statistics.evaluations += 1
      statistics.solves += 1
      try system.solveShifted(&u4)
    } catch {
      return nil
    }
    Self.combine(into: &candidate, base: y, t.m[0], u1, t.m[1], u2, t.m[2], u3)
    Self.accumulate(into: &candidate, t.m[3], u4, 0, u4, 0, u4)
    return errorNorm(y)
  }

  /// sqrt((1/n) Σᵢ (eᵢ/wᵢ)²) with eᵢ = Σⱼ eⱼ uⱼ[i] and wᵢ = atol + rtol·max(|y₀ᵢ|, |y₁ᵢ|).
  private func errorNorm(_ y: [Double]) -> Double {
    let w = ROS34PW2.tableau.e
    let (e1, e2, e3, e4) = (w[0], w[1], w[2], w[3])
    let (atol, rtol) = (tolerances.absolute, tolerances.relative)
    var sum = 0.0
    for i in y.indices {
      let estimate = e1 * u1[i] + e2 * u2[i] + e3 * u3[i] + e4 * u4[i]
      let ratio = Self.scaled(estimate, by: atol + rtol * max(abs(y[i]), abs(candidate[i])))
      sum += ratio * ratio
    }
    return y.isEmpty ? 0 : (sum / Double(y.count)).squareRoot()
  }

  // MARK: - Initial step

  /// Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4, "Starting step size" (p. 169),
  /// with p = 3: d₀ = ‖y₀‖, d₁ = ‖f(y₀)‖ in the weighted norm with wᵢ = atol + rtol·|y₀ᵢ|;
  /// h₀ = 0.01·d₀/d₁ (10⁻⁶ if either is below 10⁻⁵); one explicit Euler step gives
  /// d₂ = ‖f(y₀ + h₀f(y₀)) − f(y₀)‖/h₀ ≈ ‖y''‖; h₁ = (0.01/max(d₁, d₂))^(1/(p+1)) and
  /// h = min(100·h₀, h₁), also capped by `maxStep` and the span to the limit.
  /// Costs one evaluation of f (into `u1`, with the Euler point in `stage`).
  private mutating func initialStepEstimate<S: StiffSystem>(
    _ system: inout S, state y: [Double], span: Double
  ) -> Double {
    let (atol, rtol) = (tolerances.absolute, tolerances.relative)
    var sumY = 0.0
    var sumF = 0.0
    for i in y.indices {
      let w = atol + rtol * abs(y[i])
      sumY += Self.scaled(y[i], by: w) * Self.scaled(y[i], by: w)
      sumF += Self.scaled(derivative[i], by: w) * Self.scaled(derivative[i], by: w)
    }
    let n = Double(max(y.count, 1))
    let d0 = (sumY / n).squareRoot()
    let d1 = (sumF / n).squareRoot()
    // Weights far below the state's scale (rtol < 1e-154) overflow d₀ and d₁: ∞/∞ would
    // be a NaN step, reported as a collapse to NaN.
    var h0 = d0 < 1e-5 || d1 < 1e-5 || (d0 / d1).isNaN ? 1e-6 : 0.01 * d0 / d1
    h0 = min(h0, span, maxStep)
    for i in y.indices { stage[i] = y[i] + h0 * derivative[i] }
    system.evaluate(stage, into: &u1)
    statistics.evaluations += 1
    var sumD = 0.0
    for i in y.indices {
      let d = Self.scaled(u1[i] - derivative[i], by: atol + rtol * abs(y[i]))
      sumD += d * d
    }
    let d2 = (sumD / n).squareRoot() / h0
    guard d2.isFinite else { return h0 }
    let largest = max(d1, d2)
    let h1 =
      largest <= 1e-15
      ? max(1e-6, h0 * 1e-3) : Elementary.pow(0.01 / largest, 1 / (ROS34PW2.order + 1))
    return min(100 * h0, h1, span, maxStep)
  }

  // MARK: - Buffers and kernels

  /// Sizes the work buffers to `n`; allocates only when the dimension changes.
  private mutating func reserve(_ n: Int) {
    guard derivative.count != n else { return }
    func zeros() -> [Double] { [Double](repeating: 0, count: n) }  // a distinct buffer each
    (derivative, u1, u2, u3, u4, stage, candidate) = (
      zeros(), zeros(), zeros(), zeros(), zeros(), zeros(), zeros()
    )
  }

  /// out = base + α·x + β·v + γ·w (a zero coefficient still reads its vector).
  private static func combine(
    into out: inout [Double], base: [Double],
    _ alpha: Double, _ x: [Double], _ beta: Double, _ v: [Double], _ gamma: Double, _ w: [Double]
  ) {
    out.withUnsafeMutableBufferPointer { o in
      base.withUnsafeBufferPointer { b in
        x.withUnsafeBufferPointer { xp in
          v.withUnsafeBufferPointer { vp in
            w.withUnsafeBufferPointer { wp in
              for i in 0..<o.count { o[i] = b[i] + alpha * xp[i] + beta * vp[i] + gamma * wp[i] }
            }
          }
        }
      }
    }
  }

  /// out += α·x + β·v + γ·w.
  private static func accumulate(
    into out: inout [Double], _ alpha: Double, _ x: [Double], _ beta: Double, _ v: [Double],
    _ gamma: Double, _ w: [Double]
  ) {
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { xp in
        v.withUnsafeBufferPointer { vp in
          w.withUnsafeBufferPointer { wp in
            for i in 0..<o.count { o[i] += alpha * xp[i] + beta * vp[i] + gamma * wp[i] }
          }
        }
      }
    }
  }

  /// x / w, with 0 / 0 = 0: a zero weight (atol = 0 and yᵢ = 0) tolerates only exact zeros.
  private static func scaled(_ x: Double, by w: Double) -> Double { x == 0 ? 0 : x / w }

  private static func allFinite(_ v: [Double]) -> Bool {
    for x in v where !x.isFinite { return false }
    return true
  }
}
