import LinearAlgebra

/// The verdict of `Expr.decideZero(options:)` on "is this expression identically 0?".
public enum ZeroDecision: Sendable, Equatable {
  /// Identically 0 wherever it is defined, by an exact computation; `method` names it and the
  /// rewrites it used.
  case proved(method: String)
  /// Not identically 0: at `point` the value is `value`, and |value| > `bound`, where `bound`
  /// is `refutationFactor` times a running floating-point error estimate of the evaluation
  /// (heuristic, not interval arithmetic). An empty point means the expression simplified
  /// to the nonzero number `value` (then `bound` is 0).
  case refuted(point: [Symbol: Double], value: Double, bound: Double)
  /// Neither: no exact proof, and no sample point where the value clearly exceeds its
  /// rounding error.
  case undecided(reason: String)

  public var isProved: Bool {
    if case .proved = self { return true }
    return false
  }

  public var isRefuted: Bool {
    if case .refuted = self { return true }
    return false
  }
}

/// Options of `Expr.decideZero(options:)`.
public struct ZeroTestOptions: Sendable {
  /// Seed of the sample points (the same seed gives the same points).
  public var seed: UInt64
  /// Number of random points of the numeric fallback.
  public var samples: Int
  /// Range of every symbol without an entry in `ranges`.
  public var defaultRange: ClosedRange<Double>
  /// Per-symbol sampling ranges. They are also the identity's stated range: a symbol whose
  /// range lies inside an implicit inverse's domain may serve as its witness (the identity
  /// is then claimed, and proved, on that range only).
  public var ranges: [Symbol: ClosedRange<Double>]
  /// If true, each sampled value gets a random sign (symbols range over ±range).
  public var symmetric: Bool
  /// A point refutes when |value| > refutationFactor × (error estimate).
  public var refutationFactor: Double
  /// How deeply implicit-inverse witnesses may recurse into further zero tests.
  public var witnessDepth: Int
  /// The exact method gives up on a polynomial with more terms than this.
  public var maxPolynomialTerms: Int

  public init(seed: UInt64 = 0x5EED_0F_2E80, samples: Int = 12, defaultRange: ClosedRange<Double> = 0.1...2.0,
              ranges: [Symbol: ClosedRange<Double>] = [:], symmetric: Bool = false, refutationFactor: Double = 1e3,
              witnessDepth: Int = 2, maxPolynomialTerms: Int = 200_000) {
    self.seed = seed
    self.samples = samples
    self.defaultRange = defaultRange
    self.ranges = ranges
    self.symmetric = symmetric
    self.refutationFactor = refutationFactor
    self.witnessDepth = witnessDepth
    self.maxPolynomialTerms = maxPolynomialTerms
  }
}

