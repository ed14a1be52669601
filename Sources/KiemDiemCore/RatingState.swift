import Foundation

/// The organization tree as the rating rules read it, built once per check.
public struct RatingTree: Sendable {
    public let units: [String: OrgUnit]
    public let children: [String: [String]]
    public let members: [String: Member]
    public let membersOf: [String: [String]]
    /// The units a member heads (is the `head` of).
    public let headed: [String: [String]]
    /// Members not rated this year, with the reason (miễn đánh giá: excused from work and party
    /// activities, suspended, admitted less than six months ago): they are in `members` (a rating
    /// of them is refused by name) but in no `membersOf` list, so they count neither in the quota,
    /// nor in rule 5, nor in what a stage needs decided. Members who left are not in the tree.
    public let exempt: [String: String]
    /// The exempt members of each cell.
    public let exemptOf: [String: [String]]

    public init(units: [OrgUnit], members: [Member]) {
        self.units = Dictionary(units.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var children: [String: [String]] = [:]
        var headed: [String: [String]] = [:]
        for u in units {
            if let p = u.parent { children[p, default: []].append(u.id) }
            if let h = u.head { headed[h, default: []].append(u.id) }
        }
        self.children = children.mapValues { $0.sorted() }
        self.headed = headed.mapValues { $0.sorted() }
        let present = members.filter { $0.left == nil }
        self.members = Dictionary(present.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var membersOf: [String: [String]] = [:]
        var exempt: [String: String] = [:], exemptOf: [String: [String]] = [:]
        for m in present {
            if let why = m.exempt {
                exempt[m.id] = why
                exemptOf[m.unit, default: []].append(m.id)
            } else {
                membersOf[m.unit, default: []].append(m.id)
            }
        }
        self.exempt = exempt
        self.exemptOf = exemptOf.mapValues { $0.sorted() }
        self.membersOf = membersOf.mapValues { $0.sorted() }
    }

    /// The unit and its ancestors up to the root, nearest first.
    public func lineage(of unit: String) -> [String] {
        var out: [String] = []
        var cur: String? = unit
        while let c = cur, let u = units[c], !out.contains(c) {
            out.append(c)
            cur = u.parent
        }
        return out
    }

    /// The grassroots organization a unit belongs to (itself if it is one).
    public func grassroots(of unit: String) -> String? {
        lineage(of: unit).first { units[$0]?.kind.isGrassroots == true }
    }

    /// Every member of the cells in a unit's subtree.
    public func membersInSubtree(of unit: String) -> [String] {
        var out: [String] = []
        var stack = [unit]
        while let u = stack.popLast() {
            out += membersOf[u] ?? []
            stack += children[u] ?? []
        }
        return out
    }

    /// The unit whose rules a subject's ratings are checked under: a member's cell, or the unit.
    public func home(of key: RatingKey) -> String? {
        key.kind == .member ? members[key.subject]?.unit : (units[key.subject] != nil ? key.subject : nil)
    }

    /// Its leadership collective, as the tree knows it: the head, and in a cell the members with a
    /// committee role (secretary, deputy, committee).
    public func leadership(of unit: String) -> [String] {
        var ids = Set(units[unit]?.head.map { [$0] } ?? [])
        if units[unit]?.kind.holdsMembers == true {
            for m in membersOf[unit] ?? [] where members[m]?.role != .member { ids.insert(m) }
        }
        return ids.sorted()
    }

    func name(_ key: RatingKey) -> String {
        switch key.kind {
        case .member: members[key.subject].map { Findings.member(name: $0.name, id: key.subject) } ?? key.subject
        case .unit: units[key.subject].map { Findings.unit(name: $0.name, id: key.subject) } ?? key.subject
        }
    }
}

/// Everything the rules hold over in one campaign: the tree, the ratings in force (proposed and
/// decided), the facts that force a level (discipline, conclusions), shortcomings from earlier
/// campaigns still open, and the organizations whose review is closed. Pure value: a change is
/// checked by applying it to a copy and evaluating the rules over the result.
public struct RatingState: Sendable {
    public var tree: RatingTree
    public var year: Int
    public var ruleset: Ruleset
    /// nil: no cap (`quota: none`).
    public var quota: Quota?
    public private(set) var ratings: [RatingKey: [RatingStatus: RatingEntry]] = [:]
    /// Competent conclusions recorded in the campaign's year (docs/rules.md rule 4).
    public var conclusions: [RatingKey: Set<FlagReason>] = [:]
    /// Open remediation items raised in earlier campaigns, per subject.
    public var earlierRemediation: [RatingKey: Int] = [:]

    public init(tree: RatingTree, year: Int, ruleset: Ruleset, quota: Quota?, ratings: [RatingEntry] = []) {
        self.tree = tree
        self.year = year
        self.ruleset = ruleset
        self.quota = quota
        for r in ratings { set(r) }
    }

    public func rating(_ key: RatingKey, _ status: RatingStatus) -> RatingEntry? { ratings[key]?[status] }

    /// A rating the rules hold over: a proposal stops counting once the subject is decided (the
    /// decision supersedes it; a stale proposal keeps no conflict alive).
    public func inForce(_ key: RatingKey, _ status: RatingStatus) -> RatingEntry? {
        status == .proposed && ratings[key]?[.decided] != nil ? nil : ratings[key]?[status]
    }

    /// A part of a collective as a rating of that collective reads it (rule 5): a proposal reads
    /// its parts' proposals (the cell proposes from its members' reviews), a decision their
    /// decisions; either falls back on the other where the part has only one.
    public func part(_ key: RatingKey, as status: RatingStatus) -> RatingEntry? {
        let other: RatingStatus = status == .proposed ? .decided : .proposed
        return ratings[key]?[status] ?? ratings[key]?[other]
    }

    /// A discipline or a conclusion forces this subject's level to `failed` this year.
    public func isForcedToFail(_ key: RatingKey) -> Bool { isDisciplined(key) || !forcingConclusions(key).isEmpty }
    public func rating(_ ref: RatingRef) -> RatingEntry? { ratings[ref.key]?[ref.status] }

    /// The level the rules read for a part of a collective: decided, else proposed.
    public func effective(_ key: RatingKey) -> RatingEntry? { ratings[key]?[.decided] ?? ratings[key]?[.proposed] }

    public var allRatings: [RatingEntry] { ratings.values.flatMap(\.values) }

    public mutating func set(_ e: RatingEntry) { ratings[e.key, default: [:]][e.status] = e }

    @discardableResult
    public mutating func remove(_ ref: RatingRef) -> RatingEntry? {
        let old = ratings[ref.key]?.removeValue(forKey: ref.status)
        if ratings[ref.key]?.isEmpty == true { ratings[ref.key] = nil }
        return old
    }

    public func isDisciplined(_ key: RatingKey) -> Bool {
        let d = key.kind == .member ? tree.members[key.subject]?.discipline : tree.units[key.subject]?.discipline
        return d?.counts(inYear: year) ?? false
    }

    /// Conclusions that force `failed` for this subject.
    public func forcingConclusions(_ key: RatingKey) -> [FlagReason] {
        (conclusions[key] ?? []).filter { $0.forcesFailure(of: key.kind) }.sorted { $0.rawValue < $1.rawValue }
    }
}
