import LinearAlgebra

/// A recipe for random test inputs together with a way to simplify them.
///
/// `generate(&rng, size)` draws one value; `size` is the sweep's size parameter (see
/// `checkProperty`), which a generator may use to scale its output (dimensions, lengths) or
/// ignore. `shrink(value)` lists simpler candidates, simplest first; the empty list means the
/// value is already minimal. Every candidate must be strictly simpler in some well-founded
/// sense, or greedy shrinking may cycle until its step limit.
///
/// Generation is a pure function of the generator state, so a value is replayed from the
/// per-case seed that produced it (`value(seed:size:)`).
///
/// Modelled on QuickCheck's `Gen`/`shrink` pair (Claessen and Hughes, ICFP 2000) and
/// x-sheep/swift-property-based's `Generator`.
public struct Generator<Value>: Sendable {
  /// Draws one value from the generator state at the given size.
  public let generate: @Sendable (inout SeededGenerator, _ size: Int) -> Value
  /// Simpler candidates for a value, simplest first.
  public let shrink: @Sendable (Value) -> [Value]

  public init(generate: @escaping @Sendable (inout SeededGenerator, _ size: Int) -> Value,
              shrink: @escaping @Sendable (Value) -> [Value] = { _ in [] }) {
    self.generate = generate
    self.shrink = shrink
  }

  /// The value that case seed `seed` produces at `size`: `generate` run on
  /// `SeededGenerator(seed: seed)`. This is how a counterexample is reproduced.
  public func value(seed: UInt64, size: Int) -> Value {
    var rng = SeededGenerator(seed: seed)
    return generate(&rng, size)
  }

  /// The same values with another shrinker.
  public func shrinking(with shrink: @escaping @Sendable (Value) -> [Value]) -> Generator<Value> {
    Generator(generate: generate, shrink: shrink)
  }

  /// The same values without shrinking.
  public var withoutShrinking: Generator<Value> { Generator(generate: generate) }

  /// Values transformed by `transform`. Without an inverse the shrinker is dropped: there is
  /// no way back from a transformed value to the one that produced it.
  public func map<T>(_ transform: @escaping @Sendable (Value) -> T) -> Generator<T> {
    let generate = self.generate
    return Generator<T>(generate: { rng, size in transform(generate(&rng, size)) })
  }

  /// Values transformed by `transform`, shrinking through `inverse`: the candidates of t are
  /// `shrink(inverse(t))` mapped by `transform`. Requires `inverse(transform(v)) == v` on the
  /// generated values.
  public func map<T>(_ transform: @escaping @Sendable (Value) -> T,
                     inverse: @escaping @Sendable (T) -> Value) -> Generator<T> {
    let generate = self.generate, shrink = self.shrink
    return Generator<T>(
      generate: { rng, size in transform(generate(&rng, size)) },
      shrink: { t in shrink(inverse(t)).map(transform) })
  }

  /// Pairs of values, the first drawn before the second from one stream. Shrinking tries the
  /// first component's candidates (second fixed), then the second's (first fixed).
  public static func zip<A, B>(_ a: Generator<A>, _ b: Generator<B>) -> Generator<(A, B)> where Value == (A, B) {
    Generator<(A, B)>(
      generate: { rng, size in
        let x = a.generate(&rng, size)
        return (x, b.generate(&rng, size))
      },
      shrink: { pair in
        a.shrink(pair.0).map { ($0, pair.1) } + b.shrink(pair.1).map { (pair.0, $0) }
      })
  }

  /// Triples of values, drawn in order; shrinks one component at a time, left to right.
  public static func zip<A, B, C>(_ a: Generator<A>, _ b: Generator<B>, _ c: Generator<C>) -> Generator<(A, B, C)>
  where Value == (A, B, C) {
    Generator<(A, B, C)>(
      generate: { rng, size in
        let x = a.generate(&rng, size)
        let y = b.generate(&rng, size)
        return (x, y, c.generate(&rng, size))
      },
      shrink: { t in
        a.shrink(t.0).map { ($0, t.1, t.2) } + b.shrink(t.1).map { (t.0, $0, t.2) }
          + c.shrink(t.2).map { (t.0, t.1, $0) }
      })
  }
}

// MARK: - Scalars

extension Generator where Value == Int {
  /// Uniform integers in `range` (size is ignored), shrinking towards the point of the range
  /// closest to 0 by `Shrink.integer(_:towards:)`.
  public static func int(in range: ClosedRange<Int>) -> Generator<Int> {
    let target = Swift.min(Swift.max(0, range.lowerBound), range.upperBound)
    return Generator(
      generate: { rng, _ in rng.integer(in: range) },
      shrink: { n in Shrink.integer(n, towards: target).filter { range.contains($0) } })
  }
}