extension Expr {
  /// Decides whether the expression is identically 0 (as a function of its free symbols,
  /// wherever it is defined).
  ///
  /// **Exact method.** The simplified expression is brought to a rational-function normal
  /// form N·Π Fᵢ^{kᵢ} over *atoms* — symbols, π, and canonical non-rational subexpressions
  /// (elementary, opaque and inverse function applications, integrals, powers with a
  /// symbolic exponent, radicals), the arguments of atoms multiplied out so that
  /// sin((y + z)·t) and sin(y·t + z·t) are one atom — where N is a sparse Laurent polynomial (monomials map atoms to
  /// integer exponents, coefficients are exact `Rational`s) and the Fᵢ are normalized
  /// polynomials kept factored (sums use the least common multiple of the factor maps, no
  /// gcds). It is proved 0 iff N, reduced modulo the algebraic relations of the atoms, is the
  /// zero polynomial and no denominator factor reduces to 0. The rewrites, each an identity
  /// (assumptions in brackets):
  /// - sinh, cosh, tanh, sech in terms of exp: sinh a = (eᵃ − e⁻ᵃ)/2, cosh a = (eᵃ + e⁻ᵃ)/2,
  ///   tanh a = (e²ᵃ − 1)/(e²ᵃ + 1), sech a = 2/(eᵃ + e⁻ᵃ);
  /// - exp splitting [real arguments]: exp(Σ cᵢtᵢ) = Π exp(tᵢ/mᵢ)^{cᵢmᵢ}, where mᵢ is the
  ///   least common denominator of all coefficients of tᵢ in exponentials of the expression,
  ///   so every e^{kθ} is a power of the one atom w = e^{θ/m} > 0;
  /// - log(c·Π wᵢ^{kᵢ}) = log c + Σ kᵢ·tᵢ/mᵢ for exp-atoms wᵢ and c > 0 [real arguments];
  /// - arcsinh u = log(u + (u² + 1)^{1/2}), used when the log then collapses as above;
  /// - non-integer powers P^{p/q} of a Laurent polynomial: the positive rational content is
  ///   pulled out (exactly, or as prime radicals 2^{1/2}, … with 2^{1/2}·3^{1/2} = 6^{1/2}),
  ///   and so are whole q-th powers of nonnegative atoms (of any atom, and the sign, for odd
  ///   q [real odd roots]); if the rest is R^q for a polynomial R, the result is R^p when
  ///   (R^q)^{1/q} = R: q odd [real odd roots], or R ≥ 0 because its terms are (positive
  ///   coefficients, atoms nonnegative or to even powers) or because R is itself a square;
  ///   otherwise P^{1/q} becomes an atom a with the relation a^q = P (so (4z²+1)^{1/2} and
  ///   2(z²+1/4)^{1/2} are the same 2a). Before this, negative powers of relation atoms in
  ///   P are moved into the denominator (a⁻¹ = a^{q−1}/P_a) and high powers reduced, so the
  ///   radicand is canonical. A base N·Π F^m is split into N^k·Π (F^m)^k only where
  ///   F^m > 0 is known (F with nonnegative terms, or m even); a factor of unknown sign
  ///   with m > 0 is multiplied into N [real semantics];
  /// - x^{n+s} = x^n·x^s for an integer n, x^{ks} = (x^s)^k for an integer k (symbolic s);
  /// - cos u is an atom with the relation cos²u = 1 − sin²u; tan = sin/cos, sec = 1/cos;
  /// - implicit inverses: f⁻¹(y) = t when f(t) − y is proved 0 recursively (depth
  ///   `witnessDepth`) for a subexpression t of y in f's domain — sound because f is strictly
  ///   monotone on its domain, hence injective, so f(t) = y has no other solution there.
  ///
  /// **Numeric fallback.** Otherwise the expression is evaluated at `samples` seeded random
  /// points with a running error estimate (forward error analysis: each operation adds its
  /// rounding and propagates its operands' errors through the derivative). A point with
  /// |value| > `refutationFactor` × estimate refutes; points outside the domain (log of a
  /// negative number, an inverse without a solution, …) are skipped. When the exact method
  /// got as far as a nonzero numerator, the normal form is evaluated at the same points too
  /// (from the atoms' values): it has the expression's value without its cancellations, so
  /// 10⁻¹⁸·sinh x + cosh x − cosh x is refuted although its direct evaluation is lost in
  /// rounding. If every point vanishes to within its estimate, the answer is `.undecided`.
  ///
  /// Soundness: `.proved` rests only on the exact rewrites (identities for real values of
  /// the symbols, where the expression is defined); `.refuted` on floating-point evaluation
  /// with a heuristic (not interval) error bound and a default safety factor of 10³.
  ///
  /// - Complexity: the exact method costs the size of the expanded numerator (products of
  ///   sums are multiplied out; at most `maxPolynomialTerms` terms, else it gives up), e.g.
  ///   a few ms for a 3×3 Cayley orthogonality identity; the fallback costs `samples`
  ///   evaluations, O(nodes) each (implicit inverses and integrals cost a root search or a
  ///   quadrature each).
  public func decideZero(options: ZeroTestOptions = .init()) -> ZeroDecision {
    let exactReason: String
    let normalForm: ZeroTestEngine.NormalForm?
    switch ZeroTestEngine.exactDecision(self, depth: 0, options: options) {
    case .proved(let method): return .proved(method: method)
    case .nonzeroConstant(let r): return .refuted(point: [:], value: r.doubleValue, bound: 0)
    case .unknown(let reason, let form):
      exactReason = reason
      normalForm = form
    }
    let symbols = freeSymbols.sorted()
    var rng = SplitMix64(seed: options.seed)
    var tested = 0, skipped = 0
    var largest = 0.0, largestError = 0.0
    for _ in 0..<max(options.samples, 0) {
      var point: [Symbol: Double] = [:]
      for s in symbols {
        let range = options.ranges[s] ?? options.defaultRange
        var x = range.lowerBound + (range.upperBound - range.lowerBound) * rng.uniform()
        if options.symmetric && rng.next() & 1 == 1 { x = -x }
        point[s] = x
      }
      guard let (value, error) = try? numericValueForZeroTest(self, at: point), value.isFinite, error.isFinite
      else {
        skipped += 1
        continue
      }
      tested += 1
      let bound = options.refutationFactor * error
      if Swift.abs(value) > bound { return .refuted(point: point, value: value, bound: bound) }
      // The normal form has the same value without the expression's cancellations
      // (e.g. 10⁻¹⁸·sinh x + cosh x − cosh x).
      if let nf = normalForm, let (v, err) = nf.engine.numericValue(nf.form, dividedBy: nf.multiplier, at: point),
         Swift.abs(v) > options.refutationFactor * err {
        return .refuted(point: point, value: v, bound: options.refutationFactor * err)
      }
      largest = max(largest, Swift.abs(value))
      largestError = max(largestError, error)
    }
    if tested == 0 {
      return .undecided(reason: "no exact proof (\(exactReason)), and the expression cannot be evaluated at any of \(skipped)"
        + " sample points (outside its domain, or not numeric, like opaque functions)")
    }
    return .undecided(reason: "vanishes at \(tested) random points to within \(largest) (error estimate \(largestError))"
      + (skipped > 0 ? ", \(skipped) points outside the domain" : "") + ", but no exact proof (\(exactReason))")
  }
}

