extension Expr {
  /// Parses the Unicode rendering (`rendered(.unicode)`) back into a tree, and common ASCII
  /// spellings of the same notation.
  ///
  /// Grammar (EBNF; spaces are allowed between tokens but not before a subscript, a
  /// superscript, a prime or the "(" of a function call):
  ///
  ///     expression  = term , { ( "+" | minus ) , term } ;
  ///     term        = signed , { [ "·" | "⋅" | "*" | "×" | "/" | "÷" ] , signed } ;
  ///                   (* no operator: implicit multiplication, "2b", "α^L ηⱼ^L" *)
  ///     signed      = { minus | "+" } , ( "√" , signed | power ) ;
  ///     power       = primary , [ superscript | "^" , signed ] ;      (* right-associative *)
  ///     superscript = [ "⁻" ] , superdigit , { superdigit } ;
  ///     primary     = number | "(" , expression , ")" | "|" , expression , "|"
  ///                 | function , "(" , expression , ")"
  ///                 | name , [ index ] , [ primes ] , [ "(" , expression , ")" ] ;
  ///     number      = digit , { digit } , [ "." , digit , { digit } ] | "½" | "⅓" | "¼" | … ;
  ///     function    = "exp" | "log" | "ln" | "sin" | "cos" | "tan" | "sec" | "arctan" | "atan"
  ///                 | "sinh" | "cosh" | "tanh" | "sech" | "arcsinh" | "asinh" | "abs"
  ///                 | "sign" | "sgn" | "conj" | "sqrt" ;
  ///     name        = letter , { letter | digit } ;     (* "π" and "pi" are the constant π *)
  ///     index       = subscript , { subscript }          (* ρⱼ, v₁, x₁₂, a₋₁ *)
  ///                 | "_" , ( digits | letter )          (* h_L, x_1 *)
  ///                 | "_{" , item , { "," , item } , "}" ;   (* a_{l,j} *)
  ///     item        = ( [ minus ] , digits ) | ( letter , { letter | digit } ) ;
  ///     primes      = { "′" | "″" | "‴" | "'" } | "⁽" , superdigit , { superdigit } , "⁾" ;
  ///     minus       = "−" | "-" ;
  ///
  /// What the text becomes (the inverse of the renderer's rules):
  /// - A term is a product [c, f₁, …]. The coefficient c collects the signs of its factors,
  ///   a leading unparenthesized number and the numbers below a "/": "−t²/2" is [−1/2, t²],
  ///   "3x/(2y)" is [3/2, x, y⁻¹], "2/x" is [2, x⁻¹]. A parenthesized number is a factor:
  ///   "x·(−1/2)" is [x, −1/2].
  /// - A divisor d becomes d⁻¹, and a divisor xᵉ becomes x^(−e) unless e is 1 or reads
  ///   negative. A parenthesized divisor "(2y)" is divided factor by factor when it is a plain
  ///   list (no sign, fraction, inner divisor or written 1) whose leading number is coprime to
  ///   the coefficient so far, a non-zero integer; otherwise it is the power (…)⁻¹, as in
  ///   "−2/(2v)", which is [−2, (2v)⁻¹].
  /// - A written 1 stays where dropping it would change the reading: "1/x" is [1, x⁻¹] (x⁻¹
  ///   alone reads "x⁻¹"), "1(−x)" is [1, −x], "1·3·x" is [1, 3, x].
  /// - "a − t" is the sum [a, −t], where −t negates t's positive leading number (or t itself,
  ///   a positive number) and otherwise prepends −1: "a − 2b" is [a, [−2, b]], "a − (−b)" is
  ///   [a, [−1, [−1, b]]].
  /// - A numeric subscript is `.number`, any other `.name`; an index "_{l,j}" gives two.
  /// - A name followed directly by "(" is a function: an `ElementaryFunction` for the names
  ///   above ("sqrt" gives the power ½), otherwise an `OpaqueFunction` whose order counts
  ///   the primes and whose name keeps its index ("h_L(x)" is named "h_L", "fⱼ(x)" "f_j").
  ///   "x(a + b)" is therefore a function application, not a product: write "x·(a + b)".
  /// - Integrals ("∫") and implicit inverses ("h_L⁻¹(z)": the text does not carry the body)
  ///   throw `SymbolicError.unsupported`.
  ///
  /// Errors are `SymbolicError.parse(message, offset:)`, the offset counting characters
  /// (grapheme clusters) from 0 to where the problem is, the message saying what was
  /// expected and what was found.
  ///
  /// The round trip: `Expr(parsing: e.rendered())` renders exactly as `e` does (the tests
  /// check this on random trees). It equals `e` when `e` has the shape the parser builds:
  /// the product's numbers folded into one leading coefficient (omitted when 1), numerator
  /// factors before the factors with negative exponents, no underscore in symbol names
  /// ("h_L" reads back as h with index L). Trees that share a text come back in that shape:
  /// [x⁻¹, y] reads "y/x" and parses to [y, x⁻¹]; a − 2·b built by the operators is
  /// [a, [−1, 2, b]], reads "a − 2b" and parses to [a, [−2, b]].
  public init(parsing text: String) throws(SymbolicError) {
    var parser = ExprTextParser(text)
    self = try parser.parseAll()
  }
}

