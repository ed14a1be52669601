import Crypto
import Foundation
import KiemDiemTesting
import Testing
@testable import KiemDiemEngine

/// Letters' links and the page's tokens. The MAC is checked against swift-crypto's HMAC computed
/// here, not through the signer; every one-character change of a link is refused.
@Suite(.timeLimit(.minutes(5))) struct WebAuthTests {
    let key = Data((0..<32).map { UInt8($0) })
    let now = 1_700_000_000.0

    func signer(key: Data? = nil, previous: (key: Data, until: Int64)? = nil) -> LinkSigner {
        LinkSigner(base: "https://kiemdiem.example.vn/", ttl: 30 * 86_400, key: key ?? self.key, previous: previous)
    }

    @Test func aLinkCarriesItsClaimUnderAnHMACOfItsText() throws {
        let s = signer()
        let claim = s.claim(.ack, escalation: 42, recipient: "so-tai-chinh", unit: "cb-1", stage: "self-review", now: now)
        let link = s.link(claim)
        #expect(link.hasPrefix("https://kiemdiem.example.vn/a/ack.42.so-tai-chinh.cb-1.self-review.\(Int64(now) + 30 * 86_400)."))
        let token = String(link.split(separator: "/").last!)
        let text = token.split(separator: ".").dropLast().joined(separator: ".")
        let expected = HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
        #expect(token.hasSuffix("." + expected))
        #expect(try s.verify(token, now: now) == claim)
    }

    @Test func everyOneCharacterChangeIsRefused() throws {
        let s = signer()
        let token = String(s.link(s.claim(.ack, escalation: 7, recipient: "duk", unit: "c-9", stage: "cell-review", now: now)).split(separator: "/").last!)
        var rng = SeededRandom(seed: 366)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-.")
        for (i, c) in token.enumerated() {
            var t = Array(token)
            var replacement = alphabet.randomElement(using: &rng)!
            while replacement == c { replacement = alphabet.randomElement(using: &rng)! }
            t[i] = replacement
            #expect(throws: LinkSigner.Refusal.self, "position \(i)") { try s.verify(String(t), now: now) }
        }
        #expect(throws: LinkSigner.Refusal.malformed) { try s.verify(token + ".x", now: now) }
        #expect(throws: LinkSigner.Refusal.malformed) { try s.verify("", now: now) }
        // Another key's link is not ours.
        let other = signer(key: Data(repeating: 9, count: 32))
        let foreign = String(other.link(other.claim(.ack, escalation: 7, recipient: "duk", unit: "c-9", stage: "cell-review", now: now)).split(separator: "/").last!)
        #expect(throws: LinkSigner.Refusal.badSignature) { try s.verify(foreign, now: now) }
    }

    @Test func aLinkExpiresAndARotatedKeyVerifiesOnlyDuringItsGrace() throws {
        let old = signer()
        let token = String(old.link(old.claim(.view, recipient: "duk", unit: "duk", stage: "study", now: now)).split(separator: "/").last!)
        #expect(throws: LinkSigner.Refusal.expired) { try old.verify(token, now: now + 31 * 86_400) }
        let newKey = Data(repeating: 7, count: 32)
        let rotated = signer(key: newKey, previous: (key, Int64(now) + 7 * 86_400))
        #expect(try rotated.verify(token, now: now + 86_400).unit == "duk")
        #expect(throws: LinkSigner.Refusal.badSignature) { try rotated.verify(token, now: now + 8 * 86_400) }
        #expect(throws: LinkSigner.Refusal.badSignature) { try signer(key: newKey).verify(token, now: now) }
    }

    @Test func tokensAreRandomStoredAsTheirDigestAndParsedStrictly() throws {
        let a = WebToken.make(), b = WebToken.make()
        #expect(a.id != b.id && a.secret != b.secret)
        #expect(WebToken.parse(a.token)! == (a.id, a.secret))
        let digest = SHA256.hash(data: Data(a.secret.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(WebToken.hash(a.secret) == digest && !digest.contains(a.secret))
        #expect(WebToken.sameDigest(digest, WebToken.hash(a.secret)) && !WebToken.sameDigest(digest, WebToken.hash(b.secret)))
        for bad in ["", a.id, "\(a.id).", "\(a.id.uppercased()).\(a.secret)", "\(a.id).\(a.secret).x", "\(a.id)x.\(a.secret)", "\(a.id).\(a.secret)\u{0}"] {
            #expect(WebToken.parse(bad) == nil, "\(bad)")
        }
    }
}
