import Foundation
import Synchronization
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

// Chunked imports (docs/protocol.md, "Importing a large file"). The staging tables are written
// one small transaction per chunk, so the daemon goes on serving, firing and pinging the
// watchdog while a file arrives; `import.commit` runs the same import as `import.units` /
// `import.members` on the joined file.

extension Engine {
    /// At most this many uploads open at once, and this many chunks in one.
    static let maxUploads = 4, maxChunks = 100_000

    static func uploadState(_ u: UploadRow) -> UploadState {
        UploadState(upload: u.id, kind: u.kind, name: u.name, chunks: u.chunks, bytes: u.bytes, received: u.received, nextMissing: u.nextMissing)
    }

    func knownUpload(_ id: String, tx: StoreTx) throws -> UploadRow {
        guard Code.isValid(id) else { throw ErrorBody(.invalidInput, "upload \(RequestRules.shown(id)) is not an upload id") }
        guard let u = try tx.upload(id) else {
            throw ErrorBody(.notFound, "no import '\(id)': it was committed, aborted, or dropped after staying idle (limits.import_idle)")
        }
        return u
    }
}

extension ImportBegin: EngineCommand {
    public static func run(_ a: ImportBeginArgs, in context: CommandContext) throws -> UploadState {
        guard a.kind == "units" || a.kind == "members" else { throw ErrorBody(.invalidInput, "kind must be units or members, not \(RequestRules.shown(a.kind))") }
        guard (1...Engine.maxChunks).contains(a.chunks) else { throw ErrorBody(.invalidInput, "chunks must be from 1 to \(Engine.maxChunks), not \(a.chunks)") }
        guard a.bytes >= 0 else { throw ErrorBody(.invalidInput, "bytes must not be negative") }
        guard a.name.utf8.count <= RequestRules.maxFileName, !a.name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ErrorBody(.invalidInput, "name must be at most \(RequestRules.maxFileName) bytes without control characters")
        }
        let id = (0..<16).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        return try context.engine.store.write { tx in
            guard try tx.uploadCount() < Engine.maxUploads else {
                throw ErrorBody(.conflict, "\(Engine.maxUploads) imports are open already: commit or abort one (kiemdiemctl import --abort ID)")
            }
            try tx.beginUpload(id: id, kind: a.kind, name: a.name, chunks: a.chunks, bytes: a.bytes, actor: context.caller.name, now: Date())
            return UploadState(upload: id, kind: a.kind, name: a.name, chunks: a.chunks, bytes: a.bytes, received: 0, nextMissing: 0)
        }
    }
}

extension ImportChunk: EngineCommand {
    public static func run(_ a: ImportChunkArgs, in context: CommandContext) throws -> UploadState {
        try context.engine.store.write { tx in
            let u = try context.engine.knownUpload(a.upload, tx: tx)
            guard (0..<u.chunks).contains(a.seq) else { throw ErrorBody(.invalidInput, "seq \(a.seq) is outside 0..<\(u.chunks) of import '\(u.id)'") }
            guard try tx.putChunk(upload: u.id, seq: a.seq, content: a.content, now: Date()) else {
                throw ErrorBody(.conflict, "chunk \(a.seq) of import '\(u.id)' was stored already with other content")
            }
            return Engine.uploadState(try tx.upload(u.id)!)
        }
    }
}

/// A commit applied on a thread and a database connection of its own, so that the loop goes
/// on answering reads, publishing heartbeats and pinging the watchdog meanwhile. It touches no
/// engine state: the loop sees it end (`Engine.finishApply`) and reloads the tree.
public final class ImportApply: @unchecked Sendable {
    public enum Outcome: Sendable { case applied(ImportResult), failed(ErrorBody) }
    public let state: UploadState
    public let started = Date()
    private let outcome = Mutex<Outcome?>(nil)
    public var ended: Outcome? { outcome.withLock { $0 } }

    /// The file of a one-request import (`import.units`/`import.members`), held in memory; nil
    /// for a chunked one, whose chunks are staged.
    private let inline: FileArgs?

    init(_ state: UploadState) {
        self.state = state
        inline = nil
    }

    /// A one-request import applied off the loop: the request's file, not a staged upload.
    init(kind: String, file: FileArgs) {
        let id = "inline-" + (0..<8).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        let bytes = file.content.utf8.count
        state = UploadState(upload: id, kind: kind, name: file.name, chunks: 1, bytes: bytes, received: 1, nextMissing: 1)
        inline = file
    }

    func start(store: Store) {
        Thread { [self] in _ = run(store: store, audit: nil) }.start()
    }

