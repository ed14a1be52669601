import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Issue 25, item 4: a unit's head is a member of the unit (a cell's head in that cell, a
/// committee's in a cell under it), on every path that changes the tree or the members.
@Suite(.timeLimit(.minutes(5))) struct HeadCheckTests {
    let now = at("2022-10-02")

    /// Every finding of a refused import, as `file:line: reason` (or `file: reason`).
    func refusal(_ body: () throws -> Void) -> [String] {
        do { try body(); return [] } catch let e as ErrorBody {
            return e.details ?? [e.message]
        } catch { return ["\(error)"] }
    }

    func heads(_ f: Fixture) throws -> [String: String] {
        try f.store.read { try $0.allUnits() }.reduce(into: [:]) { $0[$1.id] = $1.head ?? "" }
    }

    @Test func importUnitsRefusesAHeadOfAnotherCellOrNoMemberNamingTheLine() throws {
        let f = try Fixture()
        let before = try heads(f)
        let moved = smallUnits.replacingOccurrences(of: "c1,gc,cell,Chi bộ Văn phòng,m1,", with: "c1,gc,cell,Chi bộ Văn phòng,m3,")
            .replacingOccurrences(of: "g2,duk,grassroots-cell,Chi bộ Sở Tư pháp,m4,", with: "g2,duk,grassroots-cell,Chi bộ Sở Tư pháp,zz,")
            .replacingOccurrences(of: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m1,", with: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m4,")
        let found = refusal { _ = try f.engine.importUnits(FileArgs(name: "units.csv", content: moved), now: now) }
        #expect(found == [
            "units.csv:3: head 'm4' of 'gc' must be a member of a cell under 'gc': 'm4' belongs to 'g2'",
            "units.csv:4: head 'm3' of 'c1' must be a member of 'c1': 'm3' belongs to 'c2'",
            "units.csv:7: head 'zz' of 'g2' must be a member of 'g2': 'zz' is no member",
        ], "\(found)")
        #expect(try heads(f) == before, "nothing applied")
        // A committee's head may sit in any cell under it: m3 (in c2, under sc, under gc) heads gc.
        let ok = smallUnits.replacingOccurrences(of: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m1,", with: "gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m3,")
        #expect(try f.engine.importUnits(FileArgs(name: "units.csv", content: ok), now: now).updated == 1)
    }

    @Test func unitsComeFirstAndANewCellIsJudgedWhenItsMembersCome() throws {
        // First load: no members stored, any head goes.
        let f = try Fixture(units: smallUnits.replacingOccurrences(of: "c1,gc,cell,Chi bộ Văn phòng,m1,", with: "c1,gc,cell,Chi bộ Văn phòng,m9,"),
                            members: "id,unit,name,role,email,disciplined\n")
        #expect(try heads(f)["c1"] == "m9")
        // The members file then refuses a head who is not among the unit's members, naming the unit.
        let found = refusal { _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: smallMembers), now: now) }
        #expect(found == ["members.csv: unit 'c1': head 'm9' of 'c1' must be a member of 'c1': 'm9' is no member"], "\(found)")
        #expect(try f.store.read { try $0.counts().members } == 0)
        // A new cell with no member yet takes a head still to come, in a tree that has members.
        let g = try Fixture()
        _ = try g.engine.importUnits(FileArgs(name: "units.csv", content: smallUnits + "c3,gc,cell,Chi bộ Kế toán,m6,\n"), now: now)
        let more = smallMembers + "m6,c3,Vũ Thị Giang,secretary,,false\n"
        #expect(try g.engine.importMembers(FileArgs(name: "members.csv", content: more), now: now).added == 1)
    }

    @Test func importMembersRefusesMovingAHeadOutOfTheUnitNamingTheMembersLine() throws {
        let f = try Fixture()
        // m1 heads c1 and gc: moved to c2 it is still in gc, not in c1.
        let moved = smallMembers.replacingOccurrences(of: "m1,c1,Nguyễn Văn An", with: "m1,c2,Nguyễn Văn An")
        let found = refusal { _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: moved), now: now) }
        #expect(found == ["members.csv:2: member 'm1' heads 'c1' and must be a member of 'c1', not of 'c2' (change the head in the units file first)"], "\(found)")
        #expect(try f.store.read { try $0.allMembers() }.first { $0.id == "m1" }?.unit == "c1")
        // Moved to g2 it leaves gc as well: both units named, each at the member's line.
        let away = smallMembers.replacingOccurrences(of: "m1,c1,Nguyễn Văn An", with: "m1,g2,Nguyễn Văn An")
        #expect(refusal { _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: away), now: now) }.count == 2)
    }

    @Test func theChunkedCommitAndTheOfflineLoadCheckTheSame() throws {
        let moved = smallMembers.replacingOccurrences(of: "m4,g2,Phạm Thị Dung", with: "m4,c1,Phạm Thị Dung")
        let expected = "members.csv:5: member 'm4' heads 'g2' and must be a member of 'g2', not of 'c1' (change the head in the units file first)"
        // A chunked commit.
        let f = try Fixture()
        let context = CommandContext(engine: f.engine, now: now, caller: Caller(name: "admin", role: .admin), host: TestHost(engine: f.engine, now: now))
        let lines = moved.split(separator: "\n", omittingEmptySubsequences: false)
        let chunks = [lines[0...2].joined(separator: "\n") + "\n", lines[3...].joined(separator: "\n")]
        let u = try ImportBegin.run(ImportBeginArgs(kind: "members", name: "members.csv", chunks: 2, bytes: moved.utf8.count), in: context)
        for (i, c) in chunks.enumerated() { _ = try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: i, content: c), in: context) }
        #expect(refusal { _ = try ImportCommit.run(UploadArgs(upload: u.upload), in: context) } == [expected])
        // The same off the loop, as the daemon applies it (ImportApply).
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kd-heads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let onDisk = try Fixture(store: try Store(path: dir.appendingPathComponent("db.sqlite").path))
        let off = ImportApply(kind: "members", file: FileArgs(name: "members.csv", content: moved))
        guard case .failed(let e) = off.run(store: onDisk.store, audit: nil) else { Issue.record("applied"); return }
        #expect((e.details ?? [e.message]) == [expected])
        // `kiemdiemd import`: both files in one transaction, nothing stored.
        let empty = try Engine(store: try Store())
        let found = refusal { _ = try empty.bulkLoad(units: FileArgs(name: "units.csv", content: smallUnits), members: ("members.csv", Data(moved.utf8)), now: now) }
        #expect(found == ["units.csv:7: head 'm4' of 'g2' must be a member of 'g2': 'm4' belongs to 'c1'"], "\(found)")
        #expect(try empty.store.read { try $0.counts() }.units == 0)
    }

    @Test func theOfflineCheckReportsTheSame() throws {
        let check = try OfflineCheck(now: now)
        _ = try check.run(ImportUnits.self, FileArgs(name: "units.csv", content: smallUnits))
        // m3 heads c2 and sc; moved to c1, with a new member in c2.
        let moved = smallMembers.replacingOccurrences(of: "m3,c2,Lê Văn Cường", with: "m3,c1,Lê Văn Cường") + "m6,c2,Vũ Thị Giang,member,,false\n"
        do {
            _ = try check.run(ImportMembers.self, FileArgs(name: "members.csv", content: moved))
            Issue.record("accepted")
        } catch {
            #expect((error.details ?? []).count == 2 && error.message.contains("members.csv:4: member 'm3' heads"), "\(error)")
        }
    }

    @Test func aHeadWhoLeftIsNoMember() throws {
        let f = try Fixture()
        let left = smallMembers.replacingOccurrences(of: "id,unit,name,role,email,disciplined", with: "id,unit,name,role,email,disciplined,left")
            .split(separator: "\n").map { $0.hasPrefix("m4,") ? $0 + ",2022-09-30" : $0.hasPrefix("id,") || $0.isEmpty ? String($0) : $0 + "," }.joined(separator: "\n")
        let found = refusal { _ = try f.engine.importMembers(FileArgs(name: "members.csv", content: left), now: now) }
        #expect(found == ["members.csv: unit 'g2': head 'm4' of 'g2' must be a member of 'g2': 'm4' is no member"], "\(found)")
    }

    @Test func aMembersLineIsFoundPastQuotedLineBreaks() {
        let text = "name,id,unit\n\"Nguyễn\nVăn An\",m1,c1\nB,m2,c1\r\n\"C, \"\"D\"\"\",m3,c2\n"
        #expect(TreeImport.memberLines(of: ["m1", "m2", "m3", "m9"], in: text) == ["m1": 2, "m2": 4, "m3": 5])
    }
}
