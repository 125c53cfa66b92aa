import LinearAlgebra
// TEMPORARY: replaced by the real solvers when they land.
public struct SepStandIn: Sendable { public var isSeparable = true; public var margin = 1.0; public var witnessNorm = 0.0 }
public func separabilityMargin(_ z: Matrix) -> SepStandIn { SepStandIn() }
public struct OptStandIn: Sendable { public var isOptimal = false; public var w: [Double] = []; public var beta: [Double] = [] }
public func hardMarginSVM(_ a: Matrix) -> OptStandIn { OptStandIn() }
public func l1MaxMargin(_ a: Matrix) -> OptStandIn { OptStandIn() }
public func groupL1MaxMargin(_ a: Matrix, groups: [[Int]], weights: [Double]) -> OptStandIn { OptStandIn() }
