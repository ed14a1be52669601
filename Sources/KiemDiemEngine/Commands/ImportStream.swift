import Foundation
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

extension ImportCommit: EngineCommand {
    public static func run(_ a: UploadArgs, in context: CommandContext) throws -> ImportResult {
        let engine = context.engine
        let (u, content) = try engine.store.read { tx in
            let u = try engine.knownUpload(a.upload, tx: tx)
            guard u.received == u.chunks else {
                throw ErrorBody(.conflict, "import '\(u.id)' has \(u.received) of \(u.chunks) chunks (the first missing: \(u.nextMissing)); send the rest, then commit")
            }
            return (u, try tx.uploadContent(u.id))
        }
        guard content.utf8.count == u.bytes else {
            throw ErrorBody(.conflict, "import '\(u.id)' holds \(content.utf8.count) bytes, \(u.bytes) were announced")
        }
        let file = FileArgs(name: u.name, content: content)
        do {
            let result = u.kind == "units" ? try engine.importUnits(file, now: context.now) : try engine.importMembers(file, now: context.now)
            try engine.store.write { try $0.dropUpload(u.id) }
            return result
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
        try context.engine.store.read { tx in Engine.uploadState(try context.engine.knownUpload(a.upload, tx: tx)) }
    }
}
