import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

/// The daemon's side of the jobs socket (docs/protocol.md, "Jobs socket"). Workers announce
/// themselves with `ready` and their capacity; jobs are leased to workers with spare capacity;
/// a `done` or `fail` from the lease holder settles a job; heartbeats both ways tell a dead
/// worker (its jobs go back at once) and a dead daemon (the worker reconnects). Everything is
/// in SQLite, so a restart loses nothing: leases are void at start and jobs are handed out anew.
/// Time is wall-clock seconds, passed in: the dispatcher reads no clock, so tests drive it.
public final class JobDispatcher {
    struct Worker {
        var routingId: Data
        /// Unique per connection: the key's (or announced) name and the routing id.
        var lessee: String
        var capacity: Int
        var inFlight: Set<Int64> = []
        var lastSeen: Double
    }

    let store: Store
    /// Replaced by a configuration reload; each decision reads the policy in force.
    public var policy: JobPolicy
    let logger: Logger
    private(set) var workers: [Data: Worker] = [:]
    private var lastHeartbeatSent: Double = 0
    private let encoder = WireJSON.encoder()
    private let decoder = WireJSON.decoder()

    public init(store: Store, policy: JobPolicy, logger: Logger) {
        self.store = store
        self.policy = policy
        self.logger = logger
    }

    /// Leases held when the daemon stopped belong to connections that are gone.
    public func start() throws {
        let n = try store.write { try $0.releaseAllLeases() }
        if n > 0 { logger.notice("jobs leased before the restart are pending again", metadata: ["jobs": "\(n)"]) }
    }

    /// One message from a worker; returns the messages to send, each `[routingId, json]`.
    public func receive(_ frames: [Data], keyName: String?, now: Double) -> [[Data]] {
        receive([(frames, keyName)], now: now)
    }

    /// Every message read from the jobs socket in one pass: the workers' states first, then all
    /// their `done` and `fail` settled in one transaction, then one round of leasing.
    public func receive(_ messages: [(frames: [Data], keyName: String?)], now: Double, lease: Bool = true) -> [[Data]] {
        var settlements: [(lessee: String, job: Int64, message: JobsMessage)] = []
        for (frames, keyName) in messages {
            guard frames.count == 2, let m = try? decoder.decode(JobsMessage.self, from: frames[1]) else {
                logger.warning("jobs socket: malformed message dropped", metadata: ["frames": "\(frames.count)"])
                continue
            }
            let id = frames[0]
            switch m.type {
            case .ready, .heartbeat:
                if var w = workers[id] {
                    w.lastSeen = now
                    if let c = m.capacity { w.capacity = max(0, min(c, 1000)) }
                    workers[id] = w
                } else {
                    let name = keyName ?? m.name.map { String($0.prefix(64)) } ?? "worker"
                    let w = Worker(routingId: id, lessee: "\(name)#\(id.map { String(format: "%02x", $0) }.joined())",
                                   capacity: max(0, min(m.capacity ?? 1, 1000)), lastSeen: now)
                    workers[id] = w
                    logger.info("worker joined", metadata: ["worker": "\(w.lessee)", "capacity": "\(w.capacity)"])
                }
            case .done, .fail:
                guard var w = workers[id], let job = m.job else { continue }
                w.lastSeen = now
                w.inFlight.remove(job)
                workers[id] = w
                settlements.append((w.lessee, job, m))
            case .job:
                break // only the daemon sends jobs
            }
        }
        if !settlements.isEmpty { settle(settlements, now: now) }
        return lease ? dispatch(now: now) : []
    }

