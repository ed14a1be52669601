import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire
import Logging
import Yams

/// The daemon's configuration: one YAML file, every key overridable by environment
/// (`KIEMDIEM_CLOCK_MODE` for `clock.mode`) and by flags (`--set clock.mode=simulated`).
/// Every value remembers where it came from, so an error names the file and line, the variable
/// or the flag.
public struct DaemonConfig: Sendable {
    public typealias ClockMode = KiemDiemEngine.ClockMode

    public var database: String = "/var/lib/kiemdiem/kiemdiem.sqlite"
    /// How a commit reaches the disk: `full` (the default) survives a power loss.
    public var synchronous = Store.Synchronous.full
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
    /// Targets fired per transaction; a read-only request waits at most one slice.
    public var firingSlice = 150
    /// A chunked import no chunk has reached for this long is dropped with its chunks.
    public var importIdle: Duration = .seconds(3600)
    public var logLevel = "info"
    public var jobs = JobPolicy()
    /// One minute of campaign time gathers a recipient's notifications into one letter.
    public var delivery = DeliveryRouting(groupWait: 60)
    /// Loopback `host:port` of the Prometheus `/metrics` endpoint; nil: no metrics endpoint.
    public var metricsListen: MetricsListen?
    /// How often the gauges counted over the whole tree (open deadlines) are refreshed.
    public var metricsRefresh: Duration = .seconds(30)
    /// Loopback `host:port` of the HTTP server (the committee's page, letters' links, `/metrics`);
    /// nil: no page.
    public var httpListen: MetricsListen?
    /// The page's address as people reach it (through a reverse proxy), for links in letters
    /// and tokens; nil: `http://` and the address bound.
    public var httpPublicURL: String?
    /// How long a letter's link works, and how long links signed with the key before a rotation
    /// still do.
    public var linkTTL: Duration = .seconds(30 * 86_400)
    public var linkGrace: Duration = .seconds(7 * 86_400)
    /// The key that signs letters' links; nil: `web-link.key` beside the database.
    public var linkKeyFile: String?

    /// Where the HTTP server listens: `http.listen`, or `metrics.listen` (its older name, for
    /// a server with `/metrics` only in use before the page existed).
    public var webListen: MetricsListen? { httpListen ?? metricsListen }
    public var linkKeyPath: String {
        linkKeyFile ?? ((database as NSString).deletingLastPathComponent as NSString).appendingPathComponent("web-link.key")
    }

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

