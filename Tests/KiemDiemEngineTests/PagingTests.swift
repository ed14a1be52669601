import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// Long lists come in pages: the pages of `overdue` and `jobs`, followed by their cursors, hold
/// exactly the items of one long listing, in the same order, and `total` counts them all.
@Suite(.timeLimit(.minutes(5))) struct PagingTests {
    static func sampleBloc() throws -> Fixture {
        let samples = repoRoot.appendingPathComponent("config/samples")
        let f = try Fixture(units: try String(contentsOf: samples.appendingPathComponent("units.csv"), encoding: .utf8),
                            members: try String(contentsOf: samples.appendingPathComponent("members.csv"), encoding: .utf8))
        try f.load(try String(contentsOf: repoRoot.appendingPathComponent("config/plans/2022-annual.yaml"), encoding: .utf8))
        return f
    }

    @Test func overduePagesEqualOneListing() throws {
        let f = try Self.sampleBloc()
        let now = at("2022-12-06T09:00:00+07:00")
        try f.engine.advance(to: now)
        // One unit extended past now, and one with an extension already run out, mixed in path order.
        // Past its organization's grassroots-review (5 Dec), which moves with it (--cascade).
        _ = try f.engine.extend(ExtendArgs(unit: "vp-tinh-uy-cb-phong-tong-hop", stage: "cell-review", until: "2022-12-10", reason: "Gia hạn", cascade: true), now: at("2022-11-20"))
        _ = try f.engine.extend(ExtendArgs(unit: "vp-tinh-uy-cb-quan-tri-tai-vu", stage: "cell-review", until: "2022-12-04", reason: "Gia hạn"), now: at("2022-11-20"))
        let all = try f.engine.overdue(OverdueArgs(limit: 10_000), now: now)
        #expect(!all.truncated && all.next == nil)
        #expect(all.items.count > 40, "the sample bloc at 6/12 has many late units: \(all.items.count)")
        #expect(all.total == all.items.count, "total counts what the listing holds")
        #expect(!all.items.contains { $0.unit == "vp-tinh-uy-cb-phong-tong-hop" && $0.stage == "cell-review" })
        #expect(all.items.contains { $0.unit == "vp-tinh-uy-cb-quan-tri-tai-vu" && $0.stage == "cell-review" })
        for size in [1, 7, 50] {
            var pages: [OverdueItem] = []
            var after: String?
            var rounds = 0
            repeat {
                let page = try f.engine.overdue(OverdueArgs(limit: size, after: after), now: now)
                #expect(page.items.count <= size)
                #expect(page.total == all.total)
                pages += page.items
                after = page.next
                rounds += 1
            } while after != nil && rounds < 1000
            #expect(pages.map { "\($0.campaign) \($0.stage) \($0.unit) \($0.due)" } == all.items.map { "\($0.campaign) \($0.stage) \($0.unit) \($0.due)" }, "pages of \(size)")
        }
        // A subtree's pages and its total.
        let sub = try f.engine.overdue(OverdueArgs(unit: "vp-tinh-uy", limit: 2), now: now)
        #expect(sub.items.allSatisfy { $0.path.hasPrefix("duk/vp-tinh-uy/") })
        #expect(sub.total == all.items.filter { $0.path.hasPrefix("duk/vp-tinh-uy/") }.count)
        // A cursor that is not one is refused with the reason.
        #expect(throws: ErrorBody.self) { try f.engine.overdue(OverdueArgs(after: "nonsense"), now: now) }
        #expect(throws: ErrorBody.self) { try f.engine.overdue(OverdueArgs(limit: 0), now: now) }
    }

    @Test func jobPagesEqualOneListing() throws {
        let f = try Self.sampleBloc()
        try f.engine.advance(to: at("2022-11-24T09:00:00+07:00"))
        let context = CommandContext(engine: f.engine, now: Date(), caller: Caller(name: "t", role: .admin), host: TestHost(engine: f.engine, now: Date()))
        let all = try Jobs.run(JobsArgs(limit: 5000), in: context)
        #expect(all.jobs.count > 20 && all.next == nil)
        var pages: [Int64] = []
        var after: Int64?
        repeat {
            let page = try Jobs.run(JobsArgs(limit: 6, after: after), in: context)
            pages += page.jobs.map(\.id)
            after = page.next
        } while after != nil
        #expect(pages == all.jobs.map(\.id))
    }
}
