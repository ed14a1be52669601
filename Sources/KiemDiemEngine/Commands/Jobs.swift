import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension Jobs: EngineCommand {
    public static func run(_ args: JobsArgs, in context: CommandContext) throws -> JobsResult {
        var state: JobState?
        if let s = args.state {
            guard let known = JobState(rawValue: s) else { throw ErrorBody(.invalidInput, "--state must be pending, leased, done or dead") }
            state = known
        }
        let limit = min(max(args.limit ?? 100, 1), 5000)
        return try context.engine.store.read { tx in
            let page = try tx.jobs(state: state, before: args.after, limit: limit + 1)
            let jobs = page.prefix(limit).map {
                JobInfo(id: $0.id, key: $0.key, kind: $0.kind, channel: $0.channel, recipient: $0.recipient, state: $0.state,
                        attempts: $0.attempts, worker: $0.worker, lastError: $0.lastError)
            }
            return JobsResult(counts: Dictionary(uniqueKeysWithValues: try tx.jobCounts().map { ($0.key.rawValue, $0.value) }), jobs: Array(jobs),
                              next: page.count > limit ? jobs.last?.id : nil)
        }
    }
}
