import Foundation
import Testing
import ZeroMQ

@Suite(.enabled(if: zmqHasCapability("curve"), "libzmq built without CURVE"), .timeLimit(.minutes(5)))
struct CurveTests {
    @Test func curveRequestReplyOverTCP() throws {
        let serverKeys = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()
        #expect(serverKeys != clientKeys)

        let context = try ZMQContext()
        let server = try Socket(context, .rep)
        try server.setCurveServer(secretKey: serverKeys.secretKey)
        try server.setReceiveTimeout(patienceMs)
        let endpoint = try bindLoopback(server)

        let client = try Socket(context, .req)
        try client.setCurveClient(serverPublicKey: serverKeys.publicKey,
                                  publicKey: clientKeys.publicKey, secretKey: clientKeys.secretKey)
        try client.setReceiveTimeout(patienceMs)
        try client.connect(endpoint)

        try client.send(frame("secret ping"))
        #expect(texts(try server.receive()) == ["secret ping"])
        try server.send(frame("secret pong"))
        #expect(texts(try client.receive()) == ["secret pong"])
    }

    /// Proves the server really enforces CURVE: with the wrong server key the handshake
    /// fails and the request never arrives.
    @Test func wrongServerKeyIsRejected() throws {
        let serverKeys = try CurveKeyPair.generate()
        let impostor = try CurveKeyPair.generate()
        let clientKeys = try CurveKeyPair.generate()

        let context = try ZMQContext()
        let server = try Socket(context, .rep)
        try server.setCurveServer(secretKey: serverKeys.secretKey)
        try server.setReceiveTimeout(1_000)
        let endpoint = try bindLoopback(server)

        let client = try Socket(context, .req)
        try client.setCurveClient(serverPublicKey: impostor.publicKey,
                                  publicKey: clientKeys.publicKey, secretKey: clientKeys.secretKey)
        let monitor = try client.monitor("inproc://curve-monitor-\(UUID().uuidString)",
                                         events: [.handshakeSucceeded, .handshakeFailedProtocol, .handshakeFailedNoDetail], context: context)
        try client.connect(endpoint)
        try client.send(frame("should not arrive"))
        // The refusal itself: the handshake fails (not a message that is merely late).
        #expect(try poll([monitor], timeoutMs: Int(patienceMs))[0].contains(.readable))
        let event = try monitor.receiveMonitorEvent()?.event
        #expect(event == .handshakeFailedProtocol || event == .handshakeFailedNoDetail, "\(String(describing: event))")
        #expect(try server.receive(dontWait: true) == nil)
    }

    @Test func invalidKeysAreRejectedBeforeReachingLibzmq() throws {
        let context = try ZMQContext()
        let socket = try Socket(context, .rep)
        // 31 characters + NUL would otherwise be read as a 32-byte binary key.
        let error = #expect(throws: ZMQError.self) {
            try socket.setCurveServer(secretKey: String(repeating: "a", count: 31))
        }
        #expect(error?.code == EINVAL)
        #expect(throws: ZMQError.self) {
            try CurveKeyPair.derive(fromSecretKey: String(repeating: "a", count: 45))
        }
    }

    @Test func deriveMatchesGenerate() throws {
        let keys = try CurveKeyPair.generate()
        #expect(keys.publicKey.utf8.count == 40)
        #expect(keys.secretKey.utf8.count == 40)
        #expect(try CurveKeyPair.derive(fromSecretKey: keys.secretKey) == keys)
        #expect(!keys.description.contains(keys.secretKey))
    }
}

@Suite(.timeLimit(.minutes(5))) struct Z85Tests {
    @Test func roundTripsRandomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = try #require(Z85.encode(bytes))
        #expect(text.utf8.count == 40)
        #expect(Z85.decode(text) == bytes)
    }

    @Test func knownVector() {
        // From the Z85 specification (RFC 32).
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(Z85.encode(bytes) == "HelloWorld")
        #expect(Z85.decode("HelloWorld") == bytes)
    }

    @Test func rejectsInvalidInput() {
        #expect(Z85.encode([1, 2, 3]) == nil)
        #expect(Z85.decode("abcd") == nil)            // length not a multiple of 5
        #expect(Z85.decode("abc d") == nil)           // space is not in the alphabet
        #expect(Z85.decode("ab\u{0}cd") == nil)       // embedded NUL
        #expect(Z85.decode("%%%%%") == nil)           // exceeds 2^32
        #expect(Z85.encode([]) == "")
        #expect(Z85.decode("") == [])
    }
}
