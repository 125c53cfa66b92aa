import LinearAlgebra

/// A coordinate-separable parametrization βⱼ = b(θⱼ), θⱼ ∈ ℝᵏ, shared by every coordinate:
/// the models of Woodworth et al. 2020 (β = w₊^D − w₋^D) and Azulay et al. 2021
/// (β = u₊v₊ − u₋v₋), spec §4.4–4.5.
public struct SeparableParametrization: Sendable {
  /// k, the parameters per coordinate.
  public let width: Int
  /// b(θ).
  public let value: @Sendable ([Double]) -> Double
  /// ∇b(θ) (k entries).
  public let gradient: @Sendable ([Double]) -> [Double]
  /// ∇²b(θ) (k × k, row-major).
  public let hessian: @Sendable ([Double]) -> [Double]

  public init(width: Int, value: @escaping @Sendable ([Double]) -> Double,
              gradient: @escaping @Sendable ([Double]) -> [Double],
              hessian: @escaping @Sendable ([Double]) -> [Double]) {
    self.width = width
    self.value = value
    self.gradient = gradient
    self.hessian = hessian
  }

  /// β = w₊^D − w₋^D with θ = (w₊, w₋) (Woodworth et al. 2020, depth D).
  public static func woodworth(depth D: Int) -> SeparableParametrization {
    let d = Double(D)
    return SeparableParametrization(
      width: 2,
      value: { Elementary.pow($0[0], d) - Elementary.pow($0[1], d) },
      gradient: { [d * Elementary.pow($0[0], d - 1), -d * Elementary.pow($0[1], d - 1)] },
      hessian: { [d * (d - 1) * Elementary.pow($0[0], d - 2), 0, 0, -d * (d - 1) * Elementary.pow($0[1], d - 2)] })
  }

  /// β = u₊v₊ − u₋v₋ with θ = (u₊, v₊, u₋, v₋) (Azulay et al. 2021, Thm 4.1).
  public static let azulay = SeparableParametrization(
    width: 4,
    value: { $0[0] * $0[1] - $0[2] * $0[3] },
    gradient: { [$0[1], $0[0], -$0[3], -$0[2]] },
    hessian: { _ in [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, -1, 0] })

  /// β for a state laid out coordinate by coordinate (θ₀, θ₁, …).
  public func coefficients(_ state: [Double]) -> [Double] {
    stride(from: 0, to: state.count, by: width).map { value(Array(state[$0..<($0 + width)])) }
  }
}

/// Gradient flow of ½‖Xβ(θ) − y‖² for a separable parametrization:
/// θ̇ⱼ = −∇b(θⱼ) gⱼ with g = Xᵀ(Xβ − y), integrated with the exact Jacobian
/// −∇²b(θⱼ) gⱼ δⱼₖ − ∇b(θⱼ)(XᵀX)ⱼₖ∇b(θₖ)ᵀ until ‖Xβ − y‖ ≤ tolerance·‖y‖.
/// - Complexity: O(steps · (kd)³) (dense LU; these models are small).
public func integrateSeparableModel(_ model: SeparableParametrization, inputs x: Matrix, targets y: [Double],
                                    initialState: [Double], options: RegressionOptions = RegressionOptions())
  -> (state: [Double], coefficients: [Double], relativeResidual: Double, steps: Int, samples: [[Double]], failure: String?,
      stop: RegressionStop) {
  let k = model.width, d = x.columns
  precondition(initialState.count == k * d, "state has \(initialState.count) entries, expected \(k * d)")
  let gram = x.transposedTimes(x)
  let field: DenseJacobianSystem.VectorField = { state, out in
    let beta = model.coefficients(state)
    let g = x.transposedTimes((x * beta).subtracting(y))
    for j in 0..<d {
      let grad = model.gradient(Array(state[(k * j)..<(k * j + k)]))
      for a in 0..<k { out[k * j + a] = -grad[a] * g[j] }
    }
  }
  let jacobian: DenseJacobianSystem.JacobianField = { state, jac in
    let beta = model.coefficients(state)
    let g = x.transposedTimes((x * beta).subtracting(y))
    let grads = (0..<d).map { model.gradient(Array(state[(k * $0)..<(k * $0 + k)])) }
    for j in 0..<d {
      let h = model.hessian(Array(state[(k * j)..<(k * j + k)]))
      for a in 0..<k {
        for b in 0..<k { jac[k * j + a, k * j + b] -= h[a * k + b] * g[j] }
        for m in 0..<d {
          let c = grads[j][a] * gram[j, m]
          if c == 0 { continue }
          for b in 0..<k { jac[k * j + a, k * m + b] -= c * grads[m][b] }
        }
      }
    }
  }
  var system = DenseJacobianSystem(dimension: k * d, vectorField: field, jacobian: jacobian)
  let yNorm = max(y.norm2, .leastNormalMagnitude)
  let run = integrateToInterpolation(&system, initialState: initialState, options: options,
                                     relativeResidual: { (x * model.coefficients($0)).subtracting(y).norm2 / yNorm },
                                     sample: { $0 })
  return (run.state, model.coefficients(run.state), run.relativeResidual, run.steps, run.samples, run.failure, run.stop)
}
