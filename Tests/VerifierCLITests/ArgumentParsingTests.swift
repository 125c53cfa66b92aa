import Testing

@testable import VerifierCLI

@Suite("Argument parsing")
struct ArgumentParsingTests {
  static let specs: [OptionSpec] = [
    .value("depth", "n", help: "Number of layers L."),
    .value("tolerance", "t", help: "Tolerance of the numerical checks."),
    .value("loss", "name", help: "Loss function."),
    .value("shift", "x", help: "A shift that may be negative."),
    .flag("verbose", help: "Print every check."),
    .flag("help", help: "Show this help."),
  ]

  func parse(_ args: [String]) throws(UsageError) -> ParsedArguments {
    try parseArguments(args, specs: Self.specs)
  }

  func usageError(_ args: [String]) throws -> UsageError {
    try #require(throws: UsageError.self) { _ = try parseArguments(args, specs: Self.specs) }
  }

  @Test("values in both forms, flags and positionals")
  func basics() throws {
    let parsed = try parse(["bench", "--depth", "3", "--tolerance=1e-8", "--verbose", "data.csv"])
    #expect(parsed.positionals == ["bench", "data.csv"])
    #expect(parsed.value("depth") == "3")
    #expect(parsed.value("tolerance") == "1e-8")
    #expect(parsed.flag("verbose") && !parsed.flag("help"))
    #expect(parsed.value("loss") == nil)
    #expect(try parsed.int("depth", in: 2...50) == 3)
    #expect(try parsed.double("tolerance", where: .positive) == 1e-8)
    #expect(try parsed.int("shift", in: 0...1) == nil)
  }

  @Test("values may start with one dash; '=' keeps a value with two; '-1' and '-' are positional")
  func dashes() throws {
    let parsed = try parse(["--shift", "-0.5", "--loss=--odd", "-1", "-"])
    #expect(try parsed.double("shift") == -0.5)
    #expect(parsed.value("loss") == "--odd")
    #expect(parsed.positionals == ["-1", "-"])
  }

  @Test("'--' ends the options and -h means --help")
  func terminator() throws {
    let parsed = try parse(["-h", "--", "--depth", "x"])
    #expect(parsed.flag("help"))
    #expect(parsed.value("depth") == nil)
    #expect(parsed.positionals == ["--depth", "x"])
  }

  @Test(
    "an unknown option suggests the closest within edit distance 2",
    arguments: [
      ("--dpeth", "did you mean '--depth'?"), ("--Verbose", "did you mean '--verbose'?"),
      ("--tolerence=1", "did you mean '--tolerance'?"), ("--los", "did you mean '--loss'?"),
    ])
  func unknownWithSuggestion(argument: String, hint: String) throws {
    let error = try usageError([argument])
    #expect(error.message == "unknown option '\(argument.prefix { $0 != "=" })'")
    #expect(error.hint.hasPrefix(hint))
  }

