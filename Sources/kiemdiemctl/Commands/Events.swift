import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

/// One event as a line for people, or as a CSV row (`--output csv`, or into a pipe) under a
/// header printed once.
func printEvent(_ e: EventBody) {
    guard Style.output == .csv else { print(eventLine(e)); return }
    if !EventCSV.headerPrinted {
        EventCSV.headerPrinted = true
        print(CSV.row(["seq", "time", "type", "unit", "stage", "late", "message"]))
    }
    print(CSV.row(["\(e.seq)", e.time, e.type, e.unit ?? "", e.stage ?? "", e.late == true ? "true" : "", e.message ?? ""]))
}

enum EventCSV {
    nonisolated(unsafe) static var headerPrinted = false
}

func eventLine(_ e: EventBody) -> String {
    var line = "\(e.seq == 0 ? "-" : String(e.seq))  \(e.time)  \(e.type)"
    if let u = e.unit { line += "  \(u)" }
    if let s = e.stage { line += "  \(s)" }
    if e.late == true { line += "  (late)" }
    if let m = e.message { line += "\n    \(m)" }
    return line
}

struct EventsCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Replay stored events.",
        discussion: """
            A topic is the event's type, a slash, and the path of its unit from the root \
            (deadline.overdue/duk/so-tai-chinh/…): a prefix selects a type and a subtree.

            Examples:
              kiemdiemctl events --limit 50
              kiemdiemctl events --since 1200 --topic deadline.overdue/duk/so-tai-chinh/
              kiemdiemctl events --topic escalation.raised/ --json
            """)
    @Option(help: ArgumentHelp("Only events after this seq.", discussion: "e.g. --since 1200")) var since: Int64 = 0
    @Option(help: "Only topics starting with this prefix, e.g. deadline.overdue/duk/so-tai-chinh/.") var topic: String?
    @Option(help: ArgumentHelp("At most this many events (default: all).", discussion: "e.g. --limit 50")) var limit: Int?
    @OptionGroup var options: ClientOptions

    func run() throws {
        do {
            Style.output = options.format
            let client = try options.client()
            var cursor = since
            var printed = 0
            var all: [EventBody] = []
            while true {
                let page = min(1000, limit.map { $0 - printed } ?? 1000)
                if page <= 0 { break }
                let r = try client.call(Events.self, EventsArgs(since: cursor, topic: topic, limit: page))
                for e in r.events {
                    if (options.format == .json) { all.append(e) } else { printEvent(e) }
                    cursor = e.seq
                    printed += 1
                }
                if !r.more || r.events.isEmpty { break }
            }
            if (options.format == .json) { printJSON(all) }
        } catch let e as ClientError {
            Style.fail(e.description)
            throw ExitCode(e.exitCode)
        }
    }
}

/// A live subscriber that never silently misses an event: a seq gap, or a heartbeat announcing
/// a seq it has not seen, is filled by replaying stored events over the control socket.
struct WatchCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print events as they are published; fills seq gaps by replay.",
        discussion: """
            Runs until interrupted (or --count); while the daemon does not answer, it retries and says so on stderr.

            Examples:
              kiemdiemctl watch
              kiemdiemctl watch --topic deadline.overdue/duk/so-tai-chinh/ \\
                  --topic escalation.raised/
              kiemdiemctl watch --since 1200 --count 10 --json
            """)
    @Option(name: .customLong("topic"), help: ArgumentHelp("Topic prefix to subscribe to (repeatable; default: everything).",
                                                           discussion: "e.g. --topic deadline.overdue/duk/so-tai-chinh/")) var topics: [String] = []
    @Option(help: ArgumentHelp("Events endpoint (default: asked from the daemon's status).", discussion: "e.g. --events tcp://10.0.0.5:7401")) var events: String?
    @Option(help: ArgumentHelp("First replay everything after this seq.", discussion: "e.g. --since 1200")) var since: Int64?
    @Option(help: ArgumentHelp("Exit after printing this many events.", discussion: "e.g. --count 10")) var count: Int?
    @OptionGroup var options: ClientOptions

    func run() throws {
        do {
            // Every call to the daemon is retried with back-off while it does not answer (a
            // restart, a stop): the watcher keeps watching and says so on stderr.
            var client = try options.client()
            var waiting = false
            func call<R>(_ body: (ControlClient) throws -> R) throws -> R {
                var delay = 0.5
                while true {
                    do {
                        let r = try body(client)
                        if waiting {
                            waiting = false
                            say("the daemon answers again")
                        }
                        return r
                    } catch let e as ClientError where !e.isRemote {
                        waiting = true
                        say("\(e.description); trying again in \(delay) s")
                        Thread.sleep(forTimeInterval: delay) // back-off between attempts
                        delay = min(delay * 2, 10)
                        client = try options.client()
                    }
                }
            }
            func say(_ text: String) { FileHandle.standardError.write(Data("kiemdiemctl watch: \(text)\n".utf8)) }

            var status = try call { try $0.call(Status.self, NoArgs()) }
            var endpoint = events ?? status.endpoints.events
            let prefixes = topics.isEmpty ? [""] : topics
            func subscribe() throws -> EventSubscriber {
                try EventSubscriber(endpoint: endpoint, topics: prefixes + ["heartbeat/"],
                                    curve: status.security?.curveEvents == true ? try options.settings().credentials() : nil)
            }
            var sub = try subscribe()
            var follower = EventFollower(cursor: since ?? status.lastSeq, prefixes: topics) { from, prefix in
                try call { try $0.call(Events.self, EventsArgs(since: from, topic: prefix, limit: 1000)) }
            }
            var printed = 0
            func emit(_ events: [EventBody]) throws {
                for e in events {
                    // Written straight to the file handle: a pipe must see each event at once.
                    let text = (options.format == .json) ? String(decoding: try WireJSON.encoder().encode(e), as: UTF8.self) : eventLine(e)
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                    printed += 1
                    if let count, printed >= count { throw ExitCode.success }
                }
            }
            if since != nil { try emit(try follower.fill(upTo: status.lastSeq + 1)) }
            FileHandle.standardError.write(Data("watching \(endpoint) from seq \(follower.cursor)\n".utf8))
            // The daemon sends a heartbeat every few seconds (events.heartbeat). Silence longer
            // than `quiet` means it stopped or restarted: ask it where it is, fill what was
            // missed, and follow its events socket if it moved.
            let quiet = 15_000
            while true {
                guard let (_, e, _) = try sub.next(timeoutMs: quiet) else {
                    say("no event nor heartbeat for \(quiet / 1000) s; asking the daemon")
                    status = try call { try $0.call(Status.self, NoArgs()) }
                    if events == nil, status.endpoints.events != endpoint {
                        endpoint = status.endpoints.events
                        sub = try subscribe()
                        say("the daemon's events are now on \(endpoint)")
                    }
                    try emit(try follower.fill(upTo: status.lastSeq + 1))
                    continue
                }
                try emit(try follower.receive(e))
            }
        } catch let e as ClientError {
            Style.fail(e.description)
            throw ExitCode(e.exitCode)
        }
    }
}
