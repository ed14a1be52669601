import Foundation
import KiemDiemTesting
import PropertyBased
import Testing
@testable import KiemDiemWire

/// The reply to `report` and `view` (children written by hand, spliced into JSONEncoder's bytes)
/// is byte for byte what JSONEncoder writes for the whole reply: on random reports, with names
/// that hold quotes, escapes and the very bytes the splice looks for.
@Suite struct ReportReplyTests {
    static func text(_ rng: inout SeededRandom) -> String {
        Bool.random(using: &rng) ? #""children":[]"# + WireWriterTests.text(&rng) : WireWriterTests.text(&rng)
    }

    static func report(_ rng: inout SeededRandom) -> ReportResult {
        let n = { (r: inout SeededRandom) in Int.random(in: -3...1_000_000, using: &r) }
        var r = ReportResult(campaign: text(&rng), unit: text(&rng), name: text(&rng), asOf: text(&rng),
                             stages: (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                                 StageProgress(stage: text(&rng), title: text(&rng), scope: text(&rng), opens: text(&rng), due: text(&rng),
                                               total: n(&rng), completed: n(&rng), overdue: n(&rng))
                             })
        if Bool.random(using: &rng) {
            r.flags = [FlagInfo(id: 7, unit: text(&rng), reasons: [text(&rng)], confirmed: Bool.random(using: &rng), reviewDue: text(&rng), reviewHeld: false)]
        }
        if Bool.random(using: &rng) { r.openRemediation = n(&rng) }
        if Int.random(in: 0...4, using: &rng) > 0 {
            r.children = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                var c = ChildReport(unit: text(&rng), name: text(&rng), kind: text(&rng), completed: n(&rng), total: n(&rng), overdue: n(&rng),
                                    flags: n(&rng), openRemediation: n(&rng))
                if Bool.random(using: &rng) { c.stages = (0..<Int.random(in: 0...3, using: &rng)).map { _ in [n(&rng), n(&rng), n(&rng)] } }
                return c
            }
        }
        if Bool.random(using: &rng) {
            r.silences = [SilenceInfo(id: 1, campaign: text(&rng), unit: text(&rng), stage: nil, until: text(&rng), reason: text(&rng), by: text(&rng),
                                      created: text(&rng), ended: nil, held: n(&rng))]
        }
        return r
    }

    @Test func theReplyIsWhatJSONEncoderWrites() async {
        await propertyCheck(count: 400, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let results = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Self.report(&rng) }
            let id: String? = Bool.random(using: &rng) ? Self.text(&rng) : nil
            let fast = try WireJSON.reply(id: id, result: results)
            let plain = try WireJSON.encoder().encode(Reply(id: id, result: results))
            #expect(fast == plain, "seed \(seed):\n\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: plain, as: UTF8.self))")
        }
    }
}
