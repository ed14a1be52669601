import Foundation
import KiemDiemClient
import KiemDiemWire
import Testing
import ZeroMQ

/// The control client against a ROUTER played by the test: it matches replies by id (a stale one
/// is skipped), times out rather than hangs, and turns error replies into `.remote`.
@Suite(.timeLimit(.minutes(5))) struct ControlClientTests {
    /// A ROUTER on a free loopback port, answering on a thread of its own with `answer(request)`:
    /// the replies to send, in order (none: stay silent).
    final class FakeDaemon: @unchecked Sendable {
        let context: ZMQContext
        let router: Socket
        let endpoint: String
        private var thread: Thread?

        init(answer: @escaping @Sendable ([String: Any]) -> [String]) throws {
            context = try ZMQContext()
            router = try Socket(context, .router)
            try router.setLinger(0)
            try router.bind("tcp://127.0.0.1:*")
            endpoint = try router.lastEndpoint
            // The socket is used by that thread only, from here on.
            nonisolated(unsafe) let router = self.router
            let t = Thread {
                while true {
                    guard let ready = try? poll([router], timeoutMs: 100) else { return }
                    guard ready[0].contains(.readable), let frames = try? router.receive(dontWait: true), let body = frames.last,
                          let request = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                        if Thread.current.isCancelled { return }
                        continue
                    }
                    if request["command"] as? String == "quit" { return }
                    for reply in answer(request) { _ = try? router.send([frames[0], Data(reply.utf8)]) }
                }
            }
            thread = t
            t.start()
        }

        func stop() throws {
            let c = try ControlClient(endpoint: endpoint, timeout: .milliseconds(200), context: context)
            _ = try? c.callRaw("quit", NoArgs())
        }
    }

    @Test func aStaleReplyIsSkippedAndTheMatchingOneDecoded() throws {
        let daemon = try FakeDaemon { request in
            let id = request["id"] as! String
            return [#"{"id":"old-1","ok":true,"result":{"mode":"system","now":"x","timezone":"UTC"}}"#,
                    #"{"id":"\#(id)","ok":true,"result":{"mode":"simulated","now":"2022-11-18T00:00:00+07:00","timezone":"Asia/Ho_Chi_Minh"}}"#]
        }
        defer { try? daemon.stop() }
        let client = try ControlClient(endpoint: daemon.endpoint, timeout: .seconds(5))
        let clock = try client.call(Clock.self, NoArgs())
        #expect(clock.mode == "simulated" && clock.now == "2022-11-18T00:00:00+07:00")
    }

    @Test func anErrorReplyIsRemoteAndSilenceIsATimeout() throws {
        let daemon = try FakeDaemon { request in
            guard request["command"] as? String == "done" else { return [] }
            return [#"{"id":"\#(request["id"] as! String)","ok":false,"error":{"code":"not_found","message":"no unit 'x'"}}"#]
        }
        defer { try? daemon.stop() }
        let client = try ControlClient(endpoint: daemon.endpoint, timeout: .milliseconds(500))
        #expect { _ = try client.call(Done.self, DoneArgs(unit: "x", stage: "a")) } throws: { error in
            guard case ClientError.remote(let body) = error else { return false }
            return body.code == .notFound && body.message == "no unit 'x'"
        }
        let started = ContinuousClock.now
        #expect { _ = try client.call(Status.self, NoArgs()) } throws: { error in
            guard case ClientError.timeout = error else { return false }
            return "\(error)".contains("within 0 s") || "\(error)".contains("no reply from")
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func aReplyThatIsNotTheProtocolIsBadReply() throws {
        let daemon = try FakeDaemon { request in [#"{"id":"\#(request["id"] as! String)","ok":true}"#] }
        defer { try? daemon.stop() }
        let client = try ControlClient(endpoint: daemon.endpoint, timeout: .seconds(5))
        #expect { _ = try client.call(Clock.self, NoArgs()) } throws: { error in
            guard case ClientError.badReply(let why) = error else { return false }
            return why.contains("neither result nor error")
        }
    }
}
