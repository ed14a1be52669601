import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

let escalatingPlan = smallPlan + """

    escalation:
      ladder:
        - {after: 0d, to: unit}
        - {after: 3d, to: parent}
        - {after: 7d, to: grandparent}
      repeat: 2d
    """

@Suite(.timeLimit(.minutes(5))) struct EscalationTests {
    func raised(_ f: Fixture, since: Int64 = 0) throws -> [EventBody] {
        try f.events(since: since).filter { $0.type == "escalation.raised" }
    }

    @Test func climbsUnitParentGrandparentAtThePlansTimeouts() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        for cell in ["c1", "g2"] { _ = try f.done(cell, "a", now: at("2022-11-10")) } // only c2 is late for a
        try f.engine.advance(to: at("2022-12-03"))
        let steps = try raised(f).filter { $0.stage == "a" }.map { "\($0.time.prefix(10)) level \($0.level!) to \($0.to!)" }
        // c2 sits in sc (sub-committee) in gc (grassroots committee): unit → sc → gc.
        #expect(steps == [
            "2022-11-25 level 0 to c2", "2022-11-27 level 0 to c2",
            "2022-11-28 level 1 to sc", "2022-11-30 level 1 to sc",
            "2022-12-02 level 2 to gc",
        ])
        // Each step is a job for the target committee, keyed by the event.
        let jobs = try f.store.read { try $0.jobs(state: nil, limit: 1000) }.filter { $0.kind == .escalation && $0.payload.contains("\"stage\":\"a\"") }
        #expect(Set(jobs.map(\.recipient)) == ["c2", "sc", "gc"])
        let ids = Set(try raised(f).filter { $0.stage == "a" }.map(\.id))
        #expect(Set(jobs.map(\.key)) == ids)
    }

    @Test func stopsWhenAcknowledged() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        try f.engine.advance(to: at("2022-11-28T12:00:00+07:00"))
        let c1 = try raised(f).last { $0.unit == "c1" && $0.stage == "a" }!
        let ack = try f.engine.acknowledge(c1.escalation!, now: at("2022-11-28T13:00:00+07:00"), by: "ban-to-chuc")
        #expect(!ack.alreadyAcknowledged)
        #expect(try f.engine.acknowledge(c1.escalation!, now: at("2022-11-28T14:00:00+07:00"), by: "x").alreadyAcknowledged)
        let before = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-12-10"))
        let after = try raised(f, since: before).filter { $0.stage == "a" }
        #expect(!after.contains { $0.unit == "c1" })
        #expect(after.contains { $0.unit == "c2" })
        #expect(try f.events().contains { $0.type == "escalation.acknowledged" && $0.unit == "c1" && $0.escalation == c1.escalation })
    }

    @Test func stopsWhenTheUnitCompletes() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        try f.engine.advance(to: at("2022-11-28T12:00:00+07:00"))
        _ = try f.done("g2", "a", now: at("2022-11-28T13:00:00+07:00"))
        let before = try f.engine.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-12-10"))
        #expect(!(try raised(f, since: before)).contains { $0.unit == "g2" && $0.stage == "a" })
    }

    @Test func remindersBecomeJobsForTheUnitOnce() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        try f.engine.advance(to: at("2022-11-24T12:00:00+07:00"))
        let reminders = try f.events().filter { $0.type == "deadline.reminder" }
        let jobs = try f.store.read { try $0.jobs(state: .pending, limit: 1000) }
        #expect(jobs.map(\.key).sorted() == reminders.map(\.id).sorted())
        let payload = try JSONDecoder().decode(JobPayload.self, from: Data(jobs.first { $0.recipient == "g2" }!.payload.utf8))
        #expect(payload.lateMembers == ["Phạm Thị Dung", "Hoàng Văn Em"])
        #expect(payload.dueText == "trước ngày 25/11/2022")
        // A restart's catch-up over the same window (the watermark rolled back, as after a crash
        // before it was stored) stores nothing twice: no event, no job.
        let seq = try f.store.read { try $0.lastSeq() }
        try f.store.write { try $0.setWatermark("t", at("2022-11-01T08:00:00+07:00")) }
        let restarted = try Engine(store: f.store)
        try restarted.advance(to: at("2022-11-24T12:00:00+07:00"), catchUp: true)
        #expect(try f.store.read { try $0.lastSeq() } == seq)
        #expect(try f.store.read { try $0.jobs(state: nil, limit: 1000) }.count == jobs.count)
    }

    @Test func deliveryChannelFollowsTheMostSpecificUnit() {
        let r = DeliveryRouting(defaultChannel: .spool, byUnit: ["gc": .smtp, "c2": .webhook])
        #expect(r.channel(forPath: "duk/gc/c1/") == .smtp)
        #expect(r.channel(forPath: "duk/gc/sc/c2/") == .webhook)
        #expect(r.channel(forPath: "duk/g2/") == .spool)
        #expect(DeliveryRouting.parseUnits("gc:smtp, c2:webhook") == ["gc": .smtp, "c2": .webhook])
        #expect(DeliveryRouting.parseUnits("gc:fax") == nil)
    }

    @Test func aJobCarriesItsRecipientsPhoneWhenTheTreeHasOne() throws {
        // The same tree with the optional columns; only g2 has a phone.
        let units = smallUnits.split(separator: "\n").enumerated().map { i, line in
            i == 0 ? line + ",disciplined,phone" : line + (line.hasPrefix("g2,") ? ",,+84 912 000 222" : ",,")
        }.joined(separator: "\n") + "\n"
        let f = try Fixture(units: units)
        try f.load(escalatingPlan)
        try f.engine.advance(to: at("2022-11-24T12:00:00+07:00"))
        let jobs = try f.store.read { try $0.jobs(state: .pending, limit: 1000) }
        let payloads = try jobs.map { try JSONDecoder().decode(JobPayload.self, from: Data($0.payload.utf8)) }
        #expect(payloads.first { $0.recipient == "g2" }?.recipientPhone == "+84912000222")
        #expect(payloads.filter { $0.recipient != "g2" }.allSatisfy { $0.recipientPhone == nil })
    }

    @Test func completionTellsEachCommitteeTheEscalationWentToOnce() throws {
        let f = try Fixture()
        try f.load(escalatingPlan)
        for cell in ["c1", "g2"] { _ = try f.done(cell, "a", now: at("2022-11-10")) }
        try f.engine.advance(to: at("2022-12-03"))
        // The committees that received an escalation about c2, as the events say, but c2 itself.
        let told = Set(try raised(f).filter { $0.stage == "a" && $0.unit == "c2" }.compactMap(\.to)).subtracting(["c2"])
        #expect(told == ["sc", "gc"])
        let before = try f.store.read { try $0.lastSeq() }
        _ = try f.done("c2", "a", now: at("2022-12-03T09:00:00+07:00"))
        let resolved = try f.events(since: before).filter { $0.type == "escalation.resolved" }
        #expect(resolved.count == 1 && resolved[0].unit == "c2" && (resolved[0].message ?? "").contains("đã hoàn thành"))
        let jobs = try f.store.read { try $0.jobs(state: nil, limit: 1000) }.filter { $0.kind == .resolved }
        #expect(Set(jobs.map(\.recipient)) == told && jobs.count == told.count)
        let payload = try JSONDecoder().decode(JobPayload.self, from: Data(jobs[0].payload.utf8))
        #expect(payload.unit == "c2" && payload.stage == "a" && payload.escalation == resolved[0].escalation)
        // The ladder stops, and completing again tells no one twice.
        let after = try f.store.read { try $0.lastSeq() }
        try f.engine.advance(to: at("2022-12-20"))
        #expect(!(try raised(f, since: after)).contains { $0.unit == "c2" && $0.stage == "a" })
        _ = try f.done("c2", "a", now: at("2022-12-20T09:00:00+07:00"))
        #expect(try f.store.read { try $0.jobs(state: nil, limit: 1000) }.filter { $0.kind == .resolved }.count == told.count)
    }

    @Test func aPlanMayTurnResolvedNoticesOff() throws {
        let f = try Fixture()
        try f.load(escalatingPlan.replacingOccurrences(of: "  repeat: 2d", with: "  repeat: 2d\n  notify_resolved: false"))
        for cell in ["c1", "g2"] { _ = try f.done(cell, "a", now: at("2022-11-10")) }
        try f.engine.advance(to: at("2022-12-03"))
        _ = try f.done("c2", "a", now: at("2022-12-03T09:00:00+07:00"))
        #expect(try f.events().filter { $0.type == "escalation.resolved" }.isEmpty)
        #expect(try f.store.read { try $0.jobs(state: nil, limit: 1000) }.filter { $0.kind == .resolved }.isEmpty)
    }

    @Test func aStepMayRepeatAtItsOwnIntervalOrNotAtAll() throws {
        // The unit is reminded daily, the parent once, the grandparent every 5 days (the ladder's).
        let plan = smallPlan + """

            escalation:
              ladder:
                - {after: 0d, to: unit, repeat: 1d}
                - {after: 3d, to: parent, repeat: none}
                - {after: 7d, to: grandparent}
              repeat: 5d
            """
        let f = try Fixture()
        try f.load(plan)
        for cell in ["c1", "g2"] { _ = try f.done(cell, "a", now: at("2022-11-10")) }
        try f.engine.advance(to: at("2022-12-13"))
        let steps = try raised(f).filter { $0.stage == "a" }.map { "\($0.time.prefix(10)) level \($0.level!) to \($0.to!)" }
        // Worked out by hand from the plan: due 25 Nov; daily to c2 until the 28th; sc once on the
        // 28th; gc on 2 Dec, then every 5 days.
        #expect(steps == [
            "2022-11-25 level 0 to c2", "2022-11-26 level 0 to c2", "2022-11-27 level 0 to c2",
            "2022-11-28 level 1 to sc",
            "2022-12-02 level 2 to gc", "2022-12-07 level 2 to gc", "2022-12-12 level 2 to gc",
        ], "\(steps)")
        #expect(throws: (any Error).self) { try f.load(plan.replacingOccurrences(of: "repeat: 1d", with: "repeat: 10m").replacingOccurrences(of: "id: t", with: "id: t2")) }
    }
}


