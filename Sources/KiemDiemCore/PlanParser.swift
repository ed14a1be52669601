import Foundation
import Yams

/// Reads a plan YAML into a validated `Plan`; every error names the file, line and reason.
public enum PlanParser {
    public static func parse(_ text: String, source: String) throws(InputErrors) -> Plan {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw InputErrors([InputError(source: source, line: 1, reason: "empty plan")])
            }
            root = node
        } catch let e as InputErrors {
            throw e
        } catch let e as YamlError {
            throw InputErrors([yamlError(e, source: source)])
        } catch {
            throw InputErrors([InputError(source: source, reason: "cannot read YAML: \(error)")])
        }
        var r = Reader(source: source)
        let plan = r.plan(root)
        if !r.errors.isEmpty || plan == nil { throw InputErrors(r.errors) }
        return plan!
    }

    public static func yamlError(_ e: YamlError, source: String) -> InputError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return InputError(source: source, line: mark.line, column: mark.column, reason: "invalid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return InputError(source: source, line: context.mark.line, reason: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return InputError(source: source, reason: "invalid YAML: \(e)")
        }
    }

    private struct Reader {
        let source: String
        var errors: [InputError] = []

        mutating func fail(_ node: Node?, _ reason: String) {
            errors.append(InputError(source: source, line: node?.mark?.line, column: node?.mark?.column, reason: reason))
        }

        mutating func mapping(_ node: Node, _ what: String, keys: Set<String>) -> [String: Node]? {
            guard let m = node.mapping else { fail(node, "\(what) must be a mapping"); return nil }
            var out: [String: Node] = [:]
            for (k, v) in m {
                guard let key = k.string else { fail(k, "\(what): keys must be strings"); continue }
                if !keys.contains(key) { fail(k, "\(what): unknown key '\(key)' (expected one of \(keys.sorted().joined(separator: ", ")))"); continue }
                out[key] = v
            }
            return out
        }

        mutating func string(_ m: [String: Node], _ key: String, _ what: String, required: Bool = true, parent: Node) -> String? {
            guard let n = m[key] else { if required { fail(parent, "\(what): missing '\(key)'") }; return nil }
            guard n.scalar != nil, let s = n.string, !s.isEmpty else { fail(n, "\(what).\(key) must be a non-empty string"); return nil }
            return s
        }

        mutating func code(_ m: [String: Node], _ key: String, _ what: String, parent: Node) -> String? {
            guard let s = string(m, key, what, parent: parent) else { return nil }
            guard Code.isValid(s) else { fail(m[key], "\(what).\(key) '\(s)' must match [a-z0-9-]+"); return nil }
            return s
        }

        mutating func instant(_ n: Node?, _ what: String, zone: TimeZone) -> Date? {
            guard let n else { return nil }
            guard let s = n.scalar?.string, let d = Instant.parse(s, timeZone: zone) else {
                fail(n, "\(what) '\(n.scalar?.string ?? "")' is not an ISO 8601 instant with offset or a date YYYY-MM-DD"); return nil
            }
            return d
        }

        mutating func duration(_ n: Node?, _ what: String) -> Int64? {
            guard let n else { return nil }
            guard let s = n.scalar?.string, let v = DurationText.seconds(s) else {
                fail(n, "\(what) '\(n.scalar?.string ?? "")' is not a duration such as 90s, 15m, 12h, 7d"); return nil
            }
            return v
        }

        mutating func plan(_ node: Node) -> Plan? {
            let keys: Set<String> = ["id", "title", "root", "year", "opens", "timezone", "ruleset", "quota", "stages", "escalation",
                                     "directed_review", "remediation", "documents"]
            guard let m = mapping(node, "plan", keys: keys) else { return nil }
            let id = code(m, "id", "plan", parent: node)
            let title = string(m, "title", "plan", parent: node)
            let root = code(m, "root", "plan", parent: node)
            let tzName = string(m, "timezone", "plan", required: false, parent: node) ?? "Asia/Ho_Chi_Minh"
            let zone = TimeZone(identifier: tzName)
            if zone == nil { fail(m["timezone"], "plan.timezone '\(tzName)' is not a known time zone") }
            let z = zone ?? TimeZone(secondsFromGMT: 7 * 3600)!
            var year: Int?
            if let y = m["year"] {
                if let v = y.int, (1930...9999).contains(v) { year = v } else { fail(y, "plan.year must be a year such as 2022") }
            } else { fail(node, "plan: missing 'year'") }
            let opens = m["opens"] == nil ? { fail(node, "plan: missing 'opens'"); return nil }() : instant(m["opens"], "plan.opens", zone: z)
            var ruleset = Ruleset.hd21
            if let n = m["ruleset"] {
                if let s = n.string, let r = Ruleset(rawValue: s) { ruleset = r } else {
                    fail(n, "plan.ruleset '\(n.string ?? "")' is unknown (expected \(Ruleset.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
            }
            var quota: Quota? = Quota()
            if let q = m["quota"], q.string == "none" {
                quota = nil
            } else if m["quota"] == nil, ruleset == .qd366 {
                // Quy định 366-QĐ/TW leaves the party's cap to the yearly guidance: the plan says it.
                fail(node, "plan.quota: a qd366-2025 plan must state its quota (for example quota: {share: 0.20, denominator: good}, or quota: none)")
            } else if let q = m["quota"], let qm = mapping(q, "quota", keys: ["share", "denominator"]) {
                var qq = Quota()
                defer { quota = qq }
                if let s = qm["share"] {
                    if let v = s.float, v >= 0, v <= 1 { qq.share = v } else { fail(s, "quota.share must be a number between 0 and 1") }
                }
                if let d = qm["denominator"] {
                    if let s = d.string, let v = Quota.Denominator(rawValue: s) { qq.denominator = v } else {
                        fail(d, "quota.denominator must be 'good' or 'good-or-better'")
                    }
                }
            }
            var stages: [Stage] = []
            var stageNodes: [String: Node] = [:]
            if let sn = m["stages"] {
                guard case .sequence(let seq) = sn, !seq.isEmpty else { fail(sn, "plan.stages must be a non-empty list"); return nil }
                for s in seq {
                    if let st = stage(s, zone: z) {
                        if stageNodes[st.id] != nil { fail(s, "stage '\(st.id)' is defined twice"); continue }
                        stageNodes[st.id] = s
                        stages.append(st)
                    }
                }
            } else { fail(node, "plan: missing 'stages'") }
            // Cross-stage rules: `after` names known stages and is not due later than the stage.
            for st in stages {
                for a in st.after {
                    guard let other = stages.first(where: { $0.id == a }) else {
                        fail(stageNodes[st.id], "stage '\(st.id)' comes after unknown stage '\(a)'"); continue
                    }
                    if a == st.id { fail(stageNodes[st.id], "stage '\(st.id)' comes after itself"); continue }
                    if st.due < other.due {
                        fail(stageNodes[st.id], "stage '\(st.id)' is due \(Instant.format(st.due, timeZone: z)), before stage '\(a)' (due \(Instant.format(other.due, timeZone: z))) that it comes after")
                    }
                }
                if let opens, let so = st.opens, so < opens {
                    fail(stageNodes[st.id], "stage '\(st.id)' opens \(Instant.format(so, timeZone: z)), before the plan opens (\(Instant.format(opens, timeZone: z)))")
                }
                if let opens, st.due <= opens {
                    fail(stageNodes[st.id], "stage '\(st.id)' is due \(Instant.format(st.due, timeZone: z)), not after the plan opens (\(Instant.format(opens, timeZone: z)))")
                }
            }
            for st in stages where st.isStudy {
                if (m["documents"].map { node -> Bool in if case .sequence(let s) = node { return s.isEmpty } else { return true } }) ?? true {
                    fail(stageNodes[st.id], "stage '\(st.id)' is a study stage, but the plan lists no documents")
                }
            }
            if let cycle = Reader.afterCycle(stages) {
                fail(stageNodes[cycle[0]], "stages come after each other in a cycle: \(cycle.joined(separator: " → "))")
            }
            var escalation: Escalation?
            if let e = m["escalation"] { escalation = self.escalation(e) }
            var directed: Int64?
            var directedRating: DirectedReviewRating?
            if let d = m["directed_review"], let dm = mapping(d, "directed_review", keys: ["due_in", "rating"]) {
                directed = duration(dm["due_in"], "directed_review.due_in")
                if let r = dm["rating"] {
                    if let v = r.string.flatMap(DirectedReviewRating.init(rawValue:)) { directedRating = v } else {
                        fail(r, "directed_review.rating '\(r.string ?? "")' must be refuse or warn")
                    }
                }
            }
            var remediation: Int64?
            if let d = m["remediation"], let dm = mapping(d, "remediation", keys: ["due_in"]) { remediation = duration(dm["due_in"], "remediation.due_in") }
            var documents: [String] = []
            if let d = m["documents"] {
                if case .sequence(let seq) = d { documents = seq.compactMap(\.string) } else { fail(d, "plan.documents must be a list of strings") }
            }
            guard errors.isEmpty, let id, let title, let root, let year, let opens else { return nil }
            return Plan(id: id, title: title, root: root, year: year, opens: opens, timeZone: tzName, ruleset: ruleset, quota: quota,
                        stages: stages, escalation: escalation, directedReviewDueIn: directed, remediationDueIn: remediation, documents: documents,
                        directedReviewRating: directedRating)
        }

        /// A cycle in `after` (possible only among stages due at the same instant), if any.
        static func afterCycle(_ stages: [Stage]) -> [String]? {
            let byId = Dictionary(stages.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var state: [String: Int] = [:] // 1 visiting, 2 done
            var path: [String] = []
            func visit(_ id: String) -> [String]? {
                if state[id] == 2 { return nil }
                if state[id] == 1 { return Array(path[path.firstIndex(of: id)!...]) + [id] }
                state[id] = 1
                path.append(id)
                for a in byId[id]?.after ?? [] where byId[a] != nil { if let c = visit(a) { return c } }
                path.removeLast()
                state[id] = 2
                return nil
            }
            for s in stages { if let c = visit(s.id) { return c } }
            return nil
        }

        mutating func stage(_ node: Node, zone: TimeZone) -> Stage? {
            guard let m = mapping(node, "stage", keys: ["id", "title", "for", "due", "opens", "after", "reminders", "kind", "remind", "ratings"]) else { return nil }
            let id = code(m, "id", "stage", parent: node)
            let what = "stage '\(id ?? "?")'"
            let title = string(m, "title", what, parent: node)
            var scope: StageScope?
            if let f = m["for"] {
                if let s = f.scalar?.string {
                    if s == "members" { scope = .members } else if let k = UnitKind(rawValue: s) { scope = .units([k]) } else {
                        fail(f, "\(what).for '\(s)' must be 'members' or a list of unit kinds")
                    }
                } else if case .sequence(let seq) = f, !seq.isEmpty {
                    var kinds = Set<UnitKind>()
                    for k in seq {
                        if let s = k.string, let kind = UnitKind(rawValue: s) { kinds.insert(kind) } else {
                            fail(k, "\(what).for: unknown unit kind '\(k.string ?? "")' (expected \(UnitKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                        }
                    }
                    scope = .units(kinds)
                } else { fail(f, "\(what).for must be 'members' or a list of unit kinds") }
            } else { fail(node, "\(what): missing 'for'") }
            let due = m["due"] == nil ? { fail(node, "\(what): missing 'due'"); return nil }() : instant(m["due"], "\(what).due", zone: zone)
            let opens = instant(m["opens"], "\(what).opens", zone: zone)
            if let opens, let due, opens >= due { fail(m["opens"], "\(what) opens at or after its due instant") }
            var after: [String] = []
            if let a = m["after"] {
                if case .sequence(let seq) = a { after = seq.compactMap { n in n.string.flatMap { Code.isValid($0) ? $0 : nil } ?? { fail(n, "\(what).after: '\(n.string ?? "")' is not a stage id"); return nil }() } }
                else if let s = a.string { after = [s] } else { fail(a, "\(what).after must be a list of stage ids") }
            }
            var reminders: [Int64] = []
            if let r = m["reminders"] {
                if case .sequence(let seq) = r {
                    for n in seq {
                        if let v = duration(n, "\(what).reminders") {
                            if v <= 0 { fail(n, "\(what).reminders: a lead time must be positive") } else { reminders.append(v) }
                        }
                    }
                    if Set(reminders).count != reminders.count { fail(r, "\(what).reminders lists a lead time twice") }
                } else { fail(r, "\(what).reminders must be a list of durations such as [7d, 3d, 1d]") }
            }
            var kind: StageKind?
            if let k = m["kind"] {
                if let s = k.string, let v = StageKind(rawValue: s) { kind = v == .review ? nil : v } else { fail(k, "\(what).kind must be review or study") }
            }
            var remind: [RemindTarget]?
            if let r = m["remind"] {
                let values: [String]? = if case .sequence(let seq) = r { seq.compactMap(\.string) } else { nil }
                let targets = (values ?? []).compactMap(RemindTarget.init(rawValue:))
                if values == nil || targets.isEmpty || targets.count != values!.count || Set(targets).count != targets.count {
                    fail(r, "\(what).remind must be a list of unit and/or members, such as [unit, members]")
                } else if scope != nil, scope != .members, targets.contains(.members) {
                    fail(r, "\(what).remind: members applies to a stage for members only")
                } else { remind = targets }
            }
            var ratings: RatingNeeds?
            if let r = m["ratings"] {
                if r.string == "none" {
                    ratings = RatingNeeds()
                } else if let rm = mapping(r, "\(what).ratings", keys: ["self", "units", "members"]) {
                    var needs = RatingNeeds()
                    for (key, path) in [("self", \RatingNeeds.ownRating), ("units", \RatingNeeds.units), ("members", \RatingNeeds.members)] {
                        guard let n = rm[key] else { continue }
                        if let v = n.string.flatMap(RatingStatus.init(rawValue:)) { needs[keyPath: path] = v } else {
                            fail(n, "\(what).ratings.\(key) must be proposed or decided")
                        }
                    }
                    if scope == .members, needs != RatingNeeds() { fail(r, "\(what).ratings: a stage for members completes no rating") }
                    ratings = needs
                }
            }
            guard let id, let title, let scope, let due else { return nil }
            var stage = Stage(id: id, title: title, scope: scope, due: due, opens: opens, after: after, reminders: reminders)
            stage.kind = kind
            stage.remind = remind
            stage.ratings = ratings
            return stage
        }

        mutating func escalation(_ node: Node) -> Escalation? {
            guard let m = mapping(node, "escalation", keys: ["ladder", "repeat", "notify_resolved", "above"]) else { return nil }
            var steps: [Escalation.Step] = []
            if let l = m["ladder"] {
                guard case .sequence(let seq) = l, !seq.isEmpty else { fail(l, "escalation.ladder must be a non-empty list"); return nil }
                for s in seq {
                    guard let sm = mapping(s, "escalation step", keys: ["after", "to", "repeat"]) else { continue }
                    let after = duration(sm["after"], "escalation step.after")
                    guard let t = sm["to"]?.string, let to = Escalation.Target(rawValue: t) else {
                        fail(sm["to"] ?? s, "escalation step.to must be unit, parent, grandparent or root"); continue
                    }
                    // A step's own repeat: a duration of 1h or more, or `none`.
                    var stepRepeat: Int64?
                    if let r = sm["repeat"] {
                        if r.string == "none" { stepRepeat = 0 } else if let d = duration(r, "escalation step.repeat") {
                            if d < 3600 { fail(r, "escalation step.repeat must be at least 1h, or none") } else { stepRepeat = d }
                        }
                    }
                    if let after { steps.append(.init(after: after, to: to, repeatEvery: stepRepeat)) }
                }
                if steps.map(\.after) != steps.map(\.after).sorted() { fail(l, "escalation.ladder steps must be in order of 'after'") }
            }
            let rep = duration(m["repeat"], "escalation.repeat")
            // The last step repeats for months: a repeat of seconds would be millions of messages
            // (found by fuzzing: `repeat: 1s` exhausted memory in the schedule).
            if let rep, rep < 3600 { fail(m["repeat"], "escalation.repeat must be at least 1h (a committee is not reminded every few seconds)") }
            var notify: Bool?
            if let n = m["notify_resolved"] {
                switch n.string { case "true": notify = true; case "false": notify = false; default: fail(n, "escalation.notify_resolved must be true or false") }
            }
            var esc = Escalation(ladder: steps, repeatEvery: rep, notifyResolved: notify)
            if let a = m["above"] { esc.above = above(a) }
            return esc
        }

        /// `escalation.above: {name, email?, phone?}`: the body above the campaign's root.
        mutating func above(_ node: Node) -> Escalation.Above? {
            guard let m = mapping(node, "escalation.above", keys: ["name", "email", "phone"]) else { return nil }
            let name = string(m, "name", "escalation.above", parent: node)
            let email = string(m, "email", "escalation.above", required: false, parent: node)
            if let email, !Reader.looksLikeEmail(email) {
                fail(m["email"], "escalation.above.email '\(email.prefix(80))' is not an e-mail address")
            }
            var phone: String?
            if let p = string(m, "phone", "escalation.above", required: false, parent: node) {
                if let n = Phone.normalized(p) { phone = n } else { fail(m["phone"], "escalation.above.phone '\(p.prefix(40))' must be 8 to 15 digits, with an optional leading +") }
            }
            if m["email"] == nil, m["phone"] == nil {
                fail(node, "escalation.above: give an 'email' or a 'phone' to reach \(name ?? "the body above the root")")
            }
            guard let name else { return nil }
            return Escalation.Above(name: name, email: email, phone: phone)
        }

        /// One `@` with text on both sides, no space or control character.
        static func looksLikeEmail(_ s: String) -> Bool {
            let parts = s.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
                && !s.unicodeScalars.contains { CharacterSet.whitespacesAndNewlines.contains($0) || CharacterSet.controlCharacters.contains($0) }
        }
    }
}
