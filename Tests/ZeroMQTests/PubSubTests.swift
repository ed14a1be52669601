import Foundation
import Testing
import ZeroMQ

@Suite(.timeLimit(.minutes(5))) struct PubSubTests {
    /// Subscriptions propagate asynchronously ("slow joiner"), so the publisher repeats the
    /// message until the subscriber sees one, bounded by a deadline; every wait is a poll with
    /// a timeout, never a fixed sleep.
    @Test(arguments: ["inproc", "tcp"])
    func multipartWithTopicFilter(transport: String) throws {
        let context = try ZMQContext()
        let publisher = try Socket(context, .pub)
        let subscriber = try Socket(context, .sub)
        let endpoint: String
        if transport == "inproc" {
            endpoint = uniqueInproc("pubsub")
            try publisher.bind(endpoint)
        } else {
            endpoint = try bindLoopback(publisher)
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
            #expect(!endpoint.hasSuffix(":*"))
        }
        try subscriber.subscribe("weather")
        try subscriber.connect(endpoint)

        var first: [Data]?
        let deadline = ContinuousClock.now + .seconds(10)
        while first == nil && ContinuousClock.now < deadline {
            try publisher.send([frame("weather.hanoi"), frame("sunny")])
            if try poll([subscriber], timeoutMs: 50) == [.readable] {
                first = try subscriber.receive(dontWait: true)
            }
        }
        #expect(texts(first) == ["weather.hanoi", "sunny"])

        // Delivery from one publisher to one subscriber is ordered: if the filter let
        // "traffic" through, it would arrive before the marker.
        try publisher.send([frame("traffic"), frame("jam")])
        try publisher.send([frame("weather.marker"), frame("end")])
        try subscriber.setReceiveTimeout(patienceMs)
        var sawMarker = false
        while let message = try subscriber.receive() {
            let parts = texts(message) ?? []
            #expect(parts.first != "traffic", "unsubscribed topic was delivered")
            #expect(parts.count == 2)
            if parts.first == "weather.marker" { sawMarker = true; break }
        }
        #expect(sawMarker)
    }
}
