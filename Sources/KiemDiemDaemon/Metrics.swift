import CoreMetrics
import Foundation
import KiemDiemWire
import Prometheus
import Synchronization

/// The daemon's metrics, through the swift-metrics API with an explicit factory (no global
/// bootstrap): a Prometheus registry when `metrics.listen` is set, swift-metrics' no-op handlers
/// otherwise. Every method may be called from any thread. docs/operations.md says what each means.
public final class DaemonMetrics: Sendable {
    /// The registry `/metrics` serves; nil when metrics are off.
    public let registry: PrometheusCollectorRegistry?
    private let factory: any MetricsFactory
    private let escalationsRaised: CoreMetrics.Counter
    private let workers: CoreMetrics.Gauge
    private let storageWritable: CoreMetrics.Gauge
    private let jobs: [JobState: CoreMetrics.Gauge]
    private let openDeadlines: [String: CoreMetrics.Gauge]
    private let eventCounters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let commandTimers = Mutex<[String: CoreMetrics.Timer]>([:])

    /// The job states of the jobs outbox, each always reported (0 included).
    static let commandLabel = "kiemdiem_command_duration_seconds"

    /// Metrics that go nowhere.
    public static let disabled = DaemonMetrics(registry: nil)

    public init(registry: PrometheusCollectorRegistry?) {
        self.registry = registry
        let factory: any MetricsFactory
        if let registry {
            var f = PrometheusMetricsFactory(registry: registry)
            // Most commands answer in well under a millisecond; imports take seconds.
            f.durationHistogramBuckets[DaemonMetrics.commandLabel] = [
                .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
            ]
            factory = f
        } else {
            factory = NOOPMetricsHandler.instance
        }
        self.factory = factory
        escalationsRaised = CoreMetrics.Counter(label: "kiemdiem_escalations_raised_total", factory: factory)
        workers = CoreMetrics.Gauge(label: "kiemdiem_workers", factory: factory)
        storageWritable = CoreMetrics.Gauge(label: "kiemdiem_storage_writable", factory: factory)
        storageWritable.record(1)
        jobs = Dictionary(uniqueKeysWithValues: JobState.allCases.map {
            ($0, CoreMetrics.Gauge(label: "kiemdiem_jobs", dimensions: [("state", $0.rawValue)], factory: factory))
        })
        openDeadlines = Dictionary(uniqueKeysWithValues: ["pending", "overdue"].map {
            ($0, CoreMetrics.Gauge(label: "kiemdiem_open_deadlines", dimensions: [("state", $0)], factory: factory))
        })
    }

    public var isEnabled: Bool { registry != nil }

    /// One event sent on the events socket; `topic` is `<type>/<unit path>/`.
    func eventPublished(topic: String) {
        guard isEnabled else { return }
        let type = topic.prefix { $0 != "/" }
        let counter = eventCounters.withLock { counters in
            if let c = counters[String(type)] { return c }
            let c = CoreMetrics.Counter(label: "kiemdiem_events_published_total", dimensions: [("type", String(type))], factory: factory)
            counters[String(type)] = c
            return c
        }
        counter.increment()
        if EventType(rawValue: String(type)) == .escalationRaised { escalationsRaised.increment() }
    }

    /// One control request served, from its arrival to its reply being ready. `command` is the
    /// registered command it named, nil for anything else (`invalid`): the label set stays bounded.
    func commandServed(_ command: String?, duration: Duration) {
        guard isEnabled else { return }
        let command = command ?? "invalid"
        let timer = commandTimers.withLock { timers in
            if let t = timers[command] { return t }
            let t = CoreMetrics.Timer(label: DaemonMetrics.commandLabel, dimensions: [("command", command)], factory: factory)
            timers[command] = t
            return t
        }
        timer.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    func setWorkers(_ n: Int) { workers.record(n) }

    /// 1 while the database can be written, 0 while changes are refused (a full disk).
    func setStorageWritable(_ writable: Bool) { storageWritable.record(writable ? 1 : 0) }

    func setJobs(_ counts: [JobState: Int]) {
        for (state, gauge) in jobs { gauge.record(counts[state] ?? 0) }
    }

    func setOpenDeadlines(pending: Int, overdue: Int) {
        openDeadlines["pending"]?.record(pending)
        openDeadlines["overdue"]?.record(overdue)
    }
}
