import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Synchronization

/// What an operator sees of the running daemon: the one-line systemd `STATUS=` and the gauges
/// that come from the database (jobs by state, open deadlines). It reads the store on its own
/// task, off the reactor thread: the store is a WAL database pool, so these reads neither wait
/// for the reactor's writes nor delay them, and a slow count never holds up a request.
final class OpsMonitor: Sendable {
    let store: Store
    let metrics: DaemonMetrics
    let notify: SystemdNotify
    let simulatedClock: Bool
    /// Connected workers, kept up to date by the reactor (it owns the jobs socket).
    let workers = Atomic<Int>(0)
    /// How often STATUS and the job gauges are refreshed: the heartbeat, which a reload may change.
    let interval: Mutex<Duration>
    /// Open deadlines need a count over the whole tree: at most this often (`metrics.refresh`).
    let deadlineInterval: Duration

    init(store: Store, metrics: DaemonMetrics, notify: SystemdNotify, simulatedClock: Bool, interval: Duration, deadlineInterval: Duration) {
        self.store = store
        self.metrics = metrics
        self.notify = notify
        self.simulatedClock = simulatedClock
        self.interval = Mutex(interval)
        self.deadlineInterval = deadlineInterval
    }

    /// Anything to do: someone listens for STATUS, or metrics are on.
    var isNeeded: Bool { notify.isEnabled || metrics.isEnabled }

    struct Summary {
        var campaigns = 0
        var active = 0
        var lastSeq: Int64 = 0
        var jobs: [JobState: Int] = [:]
    }

    func summary() throws -> Summary {
        try store.read { tx in
            let campaigns = try tx.campaigns()
            return Summary(campaigns: campaigns.count, active: campaigns.count { $0.status == .active },
                           lastSeq: try tx.lastSeq(), jobs: try tx.jobCounts())
        }
    }

    /// Why the database cannot be written (a full disk), or nil; set by the reactor.
    let storageProblem = Mutex<String?>(nil)

    func setStorageProblem(_ problem: String?) {
        storageProblem.withLock { $0 = problem }
        metrics.setStorageWritable(problem == nil)
    }

    /// e.g. `2 campaigns (1 active), last seq 1234, 2 workers, 17 jobs pending`, led by
    /// `DISK FULL: changes refused; ` while the database cannot be written.
    func statusLine(_ s: Summary) -> String {
        func n(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
        let fault = storageProblem.withLock { $0 } == nil ? "" : "DISK FULL: changes refused; "
        return fault + "\(n(s.campaigns, "campaign")) (\(s.active) active), last seq \(s.lastSeq), \(n(workers.load(ordering: .relaxed), "worker")), "
            + "\(n(s.jobs[.pending] ?? 0, "job")) pending"
    }

    /// The status line now, or a word about why it cannot be had.
    func statusLine() -> String {
        do { return statusLine(try summary()) } catch { return "serving (status unavailable: \(error))" }
    }

    /// Incomplete (stage, unit) pairs — (stage, member) for a member stage — of every stage that
    /// has opened in an active campaign, split into those already past their due (their own, when
    /// extended) and those still pending. The same counts `kiemdiemctl campaign show` prints.
    func openDeadlines() throws -> (pending: Int, overdue: Int) {
        try store.read { tx in
            let now = simulatedClock ? (try tx.storedClock() ?? Date()) : Date()
            var pending = 0, overdue = 0
            for c in try tx.campaigns() where c.status == .active {
                let schedule = Schedule(plan: c.plan)
                for stage in c.plan.stages where schedule.opening(of: stage) <= now {
                    let p = try tx.progress(campaign: c.id, stage: stage, subtree: c.rootPath, now: now)
                    overdue += p.overdue
                    pending += max(0, p.total - p.completed - p.overdue)
                }
            }
            return (pending, overdue)
        }
    }

    /// One refresh: job and worker gauges, open deadlines when asked, STATUS.
    func refresh(deadlines: Bool) throws {
        metrics.setWorkers(workers.load(ordering: .relaxed))
        let s = try summary()
        metrics.setJobs(s.jobs)
        if deadlines, metrics.isEnabled {
            let d = try openDeadlines()
            metrics.setOpenDeadlines(pending: d.pending, overdue: d.overdue)
        }
        notify.send("STATUS=\(statusLine(s))")
    }

    /// Refreshes every `interval` until cancelled; `onError` hears of a failed refresh.
    func run(onError: @Sendable (any Error) -> Void) async {
        var lastDeadlines: ContinuousClock.Instant?
        while !Task.isCancelled {
            let due = lastDeadlines.map { ContinuousClock.now - $0 >= deadlineInterval } ?? true
            do {
                try refresh(deadlines: due)
                if due { lastDeadlines = .now }
            } catch {
                onError(error)
            }
            do { try await Task.sleep(for: interval.withLock { $0 }) } catch { return }
        }
    }
}
