import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ImportCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Load or update the tree (all-or-nothing).",
        discussion: """
            A file larger than --chunk-size goes in chunks (import.begin, import.chunk, \
            import.commit): progress shows on a terminal, a dropped connection is resumed, and \
            an interrupted import goes on with --resume ID.

            Examples:
              kiemdiemctl import units config/examples/units.csv
              kiemdiemctl import members config/examples/members.csv --chunk-size 8388608
              kiemdiemctl import members config/examples/members.csv \\
                  --resume 3f9c0a7d5e1b2c4d
              kiemdiemctl import members --abort 3f9c0a7d5e1b2c4d
            """)
    enum What: String, ExpressibleByArgument { case units, members }
    @Argument(help: ArgumentHelp("What the file holds: units or members.", discussion: "e.g. units")) var what: What
    @Argument(help: ArgumentHelp("The CSV file (not needed with --abort).", discussion: "e.g. config/examples/units.csv")) var file: String?
    @Option(help: ArgumentHelp("Largest chunk in bytes (default 4 MiB, at least 1024); a larger file goes in chunks.",
                               discussion: "e.g. --chunk-size 8388608")) var chunkSize: Int = 4 << 20
    @Option(help: ArgumentHelp("Go on with an interrupted chunked import (its id was printed when it began); give the same file and --chunk-size.",
                               discussion: "e.g. --resume 3f9c0a7d5e1b2c4d")) var resume: String?
    @Option(help: ArgumentHelp("Drop a chunked import and its chunks.", discussion: "e.g. --abort 3f9c0a7d5e1b2c4d")) var abort: String?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        if abort == nil, file == nil { throw ValidationError("name the CSV file to import") }
        if chunkSize < 1024 { throw ValidationError("--chunk-size must be at least 1024 bytes") }
    }

    func run() throws {
        let human = { (r: ImportResult) in print("\(what.rawValue): \(r.added) added, \(r.updated) updated, \(r.total) in all") }
        if let id = abort {
            try options.run(ImportAbort.self, UploadArgs(upload: id)) { print("import \($0.upload) of \($0.name) dropped (\($0.received) of \($0.chunks) chunks had arrived)") }
            return
        }
        let args = try readFile(file!)
        let chunks = Chunks.split(args.content, maxBytes: chunkSize)
        guard chunks.count > 1 || resume != nil else {
            switch what {
            case .units: try options.run(ImportUnits.self, args, human: human)
            case .members: try options.run(ImportMembers.self, args, human: human)
            }
            return
        }
        do {
            let r = try Chunks(options: options, kind: what.rawValue, file: args, chunks: chunks).send(resume: resume)
            if options.format == .json { printJSON(r) } else { human(r) }
        } catch let e as ClientError {
            Style.fail(e.description)
            throw ExitCode(e.exitCode)
        }
    }
}

/// The client side of a chunked import.
struct Chunks {
    let options: ClientOptions
    let kind: String
    let file: FileArgs
    let chunks: [Substring]

    /// The file cut after line breaks into pieces of at most `maxBytes` (a longer line is one piece).
    static func split(_ text: String, maxBytes: Int) -> [Substring] {
        var out: [Substring] = []
        var start = text.utf8.startIndex
        let end = text.utf8.endIndex
        while start < end {
            var cut = text.utf8.index(start, offsetBy: maxBytes, limitedBy: end) ?? end
            if cut < end {
                // Back to just after the last line break in the piece, or on to the next one.
                if let nl = text.utf8[start..<cut].lastIndex(of: 0x0A) {
                    cut = text.utf8.index(after: nl)
                } else if let nl = text.utf8[cut...].firstIndex(of: 0x0A) {
                    cut = text.utf8.index(after: nl)
                } else {
                    cut = end
                }
            }
            out.append(Substring(text[start..<cut]))
            start = cut
        }
        return out
    }

