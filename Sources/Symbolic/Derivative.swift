/// Symbolic differentiation.
///
/// Three derivatives share one recursion:
/// - the real partial derivative ∂/∂s;
/// - the Wirtinger derivatives ∂/∂s = ½(∂/∂x − i∂/∂y) and ∂/∂s̄ = ½(∂/∂x + i∂/∂y) for a
///   complex symbol s = x + iy, which treat s and s̄ as independent variables (Wirtinger
///   1927; see e.g. Kreutz-Delgado, "The complex gradient operator and the CR-calculus",
///   2009, §4). For a real-valued f, the gradient with respect to (x, y), read as the
///   complex number ∂f/∂x + i∂f/∂y, is 2·∂f/∂s̄.
///
/// The result is an unsimplified tree; call `simplified()` on it.
///
/// Rules (u′ is the derivative of the argument u):
/// - sums and products: linearity and the Leibniz rule;
/// - u^e with e free of s: e·u^{e−1}·u′; otherwise d(e^{e·log u}) = u^e·(e′ log u + e·u′/u);
/// - elementary functions: the chain rule with exp′ = exp, log′ = 1/u, sin′ = cos,
///   cos′ = −sin, tan′ = sec², sec′ = sec·tan, arctan′ = 1/(1 + u²), sinh′ = cosh,
///   cosh′ = sinh, tanh′ = sech², sech′ = −sech·tanh, arcsinh′ = (1 + u²)^{−1/2};
/// - |u| for real u: sign(u)·u′ (off u = 0); sign′ = 0 (off u = 0);
/// - |u| = (u ū)^{1/2} for complex u: D|u| = (ū·Du + u·Dū)/(2|u|), with Dū = conj(D̄u);
/// - conj: D(ū) = conj(D̄u) and D̄(ū) = conj(Du) (for the real derivative, conj(u′));
/// - opaque g: g′(u)·u′;
/// - implicit inverse: (f⁻¹)′(x) = 1/f′(f⁻¹(x)), f′ from differentiating the body;
/// - integrals (Leibniz): d/ds ∫_a^b f = f(b)·b′ − f(a)·a′ + ∫_a^b ∂f/∂s.
///
/// - Complexity: O(size of the tree × depth) for the tree, before simplification.
extension Expr {
  /// ∂self/∂s, treating every other symbol as independent of s.
  public func derivative(withRespectTo s: Symbol) -> Expr {
    differentiate(DerivativeKind(symbol: s, mode: .real))
  }

  /// The Wirtinger derivative ∂self/∂s (`conjugate: false`) or ∂self/∂s̄ (`conjugate: true`).
  public func wirtingerDerivative(withRespectTo s: Symbol, conjugate: Bool) -> Expr {
    differentiate(DerivativeKind(symbol: s, mode: conjugate ? .conjugateWirtinger : .wirtinger))
  }

  /// The gradient with respect to several symbols, in their order.
  public func gradient(withRespectTo symbols: [Symbol]) -> [Expr] {
    symbols.map { derivative(withRespectTo: $0) }
  }

