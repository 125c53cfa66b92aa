import Foundation
import LinearAlgebra
import GradientFlow
import DataIO
import Theorems

/// The `verify` command: parses arguments, runs a theorem's check, prints a report or JSON,
/// and returns the exit code (0 holds, 1 refuted, 2 inconclusive or hypothesis not met,
/// 64 usage error, 65 invalid data).
public enum VerifierCommand {
  public static let version = "0.1.0"

  static let specs: [OptionSpec] = [
    .value("theorem", "N", help: "the theorem to check: 1, 2, 3, 4, 5, woodworth2020, azulay2021, gunasekar2018 or soudry2018"),
    .value("network", "KIND", help: "theorem 2/4: diagonal | conv | odn (default: all three in a sweep, diagonal with --data); theorem 1: fc | conv (short filters) | diagonal; theorem 3: fc"),
    .value("tensor", "FILE", help: "theorem 1: JSON {\"dimensions\": [k1, …, kL], \"slices\": [[…], …]}: a user-supplied data tensor, one slice 𝓜(e_k) per input coordinate"),
    .value("widths", "K1,K2,…", help: "theorems 1, 3, 5: FC hidden widths (L − 1 of them) or conv filter sizes (L of them); default: drawn per case"),
    .value("depth", "L", help: "network depth 1…12 (default: 1, 2, 3, 4 in a sweep, 2 with --data)"),
    .value("seed", "N", help: "seed of the sweep, 0 … 2⁵³−1; case 0 uses it directly, so a case's seed replays it (default 1)"),
    .value("cases", "K", help: "number of cases (default 12, or 1 with --data)"),
    .value("data", "FILE", help: "CSV: columns x1..xd then y ∈ {−1, +1}; header optional"),
    .value("decomposition", "FILE", help: "JSON {\"S\": m×d, \"U\": [k_l×m, …]} of an orthogonally decomposable network"),
    .value("init", "FILE", help: "CSV, one row per layer: the layer's parameters v_l"),
    .value("init-scale", "σ", help: "σ of the default N(0, σ²) initialization (default 0.1)"),
    .value("loss", "NAME", help: "exponential | logistic (default exponential)"),
    .value("horizon", "G", help: "largest log(1/Loss) checkpoint, 10 … 1e10 (default 1e4)"),
    .value("max-seconds", "S", help: "wall-clock budget of the whole run, 0 < S ≤ 1e6: every flow stops S seconds after the start, and a case it cuts is inconclusive"),
    .value("max-steps", "K", help: "accepted integrator steps per flow, 1 … 1e9 (default 100000; 200000 for regression flows); a case that runs out is inconclusive"),
    .value("against-norm", "P", help: "theorem 2: check the trajectories against the ℓ_P max-margin problem instead of ℓ_{2/L}"),
    .value("scale", "α", help: "theorem 4: initialization scale α (default: log₁₀ α uniform in [−1, 1] per case)"),
    .value("shape", "KIND", help: "theorem 4: uniform (η = 1) | random (η ~ U[0.5, 1.5], default)"),
    .value("against", "NAME", help: "theorem 4: l2 — check the limits against the minimum ℓ2 interpolant instead of argmin Q; theorem 5: l1 — against the minimum ℓ1 interpolant"),
    .value("against-depth", "K", help: "theorem 4: check the limits against Q_{K,α,η} instead of the network's depth"),
    .value("init-shape", "s", help: "azulay2021: initialization shape s ∈ (−1, 1) (default: drawn per case)"),
    .flag("swapped", help: "gunasekar2018: check the swapped claims (FC → ℓ_{2/L} of the DFT, conv → ℓ2) as the claims; refuted, exit 1"),
    .flag("fourier", help: "theorem 3 with --against-norm P: the claim is the ℓ_P max margin of the DFT coefficients of β (what a full-length convolutional network does)"),
    .flag("general-init", help: "theorem 4: every layer i.i.d. N(0, α²); check the exact predictor of spec §2.7"),
    .flag("alpha-sweep", help: "theorem 4: the α → 0 (weighted ℓ1) and α → ∞ (weighted ℓ2) limits as trends over α"),
    .flag("json", help: "print one JSON object instead of the report"),
    .value("shard", "I/N", help: "run only the I-th of N slices of the sweep (cases k with k mod N = I − 1; I from 1 to N), each case with its seed in the whole sweep; needs --json; exit 0 once the shard's JSON is written, then `verify merge` the N files (Docs/Cluster.md)"),
    .value("threads", "N", help: "run the cases on at most N threads (default: all cores; 1: one thread); the results are the same for every N"),
    .value("plot", "DIR", help: "also write SVG plots of the run into DIR (theorems 1, 2, 3, 5, gunasekar2018; theorem 4 with --alpha-sweep)"),
    .flag("latex", help: "print only the theorem's statement as LaTeX (amsmath, amssymb) and exit"),
    .flag("statement", help: "print only the theorem's statement as text and exit"),
    .flag("no-shrink", help: "do not shrink a refuted case"),
    .flag("list", help: "list the theorems with their statements and hypotheses"),
    .value("baseline", "FILE", help: "with --all: compare the run with a committed baseline (verdicts equal, figures within 10×); exit 1 with a diff on a regression"),
    .flag("update-baseline", help: "with --all --baseline FILE: rewrite the baseline instead of comparing"),
    .flag("all", help: "run every theorem's default sweep; exit with the worst verdict (refuted 1, inconclusive 2, else 0)"),
    .flag("version", help: "print the version"),
    .flag("help", help: "print this help"),
  ]

