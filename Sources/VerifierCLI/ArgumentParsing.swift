/// A command-line usage mistake: what is wrong and how to fix it. The CLI prints it and
/// exits with ``exitCode`` (64, `EX_USAGE` from sysexits.h).
public struct UsageError: Error, Equatable, CustomStringConvertible {
  /// `EX_USAGE`.
  public static let exitCode: Int32 = 64
  public var message: String
  public var hint: String

  public init(message: String, hint: String) {
    self.message = message
    self.hint = hint
  }

  /// `error: message` and an indented hint on the next line.
  public var description: String { "error: \(message)\n  hint: \(hint)" }
}

/// One `--name` option of a command.
public struct OptionSpec: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// `--name`, present or absent.
    case flag
    /// `--name value` or `--name=value`.
    case value
  }

  /// The name without dashes: `"depth"` for `--depth`.
  public var name: String
  /// The placeholder shown in help, e.g. `"n"` for `--depth <n>`; "value" if nil.
  public var valueName: String?
  public var help: String
  public var kind: Kind

  public init(name: String, valueName: String? = nil, help: String, kind: Kind) {
    precondition(
      !name.isEmpty && !name.hasPrefix("-"),
      "Option name '\(name)' must be non-empty and given without dashes")
    self.name = name
    self.valueName = valueName
    self.help = help
    self.kind = kind
  }

  public static func flag(_ name: String, help: String) -> OptionSpec {
    OptionSpec(name: name, help: help, kind: .flag)
  }

  public static func value(_ name: String, _ valueName: String, help: String) -> OptionSpec {
    OptionSpec(name: name, valueName: valueName, help: help, kind: .value)
  }

  /// `--name` or `--name <valueName>`, as shown in help.
  var synopsis: String { kind == .flag ? "--\(name)" : "--\(name) <\(valueName ?? "value")>" }
}

/// A condition on a real-valued option; all of them also require a finite number.
public struct DoubleRequirement: Sendable {
  /// The condition in words, completing "--x must be …": "a positive number".
  public var description: String
  public var isSatisfied: @Sendable (Double) -> Bool

  public init(_ description: String, _ isSatisfied: @escaping @Sendable (Double) -> Bool) {
    self.description = description
    self.isSatisfied = isSatisfied
  }

  public static let finite = DoubleRequirement("a finite number") { _ in true }
  public static let positive = DoubleRequirement("a positive number") { $0 > 0 }
  public static let nonNegative = DoubleRequirement("a non-negative number") { $0 >= 0 }

  /// lower ≤ x ≤ upper.
  public static func between(_ range: ClosedRange<Double>) -> DoubleRequirement {
    DoubleRequirement("a number between \(range.lowerBound) and \(range.upperBound)") {
      range.contains($0)
    }
  }
}

/// The result of ``parseArguments(_:specs:)``. Asking for an option that was not declared,
/// or for a flag's value, is a programming error and traps.
public struct ParsedArguments: Sendable, Equatable {
  /// Arguments that are not options, in order (including everything after `--`).
  public var positionals: [String]
  var values: [String: String]
  var flags: Set<String>
  var kinds: [String: OptionSpec.Kind]

  public func flag(_ name: String) -> Bool {
    precondition(kinds[name] == .flag, "--\(name) is not a declared flag")
    return flags.contains(name)
  }

  /// The raw value of a value option, nil if it was not given.
  public func value(_ name: String) -> String? {
    precondition(kinds[name] == .value, "--\(name) is not a declared value option")
    return values[name]
  }

  /// The value as an integer in `range`; nil if the option was not given.
  public func int(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
    guard let text = value(name) else { return nil }
    let bounds = "between \(range.lowerBound) and \(range.upperBound)"
    guard let n = Int(text), range.contains(n) else {
      let isInteger =
        text.allSatisfy(\.isNumber)
        || (text.first == "-" && text.count > 1 && text.dropFirst().allSatisfy(\.isNumber))
      throw UsageError(
        message: isInteger
          ? "--\(name) must be \(bounds), got \(text)"
          : "--\(name) expects an integer, got '\(text)'",
        hint: "pass --\(name) with an integer \(bounds)")
    }
    return n
  }

