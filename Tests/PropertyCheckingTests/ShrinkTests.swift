import LinearAlgebra
import PropertyChecking
import Testing

@Suite("Shrinking")
struct ShrinkTests {
  /// The simplicity key of a double, computed here independently of the library: the number
  /// of significant digits in Swift's shortest round-trip description ("73.4187", "7.5e-05",
  /// "1e+20"), the magnitude, and the sign.
  static func key(_ x: Double) -> (digits: Int, magnitude: Double, negative: Bool) {
    var text = x.magnitude.description
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) { text = String(text[..<e]) }
    var digits = text.filter(\.isNumber).drop { $0 == "0" }
    while digits.last == "0" { digits.removeLast() }
    return (digits.count, x.magnitude, x < 0)
  }

  static func isSimpler(_ c: Double, than x: Double) -> Bool {
    if c == 0 { return x != 0 }
    let a = key(c), b = key(x)
    if a.digits != b.digits { return a.digits < b.digits }
    if a.magnitude != b.magnitude { return a.magnitude < b.magnitude }
    return !a.negative && b.negative
  }

  // MARK: Doubles

  @Test("towardZero lists 0 first, then integer part and fewer digits, then a smaller mantissa")
  func scalarCandidates() {
    let c = Shrink.towardZero(73.4187)
    #expect(c.first == 0)
    #expect(c.prefix(3) == [0, 73, 70])
    #expect(c.contains(73.4) && c.contains(73.42) && c.contains(73.419))
    #expect(Shrink.towardZero(-5) == [0, 5, -0.5, -3, -4])
    #expect(Shrink.towardZero(70) == [0, 7, 40, 60])
    #expect(Shrink.towardZero(0).isEmpty)
    #expect(Shrink.towardZero(.nan) == [0])
    #expect(Shrink.towardZero(-.infinity) == [0])
    #expect(Shrink.towardZero(0.3) == [0, 0.03, 0.2])
  }

  @Test("every towardZero candidate is strictly simpler (independent key), on random doubles")
  func scalarCandidatesAreSimpler() {
    let values = Generator.zip(Generator.gaussian(), Generator.int(in: -30...30)).map { z, e in
      z * Elementary.pow(10, Double(e))
    }
    let outcome = checkProperty("towardZero is strictly simpler", seed: 2718, cases: 500, generator: values) { x in
      for c in Shrink.towardZero(x) where !Self.isSimpler(c, than: x) {
        return .fail("candidate \(c) of \(x) is not simpler: keys \(Self.key(c)) vs \(Self.key(x))")
      }
      return .pass
    }
    #expect(outcome.passed, "\(outcome)")
  }

  /// Following the last candidate each time (the smallest change: mantissa m → m − 1, then
  /// 1·10^q → 10^(q−1) down to the least subnormal) is the slowest chain; it still ends, at 0.
  @Test("chains of last candidates end at 0")
  func scalarChainsEnd() {
    for (start, end) in [(12.5, 0.0), (-0.0375, 0), (9.99, 0), (3.25e-300, 0)] {
      var x = start
      var steps = 0
      while let next = Shrink.towardZero(x).last, steps < 10_000 {
        x = next
        steps += 1
      }
      #expect(x == end && steps < 10_000, "\(start) ended at \(x) after \(steps) steps")
    }
  }

  // MARK: Integers

  @Test("integer candidates halve the distance to the target")
  func integers() {
    #expect(Shrink.integer(100) == [0, 50, 75, 88, 94, 97, 99])
    #expect(Shrink.integer(-7) == [0, -4, -6])
    #expect(Shrink.integer(12, towards: 10) == [10, 11])
    #expect(Shrink.integer(5, towards: 5).isEmpty)
    #expect(Shrink.integer(Int.min, towards: Int.max).allSatisfy { $0 > Int.min })
  }

  // MARK: Vectors and matrices

  @Test("entries(of:) tries the zero vector, then single zeros, then the other candidates")
  func entries() {
    let c = Shrink.entries(of: [1.5, 0, -2])
    #expect(c.prefix(3) == [[0, 0, 0], [0, 0, -2], [1.5, 0, 0]])
    #expect(c.dropFirst(3).contains([1, 0, -2]) && c.dropFirst(3).contains([1.5, 0, 2]))
    #expect(c.allSatisfy { $0.count == 3 })
    #expect(Shrink.entries(of: [4]) == [[0], [0.4], [2], [3]])
  }

  @Test("dimensions(of:) drops each row, then each column, respecting the minimums")
  func dimensions() {
    let m = Matrix([[1, 2], [3, 4], [5, 6]])
    let c = Shrink.dimensions(of: m)
    #expect(c.map { [$0.rows, $0.columns] } == [[2, 2], [2, 2], [2, 2], [3, 1], [3, 1]])
    #expect(c[0] == Matrix([[3, 4], [5, 6]]))
    #expect(c[4] == Matrix([[1], [3], [5]]))
    #expect(Shrink.dimensions(of: m, minimumRows: 3).count == 2)
    #expect(Shrink.dimensions(of: Matrix([[1]])).isEmpty)
  }

  @Test("matrix(_:) lists dimension candidates before entry candidates")
  func matrixOrder() {
    let m = Matrix([[1.5, 2], [3, 4]])
    let c = Shrink.matrix(m)
    let firstSameShape = c.firstIndex { $0.rows == 2 && $0.columns == 2 } ?? c.count
    #expect(firstSameShape == 4)
    #expect(c[4] == Matrix(rows: 2, columns: 2, repeating: 0))
    #expect(c[4...].allSatisfy { $0.rows == 2 && $0.columns == 2 })
  }

  @Test("removingElements: shortest first, never below the minimum, each removal once")
  func removing() {
    let a = [1, 2, 3, 4, 5]
    let c = Shrink.removingElements(from: a)
    #expect(c.first == [])
    #expect(c[1] == [3, 4, 5] && c[2] == [1, 2, 3])
    #expect(c.suffix(5) == [[2, 3, 4, 5], [1, 3, 4, 5], [1, 2, 4, 5], [1, 2, 3, 5], [1, 2, 3, 4]])
    #expect(Shrink.removingElements(from: a, minimumCount: 4) == [[1, 2, 3, 4], [2, 3, 4, 5], [1, 3, 4, 5], [1, 2, 4, 5], [1, 2, 3, 5]])
    #expect(Shrink.removingElements(from: a, minimumCount: 5).isEmpty)
    #expect(Shrink.removingElements(from: [7]) == [[]])
  }

  @Test("elements(of:using:) shrinks one element at a time")
  func elements() {
    let c = Shrink.elements(of: [3, 0], using: { Shrink.integer($0) })
    #expect(c == [[0, 0], [2, 0]])
  }
}
