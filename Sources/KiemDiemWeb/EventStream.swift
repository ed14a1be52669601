import Foundation
import Hummingbird
import KiemDiemStore
import NIOCore

/// `GET /events`: the event outbox as Server-Sent Events, for one subtree. Each event carries
/// its seq as the SSE id, so a browser that reconnects sends `Last-Event-ID` and misses nothing;
/// without it the stream starts after the latest stored event. The outbox is read every 250 ms
/// (a read of the seq index; it is the committed truth, the same the PUB socket sends from).
struct EventStream {
    let backend: any WebBackend
    /// The subtree's path: only events about units under it are sent.
    let path: String
    let after: Int64?
    /// Whether the viewer's token still holds (not revoked, not expired): asked before every
    /// delivery, so a stream ends with its token, as a new request with it would get 401.
    let stillAllowed: @Sendable () -> Bool

    static let poll: Duration = .milliseconds(250)
    static let keepAlive: Duration = .seconds(15)

    func response() throws -> Response {
        let backend = self.backend, store = backend.store, path = self.path
        let start = try after ?? store.read { try $0.lastSeq() }
        let body = ResponseBody { writer in
            var last = start
            var quiet = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !Task.isCancelled, !backend.isStopping, stillAllowed() {
                let batch = try store.read { try $0.events(since: last, topic: nil, limit: 500) }
                var out = ""
                for e in batch {
                    last = e.seq
                    // The topic is `type/path`: the path after the first slash.
                    guard let slash = e.topic.firstIndex(of: "/"), e.topic[e.topic.index(after: slash)...].hasPrefix(path) else { continue }
                    out += "id: \(e.seq)\ndata: \(String(decoding: e.body, as: UTF8.self))\n\n"
                }
                if !out.isEmpty {
                    try await writer.write(ByteBuffer(string: out))
                    quiet = .now
                } else if ContinuousClock.now - quiet > EventStream.keepAlive {
                    // A comment line: proxies keep the connection, a client gone is noticed.
                    try await writer.write(ByteBuffer(string: ": \(last)\n\n"))
                    quiet = .now
                }
                if batch.count < 500 { try await Task.sleep(for: EventStream.poll) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"], body: body)
    }
}