  @Test("an unknown option far from every name gets no suggestion")
  func unknownWithoutSuggestion() throws {
    let error = try usageError(["--frobnicate"])
    #expect(error.hint == "see --help for the list of options")
    #expect(
      error.description
        == "error: unknown option '--frobnicate'\n  hint: see --help for the list of options")
  }

  @Test("a single-dash option is refused with the double-dash suggestion")
  func singleDash() throws {
    let error = try usageError(["-depth", "3"])
    #expect(error.message == "unknown option '-depth'")
    #expect(error.hint.hasPrefix("did you mean '--depth'?"))
  }

  @Test("a missing value: at the end, before another option, or empty")
  func missingValue() throws {
    let atEnd = try usageError(["--depth"])
    #expect(atEnd.message == "--depth needs a value")
    #expect(atEnd.hint == "write --depth <n> or --depth=<n>")
    let beforeOption = try usageError(["--depth", "--verbose"])
    #expect(
      beforeOption.message == "--depth needs a value, but is followed by the option '--verbose'")
    let empty = try usageError(["--depth="])
    #expect(empty.message == "--depth has an empty value")
  }

  @Test(
    "a repeated option or flag",
    arguments: [["--depth", "2", "--depth=3"], ["--verbose", "--verbose"]])
  func repeated(args: [String]) throws {
    let error = try usageError(args)
    #expect(error.message.hasSuffix("is given more than once"))
  }

  @Test("a flag given a value")
  func flagWithValue() throws {
    let error = try usageError(["--verbose=yes"])
    #expect(error.message == "--verbose is a flag and takes no value, got 'yes'")
  }

  @Test(
    "integers: range and syntax",
    arguments: [
      ("1", "--depth must be between 2 and 50, got 1"),
      ("51", "--depth must be between 2 and 50, got 51"),
      ("-3", "--depth must be between 2 and 50, got -3"),
      ("3.0", "--depth expects an integer, got '3.0'"),
      ("three", "--depth expects an integer, got 'three'"),
    ])
  func integers(value: String, message: String) throws {
    let parsed = try parse(["--depth", value])
    let error = try #require(throws: UsageError.self) { _ = try parsed.int("depth", in: 2...50) }
    #expect(error.message == message)
    #expect(error.hint == "pass --depth with an integer between 2 and 50")
  }

  @Test("range bounds are inclusive")
  func inclusiveBounds() throws {
    #expect(try parse(["--depth=2"]).int("depth", in: 2...50) == 2)
    #expect(try parse(["--depth=50"]).int("depth", in: 2...50) == 50)
  }

  @Test(
    "doubles: syntax, finiteness and requirements",
    arguments: [
      ("abc", DoubleRequirement.finite, "expects a number, got 'abc'"),
      ("nan", .finite, "expects a number, got 'nan'"),
      ("inf", .positive, "expects a number, got 'inf'"),
      ("0x10", .finite, "expects a number, got '0x10'"),
      ("0", .positive, "must be a positive number, got 0"),
      ("-1e-3", .nonNegative, "must be a non-negative number, got -1e-3"),
      ("1.5", .between(0...1), "must be a number between 0.0 and 1.0, got 1.5"),
    ])
  func doubles(value: String, requirement: DoubleRequirement, message: String) throws {
    let parsed = try parse(["--tolerance=\(value)"])
    let error = try #require(throws: UsageError.self) {
      _ = try parsed.double("tolerance", where: requirement)
    }
    #expect(error.message == "--tolerance \(message)")
  }

  @Test("choices, with a suggestion for a near miss")
  func choices() throws {
    let choices = ["exponential", "logistic"]
    #expect(try parse(["--loss", "logistic"]).choice("loss", from: choices) == "logistic")
    #expect(try parse([]).choice("loss", from: choices) == nil)
    let parsed = try parse(["--loss", "logistc"])
    let error = try #require(throws: UsageError.self) {
      _ = try parsed.choice("loss", from: choices)
    }
    #expect(error.message == "--loss must be one of exponential, logistic; got 'logistc'")
    #expect(error.hint == "did you mean 'logistic'? pass --loss with one of exponential, logistic")
  }

  @Test("UsageError exits 64 (EX_USAGE)")
  func exitCode() {
    #expect(UsageError.exitCode == 64)
  }

  @Test("edit distance")
  func editDistances() {
    #expect(editDistance("", "abc") == 3)
    #expect(editDistance("abc", "") == 3)
    #expect(editDistance("kitten", "sitting") == 3)
    #expect(editDistance("depth", "dpeth") == 2)
    #expect(editDistance("same", "same") == 0)
    #expect(closestMatch(to: "seed", among: ["speed", "seeds"]) == "speed")
    #expect(closestMatch(to: "zzzz", among: ["depth"]) == nil)
  }

  @Test("help text aligns the help column and wraps long text")
  func help() {
    let specs: [OptionSpec] = [
      .value("depth", "n", help: "Number of layers L."),
      .flag(
        "verbose",
        help:
          "Print every check, with the measured residual next to its tolerance and the seed that reproduces it."
      ),
      .value("a-very-long-option-name", "some-value", help: "Long."),
    ]
    let text = helpText(program: "verify", overview: "Checks implicit-bias theorems.", specs: specs)
    let expected = """
      OVERVIEW: Checks implicit-bias theorems.

      USAGE: verify [<options>]

      OPTIONS:
        --depth <n>                   Number of layers L.
        --verbose                     Print every check, with the measured residual
                                      next to its tolerance and the seed that
                                      reproduces it.
        --a-very-long-option-name <some-value>
                                      Long.

      """
    #expect(text == expected)
    #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 && !$0.hasSuffix(" ") })
  }
}
