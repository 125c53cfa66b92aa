import Testing
@testable import Symbolic

@Suite("Rational arithmetic")
struct RationalTests {
  @Test("lowest terms with a positive denominator")
  func normalization() throws {
    let r = try Rational(6, -4)
    #expect(r.numerator == -3 && r.denominator == 2)
    #expect(throws: SymbolicError.self) { try Rational(1, 0) }
  }

  @Test("exact arithmetic")
  func arithmetic() throws {
    let a = try Rational(1, 6), b = try Rational(1, 10)
    #expect(try a.adding(b) == Rational(4, 15))
    #expect(try a.multiplied(by: b) == Rational(1, 60))
    #expect(try a.divided(by: b) == Rational(5, 3))
    #expect(try Rational(2, 3).power(-3) == Rational(27, 8))
    #expect(try Rational(9, 4).exactRoot(2) == Rational(3, 2))
    #expect(try Rational(-27, 8).exactRoot(3) == Rational(-3, 2))
    #expect(try Rational(2, 1).exactRoot(2) == nil)
    #expect(try Rational(-4, 1).exactRoot(2) == nil)
  }

  @Test("overflow is reported, never wrapped")
  func overflow() throws {
    let big = Rational(integer: Int.max)
    #expect(throws: SymbolicError.self) { try big.adding(.one) }
    #expect(throws: SymbolicError.self) { try big.multiplied(by: Rational(integer: 2)) }
    #expect(throws: SymbolicError.self) { try Rational(integer: 3).power(64) }
    #expect(throws: SymbolicError.self) { try Rational(integer: Int.min).negated() }
    // Cross-cancellation keeps products in range when the result fits.
    let x = try Rational(Int.max, 3), y = try Rational(3, Int.max)
    #expect(try x.multiplied(by: y) == .one)
  }

  @Test("ordering compares exactly, also near the integer limits")
  func ordering() throws {
    #expect(try Rational(1, 3) < Rational(1, 2))
    #expect(try Rational(Int.max - 1, Int.max) < Rational(Int.max, Int.max - 1))
    #expect(try Rational(-1, 2) < .zero)
  }
}