    /// Applies the import in one transaction on a second connection, with `audit` (the request's
    /// "ok" row) in it; a refusal is audited instead. Sets the outcome the loop waits for.
    @discardableResult
    func run(store: Store, audit: AuditRow?) -> Outcome {
        let state = self.state, inline = self.inline
        let result: Outcome
        do {
            result = .applied(try store.writeOnSecondConnection { tx in
                let r = try inline.map { try Self.apply(state.kind, file: $0, tx: tx) } ?? Self.apply(state, tx: tx)
                if inline == nil { try tx.dropUpload(state.upload) }
                if let audit { try tx.appendAudit(audit) }
                TestHold.apply.wait()
                return r
            })
        } catch let e as InputErrors {
            if inline == nil { try? store.writeOnSecondConnection { try $0.dropUpload(state.upload) } } // the findings are final
            result = .failed(ErrorBody(e))
        } catch let e as ErrorBody {
            result = .failed(e) // still staged
        } catch {
            result = .failed(ErrorBody(Store.isStorageFault(error) ? .unavailable : .internalError, "import '\(state.upload)' not applied: \(error)"))
        }
        if var refused = audit, case .failed(let e) = result {
            refused.result = String("refused: \(e.code.rawValue): \(e.message)".prefix(2000))
            try? store.writeOnSecondConnection { try $0.appendAudit(refused) }
        }
        outcome.withLock { $0 = result }
        return result
    }

    /// A one-request import: the same checks and writes as on the loop without ratings in force
    /// (`Engine.importLater` keeps those on the loop).
    static func apply(_ kind: String, file: FileArgs, tx: StoreTx) throws -> ImportResult {
        if kind == "units" {
            let incoming = try TreeImport.parseUnits(file.content, source: file.name)
            let merged = try TreeImport.validateTree(existing: try tx.allUnits(), incoming: incoming, source: file.name)
            let r = try tx.saveTree(merged, incoming: Set(incoming.map(\.unit.id)))
            try Engine.checkHeads(tx: tx, units: (file.name, Engine.lines(incoming)))
            return r
        }
        let kinds = try tx.unitKinds()
        let r = try tx.saveMembers(try TreeImport.parseMembers(file.content, source: file.name) { kinds[$0] })
        try tx.excuseMembers()
        try Engine.checkHeads(tx: tx, members: file.name) { TreeImport.memberLines(of: $0, in: file.content) }
        return r
    }

    /// The same checks and writes as `import.units`/`import.members` (without the rating
    /// facts: a campaign with ratings takes the one-request path). A members file is read one
    /// chunk at a time (`StoreTx.loadMembers`): the daemon holds a few chunks, not the file (a
    /// national members file is 633 MB).
    static func apply(_ u: UploadState, tx: StoreTx) throws -> ImportResult {
        let bytes = try tx.uploadBytes(u.upload)
        guard bytes == u.bytes else {
            throw ErrorBody(.conflict, "import '\(u.upload)' holds \(bytes) bytes, \(u.bytes) were announced")
        }
        if u.kind == "units" {
            let content = try tx.uploadContent(u.upload)
            let incoming = try TreeImport.parseUnits(content, source: u.name)
            let merged = try TreeImport.validateTree(existing: try tx.allUnits(), incoming: incoming, source: u.name)
            let r = try tx.saveTree(merged, incoming: Set(incoming.map(\.unit.id)))
            try Engine.checkHeads(tx: tx, units: (u.name, Engine.lines(incoming)))
            return r
        }
        let kinds = try tx.unitKinds()
        // The chunks cut as the client cut them (at line breaks), re-cut at record boundaries.
        var pieces = CSVPieces(source: u.name), seq = 0
        let result = try tx.fastFill {
            try tx.loadMembers(source: u.name, kinds: kinds) {
                while seq < u.chunks {
                    guard var chunk = try tx.uploadChunk(u.upload, seq: seq) else { throw ErrorBody(.conflict, "import '\(u.upload)' lost chunk \(seq)") }
                    seq += 1
                    if let piece = try chunk.withUTF8({ try pieces.feed(UnsafeRawBufferPointer($0)) }) { return piece }
                }
                if seq == u.chunks { seq += 1; return try pieces.finish() }
                return nil
            }
        }
        try tx.rebuildRollups()
        try tx.excuseMembers()
        // The staged file is read again only if a head moved out of the unit they head.
        try Engine.checkHeads(tx: tx, members: u.name) { TreeImport.memberLines(of: $0, in: try tx.uploadContent(u.upload)) }
        return result
    }
}

