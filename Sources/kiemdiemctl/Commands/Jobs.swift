import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct JobsCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Delivery jobs by state; retry a dead one.",
                                                    subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts by state and the latest jobs.")
        @Option(help: "pending, leased, done or dead.") var state: String?
        @Option(help: "At most this many jobs (default 100, at most 5000).") var limit: Int?
        @Option(help: "Older than this job id: the cursor the previous page printed.") var after: Int64?
        @OptionGroup var options: ClientOptions

        func run() throws {
            try options.run(Jobs.self, JobsArgs(state: state, limit: limit, after: after)) { r in
                print(["pending", "leased", "done", "dead"].map { "\($0) \(r.counts[$0] ?? 0)" }.joined(separator: ", "))
                if r.jobs.isEmpty { return }
                Table(["id", "state", "kind", "channel", "recipient", "attempts", "worker", "error", "key"],
                      r.jobs.map { ["\($0.id)", $0.state.rawValue, $0.kind.rawValue, $0.channel.rawValue, $0.recipient, "\($0.attempts)", $0.worker ?? "", $0.lastError ?? "", $0.key] }).print()
                if let next = r.next { print("… the next page: --after \(next)") }
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a dead job another round of attempts.")
        @Argument var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(JobsRetry.self, IdArgs(id: id)) { print("job \($0.id) is pending again") } }
    }
}
