import LinearAlgebra

/// Shrinking candidates for numeric data: each function returns values that are *simpler*
/// than its input, simplest first, so that a greedy search can take the first one on which a
/// property still fails.
///
/// "Simpler" is a well-founded order, so greedy shrinking terminates even without a step limit:
///
/// - **Matrices and arrays**: fewer rows, columns or elements first (dimensions first), then
///   simpler entries with the shape fixed (`matrix(_:)` documents the order).
/// - **Doubles**: write a finite x ≠ 0 in its shortest round-trip decimal form m·10^q (the one
///   Swift prints), with D significant digits. Then 0 is simplest, and otherwise x is compared
///   by the key (D, |x|, x < 0): fewer digits first, then smaller magnitude, then positive
///   before negative. At most 17 digit counts and finitely many doubles below any magnitude
///   make the order well-founded, so every chain of strictly simpler candidates is finite.
///
/// The approach follows QuickCheck (Claessen and Hughes, ICFP 2000) and Hypothesis
/// (MacIver et al., 2019), with a decimal-digit order on doubles so that shrunk values print
/// short: 73.4187… shrinks through 73 and 70 to the smallest value that still fails.
public enum Shrink {
  // MARK: Scalars

  /// Candidates simpler than `x`, simplest first:
  /// 0; −x if x < 0; the integer part of x; x rounded to 1, 2, …, D − 1 significant digits;
  /// x/10 (the same digits one place lower); then, with x = m·10^q in shortest form, the
  /// mantissa moved towards zero, (m − ⌊m/2ᵏ⌋)·10^q for k = 1…16, and (m ∓ 1)·10^q.
  /// Every candidate is strictly simpler in the order above (candidates that are not, after
  /// rounding to a double, are left out); NaN and ±∞ shrink only to 0.
  /// - Complexity: O(D + 18) candidates, each O(D) to build.
  public static func towardZero(_ x: Double) -> [Double] {
    guard x != 0 else { return [] }
    guard x.isFinite, let key = DecimalKey(x) else { return [0] }
    var candidates: [Double] = [0]
    func offer(_ c: Double) {
      guard c.isFinite, c != x, !candidates.contains(c) else { return }
      if c == 0 { return }
      if let k = DecimalKey(c), k < key { candidates.append(c) }
    }
    if x < 0 { offer(-x) }
    if x.magnitude >= 1 && x.magnitude < 0x1p53 { offer(x.rounded(.towardZero)) }
    for d in stride(from: 1, to: key.digits, by: 1) { offer(key.rounded(toDigits: d)) }
    offer(DecimalKey.value(mantissa: key.mantissa, exponent: key.exponent - 1))
    let m = key.mantissa
    var divisor: Int64 = 2
    for _ in 0..<16 {
      let step = m / divisor
      if step == 0 { break }
      offer(DecimalKey.value(mantissa: m - step, exponent: key.exponent))
      divisor *= 2
    }
    offer(DecimalKey.value(mantissa: m > 0 ? m - 1 : m + 1, exponent: key.exponent))
    return candidates
  }

  /// Candidates for an integer, closest to `target` first: `target`, then n − ⌊(n − target)/2ᵏ⌋
  /// for k = 1, 2, … (halving the remaining distance), ending with the neighbour of n on the
  /// side of `target`. Each candidate is strictly closer to `target` than n.
  /// - Complexity: O(log |n − target|).
  public static func integer(_ n: Int, towards target: Int = 0) -> [Int] {
    guard n != target else { return [] }
    let (distance, overflow) = n.subtractingReportingOverflow(target)
    guard !overflow else { return [target, n / 2] }
    var candidates = [target]
    var step = distance / 2
    while step != 0 {
      let c = n - step
      if c != candidates.last { candidates.append(c) }
      step /= 2
    }
    let neighbour = n > target ? n - 1 : n + 1
    if neighbour != candidates.last && neighbour != target { candidates.append(neighbour) }
    return candidates
  }

  // MARK: Vectors and matrices

  /// Candidates for a vector with its length fixed, simplest first: the zero vector (when the
  /// vector has at least two non-zero entries), each entry set to 0 in turn, then each entry
  /// replaced by its remaining `entry` candidates (by default `towardZero`), entry by entry.
  /// - Complexity: O(n) candidates of length n per entry candidate, O(n²·D) in all.
  public static func entries(of v: [Double], using entry: (Double) -> [Double] = towardZero) -> [[Double]] {
    var candidates: [[Double]] = []
    if v.lazy.filter({ $0 != 0 }).count > 1 {
      candidates.append([Double](repeating: 0, count: v.count))
    }
    var rest: [[Double]] = []
    for i in v.indices {
      for c in entry(v[i]) {
        var w = v
        w[i] = c
        if c == 0 { candidates.append(w) } else { rest.append(w) }
      }
    }
    return candidates + rest
  }

