import Foundation
import KiemDiemTesting
import PropertyBased
import Testing
@testable import KiemDiemWire

/// The hand-written JSON of events, job payloads and job frames is what JSONEncoder writes, byte
/// for byte (events and payloads) or as JSON (job frames), on random values: strings with quotes,
/// backslashes, slashes, every control character and Vietnamese text, fields present or absent.
@Suite struct WireWriterTests {
    static let alphabet: [Character] = Array("aZ09-/\"\\ \u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}ĐảngủyBanThườngvụ🙂\u{2028}é")

    static func text(_ rng: inout SeededRandom) -> String {
        String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func maybe<T>(_ rng: inout SeededRandom, _ make: (inout SeededRandom) -> T) -> T? {
        Bool.random(using: &rng) ? make(&rng) : nil
    }

    static func event(_ rng: inout SeededRandom) -> EventBody {
        var b = EventBody(seq: Int64.random(in: 0...Int64.max, using: &rng), id: text(&rng),
                          type: EventType.allCases.randomElement(using: &rng)!, time: text(&rng))
        b.campaign = maybe(&rng, text)
        b.unit = maybe(&rng, text)
        b.path = maybe(&rng, text)
        b.stage = maybe(&rng, text)
        b.member = maybe(&rng, text)
        b.members = maybe(&rng) { r in (0..<Int.random(in: 0...3, using: &r)).map { _ in EventMember(id: text(&r), name: text(&r)) } }
        b.due = maybe(&rng, text)
        b.lead = maybe(&rng, text)
        b.level = maybe(&rng) { Int.random(in: -5...1_000_000, using: &$0) }
        b.to = maybe(&rng, text)
        b.escalation = maybe(&rng) { Int64.random(in: Int64.min...Int64.max, using: &$0) }
        b.reasons = maybe(&rng) { r in (0..<Int.random(in: 0...3, using: &r)).map { _ in text(&r) } }
        b.rule = maybe(&rng, text)
        b.late = maybe(&rng) { Bool.random(using: &$0) }
        b.message = maybe(&rng, text)
        return b
    }

    static func payload(_ rng: inout SeededRandom) -> JobPayload {
        var p = JobPayload(kind: [.reminder, .overdue, .escalation, .suggestion].randomElement(using: &rng)!, event: text(&rng), key: text(&rng),
                           campaign: text(&rng), campaignTitle: text(&rng), stage: text(&rng), stageTitle: text(&rng), unit: text(&rng),
                           unitName: text(&rng), unitPath: text(&rng), recipient: text(&rng), recipientName: text(&rng),
                           recipientEmail: maybe(&rng, text), due: text(&rng), dueText: text(&rng), time: text(&rng))
        p.leadText = maybe(&rng, text)
        p.lateText = maybe(&rng, text)
        p.link = maybe(&rng, text)
        p.recipientPhone = maybe(&rng, text)
        p.member = maybe(&rng, text)
        p.events = maybe(&rng) { r in (0..<Int.random(in: 0...3, using: &r)).map { _ in text(&r) } }
        p.level = maybe(&rng) { Int.random(in: 0...9, using: &$0) }
        p.escalation = maybe(&rng) { Int64.random(in: 0...Int64.max, using: &$0) }
        p.lateMembers = maybe(&rng) { r in (0..<Int.random(in: 0...4, using: &r)).map { _ in text(&r) } }
        p.text = maybe(&rng, text)
        p.authorName = maybe(&rng, text)
        p.late = maybe(&rng) { Bool.random(using: &$0) }
        return p
    }

    /// A digest's payload: items that are payloads themselves.
    static func digest(_ rng: inout SeededRandom) -> JobPayload {
        var p = payload(&rng)
        p.kind = .digest
        p.items = maybe(&rng) { r in (0..<Int.random(in: 0...3, using: &r)).map { _ in payload(&r) } }
        return p
    }

    @Test func eventsArePublishedAsJSONEncoderWritesThem() async {
        let encoder = WireJSON.encoder()
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let b = Self.event(&rng)
            let expected = String(decoding: try! encoder.encode(b), as: UTF8.self)
            #expect(b.json == expected, "seed \(seed)")
            #expect(try! WireJSON.decoder().decode(EventBody.self, from: Data(b.json.utf8)) == b)
        }
    }

    @Test func jobPayloadsAreStoredAsJSONEncoderWritesThem() async {
        let encoder = WireJSON.encoder()
        await propertyCheck(count: 500, input: Gen.uint64()) { seed in
            var rng = SeededRandom(seed: seed)
            let p = seed % 3 == 0 ? Self.digest(&rng) : Self.payload(&rng)
            #expect(p.json == String(decoding: try! encoder.encode(p), as: UTF8.self), "seed \(seed)")
        }
    }

    @Test func aJobFrameCarriesItsStoredPayloadUnchanged() throws {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<200 {
            let p = Self.payload(&rng)
            let address = Self.maybe(&rng, Self.text)
            let frame = JobsMessage.jobFrame(job: 42, key: p.key, attempt: 3, channel: "spool", address: address, payload: p.json)
            let m = try WireJSON.decoder().decode(JobsMessage.self, from: frame)
            #expect(m.type == .job && m.job == 42 && m.key == p.key && m.attempt == 3 && m.channel == "spool" && m.address == address)
            #expect(m.payload == p)
        }
    }
}