extension Engine {
    /// While an import is applied, why nothing may be written (nil otherwise).
    public var writeHold: String? {
        applying.map { "an import of \($0.state.name) (\($0.state.upload)) is being applied since \(Instant.format($0.started, timeZone: TimeZone(identifier: "UTC")!)); changes wait until it ends, reads go on" }
    }

    /// Called by the loop each pass: when the apply ended, the tree is reloaded and its
    /// outcome kept for `import.state`. True when it ended on this call.
    public func finishApply() throws -> Bool {
        guard let a = applying, let outcome = a.ended else { return false }
        applying = nil
        var s = a.state
        switch outcome {
        case .applied(let r): s.phase = "applied"; s.result = r
        case .failed(let e): s.phase = "failed"; s.error = e
        }
        if finishedImports.count >= 16, let oldest = finishedImports.keys.sorted().first { finishedImports[oldest] = nil }
        finishedImports[s.upload] = s
        finishedImportsLatest = s
        try reload()
        return true
    }
}

extension Engine {
    /// A one-request import, applied off the loop when it can be (a file store in the daemon,
    /// no ratings in force to check it against): the loop holds its writes meanwhile, as for a
    /// chunked commit, and the request is answered when the import ends. Nil: apply it here.
    func importLater(kind: String, _ file: FileArgs) throws -> (@Sendable (AuditRow?) throws -> ImportResult)? {
        guard applyInBackground, store.path != nil else { return nil }
        if let hold = writeHold { throw ErrorBody(.unavailable, hold) }
        let campaigns = openCampaigns
        guard try !store.read({ tx in try campaigns.contains { try tx.hasRatings(campaign: $0.id) } }) else { return nil }
        let apply = ImportApply(kind: kind, file: file)
        applying = apply
        let store = self.store
        return { audit in
            switch apply.run(store: store, audit: audit) {
            case .applied(let r): return r
            case .failed(let e): throw e
            }
        }
    }
}

extension ImportCommit: EngineCommand {
    public static func run(_ a: UploadArgs, in context: CommandContext) throws -> UploadState {
        let engine = context.engine
        if let hold = engine.writeHold { throw ErrorBody(.unavailable, hold) }
        let (u, staged) = try engine.store.read { tx in
            let u = try engine.knownUpload(a.upload, tx: tx)
            guard u.received == u.chunks else {
                throw ErrorBody(.conflict, "import '\(u.id)' has \(u.received) of \(u.chunks) chunks (the first missing: \(u.nextMissing)); send the rest, then commit")
            }
            return (u, engine.applyInBackground ? nil : try tx.uploadContent(u.id))
        }
        var state = Engine.uploadState(u)
        let ratings = try engine.store.read { tx in try engine.openCampaigns.contains { try tx.hasRatings(campaign: $0.id) } }
        if engine.applyInBackground, engine.store.path != nil, !ratings {
            let apply = ImportApply(state)
            engine.applying = apply
            apply.start(store: engine.store)
            state.phase = "applying"
            return state
        }
        // Here, on the caller's connection: with ratings in force, the change is checked against
        // them (rating.conflict), as the one-request imports do.
        let content = try staged ?? engine.store.read { try $0.uploadContent(u.id) }
        guard content.utf8.count == u.bytes else {
            throw ErrorBody(.conflict, "import '\(u.id)' holds \(content.utf8.count) bytes, \(u.bytes) were announced")
        }
        let file = FileArgs(name: u.name, content: content)
        do {
            let result = u.kind == "units" ? try engine.importUnits(file, now: context.now) : try engine.importMembers(file, now: context.now)
            try engine.store.write { try $0.dropUpload(u.id) }
            state.phase = "applied"
            state.result = result
            return state
        } catch let e as ErrorBody where e.code == .invalidInput {
            // The file's findings are final: the upload is done with. Anything else (a full disk)
            // leaves it staged, to commit again.
            try engine.store.write { try $0.dropUpload(u.id) }
            throw e
        }
    }
}

extension ImportAbort: EngineCommand {
    public static func run(_ a: UploadArgs, in context: CommandContext) throws -> UploadState {
        try context.engine.store.write { tx in
            let u = try context.engine.knownUpload(a.upload, tx: tx)
            try tx.dropUpload(u.id)
            return Engine.uploadState(u)
        }
    }
}

extension ImportState: EngineCommand {
    public static func run(_ a: UploadArgs, in context: CommandContext) throws -> UploadState {
        let engine = context.engine
        if let apply = engine.applying, apply.state.upload == a.upload {
            var s = apply.state
            s.phase = "applying"
            return s
        }
        if let done = engine.finishedImports[a.upload] { return done }
        return try engine.store.read { tx in Engine.uploadState(try engine.knownUpload(a.upload, tx: tx)) }
    }
}