  /// The value as a finite `Double` meeting `requirement`; nil if the option was not given.
  public func double(_ name: String, where requirement: DoubleRequirement = .finite)
    throws(UsageError) -> Double?
  {
    guard let text = value(name) else { return nil }
    guard let x = Double(text), x.isFinite, !text.lowercased().contains("x") else {
      throw UsageError(
        message: "--\(name) expects a number, got '\(text)'",
        hint: "write a decimal number such as 0.5 or 1e-8 (\(requirement.description))")
    }
    guard requirement.isSatisfied(x) else {
      throw UsageError(
        message: "--\(name) must be \(requirement.description), got \(text)",
        hint: "pass --\(name) with \(requirement.description)")
    }
    return x
  }

  /// The value, which must be one of `choices`; nil if the option was not given.
  public func choice(_ name: String, from choices: [String]) throws(UsageError) -> String? {
    guard let text = value(name) else { return nil }
    guard choices.contains(text) else {
      let list = choices.joined(separator: ", ")
      let suggestion = closestMatch(to: text, among: choices).map { "did you mean '\($0)'? " } ?? ""
      throw UsageError(
        message: "--\(name) must be one of \(list); got '\(text)'",
        hint: "\(suggestion)pass --\(name) with one of \(list)")
    }
    return text
  }
}

/// Parses command-line arguments (without the program name) against `specs`.
///
/// Accepted forms: `--name value` and `--name=value` for value options, `--name` for flags,
/// `-h` as `--help` if a `help` option is declared, and positional arguments anywhere.
/// `--` ends the options: everything after it is positional. An argument such as `-1` or
/// `-` is positional; a value following `--name` may start with one dash (`--shift -0.5`)
/// but not two (write `--name=--x` for that).
///
/// Errors: an unknown option (with a suggestion within edit distance 2), an option given
/// twice, a value option without a value, a flag given a value, a single-dash option.
public func parseArguments(_ args: [String], specs: [OptionSpec]) throws(UsageError)
  -> ParsedArguments
{
  var kinds: [String: OptionSpec.Kind] = [:]
  for spec in specs {
    precondition(
      kinds.updateValue(spec.kind, forKey: spec.name) == nil,
      "Option --\(spec.name) is declared twice")
  }
  var result = ParsedArguments(positionals: [], values: [:], flags: [], kinds: kinds)
  let names = specs.map(\.name)
  var index = 0
  while index < args.count {
    var argument = args[index]
    index += 1
    if argument == "--" {
      result.positionals.append(contentsOf: args[index...])
      break
    }
    if argument == "-h" && kinds["help"] == .flag { argument = "--help" }
    if argument.hasPrefix("-") && !argument.hasPrefix("--") {
      guard let second = argument.dropFirst().first, second.isLetter else {
        result.positionals.append(argument)
        continue
      }
      let bare = String(argument.dropFirst().prefix { $0 != "=" })
      let suggestion = closestMatch(to: bare, among: names).map { "did you mean '--\($0)'? " } ?? ""
      throw UsageError(
        message: "unknown option '\(argument)'",
        hint: "\(suggestion)options start with two dashes; see --help")
    }
    guard argument.hasPrefix("--") else {
      result.positionals.append(argument)
      continue
    }
    let body = argument.dropFirst(2)
    let name = String(body.prefix { $0 != "=" })
    let inlineValue = body.firstIndex(of: "=").map { String(body[body.index(after: $0)...]) }
    guard let kind = kinds[name] else {
      let suggestion = closestMatch(to: name, among: names).map { "did you mean '--\($0)'? " } ?? ""
      throw UsageError(
        message: "unknown option '--\(name)'",
        hint: "\(suggestion)see --help for the list of options")
    }
    guard !result.flags.contains(name) && result.values[name] == nil else {
      throw UsageError(
        message: "--\(name) is given more than once", hint: "give each option at most once")
    }
    switch kind {
    case .flag:
      if let inlineValue {
        throw UsageError(
          message: "--\(name) is a flag and takes no value, got '\(inlineValue)'",
          hint: "write --\(name) alone")
      }
      result.flags.insert(name)
    case .value:
      let placeholder = specs.first { $0.name == name }?.valueName ?? "value"
      let value: String
      if let inlineValue {
        value = inlineValue
      } else if index < args.count, !args[index].hasPrefix("--") {
        value = args[index]
        index += 1
      } else {
        throw UsageError(
          message: "--\(name) needs a value"
            + (index < args.count ? ", but is followed by the option '\(args[index])'" : ""),
          hint: "write --\(name) <\(placeholder)> or --\(name)=<\(placeholder)>")
      }
      guard !value.isEmpty else {
        throw UsageError(
          message: "--\(name) has an empty value", hint: "write --\(name) <\(placeholder)>")
      }
      result.values[name] = value
    }
  }
  return result
}

