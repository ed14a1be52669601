import Crypto
import Foundation
import KiemDiemCore
import KiemDiemWire

/// The secrets of the web page: tokens an admin issues (stored hashed) and links that letters
/// carry (HMAC-signed). swift-crypto does the hashing and the MACs; only the formats are ours.
public enum WebToken {
    /// A new token: `ID.SECRET`, the id 12 hex digits (listed, revoked by it), the secret 32
    /// random bytes in base64url. Only the secret's SHA-256 is stored.
    public static func make() -> (id: String, secret: String, token: String) {
        var g = SystemRandomNumberGenerator()
        let id = (0..<12).map { _ in String("0123456789abcdef".randomElement(using: &g)!) }.joined()
        let secret = base64url(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }))
        return (id, secret, "\(id).\(secret)")
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Splits `ID.SECRET`; nil when it is not that shape (a forged or truncated token).
    public static func parse(_ token: String) -> (id: String, secret: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 12, parts[0].allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              (40...48).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Compares two hex digests in time independent of where they differ.
    public static func sameDigest(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func base64url(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// What a signed link lets its holder do, once verified.
public struct LinkClaim: Sendable, Equatable {
    public enum Purpose: String, Sendable { case ack, view }
    public var purpose: Purpose
    /// `ack`: the escalation; `view`: 0.
    public var escalation: Int64
    /// The committee the letter went to (a unit id): the actor of what the link does.
    public var recipient: String
    /// The unit the letter is about.
    public var unit: String
    public var stage: String
    /// Real time, epoch seconds.
    public var expires: Int64
}

/// Signs and verifies the links in letters: `PURPOSE.ESCALATION.RECIPIENT.UNIT.STAGE.EXPIRES.MAC`,
/// the MAC an HMAC-SHA256 of everything before it under the link key. Ids are `[a-z0-9-]+`, so
/// the dots cannot be forged into another split. After a rotation the previous key still
/// verifies until its grace ends; a link signed with neither, altered or expired is refused.
public struct LinkSigner: Sendable {
    public var base: String
    public var ttl: Int64
    /// Raw key bytes (SymmetricKey is not Sendable; one is made for each MAC).
    let key: Data
    let previous: (key: Data, until: Int64)?

    public init(base: String, ttl: Int64, key: Data, previous: (key: Data, until: Int64)? = nil) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.ttl = ttl
        self.key = key
        self.previous = previous
    }

    public func link(_ c: LinkClaim) -> String {
        let text = Self.text(c)
        return "\(base)/a/\(text).\(Self.mac(text, key))"
    }

    public func claim(_ purpose: LinkClaim.Purpose, escalation: Int64 = 0, recipient: String, unit: String, stage: String, now: Double) -> LinkClaim {
        LinkClaim(purpose: purpose, escalation: escalation, recipient: recipient, unit: unit, stage: stage, expires: Int64(now) + ttl)
    }

    public enum Refusal: Error, Equatable { case malformed, badSignature, expired }

    /// The claim of a link's last path component, or why it is refused.
    public func verify(_ token: String, now: Double) throws(Refusal) -> LinkClaim {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, let purpose = LinkClaim.Purpose(rawValue: parts[0]), let escalation = Int64(parts[1]),
              Code.isValid(parts[2]), Code.isValid(parts[3]), Code.isValid(parts[4]), let expires = Int64(parts[5]),
              // The MAC covers the canonical text: a number written another way ("+12", "012")
              // would verify as the link it is not, so only the canonical form is a link.
              String(escalation) == parts[1], String(expires) == parts[5] else { throw .malformed }
        let c = LinkClaim(purpose: purpose, escalation: escalation, recipient: parts[2], unit: parts[3], stage: parts[4], expires: expires)
        let text = Self.text(c)
        var keys = [key]
        if let previous, Int64(now) <= previous.until { keys.append(previous.key) }
        guard keys.contains(where: { WebToken.sameDigest(Self.mac(text, $0), parts[6]) }) else { throw .badSignature }
        guard Double(expires) >= now else { throw .expired }
        return c
    }

    static func text(_ c: LinkClaim) -> String {
        "\(c.purpose.rawValue).\(c.escalation).\(c.recipient).\(c.unit).\(c.stage).\(c.expires)"
    }

    static func mac(_ text: String, _ key: Data) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: key)).map { String(format: "%02x", $0) }.joined()
    }
}