/// Issue 25, item 8: escalation stops at the campaign's root, or goes to the body the plan names
/// above it; a committee is never escalated to itself.
@Suite(.timeLimit(.minutes(5))) struct EscalationAtTheRootTests {
    /// The small plan with a stage of the bloc's own, and a ladder that climbs two levels.
    static let plan = smallPlan + """

          - id: r
            title: Đảng ủy Khối xếp loại
            for: [bloc]
            due: 2022-12-10
        directed_review: {due_in: 15d}
        escalation:
          ladder:
            - {after: 0d, to: unit}
            - {after: 3d, to: parent}
            - {after: 7d, to: grandparent}
            - {after: 9d, to: root}
          repeat: 2d
          notify_resolved: true
        """
    static let above = """

          above: {name: Ban Thường vụ Tỉnh ủy, email: btv@tinhuy.example.vn}
        """

    func steps(_ f: Fixture, stage: String, unit: String) throws -> [String] {
        try f.events().filter { $0.type == "escalation.raised" && $0.stage == stage && $0.unit == unit }
            .map { "\($0.time.prefix(10)) level \($0.level!) to \($0.to!)" }
    }

    @Test func theBlocsOwnLateStageGoesToNoOneAboveIt() throws {
        let f = try Fixture()
        try f.load(Self.plan)
        try f.engine.advance(to: at("2022-12-24"))
        // Only the bloc's own reminder (to: unit); parent, grandparent and root would be the
        // bloc itself or above it.
        #expect(try steps(f, stage: "r", unit: "duk") == ["2022-12-10 level 0 to duk", "2022-12-12 level 0 to duk"])
        // g2 sits under the bloc: its parent (and root) step go to the bloc, its grandparent step
        // would climb above the root and is skipped.
        let g2 = try steps(f, stage: "c", unit: "g2")
        #expect(g2.contains("2022-12-08 level 1 to duk") && g2.contains("2022-12-14 level 3 to duk"), "\(g2)")
        #expect(!g2.contains { $0.contains("level 2") }, "\(g2)")
        // No job at all goes to the late bloc about its own stage but its reminder (level 0).
        let jobs = try f.store.read { try $0.jobs(state: nil, limit: 5000) }.filter { $0.kind == .escalation }
        let payloads = try jobs.map { try JSONDecoder().decode(JobPayload.self, from: Data($0.payload.utf8)) }
        #expect(payloads.filter { $0.unit == "duk" }.allSatisfy { $0.level == 0 })
    }

    @Test func thePlansBodyAboveTheRootReceivesWhatClimbsPastIt() throws {
        let f = try Fixture()
        try f.load(Self.plan + Self.above)
        try f.engine.advance(to: at("2022-12-24"))
        let duk = try steps(f, stage: "r", unit: "duk")
        #expect(duk.contains("2022-12-13 level 1 to above") && duk.contains("2022-12-17 level 2 to above"), "\(duk)")
        #expect(!duk.contains { $0.contains("level 3") }, "the root step would be the bloc itself: \(duk)")
        #expect(try steps(f, stage: "c", unit: "g2").contains("2022-12-12 level 2 to above"))
        let event = try f.events().first { $0.type == "escalation.raised" && $0.to == "above" }!
        #expect(event.message?.contains("Ban Thường vụ Tỉnh ủy") == true, "\(event.message ?? "")")
        let job = try f.store.read { try $0.jobs(state: nil, limit: 5000) }.first { $0.key == event.id }!
        #expect(job.recipient == "above" && job.address == "btv@tinhuy.example.vn")
        let p = try JSONDecoder().decode(JobPayload.self, from: Data(job.payload.utf8))
        #expect(p.recipientName == "Ban Thường vụ Tỉnh ủy" && p.unit == event.unit)
        // Completing the stage tells the body above too, once.
        let before = try f.store.read { try $0.lastSeq() }
        _ = try f.done("duk", "r", now: at("2022-12-24T09:00:00+07:00"))
        #expect(try f.events(since: before).contains { $0.type == "escalation.resolved" && $0.unit == "duk" })
        let resolved = try f.store.read { try $0.jobs(state: nil, limit: 5000) }.filter { $0.kind == .resolved }
        #expect(resolved.map(\.recipient) == ["above"])
    }

    @Test func aDirectedReviewOwnedByTheRootClimbsNoHigherThanThePlanAllows() throws {
        // g2's directed review belongs to the bloc: the ladder starts there, and its parent step
        // is above the root.
        for withAbove in [false, true] {
            let f = try Fixture()
            try f.load(Self.plan + (withAbove ? Self.above : ""))
            _ = try f.engine.flag(FlagArgs(unit: "g2", reasons: ["disunity"], note: "Mất đoàn kết"), now: at("2022-11-10"), by: "admin")
            try f.engine.advance(to: at("2022-12-10"))
            let to = try f.events().filter { $0.type == "escalation.raised" && $0.unit == "g2" && $0.stage == "directed-review" }.map { "\($0.level!) \($0.to!)" }
            #expect(to.contains("0 duk"), "\(to)")
            #expect(to.contains("1 above") == withAbove, "\(to)")
            #expect(!to.contains { $0.hasPrefix("1 duk") || $0.hasPrefix("2 duk") || $0.hasPrefix("3 duk") }, "\(to)")
        }
    }

    @Test func theTargetOfAStep() {
        let root = "duk/"
        func t(_ to: Escalation.Target, _ path: String, above: Bool = false) -> String? {
            Engine.escalationTarget(to, unitPath: path, rootPath: root, above: above)
        }
        #expect(t(.unit, "duk/") == "duk")
        #expect(t(.parent, "duk/") == nil && t(.parent, "duk/", above: true) == "above")
        #expect(t(.root, "duk/") == nil && t(.root, "duk/", above: true) == nil)
        #expect(t(.parent, "duk/gc/") == "duk" && t(.grandparent, "duk/gc/") == nil)
        #expect(t(.grandparent, "duk/gc/sc/") == "duk" && t(.root, "duk/gc/sc/c2/") == "duk")
        // A campaign rooted below the tree's top never climbs above its root.
        #expect(Engine.escalationTarget(.grandparent, unitPath: "duk/gc/c1/", rootPath: "duk/gc/") == nil)
        #expect(Engine.escalationTarget(.root, unitPath: "duk/gc/c1/", rootPath: "duk/gc/") == "gc")
    }
}
