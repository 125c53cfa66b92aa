// swift-tools-version:6.0
//
// ImplicitBiasVerifier: a symbolic-plus-numeric verifier for the implicit bias of
// gradient flow on linear neural networks (Yun, Krishnan & Mobahi, ICLR 2021, and
// neighbours). No package dependencies: only the Swift toolchain (Foundation,
// Swift Testing).
//
// Dependencies run in one direction:
//   LinearAlgebra → Optimization, GradientFlow, Regularizers, Symbolic → Certification → Theorems
//   → VerifierCLI → verify

import PackageDescription

// MARK: - Numerical core

let linkMath: [LinkerSetting] = [.linkedLibrary("m", .when(platforms: [.linux]))]

let numericalCore: [Target] = [
  .target(
    name: "LinearAlgebra",
    linkerSettings: linkMath),
  .target(
    name: "Optimization",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "GradientFlow",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "Certification",
    dependencies: ["LinearAlgebra", "Optimization", "GradientFlow", "Symbolic"]),
  .target(
    name: "PropertyChecking",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "DataIO",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "Regularizers",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "Symbolic",
    dependencies: ["LinearAlgebra"]),
  .target(
    name: "Plotting",
    dependencies: ["LinearAlgebra"]),
]

// MARK: - Theorems (one checkable predicate per theorem)

let theorems: [Target] = [
  .target(
    name: "Theorems",
    dependencies: ["LinearAlgebra", "Optimization", "GradientFlow", "Certification", "PropertyChecking", "DataIO", "Regularizers", "Symbolic"],
    path: "Theorems",
    exclude: ["README.md"]),
]

// MARK: - Command line

let commandLine: [Target] = [
  .target(
    name: "VerifierCLI",
    dependencies: ["Theorems", "DataIO", "PropertyChecking", "GradientFlow", "LinearAlgebra", "Plotting", "Symbolic",
                   "Optimization", "Certification", "Regularizers"]),
  .executableTarget(
    name: "verify",
    dependencies: ["VerifierCLI"]),
]

// MARK: - Tests

let tests: [Target] = [
  .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "PropertyChecking"]),
  .testTarget(name: "OptimizationTests", dependencies: ["Optimization", "LinearAlgebra", "PropertyChecking", "DataIO"]),
  .testTarget(name: "PropertyCheckingTests", dependencies: ["PropertyChecking"]),
  .testTarget(name: "DataIOTests", dependencies: ["DataIO"]),
  .testTarget(name: "CertificationTests", dependencies: ["Certification", "GradientFlow", "Optimization", "LinearAlgebra", "PropertyChecking", "Symbolic"]),
  .testTarget(name: "GradientFlowTests", dependencies: ["GradientFlow", "LinearAlgebra", "PropertyChecking"]),
  .testTarget(
    name: "TheoremTests",
    dependencies: ["Theorems", "GradientFlow", "Optimization", "LinearAlgebra", "PropertyChecking", "DataIO", "Regularizers"]),
  .testTarget(name: "SymbolicTests", dependencies: ["Symbolic", "PropertyChecking", "LinearAlgebra"]),
  .testTarget(name: "RegularizersTests", dependencies: ["Regularizers", "LinearAlgebra"]),
  .testTarget(name: "VerifierCLITests", dependencies: ["VerifierCLI", "Theorems"]),
  .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
]

let package = Package(
  name: "ImplicitBiasVerifier",
  products: [
    .executable(name: "verify", targets: ["verify"]),
    .library(name: "Theorems", targets: ["Theorems"]),
  ],
  targets: numericalCore + theorems + commandLine + tests
)
