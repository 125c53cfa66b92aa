import DataIO
import Symbolic
import Theorems

/// The identities section of a report and of the JSON (`identities`, Docs/JSONSchema.md).
enum IdentityReport {
  /// Grouped by the part of the name before ":" (e.g. "diagonal L=5"): one line per group
  /// with its counts, then every identity that is not proved with its detail (tolerance and
  /// largest sampled difference, or the failing point).
  static func text(_ results: [IdentityResult]) -> String {
    let count = { (s: IdentityStatus) in results.filter { $0.status == s }.count }
    var out = "Identities the proof rests on (symbolic, derived and checked in this run): "
    out += "\(count(.proved)) proved exactly, \(count(.checked)) checked numerically, \(count(.refuted)) refuted"
    out += count(.undecided) > 0 ? ", \(count(.undecided)) undecided\n" : "\n"
    var groups: [(key: String, members: [IdentityResult])] = []
    for r in results {
      let key = r.name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? r.name
      if let k = groups.firstIndex(where: { $0.key == key }) { groups[k].members.append(r) } else { groups.append((key, [r])) }
    }
    for g in groups {
      let counts = IdentityStatus.allCases.compactMap { status -> String? in
        let k = g.members.filter { $0.status == status }.count
        return k == 0 ? nil : "\(k) \(status.rawValue)"
      }
      let claims = Set(g.members.map { claim($0.name) })
      let example = g.members.first.map { claim($0.name) } ?? ""
      out += ("  " + counts.joined(separator: ", ")).padding(toLength: 22, withPad: " ", startingAt: 0)
        + g.key + (example.isEmpty ? "" : ": " + example + (claims.count > 1 ? ", …" : "")) + "\n"
    }
    let others = results.filter { $0.status != .proved }
    if !others.isEmpty { out += "  Not proved exactly (how they were checked):\n" }
    for r in others {
      // The numeric clause of the detail; the exact test's reason follows it in the JSON.
      let numeric = r.detail.components(separatedBy: "; exact test").first ?? r.detail
      out += "    \(r.status.rawValue): \(r.name) — \(numeric)\n"
    }
    return out
  }

  /// The claim part of a name ("[v₁]ⱼ² − [v₂]ⱼ² conserved (j = 1)" → without the "(j = 1)").
  private static func claim(_ name: String) -> String {
    guard let colon = name.firstIndex(of: ":") else { return "" }
    var c = String(name[name.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
    if let paren = c.range(of: " (j = ") { c = String(c[..<paren.lowerBound]) }
    return c
  }

  static func json(_ results: [IdentityResult]) -> JSONValue {
    .array(results.map { r in
      var fields: [(String, JSONValue)] = [
        ("name", .string(r.name)), ("statement", .string(r.statement)), ("status", .string(r.status.rawValue)),
        ("detail", .string(r.detail)),
      ]
      if let p = r.point {
        fields.append(("point", .object(p.sorted { $0.key < $1.key }.map { ($0.key.description, .number($0.value)) })))
      }
      return .object(fields)
    })
  }

  /// A refuted identity means a derivation the check relies on is wrong: a "holds" cannot
  /// stand on it.
  static func adjusted(_ verdict: Verdict, _ reason: String, _ results: [IdentityResult]) -> (Verdict, String) {
    adjusted(verdict, reason, refuted: results.filter { $0.status == .refuted }.map(\.name))
  }

  /// The same, from the names of the refuted identities in report order (what a report's
  /// JSON keeps: `verify merge` adjusts merged shards with it).
  static func adjusted(_ verdict: Verdict, _ reason: String, refuted: [String]) -> (Verdict, String) {
    guard let first = refuted.first, verdict == .holds else { return (verdict, reason) }
    return (.inconclusive, "\(refuted.count) identity(ies) the proof rests on were refuted (\(first)); \(reason)")
  }
}
