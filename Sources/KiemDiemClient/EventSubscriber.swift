import Foundation
import KiemDiemWire
import ZeroMQ

/// A SUB socket on the events endpoint yielding decoded events.
public final class EventSubscriber {
    let socket: Socket
    let context: ZMQContext

    public init(endpoint: String, topics: [String], curve: CurveCredentials? = nil, context: ZMQContext? = nil) throws {
        self.context = try context ?? ZMQContext()
        socket = try Socket(self.context, .sub)
        try socket.setLinger(0)
        if let curve { try curve.apply(to: socket) }
        for t in topics { try socket.subscribe(t) }
        do { try socket.connect(endpoint) } catch { throw ClientError.transport("cannot connect to \(endpoint): \(error)") }
    }

    deinit { socket.close() }

    /// The next event, or nil when none arrived within `timeoutMs` (-1 waits forever).
    public func next(timeoutMs: Int) throws -> (topic: String, body: EventBody, raw: Data)? {
        while true {
            let ready = try poll([socket], timeoutMs: timeoutMs)
            guard ready[0].contains(.readable), let frames = try socket.receive(dontWait: true) else { return nil }
            guard frames.count == 2, let body = try? WireJSON.decoder().decode(EventBody.self, from: frames[1]) else { continue }
            return (String(decoding: frames[0], as: UTF8.self), body, frames[1])
        }
    }
}
