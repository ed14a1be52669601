import Foundation

/// An independent reading of the rating rules (docs/rules.md, "Rules in force"),
/// written apart from `RatingRules`: its own plain model of the tree and the ratings, its own
/// arithmetic, no code shared with the engine (this target imports none of the product's modules). The property
/// tests compare the engine's answers with it, operation by operation; the acceptance test checks
/// the final state of a whole campaign with it.
public struct RatingOracle {
    public init() {}

    public struct Unit {
        public var id: String
        public var parent: String?
        public var kind: String
        public var head: String?
        public var disciplined = false
        public init(id: String, parent: String?, kind: String, head: String?, disciplined: Bool = false) {
            self.id = id
            self.parent = parent
            self.kind = kind
            self.head = head
            self.disciplined = disciplined
        }
    }

    public struct Person {
        public var id: String
        public var cell: String
        public var leader: Bool // secretary, deputy or committee
        public var disciplined = false
        public init(id: String, cell: String, leader: Bool, disciplined: Bool = false) {
            self.id = id
            self.cell = cell
            self.leader = leader
            self.disciplined = disciplined
        }
    }

    /// "member:m1" / "unit:c1" → status ("proposed"/"decided") → its rating.
    public struct Rating: Equatable, Sendable {
        public var level: Int // 0 failed … 3 excellent
        public var commendation: Bool
        public init(level: Int, commendation: Bool = false) {
            self.level = level
            self.commendation = commendation
        }
    }

    public typealias Ratings = [String: [String: Rating]]

    public var units: [String: Unit] = [:]
    public var people: [String: Person] = [:]
    public var roleGroups = false // qd124-2023
    public var unitDisciplineRule = false // qd124-2023: > 20% of subordinate units disciplined
    /// nil: no cap.
    public var share: Double? = 0.2
    /// Members not rated this year.
    public var exempt: Set<String> = []
    public var countExcellentInDenominator = false
    public var concludedUnits: Set<String> = [] // disunity
    public var concludedPeople: Set<String> = [] // degradation, self-evolution, self-transformation

    public static let levels = ["failed", "completed", "good", "excellent"]

    public func kids(_ u: String) -> [String] { units.values.filter { $0.parent == u }.map(\.id).sorted() }
    public func cellMembers(_ u: String) -> [String] { people.values.filter { $0.cell == u }.map(\.id).sorted() }

    public func isGrassroots(_ u: String) -> Bool { ["grassroots-committee", "grassroots-cell"].contains(units[u]?.kind ?? "") }

    public func grassrootsOf(_ u: String) -> String? {
        var cur: String? = u
        while let c = cur {
            if isGrassroots(c) { return c }
            cur = units[c]?.parent
        }
        return nil
    }

    public func peopleIn(_ org: String) -> [String] { people.values.filter { grassrootsOf($0.cell) == org }.map(\.id).sorted() }

    public func effective(_ r: Ratings, _ key: String) -> Rating? { r[key]?["decided"] ?? r[key]?["proposed"] }

