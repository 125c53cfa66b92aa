import Testing
import LinearAlgebra
@testable import Theorems

@Suite("Neighbour theorems (Woodworth 2020, Azulay 2021)")
struct NeighbourTheoremTests {
  @Test("Woodworth: the depth-D flow's limit is argmin Q^D_α, and the invariant holds",
        arguments: [(2, 0.5), (2, 2.0), (3, 0.5), (4, 1.0)])
  func woodworth(depth: Int, alpha: Double) {
    let (x, y) = NeighbourTheorem.randomData(seed: UInt64(depth * 7))
    let r = NeighbourTheorem.woodworth2020.check(inputs: x, targets: y, depth: depth, alpha: alpha)
    #expect(r.verdict == .holds, "\(r.reason)")
  }

  @Test("Azulay: the limit is argmin Q_k for several shapes", arguments: [0.0, 0.5, -0.7])
  func azulay(shape: Double) {
    let (x, y) = NeighbourTheorem.randomData(seed: 31)
    let r = NeighbourTheorem.azulay2021.check(inputs: x, targets: y, depth: 2, alpha: 0.3, shape: shape)
    #expect(r.verdict == .holds, "\(r.reason)")
  }

  @Test("Woodworth against the wrong depth is refuted")
  func wrongDepth() {
    let (x, y) = NeighbourTheorem.randomData(seed: 5)
    let r = NeighbourTheorem.woodworth2020.check(inputs: x, targets: y, depth: 2, alpha: 0.5, claimedDepth: 3)
    #expect(r.verdict == .refuted, "\(r.reason)")
  }
}
