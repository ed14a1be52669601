import Foundation

/// Parsing and validating the units and members files (docs/protocol.md, "Input files").
public enum TreeImport {
    /// `disciplined` (optional): the collective was disciplined in the year, `true` or its date.
    /// `phone` is optional: a file without the column imports as before.
    public static let unitColumns = ["id", "parent", "kind", "name", "head", "email", "disciplined", "phone"]
    /// `exempt`: not rated this year, and why; `left`: left the organization (a date or a reason).
    public static let memberColumns = ["id", "unit", "name", "role", "email", "disciplined", "phone", "exempt", "left"]

    /// The `phone` cell: empty (none), or a number `Phone` accepts.
    static func phone(_ v: CSVRow, source: String, line: Int, errors: inout [InputError]) -> String?? {
        phone(v["phone"], source: source, line: line, errors: &errors)
    }

    static func phone(_ text: String?, source: String, line: Int, errors: inout [InputError]) -> String?? {
        guard let text, !text.isEmpty else { return .some(nil) } // trimmed by the reader
        guard let p = Phone.normalized(text) else {
            errors.append(InputError(source: source, line: line, reason: "phone '\(text.prefix(40))' must be 8 to 15 digits, with an optional leading +"))
            return nil
        }
        return .some(p)
    }

    /// Parses a units file; every bad row is reported.
    public static func parseUnits(_ text: String, source: String) throws(InputErrors) -> [(line: Int, unit: OrgUnit)] {
        let rows = try CSV.table(text, source: source, columns: unitColumns, required: ["id", "parent", "kind", "name"])
        var out: [(Int, OrgUnit)] = []
        var errors: [InputError] = []
        var seen: [String: Int] = [:]
        for (line, v) in rows {
            let id = v["id"] ?? ""
            guard Code.isValid(id) else {
                errors.append(InputError(source: source, line: line, reason: "id '\(id)' must match [a-z0-9-]+")); continue
            }
            if let first = seen[id] {
                errors.append(InputError(source: source, line: line, reason: "duplicate id '\(id)' (first on line \(first))")); continue
            }
            seen[id] = line
            guard let kind = UnitKind(rawValue: v["kind"] ?? "") else {
                errors.append(InputError(source: source, line: line, reason: "unknown kind '\(v["kind"] ?? "")' (expected \(UnitKind.allCases.map(\.rawValue).joined(separator: ", ")))")); continue
            }
            let parent = v["parent"].flatMap { $0.isEmpty ? nil : $0 }
            if let parent, !Code.isValid(parent) {
                errors.append(InputError(source: source, line: line, reason: "parent '\(parent)' must match [a-z0-9-]+")); continue
            }
            let name = v["name"] ?? ""
            guard !name.isEmpty else { errors.append(InputError(source: source, line: line, reason: "empty name")); continue }
            let head = v["head"].flatMap { $0.isEmpty ? nil : $0 }
            if let head, !Code.isValid(head) {
                errors.append(InputError(source: source, line: line, reason: "head '\(head)' must be a member id [a-z0-9-]+")); continue
            }
            let discipline: Discipline?
            switch Discipline.parse(v["disciplined"] ?? "") {
            case .value(let d): discipline = d
            case .invalid(let reason): errors.append(InputError(source: source, line: line, reason: reason)); continue
            }
            guard let phone = phone(v, source: source, line: line, errors: &errors) else { continue }
            out.append((line, OrgUnit(id: id, parent: parent, kind: kind, name: name, head: head, email: v["email"].flatMap { $0.isEmpty ? nil : $0 },
                                      discipline: discipline, phone: phone)))
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return out
    }

    /// Checks that `existing` updated with `incoming` is one tree: one root of kind bloc, every
    /// parent known, no cycle, each kind under an allowed parent kind. Errors name the incoming line.
    public static func validateTree(existing: [OrgUnit], incoming: [(line: Int, unit: OrgUnit)], source: String) throws(InputErrors) -> [OrgUnit] {
        var byId: [String: OrgUnit] = [:]
        byId.reserveCapacity(existing.count + incoming.count)
        for u in existing { byId[u.id] = u }
        var lineOf: [String: Int] = [:]
        for (line, u) in incoming {
            byId[u.id] = u
            lineOf[u.id] = line
        }
        var errors: [InputError] = []
        func err(_ id: String, _ reason: String) {
            errors.append(InputError(source: source, line: lineOf[id], reason: lineOf[id] == nil ? "stored unit '\(id)': \(reason)" : reason))
        }
        let roots = byId.values.filter { $0.parent == nil }.map(\.id).sorted()
        if roots.count > 1 {
            for r in roots {
                err(r, "'\(r)' has no parent, but the tree can have only one root (roots: \(roots.prefix(5).joined(separator: ", ")))")
            }
        } else if roots.isEmpty, !byId.isEmpty {
            errors.append(InputError(source: source, reason: "no root: every unit has a parent, so the tree has a cycle"))
        }
        // In file order (stored units first, by id): each unit's sort key looked up once.
        let ordered = byId.values.map { (line: lineOf[$0.id] ?? 0, unit: $0) }.sorted { ($0.line, $0.unit.id) < ($1.line, $1.unit.id) }.map(\.unit)
        for u in ordered {
            if let p = u.parent {
                guard let parent = byId[p] else { err(u.id, "unknown parent '\(p)' of '\(u.id)'"); continue }
                if p == u.id { err(u.id, "'\(u.id)' is its own parent"); continue }
                if !parent.kind.allowedChildren.contains(u.kind) {
                    err(u.id, "a \(u.kind.rawValue) cannot sit under a \(parent.kind.rawValue) ('\(p)')")
                }
            } else if u.kind != .bloc {
                err(u.id, "the root '\(u.id)' must be of kind bloc, not \(u.kind.rawValue)")
            }
        }
        // Cycle detection: walk up from each unit, memoizing units known to reach the root.
        var reachesRoot = Set<String>()
        var chain: [String] = [], seen = Set<String>() // reused: one unit's walk at a time
        for start in byId.keys where !reachesRoot.contains(start) {
            chain.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            var cur: String? = start
            var ok = false
            while let c = cur {
                if reachesRoot.contains(c) { ok = true; break }
                if !seen.insert(c).inserted { break }
                chain.append(c)
                guard let u = byId[c] else { ok = true; break } // unknown parent reported above
                if u.parent == nil { ok = true; break }
                cur = u.parent
            }
            if ok { reachesRoot.formUnion(chain) } else if !chain.isEmpty {
                let cycleStart = cur ?? start
                if start == cycleStart {
                    err(start, "cycle: \(chain.joined(separator: " → ")) → \(start)")
                }
            }
        }
        if !errors.isEmpty { throw InputErrors(errors) }
        return Array(byId.values)
    }

    public static func parseMembers(_ text: String, source: String, unitKind: (String) -> UnitKind?) throws(InputErrors) -> [Member] {
        var seen: [String: Int] = [:]
        return try parseMembers(text, source: source, firstLine: 1, unitKind: unitKind) { id, line in
            if let first = seen[id] { return first }
            seen[id] = line
            return nil
        }
    }

    /// A piece of a members file: `text` starts with the header line, numbered `firstLine`
    /// (the line before the piece's first record). `firstSeen(id, line)` returns the line where
    /// `id` was seen first, or records it and returns nil: across the pieces of one file, it
    /// finds the duplicates that no piece holds both of.
    public static func parseMembers(_ text: String, source: String, firstLine: Int, unitKind: (String) -> UnitKind?,
                                    firstSeen: (String, Int) throws -> Int?) throws(InputErrors) -> [Member] {
        var (rows, errors) = memberRows(text, source: source, firstLine: firstLine, unitKind: unitKind)
        var out: [Member] = []
        out.reserveCapacity(rows.count)
        for (line, m) in rows {
            let first: Int?
            do { first = try firstSeen(m.id, line) } catch { throw InputErrors([InputError(source: source, line: line, reason: "\(error)")]) }
            if let first { errors.append(InputError(source: source, line: line, reason: "duplicate id '\(m.id)' (first on line \(first))")); continue }
            out.append(m)
        }
        rows = []
        if !errors.isEmpty { throw InputErrors(inLineOrder(errors)) }
        return out
    }

    /// Findings sorted by line (those without one first), each line's in the order found.
    public static func inLineOrder(_ errors: [InputError]) -> [InputError] {
        errors.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
    }

    /// Checks a piece of a members file row by row, without looking for duplicate ids (the
    /// caller does, across pieces): the rows that pass with their lines, and every finding.
    /// Pure, so a piece can be checked on one thread while the last one is stored on another.
    public static func memberRows(_ text: String, source: String, firstLine: Int, unitKind: (String) -> UnitKind?)
        -> (rows: [(line: Int, member: Member)], errors: [InputError]) {
        let table: [(line: Int, values: CSVRow)]
        do { table = try CSV.table(text, source: source, columns: memberColumns, required: ["id", "unit", "name"], firstLine: firstLine) } catch {
            return ([], error.errors)
        }
        guard let sample = table.first?.values else { return ([], []) }
        // The columns' positions, looked up once for the piece.
        let cId = sample.position(of: "id"), cUnit = sample.position(of: "unit"), cName = sample.position(of: "name"),
            cRole = sample.position(of: "role"), cEmail = sample.position(of: "email"), cDisc = sample.position(of: "disciplined"),
            cPhone = sample.position(of: "phone"), cExempt = sample.position(of: "exempt"), cLeft = sample.position(of: "left")
        var out: [(line: Int, member: Member)] = []
        out.reserveCapacity(table.count)
        var errors: [InputError] = []
        var kindCache: (unit: String, kind: UnitKind?) = ("", nil) // a file lists a cell's members together
        for (line, v) in table {
            let id = v[at: cId] ?? ""
            guard Code.isValid(id) else { errors.append(InputError(source: source, line: line, reason: "id '\(id)' must match [a-z0-9-]+")); continue }
            let unit = v[at: cUnit] ?? ""
            if unit != kindCache.unit { kindCache = (unit, unitKind(unit)) }
            guard let kind = kindCache.kind else { errors.append(InputError(source: source, line: line, reason: "unknown unit '\(unit)'")); continue }
            guard kind.holdsMembers else {
                errors.append(InputError(source: source, line: line, reason: "unit '\(unit)' is a \(kind.rawValue); members belong to a cell or grassroots-cell")); continue
            }
            let roleCell = v[at: cRole] ?? ""
            let roleText = roleCell.isEmpty ? "member" : roleCell
            guard let role = MemberRole(rawValue: roleText) else {
                errors.append(InputError(source: source, line: line, reason: "unknown role '\(roleText)' (expected secretary, deputy, committee, member)")); continue
            }
            let name = v[at: cName] ?? ""
            guard !name.isEmpty else { errors.append(InputError(source: source, line: line, reason: "empty name")); continue }
            let discipline: Discipline?
            switch Discipline.parse(v[at: cDisc] ?? "") {
            case .value(let d): discipline = d
            case .invalid(let reason): errors.append(InputError(source: source, line: line, reason: reason)); continue
            }
            guard let phone = phone(v[at: cPhone], source: source, line: line, errors: &errors) else { continue }
            let email = v[at: cEmail] ?? ""
            let exempt = (v[at: cExempt] ?? "").trimmingCharacters(in: .whitespaces), left = (v[at: cLeft] ?? "").trimmingCharacters(in: .whitespaces)
            if exempt.count > 200 || left.count > 200 { errors.append(InputError(source: source, line: line, reason: "exempt and left take at most 200 characters")); continue }
            out.append((line, Member(id: id, unit: unit, name: name, role: role, email: email.isEmpty ? nil : email, discipline: discipline, phone: phone,
                                     exempt: exempt.isEmpty ? nil : exempt, left: left.isEmpty ? nil : left)))
        }
        return (out, errors)
    }
}

// MARK: - Heads are members (issue 25, item 4)

extension TreeImport {
    /// The findings of a tree whose heads are not among their units' members, in the words of
    /// the files being imported: a unit of the units file by its line; else a head whom the
    /// members file moves out of the unit they head, by the member's line; else the unit.
    public static func headErrors(_ problems: [(unit: String, kind: UnitKind, head: String, headCell: String?)],
                                  unitsFile: (name: String, lines: [String: Int])?, membersFile: (name: String, lines: [String: Int])?) -> [InputError] {
        problems.map { p in
            let within = p.kind.holdsMembers ? "a member of '\(p.unit)'" : "a member of a cell under '\(p.unit)'"
            let why = p.headCell.map { "'\(p.head)' belongs to '\($0)'" } ?? "'\(p.head)' is no member"
            let reason = "head '\(p.head)' of '\(p.unit)' must be \(within): \(why)"
            if let f = unitsFile, let line = f.lines[p.unit] { return InputError(source: f.name, line: line, reason: reason) }
            if let f = membersFile, let cell = p.headCell, let line = f.lines[p.head] {
                return InputError(source: f.name, line: line,
                                  reason: "member '\(p.head)' heads '\(p.unit)' and must be \(within), not of '\(cell)' (change the head in the units file first)")
            }
            return InputError(source: (membersFile?.name ?? unitsFile?.name) ?? "", reason: (membersFile == nil ? "stored unit '\(p.unit)': " : "unit '\(p.unit)': ") + reason)
        }
    }