    /// Every broken rule of a state, each as "rule|where|the ratings at fault".
    ///
    /// As docs/rules.md states them: a proposal no longer counts once its subject is decided; a
    /// collective's proposal reads its parts' proposals, its decision their decisions (each part
    /// falling back on what it has); an exempt member is never rated and counts nowhere; the quota
    /// of an organization is broken as soon as its decided `excellent` exceed the share of the
    /// decided `good` plus all its parts still undecided.
    public func broken(_ r: Ratings) -> Set<String> {
        var out = Set<String>()
        for (key, byStatus) in r {
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            let (kind, id) = (parts[0], parts[1])
            for (status, rating) in byStatus {
                if status == "proposed", byStatus["decided"] != nil { continue } // superseded
                let at = "\(key):\(status)"
                if kind == "member", exempt.contains(id) { out.insert("exempt|\(at)"); continue }
                let disciplined = kind == "member" ? people[id]?.disciplined == true : units[id]?.disciplined == true
                // One finding per subject: its decision, or its proposal while it has none.
                if disciplined, rating.level > 0 { out.insert("disciplined|\(key)") }
                let concluded = kind == "member" ? concludedPeople.contains(id) : concludedUnits.contains(id)
                if concluded, rating.level > 0 { out.insert("conclusion|\(key)") }
                if rating.commendation, rating.level != 3 { out.insert("commendation|\(at)") }
                if kind == "member", status == "decided" {
                    for u in units.values where u.head == id {
                        if let unitLevel = r["unit:\(u.id)"]?["decided"]?.level {
                            if rating.level > unitLevel { out.insert("head-above-unit|\(u.id)|\(at)") }
                        } else {
                            out.insert("order-head|\(u.id)|\(at)")
                        }
                    }
                }
                if kind == "unit", rating.level == 3 {
                    let isCell = ["cell", "grassroots-cell"].contains(units[id]?.kind ?? "")
                    let keys = isCell ? cellMembers(id).filter { !exempt.contains($0) }.map { "member:\($0)" } : kids(id).map { "unit:\($0)" }
                    // A decision: parts not decided yet may still be decided good (count them so);
                    // a proposal: the parts' proposals, else decisions, and an unreviewed part fails it.
                    let levels = keys.map { k -> Int? in
                        status == "decided" ? (r[k]?["decided"]?.level ?? (forced(k) ? 0 : 2)) : (r[k]?["proposed"]?.level ?? r[k]?["decided"]?.level)
                    }
                    let ok = levels.allSatisfy { ($0 ?? -1) >= 1 } && levels.filter { ($0 ?? -1) >= 2 }.count * 5 >= keys.count * 4
                    if !ok { out.insert("excellent-unit|\(at)") }
                }
                if kind == "unit", unitDisciplineRule, rating.level > 0 {
                    let k = kids(id)
                    if !k.isEmpty, k.filter({ units[$0]?.disciplined == true }).count * 5 > k.count { out.insert("disciplined-units|\(at)") }
                }
            }
        }
        // The quota over each grassroots organization, and over the bloc's organizations.
        for org in units.keys where isGrassroots(org) {
            let members = peopleIn(org).filter { !exempt.contains($0) }
            let groups = roleGroups ? [members.filter { people[$0]!.leader }, members.filter { !people[$0]!.leader }] : [members]
            for g in groups {
                out.formUnion(quota(g.map { "member:\($0)" }, r, at: org))
            }
        }
        for bloc in units.values where bloc.kind == "bloc" {
            out.formUnion(quota(kids(bloc.id).map { "unit:\($0)" }, r, at: bloc.id))
        }
        return out
    }

    /// A discipline or a conclusion leaves this subject only `failed`.
    public func forced(_ key: String) -> Bool {
        let p = key.split(separator: ":", maxSplits: 1).map(String.init)
        return p[0] == "member" ? (people[p[1]]?.disciplined == true || concludedPeople.contains(p[1]))
            : (units[p[1]]?.disciplined == true || concludedUnits.contains(p[1]))
    }

    public func quota(_ keys: [String], _ r: Ratings, at scope: String) -> Set<String> {
        guard let share else { return [] }
        let excellent = keys.filter { r[$0]?["decided"]?.level == 3 }
        let good = keys.filter { r[$0]?["decided"]?.level == 2 }.count
        let undecided = keys.filter { r[$0]?["decided"] == nil && !forced($0) }.count
        // The best the rest can do: every undecided part decided good.
        let base = Double(good + undecided + (countExcellentInDenominator ? excellent.count : 0))
        // "không vượt quá 20%": the largest whole number n with n ≤ share × base.
        var allowed = 0
        while Double(allowed + 1) <= share * base + 1e-9 { allowed += 1 }
        return excellent.count > allowed ? ["quota|\(scope)|\(excellent.sorted().joined(separator: ","))"] : []
    }

    /// Rule 7 for what a change decides, in the state it leads to.
    public func orderBroken(_ decided: [String], in r: Ratings) -> Bool {
        for key in decided {
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            if parts[0] == "unit" {
                if kids(parts[1]).contains(where: { r["unit:\($0)"]?["decided"] == nil }) { return true }
                if cellMembers(parts[1]).contains(where: { !exempt.contains($0) && effective(r, "member:\($0)") == nil }) { return true }
            } else if let cell = people[parts[1]]?.cell {
                // A grassroots cell decides its members after rating itself; a cell's members
                // are decided after the committee above decides the cell.
                let ready = units[cell]?.kind == "grassroots-cell" ? effective(r, "unit:\(cell)") != nil : r["unit:\(cell)"]?["decided"] != nil
                if !ready { return true }
            }
        }
        return false
    }
}
