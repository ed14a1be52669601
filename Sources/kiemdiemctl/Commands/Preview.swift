import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct PreviewCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Dry run: what would fire between now and --until, changing nothing.",
        discussion: """
            Examples:
              kiemdiemctl preview --until 2026-11-28
              kiemdiemctl preview --until 2026-12-15T17:00:00+07:00 --limit 2000
            """)
    @Option(help: ArgumentHelp("Up to when: an ISO 8601 instant with offset, or a date; it must be after now.",
                               discussion: "e.g. --until 2026-11-28 or --until 2026-12-15T17:00:00+07:00")) var until: String
    @Option(help: ArgumentHelp("At most this many events (default 500, at most 2000).", discussion: "e.g. --limit 2000")) var limit: Int?
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Preview.self, PreviewArgs(until: until, limit: limit)) { r in
            // In CSV the rows alone go to standard output; what frames them, to standard error.
            func say(_ s: String) {
                if Style.output == .csv { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) }
            }
            say("from \(r.from) until \(r.until): \(r.events.count) event(s)")
            for e in r.events { printEvent(e) }
            if let at = r.truncatedAt { say("… stopped at the limit; more from \(at) (--limit, or a nearer --until)") }
        }
    }
}
