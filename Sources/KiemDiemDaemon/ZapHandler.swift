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

    /// The reply frames for one request's frames.
    func reply(to frames: [Data]) -> [Data] {
        func frame(_ s: String) -> Data { Data(s.utf8) }
        // version, request id, domain, address, identity, mechanism, credentials…
        guard frames.count >= 6, frames[0] == frame("1.0") else {
            return [frame("1.0"), frames.count > 1 ? frames[1] : Data(), frame("500"), frame("malformed ZAP request"), Data(), Data()]
        }
        let requestId = frames[1]
        let domain = String(decoding: frames[2], as: UTF8.self)
        let address = String(decoding: frames[3], as: UTF8.self)
        let mechanism = String(decoding: frames[5], as: UTF8.self)
        func deny(_ code: String, _ why: String) -> [Data] {
            logger.warning("connection refused", metadata: ["domain": "\(domain)", "address": "\(address)", "reason": "\(why)"])
            return [frame("1.0"), requestId, frame(code), frame(why), Data(), Data()]
        }
        guard mechanism == "CURVE", frames.count >= 7, frames[6].count == 32, let key = Z85.encode([UInt8](frames[6])) else {
            return deny("400", "CURVE credentials required")
        }
        guard let entry = keys[key] else { return deny("400", "key not authorized") }
        guard entry.role.mayConnect(to: domain) else { return deny("400", "role \(entry.role.rawValue) may not use the \(domain) socket") }
        return [frame("1.0"), requestId, frame("200"), frame("OK"), frame(key), Data()]
    }
}
