import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemWire
import Yams

/// The daemon's configuration: one YAML file, every key overridable by environment
/// (`KIEMDIEM_CLOCK_MODE` for `clock.mode`) and by flags (`--set clock.mode=simulated`).
/// Every value remembers where it came from, so an error names the file and line, the variable
/// or the flag.
public struct DaemonConfig: Sendable {
    public typealias ClockMode = KiemDiemEngine.ClockMode

    public var database: String = "/var/lib/kiemdiem/kiemdiem.sqlite"
    public var timezone: String = "Asia/Ho_Chi_Minh"
    public var clockMode: ClockMode = .system
    public var clockStart: Date?
    public var controlEndpoint = "tcp://127.0.0.1:7400"
    public var eventsEndpoint = "tcp://127.0.0.1:7401"
    public var jobsEndpoint = "tcp://127.0.0.1:7402"
    public var curve = false
    /// Also require CURVE (and a listed observer or admin key) to subscribe to events.
    public var curveEvents = false
    public var serverSecretKeyFile: String?
    public var authorizedKeysFile: String?
    /// How often a heartbeat is published, in real time.
    public var heartbeat: Duration = .seconds(5)
    /// Events older than this (by their instant) are pruned; nil keeps everything.
    public var eventRetention: Duration? = nil
    public var maxMessageSize: Int64 = 64 << 20
    public var logLevel = "info"
    public var jobs = JobPolicy()
    public var delivery = DeliveryRouting()
    /// Loopback `host:port` of the Prometheus `/metrics` endpoint; nil: no metrics endpoint.
    public var metricsListen: MetricsListen?
    /// How often the gauges counted over the whole tree (open deadlines) are refreshed.
    public var metricsRefresh: Duration = .seconds(30)

    public init() {}

    /// Where the metrics endpoint listens: a loopback address only (it has no authentication).
    public struct MetricsListen: Sendable, Equatable, CustomStringConvertible {
        /// `127.x.y.z` or `::1`.
        public var host: String
        /// 0 picks a free port (tests); the one bound is logged.
        public var port: UInt16
        public var isIPv6: Bool { host.contains(":") }
        public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

