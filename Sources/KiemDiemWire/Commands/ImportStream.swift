import Foundation

// A file imported in chunks (docs/protocol.md, "Importing a large file"): `import.begin` opens
// an upload, `import.chunk` stores its pieces by sequence number outside the live tables,
// `import.commit` applies the whole file in one transaction with the same checks and file:line
// errors as `import.units`/`import.members`, `import.abort` drops it. `import.state` says which
// chunks arrived, so a client whose connection dropped goes on from there.

/// `import.begin`: opens an upload of a units or members file.
public enum ImportBegin: ControlCommand {
    public typealias Args = ImportBeginArgs
    public typealias Result = UploadState
    public static let name = "import.begin"
    public static let mutates = true
}

/// `import.chunk`: one piece of the file (not audited: `import.begin` and `import.commit` are).
public enum ImportChunk: ControlCommand {
    public typealias Args = ImportChunkArgs
    public typealias Result = UploadState
    public static let name = "import.chunk"
    public static let mutates = true
    public static let audited = false
}

/// `import.commit`: applies the whole file, all or nothing. On the daemon it starts the apply
/// and answers `applying` at once; `import.state` then says when it is `applied` or `failed`.
public enum ImportCommit: ControlCommand {
    public typealias Args = UploadArgs
    public typealias Result = UploadState
    public static let name = "import.commit"
    public static let mutates = true
}

/// `import.abort`: drops an upload and its chunks.
public enum ImportAbort: ControlCommand {
    public typealias Args = UploadArgs
    public typealias Result = UploadState
    public static let name = "import.abort"
    public static let mutates = true
}

/// `import.state`: an upload's chunks so far (admins only: it names what is being imported).
public enum ImportState: ControlCommand {
    public typealias Args = UploadArgs
    public typealias Result = UploadState
    public static let name = "import.state"
    public static let roles: Set<Role> = [.admin]
}

public struct ImportBeginArgs: Codable, Sendable {
    /// `units` or `members`.
    public var kind: String
    /// The file's name, used in error messages as `import.units` uses it.
    public var name: String
    /// How many chunks will come (sequence numbers 0 ..< chunks).
    public var chunks: Int
    /// The file's size in bytes, for progress and a sanity check at commit.
    public var bytes: Int
    public init(kind: String, name: String, chunks: Int, bytes: Int) {
        self.kind = kind
        self.name = name
        self.chunks = chunks
        self.bytes = bytes
    }
}

public struct ImportChunkArgs: Codable, Sendable {
    public var upload: String
    public var seq: Int
    /// A piece of the file, ending at a line break (except the last): the pieces in order are the file.
    public var content: String
    public init(upload: String, seq: Int, content: String) {
        self.upload = upload
        self.seq = seq
        self.content = content
    }
}

public struct UploadArgs: Codable, Sendable {
    public var upload: String
    public init(upload: String) { self.upload = upload }
}

public struct UploadState: Codable, Sendable, Equatable {
    public var upload: String
    public var kind: String
    public var name: String
    public var chunks: Int
    public var bytes: Int
    /// How many chunks are stored, and the first sequence number still missing (`chunks` when none is).
    public var received: Int
    public var nextMissing: Int
    /// `receiving` (chunks still come), `applying` (committed; being applied), `applied` (with
    /// `result`) or `failed` (with `error`: the file's findings, all or nothing).
    public var phase: String
    public var result: ImportResult?
    public var error: ErrorBody?
    public init(upload: String, kind: String, name: String, chunks: Int, bytes: Int, received: Int, nextMissing: Int,
                phase: String = "receiving", result: ImportResult? = nil, error: ErrorBody? = nil) {
        self.upload = upload
        self.kind = kind
        self.name = name
        self.chunks = chunks
        self.bytes = bytes
        self.received = received
        self.nextMissing = nextMissing
        self.phase = phase
        self.result = result
        self.error = error
    }
}
