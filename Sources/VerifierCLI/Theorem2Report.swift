import LinearAlgebra
import GradientFlow
import DataIO
import Theorems

/// Renders Theorem-2 sweep results as a report or as JSON (schema: Docs/JSONSchema.md).
/// The JSON carries no timings, so the same seed gives the same bytes.
enum Theorem2Report {
  static func text(_ sweep: SweepResult, configuration c: Theorem2SweepConfiguration,
                   thresholds t: Theorem2.Thresholds, customData: Bool) -> String {
    var out = Theorem2.statement.rendered() + "\n" + IdentityReport.text(Theorem2.identityResults(networks: Set(c.networks)))
    let claim = c.claimedExponent.map { "ℓ_\(formatExponent($0)) (--against-norm; the theorem says ℓ_{2/L})" } ?? "ℓ_{2/L}"
    out += "\nChecked claim: the flow's direction converges to a KKT point of the \(claim) max-margin problem.\n"
    out += "Sweep: \(sweep.cases.count) case(s), seed \(c.seed), networks \(c.networks.map(\.rawValue).joined(separator: ", ")), depths \(c.depths.map(String.init).joined(separator: ", ")), loss \(c.loss.rawValue), init N(0, \(c.initScale)²) per parameter, horizon log(1/Loss) = \(short(c.horizon))"
    out += customData ? " (user-supplied input)\n" : "\n"
    out += "Thresholds: certificate residual ≤ \(short(t.certificateResidual)); distance ≤ \(t.distanceBound) and falling (fitted rate r > 0) or ≤ \(short(t.distanceFloor)); convex cases agree with the independent optimum to \(short(t.globalOptimumAgreement)); refutation needs the claimed KKT residual ≥ \(short(t.refutationResidual)); sweep holds with ≥ \(Int(t.decidedFraction * 100))% of eligible cases holding.\n"
    out += "KKT residual at the flow: τ_act = 1e-3, τ_supp = 1e-4 (spec §4.8 b).\n\n"
    out += pad("case", 5) + pad("seed", 18) + pad("network", 9) + pad("L", 3) + pad("n×d", 7) + pad("hyp", 5)
      + pad("log(1/Loss)", 12) + pad("KKT res.", 10) + pad("distance", 10) + pad("rate", 7) + pad("steps", 7) + "verdict\n"
    for (k, r) in sweep.cases.enumerated() {
      let met = r.hypotheses.filter(\.met).count
      let last = r.checkpoints.last
      out += pad("\(k)", 5) + pad("\(r.seed)", 18) + pad(r.networkKind.rawValue, 9) + pad("\(r.depth)", 3)
        + pad("\(r.n)×\(r.d)", 7) + pad("\(met)/\(r.hypotheses.count)", 5)
        + pad(last.map { short($0.logInverseLoss) } ?? "—", 12) + pad(last.map { short($0.kktResidual) } ?? "—", 10)
        + pad(last?.distanceToCertificate.map(short) ?? "—", 10) + pad(r.fittedRate.map(short) ?? "—", 7)
        + pad(last.map { "\($0.acceptedSteps)" } ?? "—", 7) + r.verdict.rawValue + "\n"
    }
    out += "\nEvidence:\n"
    for (k, r) in sweep.cases.enumerated() {
      out += "  case \(k) (seed \(r.seed), \(r.networkKind.rawValue), L = \(r.depth)): \(r.verdict.rawValue) — \(r.reason)\n"
      for h in r.hypotheses where !h.met || k == 0 {
        out += "      \(h.met ? "✓" : "✗") \(h.name): \(h.detail)\n"
      }
      if let cert = r.certificate, k == 0 || r.verdict != .holds {
        out += "      certificate: support \(cert.support), active \(cert.active), residual \(short(cert.residual)), Newton iterations \(cert.newtonIterations)"
        if let g = r.globalOptimumDistance { out += ", distance to independent optimum \(short(g))" }
        out += "\n      checkpoints (log(1/Loss): KKT residual, distance, Lyu–Li ε, drift, steps):\n"
        for cp in r.checkpoints {
          out += "        \(pad(short(cp.logInverseLoss), 10)) \(pad(short(cp.kktResidual), 10)) \(pad(cp.distanceToCertificate.map(short) ?? "—", 10)) \(pad(short(cp.parameterResidual), 10)) \(pad(short(cp.conservationDrift), 10)) \(cp.acceptedSteps)+\(cp.rejectedSteps) rejected\n"
        }
      }
    }
    if let ce = sweep.counterexample {
      let sc = ce.shrunkCase
      out += "\nCounterexample (refuted; shrunk in \(ce.shrinkSteps) steps to n = \(sc.data.count), d = \(sc.data.dimension)):\n"
      out += "  replay the original: swift run verify --theorem 2 --network \(sc.network.kind.rawValue) --depth \(sc.network.depth) --seed \(ce.originalSeed) --cases 1"
      out += (c.claimedExponent.map { " --against-norm \(formatExponent($0))" } ?? "") + " --horizon \(short(c.horizon))\n"
      out += "  shrunk data (x1..xd, y):\n"
      for i in 0..<sc.data.count {
        out += "    " + sc.data.inputs.row(i).appending(contentsOf: [sc.data.labels[i]]).map { "\($0)" }.joined(separator: ", ") + "\n"
      }
      out += "  \(ce.result.reason)\n"
    }
    out += "\nVerdict: \(sweep.verdict.rawValue.uppercased()) — \(sweep.reason)\n"
    if sweep.verdict != .holds, let r = sweep.cases.first(where: { $0.verdict != .holds }) {
      if customData {
        // The case comes from the user's files: a seed alone would draw different data.
        out += "Replay: the same command with the same --data/--decomposition/--init files (case seed \(r.seed))\n"
      } else {
        out += "Replay a case: swift run verify --theorem 2 --network \(r.networkKind.rawValue) --depth \(r.depth) --seed \(r.seed) --cases 1"
          + (c.claimedExponent.map { " --against-norm \(formatExponent($0))" } ?? "") + " --horizon \(short(c.horizon))\n"
      }
    }
    return out
  }