    /// Settles `done` and `fail` answers in one transaction. Only the lease holder's word counts.
    private func settle(_ settlements: [(lessee: String, job: Int64, message: JobsMessage)], now: Double) {
        let policy = self.policy
        do {
            let outcomes = try store.write { tx in
                try settlements.map { s -> (job: Int64, late: Bool, state: JobState?) in
                    if s.message.type == .done {
                        return (s.job, try !tx.finishJob(s.job, worker: s.lessee, now: now), .done)
                    }
                    let state = try tx.failJob(s.job, worker: s.lessee, error: s.message.error ?? "unknown error", retry: s.message.retry ?? true, now: now,
                                               backoff: { policy.backoff(afterAttempt: $0).seconds }, maxAttempts: policy.maxAttempts)
                    return (s.job, state == nil, state)
                }
            }
            for (o, s) in zip(outcomes, settlements) {
                if o.late { logger.info("late answer for a job no longer leased to this worker", metadata: ["job": "\(o.job)"]) }
                if o.state == .dead { logger.error("job is dead", metadata: ["job": "\(o.job)", "error": "\(s.message.error ?? "")"]) }
            }
        } catch {
            logger.error("cannot settle jobs", metadata: ["jobs": "\(settlements.count)", "error": "\(error)"])
        }
    }

    /// Periodic work: lost workers, expired leases, heartbeats, and handing out due jobs (unless
    /// `lease` is false: between the slices of a firing, the CPU goes to the firing).
    public func tick(now: Double, lease: Bool = true) -> [[Data]] {
        var out: [[Data]] = []
        for (id, w) in workers where now - w.lastSeen > policy.workerTimeout.seconds {
            workers[id] = nil
            let n = (try? store.write { try $0.releaseJobs(of: w.lessee) }) ?? 0
            logger.warning("worker lost", metadata: ["worker": "\(w.lessee)", "jobs_returned": "\(n)"])
        }
        // The loop ticks often; a read decides whether a write is needed at all.
        let leaseRunOut = ((try? store.read { try $0.nextLeaseEnd() }) ?? nil).map { $0 < now } ?? false
        if leaseRunOut, let n = try? store.write({ try $0.expireLeases(now: now, maxAttempts: policy.maxAttempts) }), n > 0 {
            logger.warning("leases expired", metadata: ["jobs": "\(n)"])
            // Jobs that expired are no longer in flight anywhere.
            let leased = Set((try? store.read { try $0.jobs(state: .leased, limit: 100_000).map(\.id) }) ?? [])
            for id in workers.keys { workers[id]!.inFlight.formIntersection(leased) }
        }
        if now - lastHeartbeatSent >= policy.heartbeat.seconds {
            lastHeartbeatSent = now
            let beat = (try? encoder.encode(JobsMessage(type: .heartbeat))) ?? Data()
            out += workers.keys.map { [$0, beat] }
        }
        return lease ? out + dispatch(now: now) : out
    }

    /// Leases due jobs to workers with spare capacity, the least busy first, in one transaction.
    private func dispatch(now: Double) -> [[Data]] {
        guard let due = (try? store.read { try $0.nextJobDue() }) ?? nil, due <= now else { return [] }
        let order = workers.keys.sorted { workers[$0]!.inFlight.count < workers[$1]!.inFlight.count }
            .filter { workers[$0]!.capacity > workers[$0]!.inFlight.count }
        guard !order.isEmpty else { return [] }
        let lease = policy.lease.seconds
        let leased: [(Data, [JobRow])]
        do {
            leased = try store.write { tx in
                var out: [(Data, [JobRow])] = []
                for id in order {
                    guard let w = workers[id] else { continue }
                    let jobs = try tx.leaseJobs(limit: w.capacity - w.inFlight.count, worker: w.lessee, now: now, lease: lease)
                    if jobs.isEmpty { break }
                    out.append((id, jobs))
                }
                return out
            }
        } catch {
            logger.error("cannot lease jobs", metadata: ["error": "\(error)"])
            return []
        }
        var out: [[Data]] = []
        for (id, jobs) in leased {
            for j in jobs {
                out.append([id, JobsMessage.jobFrame(job: j.id, key: j.key, attempt: j.attempts, channel: j.channel.rawValue,
                                                      address: j.address, payload: j.payload)])
                workers[id]?.inFlight.insert(j.id)
            }
        }
        return out
    }

    public var workerCount: Int { workers.count }
}
