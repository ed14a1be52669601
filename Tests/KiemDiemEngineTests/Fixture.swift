import Foundation
import Synchronization
import Testing
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
@testable import KiemDiemEngine

let hcm = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
func at(_ s: String) -> Date { Instant.parse(s, timeZone: hcm)! }
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A small tree:
///   duk (bloc)
///   ├─ gc (grassroots-committee)
///   │   ├─ c1 (cell): m1, m2
///   │   └─ sc (sub-committee)
///   │       └─ c2 (cell): m3
///   └─ g2 (grassroots-cell): m4, m5
let smallUnits = """
id,parent,kind,name,head,email
duk,,bloc,Đảng bộ Khối,,
gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m1,
c1,gc,cell,Chi bộ Văn phòng,m1,
sc,gc,sub-committee,Đảng bộ bộ phận Thanh tra,m3,
c2,sc,cell,Chi bộ Thanh tra 1,m3,
g2,duk,grassroots-cell,Chi bộ Sở Tư pháp,m4,

"""
let smallMembers = """
id,unit,name,role,email,disciplined
m1,c1,Nguyễn Văn An,secretary,,false
m2,c1,Trần Thị Bình,member,,false
m3,c2,Lê Văn Cường,secretary,,false
m4,g2,Phạm Thị Dung,secretary,,false
m5,g2,Hoàng Văn Em,member,,true

"""
let smallPlan = """
id: t
title: Kế hoạch thử
root: duk
year: 2022
opens: 2022-11-01T08:00:00+07:00
stages:
  - id: a
    title: Đảng viên tự kiểm điểm
    for: members
    due: 2022-11-25
    reminders: [7d, 1d]
  - id: b
    title: Chi bộ họp kiểm điểm
    for: [cell, grassroots-cell]
    after: [a]
    due: 2022-12-01
    reminders: [3d]
  - id: c
    title: Tổ chức cơ sở đảng kiểm điểm
    for: [grassroots-committee, grassroots-cell]
    after: [b]
    due: 2022-12-05
"""

struct Fixture {
    let store: Store
    let engine: Engine

    init(store: Store? = nil, units: String = smallUnits, members: String = smallMembers) throws {
        self.store = try store ?? Store()
        engine = try Engine(store: self.store)
        if try self.store.read({ try $0.counts().units }) == 0 {
            _ = try engine.importUnits(FileArgs(name: "units.csv", content: units), now: at("2022-10-01"))
            _ = try engine.importMembers(FileArgs(name: "members.csv", content: members), now: at("2022-10-01"))
        }
    }

    @discardableResult
    func load(_ plan: String = smallPlan, now: Date = at("2022-11-01T08:00:00+07:00")) throws -> CampaignInfo {
        try engine.loadCampaign(FileArgs(name: "plan.yaml", content: plan), now: now)
    }

    /// Every stored event, in seq order.
    func events(since: Int64 = 0) throws -> [EventBody] {
        var out: [EventBody] = []
        var cursor = since
        while true {
            let r = try engine.events(EventsArgs(since: cursor, limit: 5000))
            out += r.events
            guard r.more, let last = r.events.last else { return out }
            cursor = last.seq
        }
    }

    func done(_ unit: String, _ stage: String, member: String? = nil, now: Date) throws -> DoneResult {
        try engine.done(DoneArgs(unit: unit, stage: stage, member: member), now: now, by: "test")
    }
}

/// SplitMix64: a seeded generator, so a simulation replays exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Expectations checked on a thread of their own (where Swift Testing cannot tell which test an
/// issue belongs to), reported back to the test that started the thread.
final class Checks: @unchecked Sendable {
    private let failures = Mutex<[String]>([])
    func callAsFunction(_ ok: Bool, _ message: @autoclosure () -> String = "", line: Int = #line) {
        if !ok { let m = "line \(line): \(message())"; failures.withLock { $0.append(m) } }
    }
    var recorded: [String] { failures.withLock { $0 } }
}

/// Runs seconds of synchronous work on a thread of its own, not on the cooperative pool that the
/// other suites' async tests share (a 2-core machine has two threads in it); what `body` checks
/// is recorded as issues of the calling test.
func offPool(sourceLocation: SourceLocation = #_sourceLocation, _ body: @escaping @Sendable (Checks) throws -> Void) async throws {
    let checks = Checks()
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
        Thread {
            do { try body(checks); done.resume() } catch { done.resume(throwing: error) }
        }.start()
    }
    for f in checks.recorded { Issue.record(Comment(rawValue: f), sourceLocation: sourceLocation) }
}