    /// Every key the file may hold, declared once: its name (and so its environment variable),
    /// its help, whether a reload (SIGHUP) applies it, and how its text is read into the
    /// configuration. Applied in this order, so `timezone` comes before `clock.start`.
    public static let keys: [ConfigKey] = [
        ConfigKey("database", "path of the SQLite database (WAL); created if missing", \.database) { s, _ in s },
        ConfigKey("sqlite.synchronous", "full (every commit fsynced; survives a power loss) or normal (faster; a power loss may lose the last commits)",
                  \.synchronous) { s, _ in
            guard let v = Store.Synchronous(rawValue: s) else { throw ConfigKey.Invalid("'\(s)' must be full or normal") }
            return v
        },
        ConfigKey("timezone", "IANA time zone for display, e.g. Asia/Ho_Chi_Minh", \.timezone) { s, _ in
            guard TimeZone(identifier: s) != nil else { throw ConfigKey.Invalid("'\(s)' is not a known time zone") }
            return s
        },
        ConfigKey("clock.mode", "system or simulated", \.clockMode) { s, _ in
            guard let m = ClockMode(rawValue: s) else { throw ConfigKey.Invalid("'\(s)' must be system or simulated") }
            return m
        },
        ConfigKey("clock.start", "simulated only: the first instant, ISO 8601 with offset (used when the database has no stored clock)",
                  \.clockStart) { s, config in
            guard let d = Instant.parse(s, timeZone: config.zone) else { throw ConfigKey.Invalid("'\(s)' is not an ISO 8601 instant with offset") }
            return d
        },
        ConfigKey("endpoints.control", "control ROUTER endpoint; tcp://127.0.0.1:* picks a free port; ipc:// allowed", \.controlEndpoint, parse: endpoint),
        ConfigKey("endpoints.events", "events PUB endpoint", \.eventsEndpoint, parse: endpoint),
        ConfigKey("endpoints.jobs", "jobs ROUTER endpoint", \.jobsEndpoint, parse: endpoint),
        ConfigKey("security.curve", "true to require CURVE on control and jobs (see docs/security.md)", \.curve, parse: bool),
        ConfigKey("security.curve_events", "true to require CURVE on the events socket as well (observers and admins only)", \.curveEvents, parse: bool),
        ConfigKey("security.server_secret_key_file", "the daemon's .key_secret (ZeroMQ certificate format)", \.serverSecretKeyFile) { s, _ in s },
        ConfigKey("security.authorized_keys_file", "lines of '<role> <z85-public-key> <name>'", \.authorizedKeysFile) { s, _ in s },
        ConfigKey("events.heartbeat", "interval of heartbeat events, e.g. 5s", live: true, \.heartbeat) { s, _ in try duration(s, "5s") },
        ConfigKey("events.retention", "drop stored events older than this, e.g. 400d; empty keeps all", live: true, \.eventRetention) { s, _ in
            try duration(s, "400d")
        },
        ConfigKey("limits.max_message_size", "largest accepted frame in bytes (ZMQ_MAXMSGSIZE)", \.maxMessageSize) { s, _ in
            guard let n = Int64(s), n >= 4096 else { throw ConfigKey.Invalid("'\(s)' must be a number of bytes ≥ 4096") }
            return n
        },
        ConfigKey("limits.firing_slice", "targets fired per transaction: a burst is written in slices, and read-only requests are answered between them", \.firingSlice) { s, _ in
            guard let n = Int(s), n >= 1, n <= 1_000_000 else { throw ConfigKey.Invalid("'\(s)' must be a number from 1 to 1000000") }
            return n
        },
        ConfigKey("limits.import_idle", "a chunked import idle this long is dropped, e.g. 1h", live: true, \.importIdle) { s, _ in try duration(s, "1h") },
        ConfigKey("log_level", "trace, debug, info, notice, warning, error or critical", live: true, \.logLevel) { s, _ in
            guard Logger.Level(rawValue: s) != nil else { throw ConfigKey.Invalid("'\(s)' is not a log level") }
            return s
        },
        ConfigKey("jobs.lease", "how long a worker holds a job before it is given to another, e.g. 30s", live: true, \.jobs.lease) { s, _ in
            try duration(s, "30s")
        },
        ConfigKey("jobs.max_attempts", "attempts before a job is dead", live: true, \.jobs.maxAttempts) { s, _ in
            guard let n = Int(s), n >= 1, n <= 1000 else { throw ConfigKey.Invalid("'\(s)' must be a number from 1 to 1000") }
            return n
        },
        ConfigKey("jobs.backoff", "first retry delay; doubles per attempt", live: true, \.jobs.backoffBase) { s, _ in try duration(s, "2s") },
        ConfigKey("jobs.backoff_max", "longest retry delay", live: true, \.jobs.backoffMax) { s, _ in try duration(s, "5m") },
        ConfigKey("jobs.worker_timeout", "a worker silent this long is lost and its jobs go back, e.g. 5s", live: true, \.jobs.workerTimeout) { s, _ in
            try duration(s, "5s")
        },
        ConfigKey("jobs.heartbeat", "interval of heartbeats to workers, e.g. 1s", live: true, \.jobs.heartbeat) { s, _ in try duration(s, "1s") },
        ConfigKey("delivery.default", "spool, smtp, sendmail or webhook: the channel for units not listed below", \.delivery.defaultChannel) { s, _ in
            guard let c = Channel(rawValue: s) else { throw ConfigKey.Invalid("'\(s)' must be spool, smtp, sendmail or webhook") }
            return c
        },
        ConfigKey("delivery.group_wait", "campaign time within which a recipient's reminders, overdue notices and escalations go out as one letter, e.g. 1m; 0: each alone",
                  \.delivery.groupWait) { s, _ in
            if s == "0" || s == "off" { return Int64(0) }
            guard let secs = DurationText.seconds(s), secs > 0, secs <= 7 * 86_400 else { throw ConfigKey.Invalid("'\(s)' is not a duration from 1s to 7d (or 0), such as 1m") }
            return secs
        },
        ConfigKey("delivery.units", "per-unit channels, inherited by the subtree: 'so-tai-chinh:webhook, cuc-thue:smtp'", \.delivery.byUnit) { s, _ in
            guard let m = DeliveryRouting.parseUnits(s) else { throw ConfigKey.Invalid("expected 'unit-id:channel, …' with channels spool, smtp, sendmail, webhook") }
            return m
        },
        ConfigKey("metrics.listen", "loopback HOST:PORT of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9464; empty: off", \.metricsListen) { s, _ in
            guard let m = MetricsListen.parse(s) else {
                throw ConfigKey.Invalid("'\(s)' is not a loopback HOST:PORT; the metrics endpoint has no authentication, so it may only listen on 127.0.0.1, [::1] or localhost, e.g. 127.0.0.1:9464")
            }
            return m
        },
        ConfigKey("metrics.refresh", "how often the open-deadline gauges are counted over the whole tree, e.g. 30s", \.metricsRefresh) { s, _ in
            try duration(s, "30s")
        },
        ConfigKey("http.listen", "loopback HOST:PORT of the web page (and /metrics), e.g. 127.0.0.1:8080; empty: off (see docs/dashboard.md)", \.httpListen) { s, _ in
            guard let m = MetricsListen.parse(s) else {
                throw ConfigKey.Invalid("'\(s)' is not a loopback HOST:PORT; put a reverse proxy in front for other machines (docs/dashboard.md), e.g. 127.0.0.1:8080")
            }
            return m
        },
        ConfigKey("http.public_url", "the page's address as people open it, for links in letters, e.g. https://kiemdiem.example.gov.vn; empty: http:// and http.listen", \.httpPublicURL) { s, _ in
            guard let u = URL(string: s), ["http", "https"].contains(u.scheme ?? ""), u.host != nil, u.query == nil else {
                throw ConfigKey.Invalid("'\(s)' is not an http:// or https:// address")
            }
            return s
        },
        ConfigKey("http.link_ttl", "how long a letter's link works, e.g. 30d", \.linkTTL) { s, _ in try duration(s, "30d") },
        ConfigKey("http.link_grace", "how long links signed before a key rotation (reload) still work, e.g. 7d", \.linkGrace) { s, _ in try duration(s, "7d") },
        ConfigKey("http.link_key_file", "file of the key that signs letters' links (made if missing); empty: web-link.key beside the database", \.linkKeyFile) { s, _ in s },
    ]

