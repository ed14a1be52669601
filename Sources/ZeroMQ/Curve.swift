import CZeroMQ

/// A CURVE (Curve25519) long-term key pair, both keys z85-encoded (40 characters).
///
/// `description` never shows the secret key, so logging a key pair does not leak it.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let publicKey: String
    public let secretKey: String

    /// A fresh random key pair (`zmq_curve_keypair`). Throws `ENOTSUP` if libzmq was built
    /// without CURVE (see `zmqHasCapability("curve")`).
    public static func generate() throws -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        defer { for i in secretKey.indices { secretKey[i] = 0 } }
        if zmq_curve_keypair(&publicKey, &secretKey) != 0 {
            throw ZMQError.last("zmq_curve_keypair")
        }
        return CurveKeyPair(publicKey: stringFromCBuffer(publicKey), secretKey: stringFromCBuffer(secretKey))
    }

    /// Rebuilds the pair from a stored z85 secret key (`zmq_curve_public`).
    /// Throws `EINVAL` unless `secretKey` is a valid 40-character z85 key.
    public static func derive(fromSecretKey secretKey: String) throws -> CurveKeyPair {
        // Checked first: zmq_curve_public decodes into a fixed 32-byte buffer without a length
        // check, so a longer string would overflow it.
        guard Z85.decode(secretKey)?.count == 32 else {
            throw ZMQError(code: EINVAL, operation: "zmq_curve_public: not a 40-character z85 key")
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        if zmq_curve_public(&publicKey, secretKey) != 0 {
            throw ZMQError.last("zmq_curve_public")
        }
        return CurveKeyPair(publicKey: stringFromCBuffer(publicKey), secretKey: secretKey)
    }

    public var description: String { "CurveKeyPair(publicKey: \(publicKey), secretKey: <redacted>)" }
    public var debugDescription: String { description }
}

/// Z85 (ZeroMQ's base-85 text encoding, RFC 32), as implemented by libzmq.
public enum Z85 {
    /// Encodes `bytes`; nil unless `bytes.count` is a multiple of 4.
    public static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let ok = bytes.withUnsafeBufferPointer { input in
            zmq_z85_encode(&text, input.baseAddress, input.count) != nil
        }
        return ok ? stringFromCBuffer(text) : nil
    }

    /// Decodes z85 `text`; nil unless it is valid z85 whose length is a multiple of 5.
    public static func decode(_ text: String) -> [UInt8]? {
        var input = Array(text.utf8)
        // libzmq measures the input with strlen: an embedded NUL would silently truncate it.
        guard input.count % 5 == 0, !input.contains(0) else { return nil }
        // libzmq reports failure (NULL) for empty input, but "" is the encoding of no bytes.
        if input.isEmpty { return [] }
        input.append(0)
        var output = [UInt8](repeating: 0, count: (input.count - 1) / 5 * 4)
        let ok = input.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { chars in
                zmq_z85_decode(&output, chars.baseAddress) != nil
            }
        }
        return ok ? output : nil
    }
}