  static func pad(_ s: String, _ w: Int) -> String {
    s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count)
  }

  // MARK: - JSON

  static func json(_ sweep: SweepResult, configuration c: Theorem2SweepConfiguration,
                   thresholds t: Theorem2.Thresholds) -> JSONValue {
    var top: [(String, JSONValue)] = [
      ("theorem", .string("2")),
      ("verdict", .string(sweep.verdict.rawValue)),
      ("reason", .string(sweep.reason)),
      ("statement", .string(Theorem2.statement.oneLine)),
      ("identities", IdentityReport.json(Theorem2.identityResults(networks: Set(c.networks)))),
      ("objectiveNormalization", .string("(1/p) Σ_j mult_j |ρ_j|^p, p = 2/L; stationarity |ρ_j|^{p−2} ρ_j = conj([S Σ_i λ_i y_i x_i]_j)")),
      ("configuration", .object([
        ("seed", .integer(Int(truncatingIfNeeded: c.seed))),
        ("loss", .string(c.loss.rawValue)),
        ("initScale", .number(c.initScale)),
        ("horizon", .number(c.horizon)),
        ("claimedExponent", c.claimedExponent.map(JSONValue.number) ?? .null),
      ])),
      ("thresholds", .object([
        ("certificateResidual", .number(t.certificateResidual)),
        ("distanceBound", .number(t.distanceBound)),
        ("distanceFloor", .number(t.distanceFloor)),
        ("globalOptimumAgreement", .number(t.globalOptimumAgreement)),
        ("refutationResidual", .number(t.refutationResidual)),
        ("decidedFraction", .number(t.decidedFraction)),
        ("activeTolerance", .number(KKTDefaults.active)),
        ("supportTolerance", .number(KKTDefaults.support)),
      ])),
      ("cases", .array(sweep.cases.map(caseJSON))),
    ]
    if let ce = sweep.counterexample {
      top.append(("counterexample", .object([
        ("originalSeed", .integer(Int(truncatingIfNeeded: ce.originalSeed))),
        ("shrinkSteps", .integer(ce.shrinkSteps)),
        ("inputs", .array((0..<ce.shrunkCase.data.count).map { i in .array(ce.shrunkCase.data.inputs.row(i).map(JSONValue.number)) })),
        ("labels", .array(ce.shrunkCase.data.labels.map(JSONValue.number))),
        ("case", caseJSON(ce.result)),
      ])))
    }
    return .object(top)
  }

  static func caseJSON(_ r: CaseResult) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("seed", .integer(Int(truncatingIfNeeded: r.seed))),
      ("network", .string(r.networkKind.rawValue)),
      ("depth", .integer(r.depth)),
      ("n", .integer(r.n)),
      ("d", .integer(r.d)),
      ("loss", .string(r.loss.rawValue)),
      ("exponent", .number(r.exponent)),
      ("claimedExponent", .number(r.claimedExponent)),
      ("verdict", .string(r.verdict.rawValue)),
      ("reason", .string(r.reason)),
      ("hypotheses", .array(r.hypotheses.map { h in
        .object([("name", .string(h.name)), ("met", .bool(h.met)), ("detail", .string(h.detail))])
      })),
      ("checkpoints", .array(r.checkpoints.map { cp in
        .object([
          ("logInverseLoss", .number(cp.logInverseLoss)),
          ("kktResidual", .number(cp.kktResidual)),
          ("distanceToCertificate", cp.distanceToCertificate.map(JSONValue.number) ?? .null),
          ("parameterResidual", .number(cp.parameterResidual)),
          ("conservationDrift", .number(cp.conservationDrift)),
          ("acceptedSteps", .integer(cp.acceptedSteps)),
          ("rejectedSteps", .integer(cp.rejectedSteps)),
          ("evaluations", .integer(cp.evaluations)),
        ])
      })),
      ("direction", .array(r.direction.map(JSONValue.number))),
      ("transformedDirection", transformedJSON(r.transformedDirection, space: r.space)),
      ("support", .array(r.support.map { .integer(r.space.modeIndex[$0]) })),
      ("active", .array(r.active.map(JSONValue.integer))),
      ("fittedRate", r.fittedRate.map(JSONValue.number) ?? .null),
      ("globalOptimumDistance", r.globalOptimumDistance.map(JSONValue.number) ?? .null),
    ]
    if r.claimedExponent != r.exponent {
      fields.append(("claimedResidual", r.claimedResidual.map(JSONValue.number) ?? .null))
      fields.append(("claimedOptimumDistance", r.claimedOptimumDistance.map(JSONValue.number) ?? .null))
    }
    if let cert = r.certificate {
      fields.append(("certificate", .object([
        ("direction", .array(cert.direction.map(JSONValue.number))),
        ("transformedPoint", transformedJSON(cert.point, space: r.space)),
        ("multipliers", .array(cert.multipliers.map(JSONValue.number))),
        ("residual", .number(cert.residual)),
        ("support", .array(cert.support.map { .integer(r.space.modeIndex[$0]) })),
        ("active", .array(cert.active.map(JSONValue.integer))),
      ])))
    } else {
      fields.append(("certificate", .null))
    }
    return .object(fields)
  }

  /// Real modes as numbers, complex modes as [re, im] pairs (stored modes j = 0…⌊d/2⌋ of a
  /// convolutional network; the others are their conjugates).
  static func transformedJSON(_ rho: [Double], space: TransformedSpace) -> JSONValue {
    guard rho.count == space.coordinateCount else { return .array([]) }
    return .array((0..<space.groupCount).map { g in
      let o = space.offsets[g]
      return space.isComplex[g] ? .array([.number(rho[o]), .number(rho[o + 1])]) : .number(rho[o])
    })
  }
}

/// The default KKT tolerances, for reports.
enum KKTDefaults {
  static let active = 1e-3
  static let support = 1e-4
}