  private func differentiate(_ k: DerivativeKind) -> Expr {
    switch self {
    case .number, .constant:
      return .zero
    case .symbol(let t):
      switch k.mode {
      case .real, .wirtinger: return t == k.symbol ? .one : .zero
      case .conjugateWirtinger: return .zero
      }
    case .sum(let terms):
      return Expr.sum(terms.map { $0.differentiate(k) }).flattenedOnce
    case .product(let factors):
      var terms: [Expr] = []
      for i in factors.indices {
        let d = factors[i].differentiate(k)
        if d.isZero { continue }
        var fs = factors
        fs[i] = d
        terms.append(Expr.product(fs).flattenedOnce)
      }
      return Expr.sum(terms).flattenedOnce
    case .power(let base, let exponent):
      let db = base.differentiate(k)
      let de = exponent.differentiate(k)
      if de.isZero {
        if db.isZero { return .zero }
        return exponent * base.toThe(exponent - 1) * db
      }
      return self * (de * .log(base) + exponent * db / base)
    case .function(let f, let u):
      return functionDerivative(f, u, k)
    case .opaque(let g, let u):
      let du = u.differentiate(k)
      return du.isZero ? .zero : .opaque(g.derivative, u) * du
    case .inverse(let f, let x):
      let dx = x.differentiate(k)
      if dx.isZero { return .zero }
      let fPrime = f.body.derivative(withRespectTo: f.variable).substituting(f.variable, with: self)
      return dx / fPrime
    case .integral(let i):
      var terms: [Expr] = []
      let db = i.upper.differentiate(k)
      if !db.isZero { terms.append(i.integrand.substituting(i.variable, with: i.upper) * db) }
      let da = i.lower.differentiate(k)
      if !da.isZero { terms.append(-(i.integrand.substituting(i.variable, with: i.lower) * da)) }
      if i.integrand.contains(k.symbol) {
        let inner = i.integrand.differentiate(k)
        if !inner.isZero { terms.append(.integral(Integral(inner, i.variable, from: i.lower, to: i.upper))) }
      }
      return Expr.sum(terms).flattenedOnce
    case .indexedSum(let sum):
      // Separable sums: ∂/∂ρⱼ Σₖ φ(ρₖ) = φ′(ρⱼ). With respect to a symbol carrying a concrete
      // or named index, the one term whose summation index equals it contributes; the rule
      // assumes each term involves the indexed symbols only at the summation index (true
      // of the statements' Σⱼ (1/p)|ρⱼ|^p and Σⱼ x̃ᵢⱼρⱼ). Symbols without the index
      // (e.g. a scalar α) are differentiated under the sum.
      if let position = sum.body.indexPosition(of: sum.index, in: k.symbol.name) {
        let value = k.symbol.indices.indices.contains(position) ? k.symbol.indices[position] : SymbolIndex.name(sum.index)
        return sum.body.substitutingIndex(sum.index, with: value).differentiate(k)
      }
      let inner = sum.body.differentiate(k)
      return inner.isZero ? .zero : .indexedSum(IndexedSum(sum.index, inner))
    }
  }

  /// The position of the summation index among the indices of the symbol named `name`.
  fileprivate func indexPosition(of index: String, in name: String) -> Int? {
    if case .symbol(let s) = self, s.name == name { return s.indices.firstIndex(of: .name(index)) }
    for c in children { if let p = c.indexPosition(of: index, in: name) { return p } }
    return nil
  }

  private func functionDerivative(_ f: ElementaryFunction, _ u: Expr, _ k: DerivativeKind) -> Expr {
    switch f {
    case .conjugate:
      // D(ū) = conj(D̄u), D̄(ū) = conj(Du); for a real derivative, conj(u′).
      let inner: Expr
      switch k.mode {
      case .real: inner = u.differentiate(k)
      case .wirtinger: inner = u.differentiate(k.flipped)
      case .conjugateWirtinger: inner = u.differentiate(k.flipped)
      }
      return inner.isZero ? .zero : .conjugate(inner)
    case .abs where k.mode != .real:
      // |u| = (u ū)^{1/2}: D|u| = (ū·Du + u·D(ū)) / (2|u|).
      let du = u.differentiate(k)
      let dConjU = Expr.conjugate(u).differentiate(k)
      if du.isZero && dConjU.isZero { return .zero }
      return (Expr.conjugate(u) * du + u * dConjU) / (2 * Expr.abs(u))
    default:
      break
    }
    let du = u.differentiate(k)
    if du.isZero { return .zero }
    let outer: Expr
    switch f {
    case .exp: outer = .exp(u)
    case .log: outer = u.toThe(-1)
    case .sin: outer = .cos(u)
    case .cos: outer = -Expr.sin(u)
    case .tan: outer = Expr.sec(u).toThe(2)
    case .sec: outer = .sec(u) * .tan(u)
    case .arctan: outer = (1 + u.toThe(2)).toThe(-1)
    case .sinh: outer = .cosh(u)
    case .cosh: outer = .sinh(u)
    case .tanh: outer = Expr.sech(u).toThe(2)
    case .sech: outer = -(Expr.sech(u) * .tanh(u))
    case .arcsinh: outer = (1 + u.toThe(2)).toThe(.fraction(-1, 2))
    case .abs: outer = .sign(u)
    case .sign: return .zero
    case .conjugate: preconditionFailure("handled above")
    }
    return outer * du
  }
}

private struct DerivativeKind {
  enum Mode { case real, wirtinger, conjugateWirtinger }
  var symbol: Symbol
  var mode: Mode

  /// D ↔ D̄ (used through conjugation).
  var flipped: DerivativeKind {
    switch mode {
    case .real: self
    case .wirtinger: DerivativeKind(symbol: symbol, mode: .conjugateWirtinger)
    case .conjugateWirtinger: DerivativeKind(symbol: symbol, mode: .wirtinger)
    }
  }
}