  /// Runs `verify` with the arguments (without the program name).
  public static func run(_ arguments: [String], output: (String) -> Void, errors: (String) -> Void) -> Int32 {
    if arguments.first == "merge" { return runMerge(Array(arguments.dropFirst()), output: output, errors: errors) }
    if arguments.first == "bench" { return BenchCommand.run(Array(arguments.dropFirst()), output: output, errors: errors) }
    return run(arguments, output: output, errors: errors, deadline: nil, validateOnly: false)
  }

  /// Runs `verify`; `deadline` replaces the one `--max-seconds` would set (`--all` shares
  /// one), and `validateOnly` stops after the arguments, files and cases are checked
  /// (exit 0), before any flow (see ``RunContext``).
  static func run(_ arguments: [String], output: (String) -> Void, errors: (String) -> Void,
                  deadline: ContinuousClock.Instant?, validateOnly: Bool) -> Int32 {
    let start = ContinuousClock.now
    do {
      let args = try parseArguments(arguments, specs: specs)
      // --threads N: run again with the limit bound for every parallelMap under this run.
      if let threads = try args.int("threads", in: 1...1024), Parallelism.threadLimit != threads {
        return Parallelism.$threadLimit.withValue(threads) {
          run(arguments, output: output, errors: errors, deadline: deadline, validateOnly: validateOnly)
        }
      }
      if args.flag("help") {
        output(helpText(program: "verify", overview: "Checks implicit-bias theorems for gradient flow on linear networks.",
                        specs: specs, usage: "verify --theorem 2 [options]\n       verify merge SHARD.json… [--json]   (see verify merge --help)"))
        return 0
      }
      if args.flag("version") { output("verify \(version)"); return 0 }
      if args.flag("list") {
        for theorem in allTheorems {
          guard let s = statement(of: theorem) else { continue }
          output(s.oneLine)
          output("    hypotheses: " + s.hypotheses.map(\.name).joined(separator: "; "))
        }
        return 0
      }
      if let extra = args.positionals.first {
        throw UsageError(message: "unexpected argument '\(extra)' (verify takes only options)",
                         hint: "write options as --name value or --name=value; see `verify --help`")
      }
      let context = RunContext(budget: try parsedBudget(args, start: start, shared: deadline), validateOnly: validateOnly)
      if args.flag("all") {
        guard args.value("theorem") == nil else {
          throw UsageError(message: "--all and --theorem exclude each other", hint: "drop one of them")
        }
        return try runAll(args, output: output, errors: errors, context: context)
      }
      guard let theorem = args.value("theorem") else {
        throw UsageError(message: "no theorem given", hint: "run `verify --theorem 2`, or `verify --list` to see the theorems")
      }
      if args.flag("latex") || args.flag("statement") {
        guard let statement = statement(of: theorem) else {
          throw UsageError(message: "unknown theorem '\(theorem)'",
                           hint: "available: 1, 2, 3, 4, 5, woodworth2020, azulay2021, gunasekar2018, soudry2018 (see `verify --list`)")
        }
        var text = args.flag("latex") ? statement.latex() : statement.rendered()
        while text.hasSuffix("\n") { text.removeLast() }
        output(text)
        return 0
      }
      try checkApplicable(args, theorem: theorem)
      switch theorem {
      case "2":
        for k in ["scale", "shape", "against", "against-depth"] where args.value(k) != nil {
          throw UsageError(message: "--\(k) is an option of theorem 4", hint: "drop it, or run --theorem 4")
        }
        for k in ["tensor", "widths"] where args.value(k) != nil {
          throw UsageError(message: "--\(k) is an option of theorems 1, 3 and 5", hint: "drop it, or run --theorem 1")
        }
        return try runTheorem2(args, output: output, errors: errors, context: context)
      case "4":
        for k in ["against-norm", "loss", "horizon", "init", "init-scale", "tensor", "widths"] where args.value(k) != nil {
          throw UsageError(message: "--\(k) is not an option of theorem 4", hint: "see `verify --help`")
        }
        return try runTheorem4(args, output: output, errors: errors, context: context)
      case "1", "3":
        for k in ["scale", "shape", "against", "against-depth", "init", "decomposition"] where args.value(k) != nil {
          throw UsageError(message: "--\(k) is not an option of theorem \(theorem)", hint: "see `verify --help`")
        }
        return try runTensorTheorem(theorem, args, output: output, errors: errors, context: context)
      case "5":
        for k in ["scale", "shape", "against-depth", "data", "init", "decomposition", "against-norm", "loss", "horizon", "network"]
        where args.value(k) != nil {
          throw UsageError(message: "--\(k) is not an option of theorem 5", hint: "theorem 5 takes --depth, --widths, --cases, --seed, --against l1, --max-seconds, --max-steps, --json")
        }
        return try runTheorem5(args, output: output, errors: errors, context: context)
      case "gunasekar2018":
        return try runGunasekar(args, output: output, errors: errors, context: context)
      case "soudry2018":
        return try runSoudry(args, output: output, context: context)
      case let name where NeighbourTheorem(rawValue: name) != nil:
        return try runNeighbour(NeighbourTheorem(rawValue: name)!, args, output: output, context: context)
      default:
        throw UsageError(message: "unknown theorem '\(theorem)'",
                         hint: "available: 1, 2, 3, 4, 5, woodworth2020, azulay2021, gunasekar2018, soudry2018 (see `verify --list`)")
      }
    } catch let e as UsageError {
      errors(e.description)
      return UsageError.exitCode
    } catch let e as DataFileError {
      errors(e.description)
      return 65
    } catch {
      errors("error: \(error)")
      return 70
    }
  }

  /// The statement of a theorem by its `--theorem` name.
  static func statement(of theorem: String) -> TheoremStatement? {
    switch theorem {
    case "1": Theorem1.statement
    case "2": Theorem2.statement
    case "3": Theorem3.statement
    case "4": Theorem4.statement
    case "5": Theorem5.statement
    case "gunasekar2018": Gunasekar2018.statement
    case "soudry2018": Soudry2018.statement
    default: NeighbourTheorem(rawValue: theorem)?.statement
    }
  }

  public static func main() {
    let code = run(Array(CommandLine.arguments.dropFirst()),
                   output: { print($0) },
                   errors: { FileHandle.standardError.write(($0 + "\n").data(using: .utf8)!) })
    exit(code)
  }
}
