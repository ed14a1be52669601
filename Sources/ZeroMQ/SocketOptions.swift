import CZeroMQ

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Socket {
    /// How long (ms) unsent messages are kept after `close()`; -1 = forever, 0 = discard.
    /// Sockets start at 0 here, because a non-zero linger makes context termination block.
    public func setLinger(_ ms: Int32) throws {
        try setOption(ZMQ_LINGER, "ZMQ_LINGER", int32: ms)
    }

    /// Outbound queue limit in messages (0 = unlimited). Set before bind/connect.
    public func setSendHighWaterMark(_ n: Int32) throws {
        try setOption(ZMQ_SNDHWM, "ZMQ_SNDHWM", int32: n)
    }

    /// Inbound queue limit in messages (0 = unlimited). Set before bind/connect.
    public func setReceiveHighWaterMark(_ n: Int32) throws {
        try setOption(ZMQ_RCVHWM, "ZMQ_RCVHWM", int32: n)
    }

    /// Largest inbound message (all frames, bytes) a peer may send; -1 = unlimited.
    /// A peer that exceeds it is disconnected, and the message is never delivered.
    /// Set before bind/connect.
    public func setMaxMessageSize(_ bytes: Int64) throws {
        try setOption(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", int64: bytes)
    }

    /// Upper bound (ms) for a blocking `receive`, after which it returns nil; -1 = forever.
    public func setReceiveTimeout(_ ms: Int32) throws {
        try setOption(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO", int32: ms)
    }

    /// Upper bound (ms) for a blocking `send`, after which it returns false; -1 = forever.
    public func setSendTimeout(_ ms: Int32) throws {
        try setOption(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO", int32: ms)
    }

    /// ROUTER: sending to an unknown routing id throws `EHOSTUNREACH` instead of silently
    /// dropping the message.
    public func setRouterMandatory(_ on: Bool) throws {
        try setOption(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", int32: on ? 1 : 0)
    }

    /// The identity a ROUTER peer sees for this socket (1–255 bytes, must not start with a
    /// zero byte). Set before connect.
    public func setRoutingId(_ id: Data) throws {
        try setOption(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", bytes: Array(id))
    }

    /// Queue messages only to completed connections, so nothing piles up for a peer that is
    /// not there yet.
    public func setImmediate(_ on: Bool) throws {
        try setOption(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", int32: on ? 1 : 0)
    }

    /// SUB: receive messages whose first frame starts with `prefix` (its UTF-8 bytes, no
    /// terminator). The empty prefix subscribes to everything.
    public func subscribe(_ prefix: String) throws {
        try setOption(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", bytes: Array(prefix.utf8))
    }

    /// SUB: receive messages whose first frame starts with these bytes.
    public func subscribe(_ prefix: Data) throws {
        try setOption(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", bytes: Array(prefix))
    }

    /// SUB: removes one earlier `subscribe` of the same prefix.
    public func unsubscribe(_ prefix: String) throws {
        try setOption(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", bytes: Array(prefix.utf8))
    }

    /// XPUB: pass every (un)subscription upstream, not only the first for a given topic.
    public func setXPubVerbose(_ on: Bool) throws {
        try setOption(ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", int32: on ? 1 : 0)
    }

    /// Makes this socket a CURVE server with the given z85 secret key (40 characters).
    /// Set before bind.
    public func setCurveServer(secretKey: String) throws {
        let secret = try curveKeyOption(secretKey, "ZMQ_CURVE_SECRETKEY")
        try setOption(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", int32: 1)
        try setOption(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", bytes: secret)
    }

    /// Makes this socket a CURVE client of the server with `serverPublicKey`, using its own
    /// long-term key pair. All keys are z85 (40 characters). Set before connect.
    public func setCurveClient(serverPublicKey: String, publicKey: String, secretKey: String) throws {
        let server = try curveKeyOption(serverPublicKey, "ZMQ_CURVE_SERVERKEY")
        let pub = try curveKeyOption(publicKey, "ZMQ_CURVE_PUBLICKEY")
        let secret = try curveKeyOption(secretKey, "ZMQ_CURVE_SECRETKEY")
        try setOption(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", bytes: server)
        try setOption(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", bytes: pub)
        try setOption(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", bytes: secret)
    }

    /// Enables ZAP authentication requests for this socket under `domain` (an authenticator
    /// must be serving `inproc://zeromq.zap.01`, or handshakes are accepted as before).
    public func setZapDomain(_ domain: String) throws {
        try setOption(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", bytes: Array(domain.utf8))
    }

    /// A z85 key as the NUL-terminated 41-byte option value libzmq expects.
    ///
    /// Validated here because libzmq picks the format by length alone: a 31-character string
    /// plus NUL would be taken as a 32-byte *binary* key, and an embedded NUL would make it
    /// decode a truncated key.
    private func curveKeyOption(_ key: String, _ name: String) throws -> [UInt8] {
        guard Z85.decode(key)?.count == 32 else {
            throw ZMQError(code: EINVAL, operation: "zmq_setsockopt(\(name)): not a 40-character z85 key")
        }
        return Array(key.utf8) + [0]
    }
}
