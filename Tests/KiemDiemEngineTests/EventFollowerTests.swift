import Foundation
import KiemDiemClient
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// `watch`'s gap filling against a real engine's stored events, with the live stream losing
/// messages on purpose.
@Suite(.timeLimit(.minutes(5))) struct EventFollowerTests {
    func stored() throws -> (Fixture, [EventBody]) {
        let f = try Fixture()
        try f.load()
        try f.engine.advance(to: at("2022-12-10"))
        return (f, try f.events())
    }

    @Test func gapsAndTailsAreFilledFromTheStore() throws {
        let (f, all) = try stored()
        #expect(all.count > 12)
        var follower = EventFollower(cursor: 0, prefixes: []) { since, prefix in
            try f.engine.events(EventsArgs(since: since, topic: prefix, limit: 3)) // small pages on purpose
        }
        var delivered: [EventBody] = []
        // The live stream loses seq 1–2 (slow joiner), every third event, and the tail.
        let live = all.filter { $0.seq > 2 && $0.seq % 3 != 0 }.dropLast(2)
        for e in live { delivered += try follower.receive(e) }
        var hb = EventBody(seq: all.last!.seq, id: "hb", type: .heartbeat, time: "")
        delivered += try follower.receive(hb)
        #expect(delivered.map(\.seq) == all.map(\.seq))
        // A repeated heartbeat or a late duplicate delivers nothing more.
        hb.id = "hb2"
        #expect(try follower.receive(hb).isEmpty)
        #expect(try follower.receive(all[4]).isEmpty)
    }

    @Test func withATopicFilterOnlyMatchingEventsAreFilled() throws {
        let (f, all) = try stored()
        let prefix = "deadline.overdue/duk/gc/"
        let matching = all.filter { EventBody.topic(type: $0.type, path: $0.path).hasPrefix(prefix) }
        #expect(matching.count >= 3)
        var follower = EventFollower(cursor: 0, prefixes: [prefix]) { since, p in try f.engine.events(EventsArgs(since: since, topic: p)) }
        // Only the last matching event arrives live: everything before it is a gap to fill.
        var delivered = try follower.receive(matching.last!)
        delivered += try follower.receive(EventBody(seq: all.last!.seq, id: "hb", type: .heartbeat, time: ""))
        #expect(delivered.map(\.id) == matching.map(\.id))
    }
}
