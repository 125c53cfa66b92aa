import LinearAlgebra
import PropertyChecking
import Testing

@Suite("Generators")
struct GeneratorTests {
  /// Draws `count` values of `generator` from one stream.
  static func sample<T>(_ generator: Generator<T>, count: Int = 500, size: Int = 5, seed: UInt64 = 1) -> [T] {
    var rng = SeededGenerator(seed: seed)
    return (0..<count).map { _ in generator.generate(&rng, size) }
  }

  @Test("int(in:) stays in range and shrinks towards the point nearest 0")
  func ints() {
    let g = Generator.int(in: 5...10)
    #expect(Self.sample(g).allSatisfy { (5...10).contains($0) })
    #expect(Set(Self.sample(g)) == Set(5...10))
    #expect(g.shrink(9) == [5, 7, 8])
    #expect(Generator.int(in: -10...(-3)).shrink(-9) == [-3, -6, -8])
    #expect(Generator.int(in: -5...5).shrink(0).isEmpty)
  }

  @Test("double(in:) stays in range; shrink candidates stay in range, nearest bound first")
  func doubles() {
    let g = Generator.double(in: 2...3)
    #expect(Self.sample(g).allSatisfy { (2...3).contains($0) })
    let c = g.shrink(2.718)
    #expect(c.first == 2 && c.allSatisfy { (2...3).contains($0) } && c.contains(2.7))
    #expect(Generator.double(in: -1...1).shrink(0.5).first == 0)
  }

  @Test("element(of:) draws every element; Equatable elements shrink to earlier ones")
  func elements() {
    let g = Generator.element(of: ["a", "b", "c", "d"])
    #expect(Set(Self.sample(g)) == ["a", "b", "c", "d"])
    #expect(g.shrink("c") == ["a", "b"])
    #expect(g.shrink("a").isEmpty)
  }

  @Test("map without an inverse drops shrinking; with an inverse it shrinks through it")
  func maps() {
    let base = Generator.int(in: 0...100)
    let squares = base.map { $0 * $0 }
    #expect(squares.shrink(49).isEmpty)
    let strings = base.map({ String($0) }, inverse: { Int($0) ?? 0 })
    #expect(strings.shrink("9") == ["0", "5", "7", "8"])
    #expect(Self.sample(strings, seed: 4) == Self.sample(base, seed: 4).map { String($0) })
  }

  @Test("zip draws components in order and shrinks the first component, then the second")
  func zips() {
    let g = Generator.zip(Generator.int(in: 0...9), Generator.int(in: 0...9))
    let pairs = Self.sample(g, count: 10, seed: 3)
    var rng = SeededGenerator(seed: 3)
    let flat = (0..<20).map { _ in rng.integer(in: 0...9) }
    let pairsFlat: [Int] = pairs.flatMap { [$0.0, $0.1] }
    #expect(pairsFlat == flat)
    let shrunk: [[Int]] = g.shrink((2, 3)).map { [$0.0, $0.1] }
    #expect(shrunk == [[0, 3], [1, 3], [2, 0], [2, 2]])
    let triple = Generator.zip(Generator.int(in: 0...9), Generator.int(in: 0...9), Generator.int(in: 0...9))
    let shrunkTriples: [[Int]] = triple.shrink((1, 0, 1)).map { [$0.0, $0.1, $0.2] }
    #expect(shrunkTriples == [[0, 0, 1], [1, 0, 0]])
  }

  @Test("array(of:count:) respects the count range when generating and shrinking")
  func arrays() {
    let g = Generator.array(of: .int(in: 0...9), count: 2...4)
    let arrays = Self.sample(g)
    #expect(arrays.allSatisfy { (2...4).contains($0.count) })
    #expect(Set(arrays.map(\.count)) == [2, 3, 4])
    let c = g.shrink([5, 6, 7])
    #expect(c.allSatisfy { $0.count >= 2 })
    #expect(c.first == [5, 6])
    let sized = Generator.array(of: Generator.int(in: 0...9))
    #expect(Self.sample(sized, size: 3).allSatisfy { $0.count <= 3 })
  }

  @Test("matrix(rows:columns:) respects its shape ranges when generating and shrinking")
  func matrices() {
    let g = Generator.matrix(rows: 2...3, columns: 1...4, entries: .double(in: -1...1))
    let ms = Self.sample(g, count: 200)
    #expect(ms.allSatisfy { (2...3).contains($0.rows) && (1...4).contains($0.columns) })
    #expect(ms.allSatisfy { $0.storage.allSatisfy { (-1...1).contains($0) } })
    let m = Matrix([[0.5, -0.25], [1, 0.125], [0, 0.75]])
    let c = g.shrink(m)
    #expect(c.allSatisfy { $0.rows >= 2 && $0.columns >= 1 })
    #expect(c.prefix(5).map { [$0.rows, $0.columns] } == [[2, 2], [2, 2], [2, 2], [3, 1], [3, 1]])
    #expect(c.dropFirst(5).allSatisfy { $0.rows == 3 && $0.columns == 2 })
  }

  @Test("value(seed:size:) regenerates; withoutShrinking and shrinking(with:) replace the shrinker")
  func valueAndShrinkers() {
    let g = Generator.gaussian(standardDeviation: 2)
    #expect(g.value(seed: 17, size: 1) == g.value(seed: 17, size: 1))
    var rng = SeededGenerator(seed: 17)
    #expect(g.value(seed: 17, size: 1) == 2 * rng.gaussian())
    #expect(g.withoutShrinking.shrink(1.5).isEmpty)
    #expect(g.shrinking(with: { [$0 / 2] }).shrink(1.5) == [0.75])
  }
}
