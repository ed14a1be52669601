import Foundation
import KiemDiemCore
import KiemDiemTesting
import KiemDiemWire
import PropertyBased
import Testing
@testable import KiemDiemStore

/// A members file stored piece by piece (a chunked import's commit, `kiemdiemd import`) is read
/// as the whole file is: the same records on the same lines, wherever the slices fall, and the
/// same findings, duplicates across pieces included. The oracles are the whole-file reader and
/// a plain walk over the generated rows, not the piece loader.
@Suite(.timeLimit(.minutes(5))) struct MemberLoadTests {
    static let alphabet: [Character] = Array("abc xyz,\"\n\r;Đảngủyễ🙂")

    /// A field of any of the awkward kinds: commas, quotes, line breaks, Vietnamese text.
    static func field(_ rng: inout SeededRandom) -> String {
        String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func quoted(_ f: String) -> String {
        f.contains(where: { ",\"\n\r".contains($0) }) || f.isEmpty ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
    }

    /// The pieces of `text` cut from slices of random sizes, in order.
    static func pieces(_ text: String, _ rng: inout SeededRandom, source: String = "f.csv") throws -> [CSVPieces.Piece] {
        var cutter = CSVPieces(source: source), out: [CSVPieces.Piece] = []
        let bytes = Array(text.utf8)
        var at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + Int.random(in: 1...40, using: &rng))
            if let p = try bytes[at..<end].withUnsafeBytes({ try cutter.feed($0) }) { out.append(p) }
            at = end
        }
        if let p = try cutter.finish() { out.append(p) }
        return out
    }

    @Test func piecesHoldTheWholeFilesRecordsOnTheirLines() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let eol = Bool.random(using: &rng) ? "\r\n" : "\n"
            var text = "a,b,c" + eol
            for _ in 0..<Int.random(in: 0...30, using: &rng) {
                text += (0..<3).map { _ in Self.quoted(Self.field(&rng)) }.joined(separator: ",") + eol
            }
            if Bool.random(using: &rng), text.hasSuffix(eol) { text.removeLast() } // no break after the last record
            let whole = try CSV.parse(text, source: "f.csv")
            var fromPieces: [CSVRecord] = []
            for (i, p) in try Self.pieces(text, &rng).enumerated() {
                let records = try CSV.parse(p.text, source: "f.csv", firstLine: p.firstLine)
                #expect(records.first?.fields == ["a", "b", "c"], "each piece starts with the header")
                fromPieces += i == 0 ? records : Array(records.dropFirst())
            }
            #expect(fromPieces == whole, "seed \(seed)")
        }
    }

    @Test func aLineThatIsNotUTF8IsNamed() throws {
        var cutter = CSVPieces(source: "m.csv")
        var bytes = Array("id,unit\nm1,c1\nm2,c1\n".utf8)
        _ = try bytes.withUnsafeBytes { try cutter.feed($0) }
        bytes = Array("m3,c1\nm4,".utf8) + [0xFF, 0x0A] + Array("m5,c1\n".utf8)
        #expect { _ = try bytes.withUnsafeBytes { try cutter.feed($0) } } throws: { e in
            (e as? InputErrors)?.errors.map(\.description) == ["m.csv:5: not valid UTF-8"]
        }
    }

    /// Members over units c1, c2 (cells) and g (a committee), with duplicates, unknown units and
    /// rows under a committee; the findings a plain walk of the rows predicts.
    static func membersFile(_ rng: inout SeededRandom) -> (text: String, ids: [String], expected: [String]) {
        var text = "id,unit,name,role\n", line = 1, firstLine: [String: Int] = [:], expected: [String] = [], ids: [String] = []
        for _ in 0..<Int.random(in: 1...60, using: &rng) {
            line += 1
            let id = "m\(Int.random(in: 0...40, using: &rng))"
            let unit = ["c1", "c2", "c1", "c2", "g", "zz"].randomElement(using: &rng)!
            let name = Bool.random(using: &rng) ? "Nguyễn Văn \(id)" : "\"Lê, Thị\n\(id)\""
            text += "\(id),\(unit),\(name),member\n"
            let rowLine = line
            line += name.contains("\n") ? 1 : 0
            switch unit {
            case "zz": expected.append("m.csv:\(rowLine): unknown unit 'zz'")
            case "g": expected.append("m.csv:\(rowLine): unit 'g' is a grassroots-committee; members belong to a cell or grassroots-cell")
            default:
                if let first = firstLine[id] { expected.append("m.csv:\(rowLine): duplicate id '\(id)' (first on line \(first))") } else {
                    firstLine[id] = rowLine
                    ids.append(id)
                }
            }
        }
        return (text, ids, expected)
    }

    @Test func findingsAcrossPiecesAreTheWholeFilesIntoAnEmptyOrAFilledTable() async {
        await propertyCheck(count: 150, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let (text, ids, expected) = Self.membersFile(&rng)
            let filled = Bool.random(using: &rng) // the temporary table's path rather than the primary key's
            let store = try Store()
            let kinds: [String: UnitKind] = ["r": .bloc, "g": .grassrootsCommittee, "c1": .cell, "c2": .cell]
            try store.write { tx in
                _ = try tx.saveTree([OrgUnit(id: "r", parent: nil, kind: .bloc, name: "R"),
                                     OrgUnit(id: "g", parent: "r", kind: .grassrootsCommittee, name: "G"),
                                     OrgUnit(id: "c1", parent: "g", kind: .cell, name: "C1"),
                                     OrgUnit(id: "c2", parent: "g", kind: .cell, name: "C2")], incoming: ["r", "g", "c1", "c2"])
                if filled { _ = try tx.saveMembers([Member(id: "old", unit: "c1", name: "Cũ", role: .member)]) }
            }
            var pieces = try Self.pieces(text, &rng, source: "m.csv")[...]
            let outcome: Result<ImportResult, any Error> = Result {
                try store.write { tx in try tx.fastFill { try tx.loadMembers(source: "m.csv", kinds: kinds) { pieces.popFirst() } } }
            }
            switch outcome {
            case .success(let r):
                #expect(expected.isEmpty, "seed \(seed): stored despite \(expected)")
                #expect(r.added == ids.count && r.total == ids.count + (filled ? 1 : 0), "seed \(seed)")
                let stored = try store.read { tx in try ids.map { try tx.member($0)?.id } }
                #expect(stored == ids)
            case .failure(let e):
                #expect((e as? InputErrors)?.errors.map(\.description) == expected, "seed \(seed)")
                #expect(try store.read { try $0.counts().members } == (filled ? 1 : 0), "nothing stored")
            }
        }
    }
}