    func send(resume: String?) throws -> ImportResult {
        var client = try options.client(for: "import.chunk")
        let total = file.content.utf8.count
        var state: UploadState
        if let resume {
            state = try client.call(ImportState.self, UploadArgs(upload: resume))
            if state.phase != "receiving" { return try waitApplied(state) }
            guard state.chunks == chunks.count, state.bytes == total, state.kind == kind else {
                throw ClientError.transport("import \(resume) is \(state.kind) \(state.name) in \(state.chunks) chunks of \(state.bytes) bytes; this is \(kind) \(file.name) in \(chunks.count) chunks of \(total) bytes: give the same file and --chunk-size")
            }
        } else {
            state = try client.call(ImportBegin.self, ImportBeginArgs(kind: kind, name: file.name, chunks: chunks.count, bytes: total))
        }
        let progress = Progress(total: total, rows: chunks.reduce(0) { $0 + $1.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }, id: state.upload)
        func lines(_ c: Substring) -> Int { c.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
        var seq = state.nextMissing
        var sent = chunks[..<seq].reduce(0) { $0 + $1.utf8.count }
        var rowsSent = chunks[..<seq].reduce(0) { $0 + lines($1) }
        var retries = 0
        while seq < chunks.count {
            do {
                state = try client.call(ImportChunk.self, ImportChunkArgs(upload: state.upload, seq: seq, content: String(chunks[seq])))
                sent += chunks[seq].utf8.count
                rowsSent += lines(chunks[seq])
                seq += 1
                retries = 0
                progress.show(bytes: sent, rows: rowsSent)
            } catch let e as ClientError where !e.isRemote {
                // The connection dropped or the daemon restarted: ask where it stands and go on.
                retries += 1
                guard retries <= 30 else { throw e }
                FileHandle.standardError.write(Data("\nkiemdiemctl: \(e.description); resuming import \(state.upload) (try \(retries))\n".utf8))
                Thread.sleep(forTimeInterval: min(Double(retries), 10))
                client = try options.client(for: "import.chunk")
                if let s = try? client.call(ImportState.self, UploadArgs(upload: state.upload)) {
                    state = s
                    seq = s.nextMissing
                    sent = chunks[..<seq].reduce(0) { $0 + $1.utf8.count }
                    rowsSent = chunks[..<seq].reduce(0) { $0 + lines($1) }
                }
            }
        }
        progress.finish()
        if state.phase == "receiving" {
            // The commit starts the apply (one transaction); on a daemon it answers at once, and
            // `import.state` says when it ends. Without one, it answers when it is done.
            let committer = try options.client(for: "import.commit")
            state = try committer.call(ImportCommit.self, UploadArgs(upload: state.upload))
        }
        return try waitApplied(state)
    }

    /// Asks `import.state` twice a second until the apply ends, across dropped connections.
    func waitApplied(_ first: UploadState) throws -> ImportResult {
        var state = first
        var client = try options.client()
        var failures = 0
        let started = Date()
        while state.phase == "applying" {
            Thread.sleep(forTimeInterval: 0.5)
            do {
                state = try client.call(ImportState.self, UploadArgs(upload: state.upload))
                failures = 0
            } catch let e as ClientError where !e.isRemote {
                failures += 1
                guard failures <= 60 else { throw e }
                client = try options.client()
            }
            if isatty(STDERR_FILENO) == 1 {
                FileHandle.standardError.write(Data(String(format: "\rthe daemon applies it: %.0f s", Date().timeIntervalSince(started)).utf8))
            }
        }
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        if let error = state.error { throw ClientError.remote(error) }
        guard let result = state.result else { throw ClientError.badReply("import \(state.upload) ended \(state.phase) without a result") }
        return result
    }
}

/// A progress line on a terminal (rows, rate, time left), plain lines every 10% otherwise.
final class Progress {
    let total: Int, rows: Int, id: String
    let started = Date()
    let tty = isatty(STDERR_FILENO) == 1
    var lastTenth = -1

    init(total: Int, rows: Int, id: String) {
        self.total = total
        self.rows = rows
        self.id = id
        FileHandle.standardError.write(Data("import \(id): \(total) bytes, \(rows) lines\n".utf8))
    }

    func show(bytes: Int, rows done: Int) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / elapsed
        let left = rate > 0 ? Double(total - bytes) / rate : 0
        let pct = total == 0 ? 100 : bytes * 100 / total
        let line = String(format: "%3d%%  %d of %d rows  %.1f MB/s  %.0f s left", pct, done, rows, rate / 1e6, left)
        if tty {
            let bar = String(repeating: "█", count: pct / 5) + String(repeating: "·", count: 20 - pct / 5)
            FileHandle.standardError.write(Data("\r\(bar) \(line)".utf8))
        } else if pct / 10 > lastTenth {
            lastTenth = pct / 10
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    func finish() {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
        FileHandle.standardError.write(Data(String(format: "sent in %.1f s; the daemon applies it now\n", Date().timeIntervalSince(started)).utf8))
    }
}