/// Help text: an overview, a usage line and the options in two aligned columns, wrapped
/// at 80 columns. An option whose synopsis is wider than 28 characters has its help on the
/// next line.
public func helpText(program: String, overview: String, specs: [OptionSpec], usage: String? = nil)
  -> String
{
  let width = 80
  let indent = 2
  let synopsisWidth = min(28, specs.map(\.synopsis.count).max() ?? 0)
  let helpColumn = indent + synopsisWidth + 2
  var lines = wrap("OVERVIEW: " + overview, width: width, continuationIndent: 2)
  lines.append("")
  lines.append("USAGE: " + (usage ?? "\(program) [<options>]"))
  if !specs.isEmpty {
    lines.append("")
    lines.append("OPTIONS:")
  }
  let pad = String(repeating: " ", count: helpColumn)
  for spec in specs {
    let head = String(repeating: " ", count: indent) + spec.synopsis
    let body = wrap(spec.help, width: width - helpColumn, continuationIndent: 0)
    if body[0].isEmpty {
      lines.append(head)
    } else if spec.synopsis.count <= synopsisWidth {
      lines.append(head + String(repeating: " ", count: helpColumn - head.count) + body[0])
    } else {
      lines.append(head)
      lines.append(pad + body[0])
    }
    lines.append(contentsOf: body.dropFirst().map { pad + $0 })
  }
  return lines.joined(separator: "\n") + "\n"
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word gets a
/// line of its own); lines after the first are indented by `continuationIndent`.
func wrap(_ text: String, width: Int, continuationIndent: Int) -> [String] {
  var lines: [String] = []
  var line = ""
  for word in text.split(separator: " ", omittingEmptySubsequences: true) {
    let prefix = lines.isEmpty ? "" : String(repeating: " ", count: continuationIndent)
    if line.isEmpty {
      line = prefix + word
    } else if line.count + 1 + word.count <= width {
      line += " " + word
    } else {
      lines.append(line)
      line = String(repeating: " ", count: continuationIndent) + word
    }
  }
  if !line.isEmpty || lines.isEmpty { lines.append(line) }
  return lines
}

/// The candidate closest to `word` in edit distance (case-insensitive), if it is within 2;
/// ties go to the earlier candidate.
func closestMatch(to word: String, among candidates: [String]) -> String? {
  var best: (candidate: String, distance: Int)?
  for candidate in candidates {
    let distance = editDistance(word.lowercased(), candidate.lowercased())
    if distance <= 2 && distance < (best?.distance ?? .max) { best = (candidate, distance) }
  }
  return best?.candidate
}

/// Levenshtein distance (insertions, deletions, substitutions), by the two-row dynamic
/// program of Wagner & Fischer (1974).
/// - Complexity: O(|a|·|b|) time, O(|b|) space.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  guard !a.isEmpty else { return b.count }
  var previous = Array(0...b.count)
  var current = previous
  for i in 1...a.count {
    current[0] = i
    for j in stride(from: 1, through: b.count, by: 1) {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
    }
    swap(&previous, &current)
  }
  return previous[b.count]
}