  /// The matrix with one row dropped (each row in turn, while more than `minimumRows` remain),
  /// then with one column dropped (likewise).
  /// - Complexity: O(rows + columns) candidates, each O(rows · columns) to build.
  public static func dimensions(of m: Matrix, minimumRows: Int = 1, minimumColumns: Int = 1) -> [Matrix] {
    var candidates: [Matrix] = []
    if m.rows > minimumRows {
      for i in 0..<m.rows {
        candidates.append(m.selectingRows((0..<m.rows).filter { $0 != i }))
      }
    }
    if m.columns > minimumColumns {
      for j in 0..<m.columns {
        candidates.append(m.selectingColumns((0..<m.columns).filter { $0 != j }))
      }
    }
    return candidates
  }

  /// All candidates for a matrix in the documented order **dimensions first, then entries**:
  /// `dimensions(of:)` (drop a row, drop a column), then `entries(of:)` on the row-major
  /// storage with the shape fixed.
  public static func matrix(_ m: Matrix, minimumRows: Int = 1, minimumColumns: Int = 1,
                            entry: (Double) -> [Double] = towardZero) -> [Matrix] {
    dimensions(of: m, minimumRows: minimumRows, minimumColumns: minimumColumns)
      + entries(of: m.storage, using: entry).map { Matrix(rows: m.rows, columns: m.columns, storage: $0) }
  }

  // MARK: Arrays

  /// Shorter arrays, shortest first: the first `minimumCount` elements, then the array without
  /// its first half, without its second half, then without each single element — each only
  /// if at least `minimumCount` elements remain, and each removal listed once.
  /// - Complexity: O(n) candidates, each O(n) to build.
  public static func removingElements<Element>(from a: [Element], minimumCount: Int = 0) -> [[Element]] {
    let n = a.count
    guard n > max(minimumCount, 0) else { return [] }
    var removals: [Range<Int>] = [max(minimumCount, 0)..<n]
    let half = n / 2
    if half >= 2 { removals += [0..<half, (n - half)..<n] }
    removals += (0..<n).map { $0..<($0 + 1) }
    var seen = Set<Range<Int>>()
    var candidates: [[Element]] = []
    for r in removals where n - r.count >= minimumCount && seen.insert(r).inserted {
      candidates.append(Array(a[..<r.lowerBound] + a[r.upperBound...]))
    }
    return candidates
  }

  /// Arrays of the same length with one element replaced by one of its `element` candidates,
  /// element by element.
  public static func elements<Element>(of a: [Element], using element: (Element) -> [Element]) -> [[Element]] {
    var candidates: [[Element]] = []
    for i in a.indices {
      for c in element(a[i]) {
        var b = a
        b[i] = c
        candidates.append(b)
      }
    }
    return candidates
  }
}

// MARK: - Decimal digits of a double

/// The shortest decimal form x = ±mantissa · 10^exponent of a finite double, read from Swift's
/// `description` (the shortest digit string that converts back to x exactly), and the
/// simplicity key (digits, |x|, x < 0) ordered lexicographically.
///
/// The key is well-founded: there are at most 17 digit counts and, for each, finitely many
/// doubles of smaller magnitude.
struct DecimalKey: Comparable {
  /// Significant digits D, 1 ≤ D ≤ 17.
  var digits: Int
  /// The significant digits as an integer (no leading or trailing zeros), signed like x.
  var mantissa: Int64
  /// The power of ten of the last significant digit.
  var exponent: Int
  var magnitude: Double

  /// nil for 0, infinities and NaN.
  init?(_ x: Double) {
    guard x.isFinite, x != 0 else { return nil }
    var text = Substring(x.magnitude.description)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exponent = Int(text[text.index(after: e)...].filter { $0 != "+" }) ?? 0
      text = text[..<e]
    }
    if let dot = text.firstIndex(of: ".") {
      exponent -= text.distance(from: dot, to: text.endIndex) - 1
      text.remove(at: dot)
    }
    var digits = text.drop { $0 == "0" }
    while digits.last == "0" {
      digits.removeLast()
      exponent += 1
    }
    guard let m = Int64(digits), !digits.isEmpty, digits.count <= 18 else { return nil }
    self.digits = digits.count
    self.mantissa = x < 0 ? -m : m
    self.exponent = exponent
    self.magnitude = x.magnitude
  }

  static func < (a: DecimalKey, b: DecimalKey) -> Bool {
    if a.digits != b.digits { return a.digits < b.digits }
    if a.magnitude != b.magnitude { return a.magnitude < b.magnitude }
    return a.mantissa > 0 && b.mantissa < 0
  }

  /// The double nearest to mantissa · 10^exponent (correctly rounded by `Double(_: String)`).
  static func value(mantissa: Int64, exponent: Int) -> Double {
    Double("\(mantissa)e\(exponent)") ?? .nan
  }

  /// x with its shortest decimal form rounded (half away from zero) to d < D significant digits.
  func rounded(toDigits d: Int) -> Double {
    var m = mantissa.magnitude, dropped = 0
    while dropped < digits - d - 1 {
      m /= 10
      dropped += 1
    }
    let last = m % 10
    m = m / 10 + (last >= 5 ? 1 : 0)
    let signed = mantissa < 0 ? -Int64(m) : Int64(m)
    return Self.value(mantissa: signed, exponent: exponent + digits - d)
  }
}
