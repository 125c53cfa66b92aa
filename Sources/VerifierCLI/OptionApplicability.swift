/// Which theorem reads which theorem-specific option. An option a theorem does not read is
/// a usage error rather than silently ignored (the argument fuzz tests found
/// `--theorem soudry2018 --decomposition FILE` and `--theorem gunasekar2018 --init-scale 1e`
/// running as if the option were not there).
///
/// Options outside `theoremSpecific` (`--seed`, `--cases`, `--json`, the budgets, `--no-shrink`,
/// and any option added later for every theorem) are accepted by all.
extension VerifierCommand {
  static let theoremSpecific: Set<String> = [
    "network", "tensor", "widths", "depth", "data", "decomposition", "init", "init-scale", "loss", "horizon",
    "against-norm", "scale", "shape", "against", "against-depth", "init-shape", "swapped", "fourier", "general-init",
    "alpha-sweep", "plot", "baseline", "update-baseline",
  ]

  /// The theorem-specific options each theorem reads.
  static let applicableOptions: [String: Set<String>] = [
    "1": ["network", "tensor", "widths", "depth", "data", "init-scale", "loss", "horizon", "against-norm", "plot"],
    "2": ["network", "depth", "data", "decomposition", "init", "init-scale", "loss", "horizon", "against-norm", "plot"],
    "3": ["network", "widths", "depth", "data", "init-scale", "loss", "horizon", "against-norm", "fourier", "plot"],
    "4": ["network", "depth", "data", "scale", "shape", "against", "against-depth", "general-init", "alpha-sweep", "plot"],
    "5": ["depth", "widths", "against", "plot"],
    "woodworth2020": ["depth", "data", "scale", "against-depth"],
    "azulay2021": ["data", "scale", "init-shape"],
    "soudry2018": ["horizon", "init-scale", "against-norm"],
    "gunasekar2018": ["depth", "horizon", "swapped", "plot"],
  ]

  /// Throws for the first given theorem-specific option that `theorem` does not read.
  static func checkApplicable(_ args: ParsedArguments, theorem: String) throws(UsageError) {
    guard let accepted = applicableOptions[theorem] else { return }
    let given = args.values.keys.sorted() + args.flags.sorted()
    for name in given where theoremSpecific.contains(name) && !accepted.contains(name) {
      if name == "baseline" || name == "update-baseline" {
        throw UsageError(message: "--\(name) is an option of --all", hint: "run `verify --all --baseline FILE`, or drop it")
      }
      let owners = allTheorems.filter { applicableOptions[$0]?.contains(name) == true }
      throw UsageError(
        message: "--\(name) is not an option of theorem \(theorem)"
          + (owners.isEmpty ? "" : " (theorem\(owners.count > 1 ? "s" : "") \(owners.joined(separator: ", ")) take\(owners.count > 1 ? "" : "s") it)"),
        hint: "drop it; theorem \(theorem) takes " + accepted.sorted().map { "--\($0)" }.joined(separator: ", ")
          + " besides --seed, --cases, --json, --max-seconds and --max-steps")
    }
  }
}
