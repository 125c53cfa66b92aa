import LinearAlgebra

/// A ``StiffSystem`` for tests and small problems: a vector field given as a closure, a
/// dense Jacobian (a closure, or forward finite differences), and shifted solves by a small
/// private LU factorization with partial pivoting.
///
/// For large or structured systems (gradient flows with low-rank Jacobians) write a
/// ``StiffSystem`` that solves with (shift·I − J) by a structured formula instead.
///
/// The Jacobian closure may return any approximation of ∂f/∂y: the integrator is a
/// W-method, so e.g. a scaled Jacobian or one with non-stiff terms dropped keeps order 3.
///
/// - Complexity: per ``prepareSolves(at:derivative:shift:)``, one Jacobian (or n extra
///   evaluations of f for finite differences) and O(n³) for the factorization; O(n²) per
///   ``solveShifted(_:)``. No allocation after `init`.
public struct DenseJacobianSystem: StiffSystem {
  /// Writes f(y) into its second argument (sized to `dimension`).
  public typealias VectorField = (_ y: [Double], _ derivative: inout [Double]) -> Void
  /// Writes J(y) ≈ ∂f/∂y into its second argument (`dimension` × `dimension`, zeroed
  /// before each call); entry (i, j) is ∂fᵢ/∂yⱼ.
  public typealias JacobianField = (_ y: [Double], _ jacobian: inout Matrix) -> Void

  /// Why the shifted matrix could not be factored.
  public enum FactorizationError: Error, Equatable {
    /// No usable pivot (zero or non-finite) in column `column` of shift·I − J.
    case singular(column: Int)
  }

  public let dimension: Int
  /// Evaluations of f, including those made for finite-difference Jacobians.
  public private(set) var vectorFieldEvaluations = 0
  /// Jacobians formed (by the closure or by finite differences).
  public private(set) var jacobianEvaluations = 0

  private let vectorField: VectorField
  private let jacobianField: JacobianField?
  private var factors: Matrix  // J, then overwritten by the LU factors of shift·I − J
  private var pivots: [Int]  // row k was swapped with row pivots[k] at elimination step k
  private var factored = false
  private var perturbed: [Double]  // y + δⱼeⱼ, for finite differences
  private var perturbedDerivative: [Double]  // f(y + δⱼeⱼ)

  /// - Parameters:
  ///   - dimension: n, the length of the state.
  ///   - vectorField: f.
  ///   - jacobian: J ≈ ∂f/∂y; `nil` for forward differences.
  public init(dimension: Int, vectorField: @escaping VectorField, jacobian: JacobianField? = nil) {
    precondition(dimension > 0, "Dimension must be positive, got \(dimension)")
    self.dimension = dimension
    self.vectorField = vectorField
    self.jacobianField = jacobian
    self.factors = Matrix(rows: dimension, columns: dimension)
    self.pivots = [Int](repeating: 0, count: dimension)
    self.perturbed = [Double](repeating: 0, count: dimension)
    self.perturbedDerivative = [Double](repeating: 0, count: dimension)
  }

  public mutating func evaluate(_ y: [Double], into derivative: inout [Double]) {
    vectorFieldEvaluations += 1
    vectorField(y, &derivative)
  }

  /// Forms J at y, then factors shift·I − J = PᵀLU.
  /// - Throws: ``FactorizationError/singular(column:)``.
  public mutating func prepareSolves(at y: [Double], derivative: [Double], shift: Double) throws {
    precondition(
      y.count == dimension && derivative.count == dimension,
      "prepareSolves needs vectors of length \(dimension), got \(y.count) and \(derivative.count)")
    factored = false
    formJacobian(at: y, derivative: derivative)
    let n = dimension
    factors.storage.withUnsafeMutableBufferPointer { m in
      // shift·I − J in place.
      for k in 0..<(n * n) { m[k] = -m[k] }
      for i in 0..<n { m[i * n + i] += shift }
    }
    if let column = Self.factor(&factors.storage, pivots: &pivots, n: n) {
      throw FactorizationError.singular(column: column)
    }
    factored = true
  }

