import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire

/// The time zone of the fixtures, and an instant in it: `at("2022-11-01T08:00:00+07:00")`.
public let hcm = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
public func at(_ s: String) -> Date { Instant.parse(s, timeZone: hcm)! }

/// A small tree:
///   duk (bloc)
///   ├─ gc (grassroots-committee)
///   │   ├─ c1 (cell): m1, m2
///   │   └─ sc (sub-committee)
///   │       └─ c2 (cell): m3
///   └─ g2 (grassroots-cell): m4, m5
public let smallUnits = """
id,parent,kind,name,head,email
duk,,bloc,Đảng bộ Khối,,
gc,duk,grassroots-committee,Đảng bộ Sở Tài chính,m1,
c1,gc,cell,Chi bộ Văn phòng,m1,
sc,gc,sub-committee,Đảng bộ bộ phận Thanh tra,m3,
c2,sc,cell,Chi bộ Thanh tra 1,m3,
g2,duk,grassroots-cell,Chi bộ Sở Tư pháp,m4,

"""
public let smallMembers = """
id,unit,name,role,email,disciplined
m1,c1,Nguyễn Văn An,secretary,,false
m2,c1,Trần Thị Bình,member,,false
m3,c2,Lê Văn Cường,secretary,,false
m4,g2,Phạm Thị Dung,secretary,,false
m5,g2,Hoàng Văn Em,member,,true

"""
public let smallPlan = """
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

/// An engine on an in-memory store holding the small tree.
public struct Fixture {
    public let store: Store
    public let engine: Engine

    public init(store: Store? = nil, units: String = smallUnits, members: String = smallMembers) throws {
        self.store = try store ?? Store()
        engine = try Engine(store: self.store)
        if try self.store.read({ try $0.counts().units }) == 0 {
            _ = try engine.importUnits(FileArgs(name: "units.csv", content: units), now: at("2022-10-01"))
            _ = try engine.importMembers(FileArgs(name: "members.csv", content: members), now: at("2022-10-01"))
        }
    }

    @discardableResult
    public func load(_ plan: String = smallPlan, now: Date = at("2022-11-01T08:00:00+07:00")) throws -> CampaignInfo {
        try engine.loadCampaign(FileArgs(name: "plan.yaml", content: plan), now: now)
    }

    /// Every stored event, in seq order.
    public func events(since: Int64 = 0) throws -> [EventBody] {
        var out: [EventBody] = []
        var cursor = since
        while true {
            let r = try engine.events(EventsArgs(since: cursor, limit: 5000))
            out += r.events
            guard r.more, let last = r.events.last else { return out }
            cursor = last.seq
        }
    }

    public func done(_ unit: String, _ stage: String, member: String? = nil, now: Date) throws -> DoneResult {
        try engine.done(DoneArgs(unit: unit, stage: stage, member: member), now: now, by: "test")
    }
}

/// SplitMix64: a seeded generator, so a simulation replays exactly.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

