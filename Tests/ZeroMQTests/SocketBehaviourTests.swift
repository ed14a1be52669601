import CZeroMQ
import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct SocketBehaviourTests {
    @Test func oversizedMessageIsNotDelivered() throws {
        let context = try ZMQContext()
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        try pull.setMaxMessageSize(1024)
        try pull.setReceiveTimeout(patienceMs)
        let monitor = try pull.monitor("inproc://pull-monitor-\(UUID().uuidString)", events: [.disconnected], context: context)
        try push.connect(try bindLoopback(pull))

        try push.send(Data(repeating: 1, count: 100))
        try push.send(Data(repeating: 2, count: 4096))
        #expect(try pull.receive() == [Data(repeating: 1, count: 100)])

        // The big message was already on the wire right behind the small one; without the
        // limit it would arrive at once. With it, the connection is dropped instead: the refusal
        // itself is observed (the monitor's disconnect), not merely a message that is late.
        #expect(try poll([monitor], timeoutMs: Int(patienceMs))[0].contains(.readable))
        #expect(try monitor.receiveMonitorEvent()?.event == .disconnected)
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test func bindToBadEndpointNamesTheOperation() throws {
        let context = try ZMQContext()
        let socket = try Socket(context, .rep)
        let error = #expect(throws: ZMQError.self) { try socket.bind("bogus://nowhere") }
        #expect(error?.operation == "zmq_bind(bogus://nowhere)")
        #expect(error?.code == EPROTONOSUPPORT)
        #expect(error?.message.isEmpty == false)
        #expect(error.map { "\($0)" }?.contains("zmq_bind(bogus://nowhere)") == true)

        let tcpError = #expect(throws: ZMQError.self) { try socket.bind("tcp://127.0.0.1:notaport") }
        #expect(tcpError?.operation == "zmq_bind(tcp://127.0.0.1:notaport)")
    }

    @Test func nonBlockingReceiveWithNothingQueuedIsNil() throws {
        let context = try ZMQContext()
        let pull = try Socket(context, .pull)
        try pull.bind(uniqueInproc("empty"))
        #expect(try pull.receive(dontWait: true) == nil)

        // Same EAGAIN as a value on the sending side: a PUSH with no peer cannot queue.
        let push = try Socket(context, .push)
        #expect(try push.send(frame("x"), dontWait: true) == false)
    }

    @Test func receiveTimeoutReturnsNil() throws {
        let context = try ZMQContext()
        let pull = try Socket(context, .pull)
        try pull.bind(uniqueInproc("timeout"))
        try pull.setReceiveTimeout(50)
        let start = ContinuousClock.now
        #expect(try pull.receive() == nil)
        #expect(ContinuousClock.now - start >= .milliseconds(40))
    }

    @Test func emptyFramesRoundTripAndEmptyMessageIsRejected() throws {
        let context = try ZMQContext()
        let pair1 = try Socket(context, .pair)
        let pair2 = try Socket(context, .pair)
        let endpoint = uniqueInproc("pair")
        try pair1.bind(endpoint)
        try pair2.connect(endpoint)
        try pair2.setReceiveTimeout(patienceMs)

        try pair1.send([Data(), frame("x"), Data()])
        #expect(try pair2.receive() == [Data(), frame("x"), Data()])
        let error = #expect(throws: ZMQError.self) { try pair1.send([]) }
        #expect(error?.code == EINVAL)
    }

    @Test func closeIsIdempotentAndLaterCallsThrow() throws {
        let context = try ZMQContext()
        let socket = try Socket(context, .pull)
        try socket.bind(uniqueInproc("close"))
        socket.close()
        socket.close()
        let error = #expect(throws: ZMQError.self) { try socket.receive(dontWait: true) }
        #expect(error?.code == ENOTSOCK)
        #expect(throws: ZMQError.self) { try socket.setLinger(0) }
    }

    @Test func unbindAndDisconnect() throws {
        let context = try ZMQContext()
        let socket = try Socket(context, .pull)
        let endpoint = try bindLoopback(socket)
        try socket.unbind(endpoint)
        #expect(throws: ZMQError.self) { try socket.unbind(endpoint) }

        let client = try Socket(context, .push)
        try client.connect(endpoint)
        try client.disconnect(endpoint)
        #expect(throws: ZMQError.self) { try client.disconnect(endpoint) }
    }

    @Test func optionsAreApplied() throws {
        let context = try ZMQContext()
        let sub = try Socket(context, .sub)
        try sub.setLinger(250)
        try sub.setSendHighWaterMark(10)
        try sub.setReceiveHighWaterMark(20)
        try sub.setSendTimeout(5)
        try sub.setImmediate(true)
        try sub.subscribe(Data([0, 1]))
        try sub.unsubscribe("x")
        try sub.setZapDomain("global")
        let values = try sub.withUnsafeHandle { handle -> [Int32] in
            try [ZMQ_LINGER, ZMQ_SNDHWM, ZMQ_RCVHWM].map { option in
                var value: Int32 = 0
                var size = MemoryLayout<Int32>.size
                guard zmq_getsockopt(handle, option, &value, &size) == 0 else {
                    throw CancellationError()
                }
                return value
            }
        }
        #expect(values == [250, 10, 20])
        #expect(try sub.hasMoreFrames == false)

        let xpub = try Socket(context, .xpub)
        try xpub.setXPubVerbose(true)
        #expect(throws: ZMQError.self) { try xpub.setRoutingId(Data()) }
    }

    @Test func versionAndCapabilities() {
        let version = zmqVersion()
        #expect(version.major == 4)
        #expect(version.minor >= 0 && version.patch >= 0)
        #expect(zmqHasCapability("no-such-capability") == false)
    }
}
