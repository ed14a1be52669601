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
    public var share = 0.2
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
    public func broken(_ r: Ratings, closed: Set<String>) -> Set<String> {
        var out = Set<String>()
        for (key, byStatus) in r {
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            let (kind, id) = (parts[0], parts[1])
            for (status, rating) in byStatus {
                let at = "\(key):\(status)"
                let disciplined = kind == "member" ? people[id]?.disciplined == true : units[id]?.disciplined == true
                if disciplined, rating.level > 0 { out.insert("disciplined|\(at)") }
                let concluded = kind == "member" ? concludedPeople.contains(id) : concludedUnits.contains(id)
                if concluded, rating.level > 0 { out.insert("conclusion|\(at)") }
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
                    let keys = isCell ? cellMembers(id).map { "member:\($0)" } : kids(id).map { "unit:\($0)" }
                    let levels = keys.map { effective(r, $0)?.level }
                    let ok = levels.allSatisfy { ($0 ?? -1) >= 1 } && levels.filter { ($0 ?? -1) >= 2 }.count * 5 >= keys.count * 4
                    if !ok { out.insert("excellent-unit|\(at)") }
                }
                if kind == "unit", unitDisciplineRule, rating.level > 0 {
                    let k = kids(id)
                    if !k.isEmpty, k.filter({ units[$0]?.disciplined == true }).count * 5 > k.count { out.insert("disciplined-units|\(at)") }
                }
            }
        }
        // The quota over each grassroots organization whose members are all decided (or closed).
        for org in units.keys where isGrassroots(org) {
            let members = peopleIn(org)
            guard closed.contains(org) || members.allSatisfy({ r["member:\($0)"]?["decided"] != nil }) else { continue }
            let groups = roleGroups ? [members.filter { people[$0]!.leader }, members.filter { !people[$0]!.leader }] : [members]
            for g in groups {
                out.formUnion(quota(g.map { "member:\($0)" }, r, at: org))
            }
        }
        for bloc in units.values where bloc.kind == "bloc" {
            let k = kids(bloc.id)
            if closed.contains(bloc.id) || k.allSatisfy({ r["unit:\($0)"]?["decided"] != nil }) {
                out.formUnion(quota(k.map { "unit:\($0)" }, r, at: bloc.id))
            }
        }
        return out
    }

    public func quota(_ keys: [String], _ r: Ratings, at scope: String) -> Set<String> {
        let excellent = keys.filter { r[$0]?["decided"]?.level == 3 }
        let good = keys.filter { r[$0]?["decided"]?.level == 2 }.count
        let base = Double(good + (countExcellentInDenominator ? excellent.count : 0))
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
                if cellMembers(parts[1]).contains(where: { effective(r, "member:\($0)") == nil }) { return true }
            } else if let cell = people[parts[1]]?.cell, r["unit:\(cell)"]?["decided"] == nil {
                return true
            }
        }
        return false
    }
}
