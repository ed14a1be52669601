import CZeroMQ

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Socket events reported by `zmq_socket_monitor`.
public struct MonitorEvents: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let connected = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
    public static let disconnected = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
    public static let handshakeSucceeded = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
    /// The server's ZAP handler refused the credentials (status code in the event's value).
    public static let handshakeFailedAuth = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
    /// The security handshake broke down, e.g. a wrong server public key.
    public static let handshakeFailedProtocol = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
    public static let handshakeFailedNoDetail = MonitorEvents(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
}

/// One event read from a monitor socket: which event, its value (an errno, a ZAP status code
/// or a descriptor) and the peer endpoint.
public struct MonitorEvent: Sendable, Equatable {
    public var event: MonitorEvents
    public var value: UInt32
    public var endpoint: String
}

extension Socket {
    /// Starts monitoring this socket: libzmq publishes the chosen events on a PAIR socket bound
    /// at `endpoint` (inproc), which the returned socket is connected to. The caller owns both.
    public func monitor(_ endpoint: String, events: MonitorEvents, context: ZMQContext) throws -> Socket {
        let rc = withUnsafeHandle { zmq_socket_monitor($0, endpoint, Int32(events.rawValue)) }
        if rc != 0 { throw ZMQError.last("zmq_socket_monitor(\(endpoint))") }
        let pair = try Socket(context, .pair)
        try pair.connect(endpoint)
        return pair
    }

    /// Reads one event from a monitor PAIR socket: frame 1 is a 16-bit event and a 32-bit value
    /// (little-endian, as on every platform we build for), frame 2 the endpoint.
    public func receiveMonitorEvent(dontWait: Bool = true) throws -> MonitorEvent? {
        guard let frames = try receive(dontWait: dontWait), frames.count >= 2, frames[0].count >= 6 else { return nil }
        let head = [UInt8](frames[0])
        let event = UInt16(head[0]) | UInt16(head[1]) << 8
        let value = UInt32(head[2]) | UInt32(head[3]) << 8 | UInt32(head[4]) << 16 | UInt32(head[5]) << 24
        return MonitorEvent(event: MonitorEvents(rawValue: event), value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}