/// A recursive-descent parser over the characters of the text.
private struct ExprTextParser {
  let characters: [Character]
  var position = 0
  /// How many "|…|" are open in the current parenthesis level: a "|" after an operand closes
  /// one instead of starting an implicit product.
  var openBars = 0

  init(_ text: String) { characters = Array(text) }

  static let functionNames: [String: ElementaryFunction?] = {
    var names: [String: ElementaryFunction?] = [:]
    for f in ElementaryFunction.allCases { names[f.rawValue] = f }
    names["conj"] = .conjugate
    names["ln"] = .log
    names["atan"] = .arctan
    names["asinh"] = .arcsinh
    names["sgn"] = .sign
    names["sqrt"] = .some(nil)  // the power ½
    return names
  }()

  static let vulgarFractions: [Character: (Int, Int)] = [
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4), "⅕": (1, 5), "⅖": (2, 5),
    "⅗": (3, 5), "⅘": (4, 5), "⅙": (1, 6), "⅚": (5, 6), "⅐": (1, 7), "⅛": (1, 8), "⅜": (3, 8),
    "⅝": (5, 8), "⅞": (7, 8), "⅑": (1, 9), "⅒": (1, 10),
  ]

  // MARK: Characters

  var atEnd: Bool { position >= characters.count }
  var current: Character? { atEnd ? nil : characters[position] }

  func peek(_ ahead: Int) -> Character? {
    position + ahead < characters.count ? characters[position + ahead] : nil
  }

  mutating func skipSpace() {
    while let c = current, c.isWhitespace { position += 1 }
  }

  static func isMinus(_ c: Character) -> Bool { c == "−" || c == "-" }
  static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

  static func isNameCharacter(_ c: Character) -> Bool {
    c.isLetter && RenderGlyphs.fromSubscript[c] == nil && RenderGlyphs.fromSuperscriptDigit[c] == nil
      && c != RenderGlyphs.superscriptMinus
  }

  static func isSuperscriptStart(_ c: Character) -> Bool {
    c == RenderGlyphs.superscriptMinus || RenderGlyphs.fromSuperscriptDigit[c] != nil
  }

  /// Whether `c` can start an operand of an implicit product.
  func startsOperand(_ c: Character) -> Bool {
    Self.isDigit(c) || Self.isNameCharacter(c) || c == "(" || c == "√" || c == "∫"
      || Self.vulgarFractions[c] != nil || (c == "|" && openBars == 0)
  }

  /// "“x”" for a character, or "the end of the input".
  var found: String {
    guard let c = current else { return "the end of the input" }
    return "“\(c)”"
  }

  func failure(_ message: String, at offset: Int? = nil) -> SymbolicError {
    .parse(message, offset: offset ?? position)
  }

  /// Rational arithmetic whose overflow is reported as a parse error here.
  func exact(_ operation: () throws(SymbolicError) -> Rational) throws(SymbolicError) -> Rational {
    do { return try operation() } catch { throw failure("\(error)") }
  }

  mutating func expect(_ c: Character, closing open: Character, at openOffset: Int) throws(SymbolicError) {
    skipSpace()
    guard current == c else {
      throw failure("expected “\(c)” to close the “\(open)” at offset \(openOffset), found \(found)")
    }
    position += 1
  }

  // MARK: Grammar

  mutating func parseAll() throws(SymbolicError) -> Expr {
    skipSpace()
    if atEnd { throw failure("expected an expression, found an empty input") }
    let e = try parseExpression()
    skipSpace()
    if !atEnd {
      if current == ")" { throw failure("unmatched “)”") }
      throw failure("expected an operator (+ − · / ^) or the end of the input, found \(found)")
    }
    return e
  }

  mutating func parseExpression() throws(SymbolicError) -> Expr {
    var terms = [try parseTerm()]
    while true {
      skipSpace()
      guard let c = current else { break }
      if c == "+" {
        position += 1
        terms.append(try parseTerm())
      } else if Self.isMinus(c) {
        position += 1
        let t = try parseTerm()
        terms.append(try negatedTerm(t))
      } else {
        break
      }
    }
    return terms.count == 1 ? terms[0] : .sum(terms)
  }

  /// −t. A positive number is negated and so is a product's positive leading number; a term
  /// that already reads negative ("a − (−b)", "a − (−3)"), a zero ("a − 0") and any other
  /// term get a leading −1, so the tree is the one that renders as the text.
  func negatedTerm(_ e: Expr) throws(SymbolicError) -> Expr {
    switch e {
    case .number(let r) where !r.isNegative && !r.isZero:
      return .number(try exact { () throws(SymbolicError) in try r.negated() })
    case .product(let factors):
      if case .number(let c)? = factors.first {
        if c.isNegative { return .product([.number(.minusOne), e]) }
        // 0 has no sign to flip; "1(−3/5)·x" and "1(−x)" keep their written 1.
        let next = factors.dropFirst().first
        let nextReadsNegative = next.map { RenderShape.split($0).negative } ?? false
        let keepsOne = next?.rationalValue != nil || (factors.count == 2 && nextReadsNegative)
        if c.isZero || (c == .one && keepsOne) {
          return .product([.number(.minusOne)] + factors)
        }
        return .product([.number(try exact { () throws(SymbolicError) in try c.negated() })] + factors.dropFirst())
      }
      return .product([.number(.minusOne)] + factors)
    default:
      return .product([.number(.minusOne), e])
    }
  }

  /// −e for the exponent of a divisor: non-zero numbers and a product's leading number other
  /// than 0 and 1 are negated outright (a leading 1 dropped), anything else gets a leading −1.
  func negatedExponent(_ e: Expr) throws(SymbolicError) -> Expr {
    switch e {
    case .number(let r) where !r.isZero:
      return .number(try exact { () throws(SymbolicError) in try r.negated() })
    case .product(let factors):
      guard case .number(let c)? = factors.first, !c.isZero else { return .product([.number(.minusOne)] + factors) }
      if c == .one { return .product([.number(.minusOne), e]) }  // "1/v" stays "1/v" below the bar
      let n = try exact { () throws(SymbolicError) in try c.negated() }
      let rest = Array(factors.dropFirst())
      if n == .one && !rest.isEmpty { return rest.count == 1 ? rest[0] : .product(rest) }
      return .product([.number(n)] + rest)
    default:
      return .product([.number(.minusOne), e])
    }
  }

  mutating func parseTerm() throws(SymbolicError) -> Expr {
    var coefficient = Rational.one
    var factors: [Expr] = []
    var first = true
    var divide = false
    var numeratorFactors = 0
    var explicitCoefficient = false
    var literalOne = false
    while true {
      let operandOffset = position
      let (negative, operand, grouped) = try parseSigned()
      if negative { coefficient = try exact { () throws(SymbolicError) in try coefficient.negated() } }
      if divide {
        let parts: [Expr]
        if case .product(let fs) = operand, RenderShape.isPlainFactorList(fs), dividesFactorwise(fs, coefficient) {
          parts = fs
        } else {
          parts = [operand]
        }
        for part in parts {
          switch part {
          case .number(let r):
            guard !r.isZero else { throw failure("division by zero", at: operandOffset) }
            coefficient = try exact { () throws(SymbolicError) in try coefficient.divided(by: r) }
          case .power(let b, let x) where !RenderShape.split(x).negative && !x.isOne:
            factors.append(.power(b, try negatedExponent(x)))
          default:
            factors.append(.power(part, .number(.minusOne)))
          }
        }
      } else if first, !grouped, case .number(let r) = operand, !(negative && r.isZero) {
        coefficient = try exact { () throws(SymbolicError) in try coefficient.multiplied(by: r) }
        explicitCoefficient = true
        literalOne = r == .one
      } else {
        factors.append(operand)
        numeratorFactors += 1
      }
      first = false
      skipSpace()
      guard let c = current else { break }
      if c == "·" || c == "⋅" || c == "*" || c == "×" {
        position += 1
        divide = false
      } else if c == "/" || c == "÷" {
        position += 1
        divide = true
      } else if startsOperand(c) {
        divide = false
      } else {
        break
      }
    }
    if factors.isEmpty { return .number(coefficient) }
    if coefficient == .one && !explicitCoefficient && numeratorFactors == 1 && factors.count == 1 {
      return factors[0]  // "x", "(−3)", "(a·b)"
    }
    // "1/x" keeps its 1 (the lone power x⁻¹ renders differently), and so do "1·3·x" (a
    // leading number factor would read as the coefficient) and "1(−x)" (−x reads negative).
    let loneNegative = explicitCoefficient && factors.count == 1 && RenderShape.split(factors[0]).negative
    if coefficient == .one && numeratorFactors > 0 && factors[0].rationalValue == nil && !loneNegative {
      return factors.count == 1 ? factors[0] : .product(factors)
    }
    // "−1·(−1/2)·π" is [−1, 1, −1/2, π] and "−1(−x)" is [−1, 1, −x]: the written 1 stays.
    if literalOne && coefficient == .minusOne && (factors[0].rationalValue != nil || loneNegative) {
      return .product([.number(.minusOne), .one] + factors)
    }
    return .product([.number(coefficient)] + factors)
  }

  /// Whether a parenthesized divisor (a plain factor list) is divided factor by factor: only
  /// where its leading number can be the denominator of the coefficient in lowest terms
  /// (in "−2/(2v)" it cannot: that is −2·(2v)⁻¹), and never into a zero coefficient.
  func dividesFactorwise(_ factors: [Expr], _ coefficient: Rational) -> Bool {
    if coefficient.isZero { return false }
    guard case .number(let k)? = factors.first else { return true }
    return coefficient.isInteger && Rational.gcd(coefficient.numerator.magnitude, k.numerator.magnitude) == 1
  }

  /// Leading signs (their parity), the operand after them, and whether the operand starts
  /// with "(" (a parenthesized number is a factor, never the coefficient: "(−1)/5").
  mutating func parseSigned() throws(SymbolicError) -> (negative: Bool, operand: Expr, grouped: Bool) {
    skipSpace()
    var negative = false
    while let c = current, Self.isMinus(c) || c == "+" {
      if c != "+" { negative.toggle() }
      position += 1
      skipSpace()
    }
    if current == "√" {
      position += 1
      let radicand = try parseSignedExpression()
      return (negative, .power(radicand, .number(.half)), false)
    }
    let grouped = current == "("
    return (negative, try parsePower(), grouped)
  }

  /// A signed operand as an expression (an exponent or a radicand): −2 is the number, −x
  /// the product [−1, x].
  mutating func parseSignedExpression() throws(SymbolicError) -> Expr {
    let (negative, e, _) = try parseSigned()
    guard negative else { return e }
    if case .number(let r) = e { return .number(try exact { () throws(SymbolicError) in try r.negated() }) }
    return .product([.number(.minusOne), e])
  }

  mutating func parsePower() throws(SymbolicError) -> Expr {
    let base = try parsePrimary()
    if let c = current, Self.isSuperscriptStart(c) {
      return .power(base, .number(Rational(integer: try parseSuperscriptInteger())))
    }
    let saved = position
    skipSpace()
    if current == "^" {
      position += 1
      skipSpace()
      if atEnd { throw failure("expected an exponent after “^”, found the end of the input") }
      return .power(base, try parseSignedExpression())
    }
    position = saved
    return base
  }

  mutating func parseSuperscriptInteger() throws(SymbolicError) -> Int {
    let start = position
    var negative = false
    if current == RenderGlyphs.superscriptMinus {
      negative = true
      position += 1
    }
    var value = 0
    var digits = 0
    while let c = current, let d = RenderGlyphs.fromSuperscriptDigit[c] {
      let (times, o1) = value.multipliedReportingOverflow(by: 10)
      let (plus, o2) = times.addingReportingOverflow(d)
      if o1 || o2 { throw failure("the exponent is too large for a 64-bit integer", at: start) }
      value = plus
      digits += 1
      position += 1
    }
    if digits == 0 { throw failure("expected superscript digits after “⁻”, found \(found)") }
    return negative ? -value : value
  }

  mutating func parsePrimary() throws(SymbolicError) -> Expr {
    skipSpace()
    guard let c = current else { throw failure("expected an expression, found the end of the input") }
    let start = position
    if Self.isDigit(c) { return .number(try parseNumber()) }
    if let fraction = Self.vulgarFractions[c] {
      position += 1
      return .number(try exact { () throws(SymbolicError) in try Rational(fraction.0, fraction.1) })
    }
    switch c {
    case "(":
      position += 1
      let e = try parseNested()
      try expect(")", closing: "(", at: start)
      return e
    case "|":
      position += 1
      openBars += 1
      let e = try parseExpression()
      try expect("|", closing: "|", at: start)
      openBars -= 1
      return .function(.abs, e)
    case "∫":
      throw .unsupported(
        "integrals cannot be parsed (“∫” at offset \(start)): build them with Expr.integral")
    default:
      break
    }
    if Self.isNameCharacter(c) { return try parseNamed() }
    if c == ")" { throw failure("expected an expression, found “)”") }
    throw failure("expected an expression (a number, a name, “(”, “|” or “√”), found \(found)")
  }

  /// An expression inside parentheses: bars opened outside cannot close inside.
  mutating func parseNested() throws(SymbolicError) -> Expr {
    let bars = openBars
    openBars = 0
    defer { openBars = bars }
    return try parseExpression()
  }

  mutating func parseNumber() throws(SymbolicError) -> Rational {
    let start = position
    var value = 0
    var scale = 1
    var fractional = false
    while let c = current {
      if Self.isDigit(c), let d = c.wholeNumberValue {
        let (times, o1) = value.multipliedReportingOverflow(by: 10)
        let (plus, o2) = times.addingReportingOverflow(d)
        var o3 = false
        if fractional { (scale, o3) = scale.multipliedReportingOverflow(by: 10) }
        if o1 || o2 || o3 {
          throw failure("the number starting here is too large for a 64-bit integer", at: start)
        }
        value = plus
        position += 1
      } else if c == ".", !fractional, let next = peek(1), Self.isDigit(next) {
        fractional = true
        position += 1
      } else {
        break
      }
    }
    return try exact { () throws(SymbolicError) in try Rational(value, scale) }
  }

  /// A name: π, an elementary function applied, a symbol with indices, or an opaque
  /// function (with primes) applied.
  mutating func parseNamed() throws(SymbolicError) -> Expr {
    let start = position
    while let c = current, Self.isNameCharacter(c) || (position > start && Self.isDigit(c)) { position += 1 }
    let name = String(characters[start..<position])

    if let entry = Self.functionNames[name] {
      let nameEnd = position
      skipSpace()
      guard current == "(" else {
        position = nameEnd
        throw failure("expected “(” after the function name “\(name)”, found \(found)")
      }
      let open = position
      position += 1
      let argument = try parseNested()
      try expect(")", closing: "(", at: open)
      guard let f = entry else { return .power(argument, .number(.half)) }
      return .function(f, argument)
    }

    var indices: [SymbolIndex] = []
    if let c = current, RenderGlyphs.fromSubscript[c] != nil {
      var text = ""
      while let s = current, let plain = RenderGlyphs.fromSubscript[s] {
        text.append(plain)
        position += 1
      }
      indices = [Self.index(text)]
    } else if current == "_" {
      position += 1
      indices = try parseUnderscoreIndex()
    }

    var order = 0
    var primed = false
    while let c = current {
      switch c {
      case "′", "'": order += 1
      case "″": order += 2
      case "‴": order += 3
      case "⁽":
        position += 1
        let k = try parseSuperscriptInteger()
        guard current == "⁾" else { throw failure("expected “⁾” after the derivative order, found \(found)") }
        order += k
      default:
        break
      }
      guard c == "′" || c == "'" || c == "″" || c == "‴" || c == "⁽" else { break }
      primed = true
      position += 1
    }

    if current == RenderGlyphs.superscriptMinus && peek(1) == "¹" && peek(2) == "(" {
      throw .unsupported(
        "implicit inverses cannot be parsed (“\(name)⁻¹(” at offset \(start)): the text does not carry "
          + "the function's body; build them with Expr.inverse")
    }

    if current == "(" {
      let open = position
      position += 1
      let argument = try parseNested()
      try expect(")", closing: "(", at: open)
      return .opaque(OpaqueFunction(Self.functionName(name, indices), order: order), argument)
    }
    if primed { throw failure("expected “(” after the primed function “\(name)”, found \(found)") }
    if indices.isEmpty && (name == "π" || name == "pi") { return .constant(.pi) }
    return .symbol(Symbol(name, indices: indices))
  }

  /// After "_": "{i,j,…}", a digit run, or one letter.
  mutating func parseUnderscoreIndex() throws(SymbolicError) -> [SymbolIndex] {
    guard let c = current else { throw failure("expected an index after “_”, found the end of the input") }
    if c == "{" {
      let open = position
      position += 1
      var indices: [SymbolIndex] = []
      while true {
        skipSpace()
        let itemStart = position
        if let m = current, Self.isMinus(m) { position += 1 }
        while let d = current, Self.isNameCharacter(d) || Self.isDigit(d) { position += 1 }
        let text = String(characters[itemStart..<position].map { Self.isMinus($0) ? "-" : $0 })
        if text.isEmpty || text == "-" {
          throw failure("expected an index (a number or a name) in “_{…}”, found \(found)")
        }
        indices.append(Self.index(text))
        skipSpace()
        if current == "," {
          position += 1
          continue
        }
        try expect("}", closing: "{", at: open)
        return indices
      }
    }
    if Self.isDigit(c) || (Self.isMinus(c) && peek(1).map(Self.isDigit) == true) {
      let start = position
      position += 1
      while let d = current, Self.isDigit(d) { position += 1 }
      return [Self.index(String(characters[start..<position].map { Self.isMinus($0) ? "-" : $0 }))]
    }
    if Self.isNameCharacter(c) {
      position += 1
      return [.name(String(c))]
    }
    throw failure("expected an index after “_” (a digit run, a letter or “{…}”), found \(found)")
  }

  /// "12" or "-1" is a number index, anything else a named one.
  static func index(_ text: String) -> SymbolIndex {
    Int(text).map { .number($0) } ?? .name(text)
  }

  /// An opaque function's name with its index: "h" and [L] give "h_L", f and [l, j] "f_{l,j}".
  static func functionName(_ name: String, _ indices: [SymbolIndex]) -> String {
    if indices.isEmpty { return name }
    let texts = indices.map(\.description)
    if texts.count == 1 && texts[0].count == 1 { return name + "_" + texts[0] }
    return name + "_{" + texts.joined(separator: ",") + "}"
  }
}