        /// Parses `127.0.0.1:9464`, `localhost:9464` or `[::1]:9464`; nil when it is not that.
        public static func parse(_ text: String) -> MetricsListen? {
            let host: Substring, port: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                port = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
            guard let p = UInt16(port) else { return nil }
            switch host {
            case "localhost": return MetricsListen(host: "127.0.0.1", port: p)
            case "::1": return MetricsListen(host: "::1", port: p)
            default:
                let octets = host.split(separator: ".", omittingEmptySubsequences: false)
                guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }), octets[0] == "127" else { return nil }
                return MetricsListen(host: String(host), port: p)
            }
        }
    }

    /// Every key the file may hold, with a one-line description (docs/configuration is generated from the same words).
    public static let keys: [(key: String, help: String)] = [
        ("database", "path of the SQLite database (WAL); created if missing"),
        ("timezone", "IANA time zone for display, e.g. Asia/Ho_Chi_Minh"),
        ("clock.mode", "system or simulated"),
        ("clock.start", "simulated only: the first instant, ISO 8601 with offset (used when the database has no stored clock)"),
        ("endpoints.control", "control ROUTER endpoint; tcp://127.0.0.1:* picks a free port; ipc:// allowed"),
        ("endpoints.events", "events PUB endpoint"),
        ("endpoints.jobs", "jobs ROUTER endpoint"),
        ("security.curve", "true to require CURVE on control and jobs (see docs/security.md)"),
        ("security.curve_events", "true to require CURVE on the events socket as well (observers and admins only)"),
        ("security.server_secret_key_file", "the daemon's .key_secret (ZeroMQ certificate format)"),
        ("security.authorized_keys_file", "lines of '<role> <z85-public-key> <name>'"),
        ("events.heartbeat", "interval of heartbeat events, e.g. 5s"),
        ("events.retention", "drop stored events older than this, e.g. 400d; empty keeps all"),
        ("limits.max_message_size", "largest accepted frame in bytes (ZMQ_MAXMSGSIZE)"),
        ("log_level", "trace, debug, info, notice, warning, error or critical"),
        ("jobs.lease", "how long a worker holds a job before it is given to another, e.g. 30s"),
        ("jobs.max_attempts", "attempts before a job is dead"),
        ("jobs.backoff", "first retry delay; doubles per attempt"),
        ("jobs.backoff_max", "longest retry delay"),
        ("jobs.worker_timeout", "a worker silent this long is lost and its jobs go back, e.g. 5s"),
        ("jobs.heartbeat", "interval of heartbeats to workers, e.g. 1s"),
        ("delivery.default", "spool, smtp or webhook: the channel for units not listed below"),
        ("delivery.units", "per-unit channels, inherited by the subtree: 'so-tai-chinh:webhook, cuc-thue:smtp'"),
        ("metrics.listen", "loopback HOST:PORT of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9464; empty: off"),
        ("metrics.refresh", "how often the open-deadline gauges are counted over the whole tree, e.g. 30s"),
    ]

    public struct Error: Swift.Error, CustomStringConvertible {
        public var description: String
    }

    struct Value {
        var text: String
        var origin: String
    }

    /// Loads file, then environment, then flag overrides (`key=value`), later ones winning.
    public static func load(file: String?, environment: [String: String], overrides: [String]) throws(Error) -> DaemonConfig {
        var values: [String: Value] = [:]
        let known = Set(keys.map(\.key))
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw Error(description: "\(file): cannot read: \(error.localizedDescription)")
            }
            do {
                if let node = try Yams.compose(yaml: text) {
                    guard node.mapping != nil else { throw Error(description: "\(file):1: the configuration must be a mapping of keys") }
                    try flatten(node, prefix: "", file: file, known: known, into: &values)
                }
            } catch let e as Error {
                throw e
            } catch let e as YamlError {
                throw Error(description: PlanParser.yamlError(e, source: file).description)
            } catch {
                throw Error(description: "\(file): \(error)")
            }
        }
        for (k, _) in keys {
            let env = "KIEMDIEM_" + k.uppercased().replacingOccurrences(of: ".", with: "_")
            if let v = environment[env] { values[k] = Value(text: v, origin: "environment \(env)") }
        }
        for o in overrides {
            guard let eq = o.firstIndex(of: "=") else { throw Error(description: "--set \(o): expected KEY=VALUE") }
            let k = String(o[..<eq])
            guard known.contains(k) else { throw Error(description: "--set \(o): unknown key '\(k)'") }
            values[k] = Value(text: String(o[o.index(after: eq)...]), origin: "--set \(k)")
        }
        return try DaemonConfig(values)
    }

    private static func flatten(_ node: Node, prefix: String, file: String, known: Set<String>, into values: inout [String: Value]) throws(Error) {
        guard let m = node.mapping else { return }
        for (k, v) in m {
            guard let name = k.string else { throw Error(description: "\(file):\(k.mark?.line ?? 0): keys must be strings") }
            let key = prefix.isEmpty ? name : prefix + "." + name
            let place = "\(file):\(k.mark?.line ?? 0)"
            if v.mapping != nil {
                guard known.contains(where: { $0.hasPrefix(key + ".") }) else { throw Error(description: "\(place): unknown key '\(key)'") }
                try flatten(v, prefix: key, file: file, known: known, into: &values)
            } else if !known.contains(key), known.contains(where: { $0.hasPrefix(key + ".") }), ["", "~", "null"].contains(v.string ?? "") {
                continue // a section whose keys are all commented out, e.g. `metrics:` alone
            } else {
                guard known.contains(key) else {
                    throw Error(description: "\(place): unknown key '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
                }
                guard v.scalar != nil else { throw Error(description: "\(place): '\(key)' must be a single value") }
                values[key] = Value(text: v.string ?? "", origin: place)
            }
        }
    }

    private init(_ v: [String: Value]) throws(Error) {
        func bad(_ key: String, _ reason: String) -> Error {
            Error(description: "\(v[key]?.origin ?? key): \(key): \(reason)")
        }
        func str(_ key: String) -> String? { v[key].map(\.text).flatMap { $0.isEmpty ? nil : $0 } }
        func bool(_ key: String) throws(Error) -> Bool? {
            guard let s = str(key) else { return nil }
            switch s.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw bad(key, "'\(s)' is not true or false")
            }
        }
        if let s = str("database") { database = s }
        if let s = str("timezone") {
            guard TimeZone(identifier: s) != nil else { throw bad("timezone", "'\(s)' is not a known time zone") }
            timezone = s
        }
        let zone = TimeZone(identifier: timezone)!
        if let s = str("clock.mode") {
            guard let m = ClockMode(rawValue: s) else { throw bad("clock.mode", "'\(s)' must be system or simulated") }
            clockMode = m
        }
        if let s = str("clock.start") {
            guard let d = Instant.parse(s, timeZone: zone) else { throw bad("clock.start", "'\(s)' is not an ISO 8601 instant with offset") }
            clockStart = d
        }
        for (key, path) in [("endpoints.control", \DaemonConfig.controlEndpoint), ("endpoints.events", \.eventsEndpoint), ("endpoints.jobs", \.jobsEndpoint)] {
            if let s = str(key) {
                guard s.hasPrefix("tcp://") || s.hasPrefix("ipc://") || s.hasPrefix("inproc://") else {
                    throw bad(key, "'\(s)' must be a tcp://, ipc:// or inproc:// endpoint")
                }
                self[keyPath: path] = s
            }
        }
        if let b = try bool("security.curve") { curve = b }
        if let b = try bool("security.curve_events") { curveEvents = b }
        serverSecretKeyFile = str("security.server_secret_key_file")
        authorizedKeysFile = str("security.authorized_keys_file")
        if let s = str("events.heartbeat") {
            guard let secs = DurationText.seconds(s), secs > 0 else { throw bad("events.heartbeat", "'\(s)' is not a positive duration such as 5s") }
            heartbeat = .seconds(secs)
        }
        if let s = str("events.retention") {
            guard let secs = DurationText.seconds(s), secs > 0 else { throw bad("events.retention", "'\(s)' is not a positive duration such as 400d") }
            eventRetention = .seconds(secs)
        }
        if let s = str("limits.max_message_size") {
            guard let n = Int64(s), n >= 4096 else { throw bad("limits.max_message_size", "'\(s)' must be a number of bytes ≥ 4096") }
            maxMessageSize = n
        }
        func seconds(_ key: String) throws(Error) -> Duration? {
            guard let s = str(key) else { return nil }
            guard let v = DurationText.seconds(s), v > 0 else { throw bad(key, "'\(s)' is not a positive duration such as 30s") }
            return .seconds(v)
        }
        if let v = try seconds("jobs.lease") { jobs.lease = v }
        if let v = try seconds("jobs.backoff") { jobs.backoffBase = v }
        if let v = try seconds("jobs.backoff_max") { jobs.backoffMax = v }
        if let v = try seconds("jobs.worker_timeout") { jobs.workerTimeout = v }
        if let v = try seconds("jobs.heartbeat") { jobs.heartbeat = v }
        if let s = str("jobs.max_attempts") {
            guard let n = Int(s), n >= 1, n <= 1000 else { throw bad("jobs.max_attempts", "'\(s)' must be a number from 1 to 1000") }
            jobs.maxAttempts = n
        }
        if jobs.workerTimeout <= jobs.heartbeat { throw bad("jobs.worker_timeout", "must be longer than jobs.heartbeat") }
        if let s = str("delivery.default") {
            guard let c = Channel(rawValue: s) else { throw bad("delivery.default", "'\(s)' must be spool, smtp or webhook") }
            delivery.defaultChannel = c
        }
        if let s = str("delivery.units") {
            guard let m = DeliveryRouting.parseUnits(s) else { throw bad("delivery.units", "expected 'unit-id:channel, …' with channels spool, smtp, webhook") }
            delivery.byUnit = m
        }
        if let s = str("metrics.listen") {
            guard let m = MetricsListen.parse(s) else {
                throw bad("metrics.listen", "'\(s)' is not a loopback HOST:PORT; the metrics endpoint has no authentication, so it may only listen on 127.0.0.1, [::1] or localhost, e.g. 127.0.0.1:9464")
            }
            metricsListen = m
        }
        if let s = str("metrics.refresh") {
            guard let secs = DurationText.seconds(s), secs > 0 else { throw bad("metrics.refresh", "'\(s)' is not a positive duration such as 30s") }
            metricsRefresh = .seconds(secs)
        }
        if let s = str("log_level") {
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(s) else { throw bad("log_level", "'\(s)' is not a log level") }
            logLevel = s
        }
        if curveEvents, !curve { throw bad("security.curve_events", "needs security.curve: true") }
        if curve {
            guard serverSecretKeyFile != nil else { throw bad("security.curve", "CURVE needs security.server_secret_key_file") }
            guard authorizedKeysFile != nil else { throw bad("security.curve", "CURVE needs security.authorized_keys_file") }
        }
        // Without CURVE a socket is open to whoever reaches it: only loopback (and ipc) then.
        for (key, ep, secured) in [("endpoints.control", controlEndpoint, curve), ("endpoints.events", eventsEndpoint, curveEvents),
                                   ("endpoints.jobs", jobsEndpoint, curve)] {
            if ep.hasPrefix("tcp://"), !DaemonConfig.isLoopback(ep), !secured {
                throw bad(key, "'\(ep)' is not a loopback address; without CURVE on it the socket may only listen on 127.0.0.1, [::1] or localhost")
            }
        }
    }

    static func isLoopback(_ endpoint: String) -> Bool {
        let hostPort = endpoint.dropFirst("tcp://".count)
        let host: Substring
        if hostPort.hasPrefix("[") { host = hostPort.dropFirst().prefix { $0 != "]" } } else { host = hostPort.prefix { $0 != ":" } }
        return host.hasPrefix("127.") || host == "::1" || host == "localhost"
    }

    public var zone: TimeZone { TimeZone(identifier: timezone)! }

    /// The keys that a reload (SIGHUP) applies to the running daemon.
    public static let liveKeys = ["log_level", "events.heartbeat", "events.retention", "jobs.*"]

    /// The keys whose value differs in `other` and that only take effect at the next start: the
    /// sockets, the database, the clock, security, limits and delivery are set up once.
    public func restartOnlyChanges(to other: DaemonConfig) -> [String] {
        var keys: [String] = []
        func check(_ key: String, _ same: Bool) { if !same { keys.append(key) } }
        check("database", database == other.database)
        check("timezone", timezone == other.timezone)
        check("clock.mode", clockMode == other.clockMode)
        check("clock.start", clockStart == other.clockStart)
        check("endpoints.control", controlEndpoint == other.controlEndpoint)
        check("endpoints.events", eventsEndpoint == other.eventsEndpoint)
        check("endpoints.jobs", jobsEndpoint == other.jobsEndpoint)
        check("security.curve", curve == other.curve)
        check("security.curve_events", curveEvents == other.curveEvents)
        check("security.server_secret_key_file", serverSecretKeyFile == other.serverSecretKeyFile)
        check("security.authorized_keys_file", authorizedKeysFile == other.authorizedKeysFile)
        check("limits.max_message_size", maxMessageSize == other.maxMessageSize)
        check("delivery", delivery == other.delivery)
        check("metrics.listen", metricsListen == other.metricsListen)
        check("metrics.refresh", metricsRefresh == other.metricsRefresh)
        return keys
    }
}

/// Where the configuration came from, kept so that SIGHUP reads it again the same way: the same
/// file, the environment the daemon started with, the same `--set` flags.
public struct ConfigSource: Sendable {
    public var file: String?
    public var environment: [String: String]
    public var overrides: [String]

    public init(file: String?, environment: [String: String], overrides: [String]) {
        self.file = file
        self.environment = environment
        self.overrides = overrides
    }

    public func load() throws(DaemonConfig.Error) -> DaemonConfig {
        try DaemonConfig.load(file: file, environment: environment, overrides: overrides)
    }
}