  /// Overwrites b with (shift·I − J)⁻¹b: apply P, then solve Lz = Pb and Ux = z.
  public mutating func solveShifted(_ b: inout [Double]) throws {
    precondition(factored, "solveShifted called without a successful prepareSolves")
    precondition(
      b.count == dimension, "solveShifted needs a vector of length \(dimension), got \(b.count)")
    let n = dimension
    factors.storage.withUnsafeBufferPointer { m in
      b.withUnsafeMutableBufferPointer { x in
        for k in 0..<n where pivots[k] != k { x.swapAt(k, pivots[k]) }
        for i in 0..<n {  // L has a unit diagonal
          var s = x[i]
          for j in 0..<i { s -= m[i * n + j] * x[j] }
          x[i] = s
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
          var s = x[i]
          for j in (i + 1)..<n { s -= m[i * n + j] * x[j] }
          x[i] = s / m[i * n + i]
        }
      }
    }
  }

  // MARK: - Jacobian

  /// J into `factors`: the closure, or forward differences column by column,
  /// J[:, j] ≈ (f(y + δⱼeⱼ) − f(y)) / δⱼ with δⱼ = √ε·max(|yⱼ|, 1), the step rounded so
  /// that y + δⱼ is exact (δⱼ ← (yⱼ + δⱼ) − yⱼ). Truncation error O(δ·‖f''‖), rounding
  /// error O(ε‖f‖/δ): √ε balances the two (Dennis & Schnabel, *Numerical Methods for
  /// Unconstrained Optimization*, §5.4). For components far below 1 the step is large
  /// relative to yⱼ (Robertson's y₂ ~ 1e-5 gives ~1e-4 relative error in ∂f/∂y₂); the
  /// W-method tolerates that.
  private mutating func formJacobian(at y: [Double], derivative: [Double]) {
    jacobianEvaluations += 1
    let n = dimension
    if let jacobianField {
      for k in factors.storage.indices { factors.storage[k] = 0 }
      jacobianField(y, &factors)
      precondition(
        factors.rows == n && factors.columns == n,
        "Jacobian closure changed the shape to \(factors.rows)×\(factors.columns), expected \(n)×\(n)"
      )
      return
    }
    let root = Double.ulpOfOne.squareRoot()
    for i in 0..<n { perturbed[i] = y[i] }
    for j in 0..<n {
      let delta = (y[j] + root * max(abs(y[j]), 1)) - y[j]
      perturbed[j] = y[j] + delta
      vectorFieldEvaluations += 1
      vectorField(perturbed, &perturbedDerivative)
      perturbed[j] = y[j]
      for i in 0..<n {
        factors.storage[i * n + j] = (perturbedDerivative[i] - derivative[i]) / delta
      }
    }
  }

  // MARK: - LU with partial pivoting (private; to be replaced by the library LU)

  /// Overwrites the row-major n × n matrix `a` with L (unit lower, below the diagonal) and
  /// U (upper, on and above) such that PA = LU, choosing in each column the pivot of largest
  /// magnitude (Golub & Van Loan, *Matrix Computations*, 4th ed., Algorithm 3.4.1).
  /// Returns the first column without a usable pivot, or `nil` on success.
  /// - Complexity: 2n³/3 flops.
  private static func factor(_ a: inout [Double], pivots: inout [Int], n: Int) -> Int? {
    a.withUnsafeMutableBufferPointer { m in
      for k in 0..<n {
        var p = k
        var largest = abs(m[k * n + k])
        for i in (k + 1)..<n where abs(m[i * n + k]) > largest {
          largest = abs(m[i * n + k])
          p = i
        }
        pivots[k] = p
        guard largest > 0, largest.isFinite else { return k }
        if p != k {
          for j in 0..<n { m.swapAt(k * n + j, p * n + j) }
        }
        let pivot = m[k * n + k]
        for i in (k + 1)..<n {
          let l = m[i * n + k] / pivot
          m[i * n + k] = l
          if l == 0 { continue }
          for j in (k + 1)..<n { m[i * n + j] -= l * m[k * n + j] }
        }
      }
      return nil
    }
  }
}