    private static func endpoint(_ s: String, _ config: DaemonConfig) throws -> String {
        guard s.hasPrefix("tcp://") || s.hasPrefix("ipc://") || s.hasPrefix("inproc://") else {
            throw ConfigKey.Invalid("'\(s)' must be a tcp://, ipc:// or inproc:// endpoint")
        }
        return s
    }

    private static func bool(_ s: String, _ config: DaemonConfig) throws -> Bool {
        switch s.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: throw ConfigKey.Invalid("'\(s)' is not true or false")
        }
    }

    private static func duration(_ s: String, _ example: String) throws -> Duration {
        guard let secs = DurationText.seconds(s), secs > 0 else { throw ConfigKey.Invalid("'\(s)' is not a positive duration such as \(example)") }
        return .seconds(secs)
    }

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
        let known = Set(keys.map(\.name))
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
        for k in keys {
            if let v = environment[k.environmentVariable] { values[k.name] = Value(text: v, origin: "environment \(k.environmentVariable)") }
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
        // An empty value keeps the default (for an optional key: off).
        for key in DaemonConfig.keys {
            guard let text = v[key.name]?.text, !text.isEmpty else { continue }
            do { try key.apply(&self, text) } catch { throw bad(key.name, error.reason) }
        }
        if let h = httpListen, let m = metricsListen, h != m {
            throw bad("metrics.listen", "/metrics is served by the HTTP server on http.listen (\(h)); drop metrics.listen or make it the same")
        }
        if jobs.workerTimeout <= jobs.heartbeat { throw bad("jobs.worker_timeout", "must be longer than jobs.heartbeat") }
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

    /// What `kiemdiemd --check-config` finds wrong with the files the configuration names: a key
    /// file that cannot be read, a database whose directory does not exist.
    public func unreadableFiles() -> [String] {
        var problems: [String] = []
        let fm = FileManager.default
        if curve {
            for (key, path) in [("security.server_secret_key_file", serverSecretKeyFile), ("security.authorized_keys_file", authorizedKeysFile)] {
                guard let path else { problems.append("\(key): required with security.curve: true"); continue }
                if !fm.isReadableFile(atPath: path) { problems.append("\(key): cannot read \(path)") }
            }
        }
        if database != ":memory:" {
            let dir = (database as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !fm.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir) || !isDir.boolValue {
                problems.append("database: the directory \(dir) does not exist")
            }
        }
        return problems
    }

    /// The keys whose value differs in `other` and that only take effect at the next start: the
    /// sockets, the database, the clock, security, limits and delivery are set up once.
    public func restartOnlyChanges(to other: DaemonConfig) -> [String] {
        DaemonConfig.keys.filter { !$0.live && !$0.same(self, other) }.map(\.name)
    }
}

/// One configuration key: its name, its help, whether a reload applies it, how its text is read
/// into a configuration, and whether two configurations differ in it.
public struct ConfigKey: Sendable {
    public let name: String
    public let help: String
    /// A reload (SIGHUP) applies it to the running daemon; any other key waits for a restart.
    public let live: Bool
    let apply: @Sendable (inout DaemonConfig, String) throws(Invalid) -> Void
    let same: @Sendable (DaemonConfig, DaemonConfig) -> Bool

    /// `clock.mode` → `KIEMDIEM_CLOCK_MODE`.
    public var environmentVariable: String { "KIEMDIEM_" + name.uppercased().replacingOccurrences(of: ".", with: "_") }

    /// Why a value was refused.
    struct Invalid: Swift.Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    init<V: Equatable & Sendable>(_ name: String, _ help: String, live: Bool = false, _ path: any WritableKeyPath<DaemonConfig, V> & Sendable,
                                  parse: @escaping @Sendable (String, DaemonConfig) throws -> V) {
        self.name = name
        self.help = help
        self.live = live
        apply = { config, text throws(Invalid) in
            do { config[keyPath: path] = try parse(text, config) } catch let e as Invalid { throw e } catch { throw Invalid("\(error)") }
        }
        same = { $0[keyPath: path] == $1[keyPath: path] }
    }

    init<V: Equatable & Sendable>(_ name: String, _ help: String, live: Bool = false, _ path: any WritableKeyPath<DaemonConfig, V?> & Sendable,
                                  parse: @escaping @Sendable (String, DaemonConfig) throws -> V) {
        self.init(name, help, live: live, path) { text, config -> V? in try parse(text, config) }
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
