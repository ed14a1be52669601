import Foundation
import KiemDiemWire
import Logging
import ZeroMQ

/// The ZAP handler (ZeroMQ RFC 27): libzmq asks it, over `inproc://zeromq.zap.01`, whether a
/// CURVE client may connect. It admits only keys in the authorized-keys file whose role may use
/// the socket (the ZAP domain), and names the connection by the key, which libzmq then attaches
/// to every message as the `User-Id` property. Without a bound handler libzmq 4.3 would admit any
/// client, so the daemon binds it before any CURVE socket and refuses to start if it cannot.
struct ZapHandler {
    static let endpoint = "inproc://zeromq.zap.01"
    var keys: AuthorizedKeys
    let logger: Logger

    /// A connection the handler refused: which socket, from where, why, and a short
    /// fingerprint of the key offered (never the key itself).
    struct Refusal: Equatable {
        var domain: String
        var address: String
        var reason: String
        var key: String?
    }

    /// The reply frames for one request's frames.
    func reply(to frames: [Data]) -> [Data] { answer(frames).frames }

    /// 16 hex digits that tell refusals of the same key apart from others (FNV-1a, 64 bits): an
    /// identifier for the audit, not a security boundary, so no cryptographic hash is needed.
    static func fingerprint(_ key: Data) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(format: "%016llx", h)
    }

    /// The reply frames, and the refusal when it is one.
    func answer(_ frames: [Data]) -> (frames: [Data], refusal: Refusal?) {
        func frame(_ s: String) -> Data { Data(s.utf8) }
        // version, request id, domain, address, identity, mechanism, credentials…
        guard frames.count >= 6, frames[0] == frame("1.0") else {
            return ([frame("1.0"), frames.count > 1 ? frames[1] : Data(), frame("500"), frame("malformed ZAP request"), Data(), Data()], nil)
        }
        let requestId = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        func deny(_ code: String, _ why: String, key: Data? = nil) -> ([Data], Refusal?) {
            logger.warning("connection refused", metadata: ["domain": "\(domain)", "address": "\(address)", "reason": "\(why)"])
            let print = key.map(ZapHandler.fingerprint)
            return ([frame("1.0"), requestId, frame(code), frame(why), Data(), Data()], Refusal(domain: domain, address: address, reason: why, key: print))
        }
        guard mechanism == "CURVE", frames.count >= 7, frames[6].count == 32, let key = Z85.encode([UInt8](frames[6])) else {
            return deny("400", "CURVE credentials required")
        }
        guard let entry = keys[key] else { return deny("400", "key not authorized", key: frames[6]) }
        guard entry.role.mayConnect(to: domain) else { return deny("400", "role \(entry.role.rawValue) may not use the \(domain) socket", key: frames[6]) }
        return ([frame("1.0"), requestId, frame("200"), frame("OK"), frame(key), Data()], nil)
    }
}