    /// The line on which each of `ids` starts in a members file (its `id` column; a quoted field
    /// may hold line breaks). Read only to name the few members a finding is about.
    public static func memberLines(of ids: Set<String>, in bytes: UnsafeRawBufferPointer) -> [String: Int] {
        guard !ids.isEmpty else { return [:] }
        var out: [String: Int] = [:]
        var line = 1, recordLine = 1, field = 0, idColumn = -1, header = true
        var inQuotes = false, value: [UInt8] = [], headerFields: [String] = []
        var i = 0
        func endField() {
            if header { headerFields.append(String(decoding: value, as: UTF8.self).replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespaces)) }
            else if field == idColumn { let id = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces); if ids.contains(id), out[id] == nil { out[id] = recordLine } }
            value.removeAll(keepingCapacity: true)
            field += 1
        }
        func endRecord() {
            endField()
            if header { header = false; idColumn = headerFields.firstIndex(of: "id") ?? -1 }
            field = 0
            recordLine = line
        }
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i < bytes.count, bytes[i] == UInt8(ascii: "\"") { value.append(b); i += 1 } else { inQuotes = false }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    value.append(b)
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inQuotes = true
            case UInt8(ascii: ","): endField()
            case UInt8(ascii: "\n"): line += 1; endRecord()
            case UInt8(ascii: "\r"): break
            default: if header || field == idColumn { value.append(b) }
            }
            if out.count == ids.count { break }
        }
        if !value.isEmpty || field > 0 { endRecord() }
        return out
    }

    public static func memberLines(of ids: Set<String>, in text: String) -> [String: Int] {
        var t = text
        return t.withUTF8 { memberLines(of: ids, in: UnsafeRawBufferPointer($0)) }
    }
}
