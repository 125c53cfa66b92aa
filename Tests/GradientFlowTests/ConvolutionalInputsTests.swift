import GradientFlow
import LinearAlgebra
import PropertyChecking
import Testing

@Suite("Transformed inputs of convolutional networks by FFT")
struct ConvolutionalInputsTests {
  /// The FFT path equals the dense product X T to a few ulps of the row norms times log d
  /// (both compute the same sums; the FFT's error is O(log d · u · ‖x‖), Higham Thm 24.2).
  @Test("X T by FFT equals the dense product", arguments: [1, 2, 3, 5, 8, 12, 64])
  func agrees(d: Int) {
    var rng = SeededGenerator(seed: UInt64(d))
    let x = rng.gaussianMatrix(rows: 4, columns: d)
    for depth in 1...4 {
      let net = LinearNetwork.convolutional(dimension: d, depth: depth)
      let fast = net.transformedInputs(x), dense = x * net.linearMap
      #expect(fast.rows == dense.rows && fast.columns == dense.columns)
      let scale = dense.maxAbs
      let err = zip(fast.storage, dense.storage).map { abs($0 - $1) }.max() ?? 0
      #expect(err <= 64 * Double.ulpOfOne * Double(d) * max(scale, 1), "d = \(d), L = \(depth): max error \(err)")
    }
  }

  @Test("diagonal networks keep the plain product")
  func diagonal() {
    var rng = SeededGenerator(seed: 9)
    let x = rng.gaussianMatrix(rows: 3, columns: 5)
    let net = LinearNetwork.diagonal(dimension: 5, depth: 2)
    #expect(net.transformedInputs(x).storage == x.storage)
  }
}
