import Foundation
import LinearAlgebra
import Regularizers
import Symbolic
import Testing
@testable import Theorems

/// Whether pdflatex is on PATH (installed from Debian's texlive packages on the development
/// machine; CI machines without it skip the compile test, visibly).
let pdflatexPath: String? = {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
    let candidate = "\(dir)/pdflatex"
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return nil
}()

let allStatements: [TheoremStatement] = [Theorem1.statement, Theorem2.statement, Theorem3.statement, Theorem4.statement,
  Theorem5.statement, Gunasekar2018.statement, Soudry2018.statement]
  + NeighbourTheorem.allCases.map(\.statement)

@Suite("Theorem statements from expressions")
struct StatementTests {
  @Test("every statement's prose maps to LaTeX without unmapped characters")
  func proseIsMapped() {
    for s in allStatements {
      let prose = [s.title, s.reference, s.conclusionVerb] + s.setting + s.hypotheses.flatMap { [$0.name, $0.statement] }
        + (s.problem.constraints + s.problem.definitions + s.problem.stationarity).compactMap(\.condition)
      for p in prose {
        #expect(LaTeXProse.unmappedCharacters(p).isEmpty, "\(s.identifier): unmapped \(LaTeXProse.unmappedCharacters(p)) in “\(p)”")
      }
    }
  }

  @Test("the LaTeX of every statement compiles with pdflatex", .enabled(if: pdflatexPath != nil, "pdflatex not installed"))
  func latexCompiles() throws {
    let body = allStatements.map { $0.latex() }.joined(separator: "\n\n")
    let document = "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n\(body)\n\\end{document}\n"
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("statements-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try document.write(to: dir.appendingPathComponent("s.tex"), atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: pdflatexPath!)
    process.arguments = ["-halt-on-error", "-interaction=nonstopmode", "s.tex"]
    process.currentDirectoryURL = dir
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let log = String(data: pipe.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "pdflatex failed:\n\(log.split(separator: "\n").filter { $0.hasPrefix("!") || $0.hasPrefix("l.") }.joined(separator: "\n"))")
  }

  @Test("Theorem 4's derived ∂Q/∂ρⱼ matches finite differences of Q and the hand-derived gradient", arguments: [2, 3, 4, 5])
  func theorem4Gradient(depth L: Int) throws {
    let derived = Theorem4.compiledRegularizerGradient(depth: L)
    let shape = [0.7, 1.3]
    let q = WeightedRegularizer(depth: L, alpha: 0.5, shape: shape)
    for rho in [[0.02, -0.3], [1.5, 0.004]] {
      let hand = q.gradient(rho)
      for j in 0..<2 {
        let g = derived([rho[j], 0.5, shape[j]])
        #expect(abs(g - hand[j]) <= 1e-12 * max(1, abs(hand[j])), "L = \(L), j = \(j): \(g) vs \(hand[j])")
        // Central difference of Q (h = 1e-6·max(1,|ρ|): truncation ~h²|Q‴|, here < 1e-9).
        let h = 1e-6 * max(1, abs(rho[j]))
        var plus = rho, minus = rho
        plus[j] += h
        minus[j] -= h
        let fd = (q.value(plus) - q.value(minus)) / (2 * h)
        #expect(abs(g - fd) <= 1e-6 * max(1, abs(fd)), "L = \(L), j = \(j): \(g) vs finite difference \(fd)")
      }
    }
  }

  @Test("the symbolic h_L (F_L ∘ G_L⁻¹ with G_L an integral) inverts to the library's h_L⁻¹", arguments: [3, 4])
  func symbolicHInverse(depth L: Int) throws {
    // The root of h_L(τ) = z, found by bisection on the symbolic h_L whose own G_L⁻¹ is a
    // bisection on a Gauss–Kronrod integral (tolerance 1e-13): agreement to 1e-9 relative.
    let z = Symbol("z")
    let e = Expr.inverse(Theorem4.h, .symbol(z)).substituting(Theorem4.depth, with: Expr(L))
    let reference = DepthRegularizer(depth: L)
    for value in [0.3, -1.7] {
      let v = try e.evaluate([z: value])
      #expect(abs(v - reference.hInverse(value)) <= 1e-9, "L = \(L), z = \(value): \(v) vs \(reference.hInverse(value))")
    }
  }
}
