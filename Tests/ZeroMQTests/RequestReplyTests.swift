import CZeroMQ
import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct RequestReplyTests {
    @Test func routerDealerEchoOverTCP() throws {
        let context = try ZMQContext()
        let router = try Socket(context, .router)
        let dealer = try Socket(context, .dealer)
        try router.setReceiveTimeout(patienceMs)
        try dealer.setReceiveTimeout(patienceMs)
        try dealer.setRoutingId(frame("dealer-1"))
        try dealer.connect(try bindLoopback(router))

        // A DEALER queues until connected, so no slow-joiner loop is needed.
        try dealer.send(frame("hello"))
        let request = try #require(try router.receive())
        #expect(texts(request) == ["dealer-1", "hello"])

        try router.send([request[0], frame("echo:hello")])
        #expect(texts(try dealer.receive()) == ["echo:hello"])
    }

    @Test func reqRepRoundTrip() throws {
        let context = try ZMQContext()
        let rep = try Socket(context, .rep)
        let req = try Socket(context, .req)
        try rep.setReceiveTimeout(patienceMs)
        try req.setReceiveTimeout(patienceMs)
        let endpoint = uniqueInproc("reqrep")
        try rep.bind(endpoint)
        try req.connect(endpoint)

        try req.send(frame("ping"))
        #expect(texts(try rep.receive()) == ["ping"])
        try rep.send([frame("pong"), frame("2")])
        #expect(texts(try req.receive()) == ["pong", "2"])
    }

    @Test func routerSeesEnvelopeFromReq() throws {
        let context = try ZMQContext()
        let router = try Socket(context, .router)
        let req = try Socket(context, .req)
        try router.setReceiveTimeout(patienceMs)
        try req.setReceiveTimeout(patienceMs)
        try req.connect(try bindLoopback(router))

        try req.send(frame("body"))
        let message = try #require(try router.receive())
        #expect(message.count == 3)
        #expect(message.first?.isEmpty == false, "identity frame")
        #expect(message.dropFirst().first?.isEmpty == true, "empty delimiter")
        #expect(message.last.map { String(decoding: $0, as: UTF8.self) } == "body")

        try router.send([message[0], Data(), frame("reply")])
        #expect(texts(try req.receive()) == ["reply"])
    }

    @Test func routerMandatoryRejectsUnknownPeer() throws {
        let context = try ZMQContext()
        let router = try Socket(context, .router)
        try router.setRouterMandatory(true)
        _ = try bindLoopback(router)

        let error = #expect(throws: ZMQError.self) {
            try router.send([frame("nobody"), frame("payload")])
        }
        #expect(error?.code == EHOSTUNREACH)
        #expect(error?.operation.hasPrefix("zmq_send") == true)
    }

    @Test func reqOutOfStateThrowsEFSM() throws {
        let context = try ZMQContext()
        let req = try Socket(context, .req)
        try req.connect(uniqueInproc("efsm"))
        try req.send(frame("first"))
        // A REQ must receive the reply before sending again.
        let error = #expect(throws: ZMQError.self) { try req.send(frame("second")) }
        #expect(error?.code == EFSM)
        #expect(error?.isAgain == false)
    }
}
