import Certification
import GradientFlow
import LinearAlgebra
import Symbolic
import Testing

@Suite("The derived max-margin stationarity condition")
struct MaxMarginObjectiveTests {
  /// Central differences with h = 1e-6 on O(1) values: truncation ~h²|f‴| ≲ 1e-11 for
  /// |ρ| ≥ 0.3 and p ∈ [0.25, 2]; rounding ~1e-16/h = 1e-10. Asserted to 1e-7 relative.
  @Test("the derived real and Wirtinger gradients equal finite differences of (1/p)|ρ|^p",
        arguments: [0.25, 2.0 / 3.0, 1.0, 2.0])
  func finiteDifferences(p: Double) throws {
    let term = MaxMarginObjective.term
    let rho = MaxMarginObjective.mode, q = MaxMarginObjective.exponent
    func f(_ z: Complex) throws -> Double { try term.evaluate(complex: [rho: z, q: Complex(p, 0)]).re }
    let h = 1e-6
    for value in [Complex(0.7, 0), Complex(-1.3, 0), Complex(0.4, -0.9), Complex(-2.1, 0.3)] {
      let isComplex = value.im != 0
      let g = MaxMarginObjective.gradient(at: value, isComplex: isComplex, exponent: p)
      let gx = (try f(Complex(value.re + h, value.im)) - f(Complex(value.re - h, value.im))) / (2 * h)
      #expect(abs(g.re - gx) <= 1e-7 * max(1, abs(gx)), "∂/∂Re at \(value), p = \(p): \(g.re) vs \(gx)")
      if isComplex {
        let gy = (try f(Complex(value.re, value.im + h)) - f(Complex(value.re, value.im - h))) / (2 * h)
        #expect(abs(g.im - gy) <= 1e-7 * max(1, abs(gy)), "∂/∂Im at \(value), p = \(p): \(g.im) vs \(gy)")
      } else {
        // On the real line the Wirtinger form agrees with the real one.
        let w = try MaxMarginObjective.complexGradient.evaluate(complex: [rho: value, q: Complex(p, 0)])
        #expect(abs(w.re - g.re) <= 1e-14 * max(1, abs(g.re)) && w.im == 0)
      }
    }
  }

  @Test("objectiveGradient is mult_g |ρ_g|^{p−2} ρ_g on a mixed real/complex space")
  func objectiveGradientMatchesClosedForm() {
    let space = TransformedSpace(isComplex: [false, true, false], multiplicity: [1, 2, 1], modeIndex: [0, 1, 2])
    let problem = MaxMarginProblem(marginMatrix: Matrix(rows: 1, columns: 4, repeating: 1), space: space,
                                   exponent: 0.5)
    let rho = [0.8, -0.3, 0.4, 0.0]
    let grad = problem.objectiveGradient(rho)
    let m1 = (0.3 * 0.3 + 0.4 * 0.4).squareRoot()
    let expected = [Elementary.pow(0.8, -0.5), 2 * Elementary.pow(m1, -1.5) * -0.3, 2 * Elementary.pow(m1, -1.5) * 0.4, 0]
    for k in 0..<4 { #expect(abs(grad[k] - expected[k]) <= 1e-14 * max(1, abs(expected[k])), "coordinate \(k)") }
  }
}
