import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct PollTests {
    @Test func timesOutWithoutReadinessThenReportsReadable() throws {
        let context = try ZMQContext()
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        let endpoint = uniqueInproc("poll")
        try pull.bind(endpoint)
        try push.connect(endpoint)

        let start = ContinuousClock.now
        let idle = try poll([pull], timeoutMs: 100)
        let waited = ContinuousClock.now - start
        #expect(idle == [[]])
        #expect(waited >= .milliseconds(90), "poll returned before its timeout")

        try push.send([frame("a"), frame("b")])
        let ready = try poll([push, pull], events: [.readable, .writable], timeoutMs: Int(patienceMs))
        #expect(ready == [.writable, .readable])
        #expect(texts(try pull.receive(dontWait: true)) == ["a", "b"])
        #expect(try poll([pull], timeoutMs: 0) == [[]])
    }

    @Test func pollRejectsClosedSocket() throws {
        let context = try ZMQContext()
        let socket = try Socket(context, .pull)
        socket.close()
        let error = #expect(throws: ZMQError.self) { try poll([socket], timeoutMs: 0) }
        #expect(error?.code == ENOTSOCK)
    }
}
