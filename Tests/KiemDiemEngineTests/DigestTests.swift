import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemTesting
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Digests (`delivery.group_wait`): a recipient's notifications of one window go out as one
/// letter. The expected contents are read off the published events.
@Suite(.timeLimit(.minutes(5))) struct DigestTests {
    /// One grassroots committee with three cells, each with a member who never finishes.
    static let units = """
        id,parent,kind,name,head,email
        duk,,bloc,Đảng bộ Khối,,
        gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,,dangbo@example.gov.vn
        c1,gc,cell,Chi bộ 1,,
        c2,gc,cell,Chi bộ 2,,
        c3,gc,cell,Chi bộ 3,,

        """
    static let members = """
        id,unit,name,role,email,disciplined
        m1,c1,Nguyễn Văn An,member,,false
        m2,c2,Trần Thị Bình,member,,false
        m3,c3,Lê Văn Cường,member,,false

        """

    func fixture(groupWait: Int64) throws -> Fixture {
        let f = try Fixture(units: Self.units, members: Self.members)
        f.engine.routing.groupWait = groupWait
        try f.load(escalatingPlan)
        return f
    }

    func jobs(_ f: Fixture) throws -> [JobRow] { try f.store.read { try $0.jobs(state: nil, limit: 10_000) } }

    @Test func aCommitteesEscalationsOfOneWindowAreOneLetterListingEachUnit() throws {
        let f = try fixture(groupWait: 60)
        // 28 Nov 00:00: the parent step for the three late cells, all to gc at one instant.
        try f.engine.advance(to: at("2022-11-28T00:00:30+07:00"))
        let toGC = try f.events().filter { $0.type == "escalation.raised" && $0.to == "gc" }
        #expect(toGC.count == 3)
        #expect(try jobs(f).filter { $0.recipient == "gc" }.isEmpty, "the window is still open")
        try f.engine.advance(to: at("2022-11-28T00:01:00+07:00"))
        let digests = try jobs(f).filter { $0.recipient == "gc" }
        #expect(digests.count == 1 && digests[0].kind == .digest)
        let p = try JSONDecoder().decode(JobPayload.self, from: Data(digests[0].payload.utf8))
        #expect(Set(p.events ?? []) == Set(toGC.map(\.id)))
        #expect(Set(p.items?.map(\.unit) ?? []) == ["c1", "c2", "c3"] && p.recipientEmail == "dangbo@example.gov.vn")
        #expect(digests[0].key.hasPrefix("digest/gc/"))
        // A cell alone in its window gets its letter as it was, under the event's id.
        let own = try f.events().filter { $0.type == "escalation.raised" && $0.to == "c1" }
        #expect(!own.isEmpty && own.allSatisfy { e in (try? jobs(f))?.contains { $0.key == e.id && $0.kind == .escalation } == true })
        // Once: advancing again, or an engine restarted on the same store, adds nothing.
        try f.engine.advance(to: at("2022-11-28T00:05:00+07:00"))
        #expect(try jobs(f).filter { $0.recipient == "gc" }.count == 1)
    }

    @Test func aWindowOpenAtAStopIsSealedAfterTheRestart() throws {
        let store = try Store()
        let f = try Fixture(store: store, units: Self.units, members: Self.members)
        f.engine.routing.groupWait = 60
        try f.load(escalatingPlan)
        try f.engine.advance(to: at("2022-11-28T00:00:30+07:00"))
        let again = try Engine(store: store)
        again.routing.groupWait = 60
        #expect(again.nextInstant() == at("2022-11-28T00:01:00+07:00"))
        try again.advance(to: at("2022-11-28T00:01:00+07:00"))
        #expect(try jobs(f).filter { $0.recipient == "gc" && $0.kind == .digest }.count == 1)
    }

    @Test func withoutAWindowEachNotificationIsALetter() throws {
        let f = try fixture(groupWait: 0)
        try f.engine.advance(to: at("2022-11-28T00:01:00+07:00"))
        let toGC = try f.events().filter { $0.type == "escalation.raised" && $0.to == "gc" }
        #expect(Set(try jobs(f).filter { $0.recipient == "gc" }.map(\.key)) == Set(toGC.map(\.id)))
    }

    @Test func rememberingMembersRemindsEachLateMemberWithAnAddressBesideTheCell() throws {
        // m1 and m3 have addresses; m2 has none. Both unit and members are reminded.
        let members = """
            id,unit,name,role,email,disciplined,phone
            m1,c1,Nguyễn Văn An,member,an@example.gov.vn,false,
            m2,c2,Trần Thị Bình,member,,false,
            m3,c3,Lê Văn Cường,member,,false,0912345678

            """
        for (remind, cells) in [("[unit, members]", true), ("[members]", false)] {
            let f = try Fixture(units: Self.units, members: members)
            try f.load(escalatingPlan.replacingOccurrences(of: "    reminders: [7d, 1d]", with: "    reminders: [7d, 1d]\n    remind: \(remind)"))
            try f.engine.advance(to: at("2022-11-18T08:00:00+07:00")) // the 7-day reminder
            let reminders = try f.events().filter { $0.type == "deadline.reminder" && $0.stage == "a" }
            #expect(reminders.count == 3)
            let all = try jobs(f).filter { $0.kind == .reminder }
            let toMembers = all.filter { $0.recipient.hasPrefix("m") }
            // The oracle: the members file's rows with an e-mail or a phone, each in a reminded cell.
            #expect(Set(toMembers.map(\.recipient)) == ["m1", "m3"] && toMembers.count == 2)
            #expect(toMembers.first { $0.recipient == "m1" }?.address == "an@example.gov.vn")
            let p = try JSONDecoder().decode(JobPayload.self, from: Data(toMembers.first { $0.recipient == "m3" }!.payload.utf8))
            #expect(p.member == "m3" && p.recipientPhone == "0912345678" && p.unit == "c3" && p.link == nil)
            #expect(Set(all.filter { $0.recipient.hasPrefix("c") }.map(\.recipient)) == (cells ? ["c1", "c2", "c3"] : []))
        }
        #expect(throws: (any Error).self) {
            let f = try Fixture(units: Self.units, members: members)
            try f.load(escalatingPlan.replacingOccurrences(of: "    for: [cell, grassroots-cell]", with: "    for: [cell, grassroots-cell]\n    remind: [members]"))
        }
    }
}