extension Generator where Value == Double {
  /// Uniform doubles in `range` (size is ignored). Shrinks by `Shrink.towardZero` restricted
  /// to the range; when 0 is outside it, the bound nearest 0 is tried first.
  public static func double(in range: ClosedRange<Double>) -> Generator<Double> {
    Generator(generate: { rng, _ in rng.uniform(in: range) }, shrink: { x in shrinkDouble(x, within: range) })
  }

  /// Normal deviates with mean 0 and the given standard deviation (size is ignored),
  /// shrinking by `Shrink.towardZero`.
  public static func gaussian(standardDeviation: Double = 1) -> Generator<Double> {
    Generator(generate: { rng, _ in standardDeviation * rng.gaussian() }, shrink: { Shrink.towardZero($0) })
  }

  /// `Shrink.towardZero(x)` kept inside `range`, preceded by the bound nearest 0 when 0 is
  /// outside the range.
  static func shrinkDouble(_ x: Double, within range: ClosedRange<Double>) -> [Double] {
    var candidates = Shrink.towardZero(x).filter { range.contains($0) }
    if !range.contains(0) {
      let bound = range.lowerBound > 0 ? range.lowerBound : range.upperBound
      if bound != x && !candidates.contains(bound) { candidates.insert(bound, at: 0) }
    }
    return candidates
  }
}

// MARK: - Choices and collections

extension Generator {
  /// Uniformly chosen elements of a non-empty array; no shrinking (see the `Equatable`
  /// overload, which shrinks towards earlier elements).
  public static func element(of elements: [Value]) -> Generator<Value> where Value: Sendable {
    precondition(!elements.isEmpty, "element(of:) needs a non-empty array")
    return Generator(generate: { rng, _ in elements[rng.integer(in: 0...(elements.count - 1))] })
  }

  /// Uniformly chosen elements of a non-empty array, shrinking towards the elements listed
  /// before the first occurrence of the value (earlier means simpler).
  public static func element(of elements: [Value]) -> Generator<Value> where Value: Sendable & Equatable {
    precondition(!elements.isEmpty, "element(of:) needs a non-empty array")
    return Generator(
      generate: { rng, _ in elements[rng.integer(in: 0...(elements.count - 1))] },
      shrink: { v in Array(elements[..<(elements.firstIndex(of: v) ?? 0)]) })
  }

  /// Arrays whose length is uniform in `count` (size is ignored) and whose elements come
  /// from `element`. Shrinks shorter first (`Shrink.removingElements`, never below
  /// `count.lowerBound`), then element by element with `element`'s shrinker.
  public static func array<Element>(of element: Generator<Element>, count: ClosedRange<Int>) -> Generator<[Element]>
  where Value == [Element] {
    precondition(count.lowerBound >= 0, "array(of:count:) needs a non-negative count range, got \(count)")
    return Generator<[Element]>(
      generate: { rng, size in
        let n = rng.integer(in: count)
        var a: [Element] = []
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(element.generate(&rng, size)) }
        return a
      },
      shrink: { a in
        Shrink.removingElements(from: a, minimumCount: count.lowerBound)
          + Shrink.elements(of: a, using: element.shrink)
      })
  }

  /// Arrays whose length is uniform in 0...size.
  public static func array<Element>(of element: Generator<Element>) -> Generator<[Element]> where Value == [Element] {
    let sized = array(of: element, count: 0...Int.max)
    return Generator<[Element]>(
      generate: { rng, size in
        let n = rng.integer(in: 0...Swift.max(size, 0))
        var a: [Element] = []
        a.reserveCapacity(n)
        for _ in 0..<n { a.append(element.generate(&rng, size)) }
        return a
      },
      shrink: sized.shrink)
  }
}

// MARK: - Matrices

extension Generator where Value == Matrix {
  /// Matrices with a uniform number of rows and columns in the given ranges and entries from
  /// `entries`, filled row by row. Shrinks **dimensions first, then entries**: drop a row or a
  /// column (not below the ranges' lower bounds), then each entry by `entries`' shrinker.
  public static func matrix(rows: ClosedRange<Int>, columns: ClosedRange<Int>,
                            entries: Generator<Double> = .gaussian()) -> Generator<Matrix> {
    precondition(rows.lowerBound >= 0 && columns.lowerBound >= 0, "matrix(rows:columns:) needs non-negative ranges")
    return Generator(
      generate: { rng, size in
        let r = rng.integer(in: rows), c = rng.integer(in: columns)
        var storage: [Double] = []
        storage.reserveCapacity(r * c)
        for _ in 0..<(r * c) { storage.append(entries.generate(&rng, size)) }
        return Matrix(rows: r, columns: c, storage: storage)
      },
      shrink: { m in
        Shrink.matrix(m, minimumRows: rows.lowerBound, minimumColumns: columns.lowerBound, entry: entries.shrink)
      })
  }
}
