import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct JobsCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Delivery jobs by state; retry a dead one.",
                                                    discussion: """
                                                        Examples:
                                                          kiemdiemctl jobs
                                                          kiemdiemctl jobs list --state dead
                                                          kiemdiemctl jobs retry 42
                                                        """,
                                                    subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts by state and the latest jobs.",
                                                        discussion: """
                                                            Examples:
                                                              kiemdiemctl jobs list --state dead --limit 20
                                                              kiemdiemctl jobs list --state pending --after 1200
                                                            """)
        @Option(help: ArgumentHelp("Only jobs in this state: pending, leased, done or dead (default: all).", discussion: "e.g. --state dead")) var state: String?
        @Option(help: ArgumentHelp("At most this many jobs (default 100, at most 5000).", discussion: "e.g. --limit 20")) var limit: Int?
        @Option(help: ArgumentHelp("Older than this job id: the cursor the previous page printed.", discussion: "e.g. --after 1200")) var after: Int64?
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
        static let configuration = CommandConfiguration(abstract: "Give a dead job another round of attempts.",
                                                        discussion: """
                                                            The id is one `kiemdiemctl jobs list --state dead` prints.

                                                            Example: kiemdiemctl jobs retry 42
                                                            """)
        @Argument(help: ArgumentHelp("The dead job's id (jobs list).", discussion: "e.g. 42")) var id: Int64
        @OptionGroup var options: ClientOptions
        func run() throws { try options.run(JobsRetry.self, IdArgs(id: id)) { print("job \($0.id) is pending again") } }
    }
}
