import Foundation
import Hummingbird
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWeb
import KiemDiemWire
import Logging
import Prometheus
import ServiceLifecycle
import Synchronization

/// The key that signs letters' links (`http.link_key_file`, 0600, made on the first start) and
/// the one it replaced: a reload rotates it, and links signed with the old key keep working for
/// `http.link_grace`. The old key lives in `<file>.previous` with the end of its grace.
final class LinkKeys: Sendable {
    let path: String
    let ttl: Int64
    let grace: Int64
    private let state = Mutex<(base: String?, signer: LinkSigner?)>((nil, nil))

    init(path: String, ttl: Int64, grace: Int64) throws {
        self.path = path
        self.ttl = ttl
        self.grace = grace
        if !FileManager.default.fileExists(atPath: path) { try LinkKeys.write(LinkKeys.newKey().base64EncodedString() + "\n", to: path) }
        _ = try current()
    }

    /// Signs with the address people open (set once the server listens).
    func configure(base: String) throws {
        let signer = try makeSigner(base: base)
        state.withLock { $0 = (base, signer) }
    }

    var signer: LinkSigner? { state.withLock { $0.signer } }

    /// A new key; the current one verifies for `grace` more.
    func rotate(now: Date) throws {
        let old = try current()
        try LinkKeys.write("until \(Int64(now.timeIntervalSince1970) + grace)\n\(old.base64EncodedString())\n", to: path + ".previous")
        try LinkKeys.write(LinkKeys.newKey().base64EncodedString() + "\n", to: path)
        if let base = state.withLock({ $0.base }) { try configure(base: base) }
    }

    private func makeSigner(base: String) throws -> LinkSigner {
        var previous: (key: Data, until: Int64)?
        if let text = try? String(contentsOfFile: path + ".previous", encoding: .utf8) {
            let lines = text.split(separator: "\n")
            if lines.count == 2, lines[0].hasPrefix("until "), let until = Int64(lines[0].dropFirst(6)), let key = Data(base64Encoded: String(lines[1])) {
                previous = (key, until)
            }
        }
        return LinkSigner(base: base, ttl: ttl, key: try current(), previous: previous)
    }

    private func current() throws -> Data {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DaemonError("cannot read the link key \(path) (http.link_key_file): \(error.localizedDescription)")
        }
        guard let key = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count >= 32 else {
            throw DaemonError("\(path) (http.link_key_file): not a base64 key of 32 bytes or more; delete it to have a new one made")
        }
        return key
    }

    private static func newKey() -> Data {
        var g = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    /// Written beside, fsynced, renamed over: a crash leaves the old key or the new one.
    private static func write(_ text: String, to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw DaemonError("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) } == bytes.count && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else { throw DaemonError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}

/// Requests from the page, for the reactor's loop: the only thread that runs commands. The
/// page's task waits on its continuation; the loop answers it (or, stopping, refuses it).
final class WebInbox: Sendable {
    struct Item: Sendable {
        let body: Data
        let caller: Caller
        let reply: CheckedContinuation<Data, Never>
    }
    private let state = Mutex<(items: [Item], stopped: Bool)>(([], false))
    static let stopping = Data(#"{"ok":false,"error":{"code":"unavailable","message":"the daemon is stopping"}}"#.utf8)

    /// False when the daemon is stopping (the item is answered at once).
    func add(_ item: Item) -> Bool {
        let taken = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.items.append(item)
            return true
        }
        if !taken { item.reply.resume(returning: WebInbox.stopping) }
        return taken
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func take() -> [Item] { state.withLock { s in defer { s.items.removeAll() }; return s.items } }
    func putBack(_ items: [Item]) { state.withLock { $0.items.insert(contentsOf: items, at: 0) } }

    /// Refuses what waits and what comes.
    func stop() {
        let left = state.withLock { s -> [Item] in
            s.stopped = true
            defer { s.items.removeAll() }
            return s.items
        }
        for item in left { item.reply.resume(returning: WebInbox.stopping) }
    }
}

/// The daemon's side of the page.
struct DaemonWeb: WebBackend {
    let store: Store
    let inbox: WebInbox
    let waker: ReactorWaker
    let registry: PrometheusCollectorRegistry?
    let keys: LinkKeys

    func call(_ body: Data, caller: Caller) async -> Data {
        await withCheckedContinuation { cont in
            if inbox.add(.init(body: body, caller: caller, reply: cont)) { waker.web() }
        }
    }

    func metricsText() -> String? { registry.map { String(decoding: $0.emitToBuffer(), as: UTF8.self) } }
    func linkSigner() -> LinkSigner? { keys.signer }
    /// The reactor stops first (the group stops its services in reverse), and stops the inbox.
    var isStopping: Bool { inbox.isStopped }
}

/// The HTTP server as one of the daemon's services; a failure to listen names the key.
struct WebService<App: ApplicationProtocol>: Service {
    let app: App
    let listen: String
    /// The key that set it: `http.listen`, or `metrics.listen` (its older name).
    let key: String
    /// Ended when the server fails, so that the reactor waiting for the address gives up.
    let bound: AsyncStream<String>.Continuation

    func run() async throws {
        do { try await app.run() } catch { // run(), not runService(): the daemon's group owns the signals
            bound.finish()
            throw DaemonError("cannot serve http on \(listen) (\(key)): \(error)")
        }
    }
}
