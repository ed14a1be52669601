import Foundation
import GRDB
import KiemDiemCore
import Synchronization

/// The database behind one intent-named type (GRDB's AppDatabase pattern). Every write is one
/// transaction; events are appended in the same transaction as the change that caused them.
public final class Store: Sendable {
    let writer: any DatabaseWriter
    /// The process lock, for a store that must be the only one on its file (the daemon, an import).
    let lock: DatabaseLock?
    /// The database file; nil for an in-memory store.
    public let path: String?
    let synchronous: Synchronous
    /// An audit row that goes with the next write transaction (see `attachAudit`).
    private let pendingAudit = Mutex<AuditRow?>(nil)

    /// How a commit reaches the disk (SQLite's `synchronous`, in WAL mode).
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Every commit is fsynced before it returns: a committed change survives a power loss.
        case full
        /// Commits are fsynced at checkpoints: a crash of the process loses nothing, a power
        /// loss may lose the last commits (never corrupts the database).
        case normal
    }

    /// Opens (creating if needed) the database file in WAL mode and migrates it. With `exclusive`,
    /// it first takes the database's process lock (`DatabaseLock`) and holds it while open.
    public init(path: String, synchronous: Synchronous = .full, exclusive: Bool = false) throws {
        lock = exclusive ? try DatabaseLock(database: path) : nil
        self.path = path
        self.synchronous = synchronous
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pragma = synchronous == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(pragma)")
        }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        writer = try DatabasePool(path: path, configuration: config)
        // GRDB sets NORMAL on a pool's writer when it opens it in WAL mode: set it again after.
        // The writer keeps up to 64 MiB of pages (SQLite's default is 2 MiB): a burst touches
        // the event, job and member indexes of a large tree, and with the default cache most of
        // a firing's time went to reading pages back from the OS (measured: docs/performance.md).
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(pragma); PRAGMA cache_size = -65536") }
        try Store.migrator.migrate(writer)
    }

    /// Runs `body` in one write transaction on a connection of its own (a file store only), for
    /// work too long for the loop's connection: the loop goes on reading from the pool meanwhile,
    /// and must not write until this returns (its writes would wait for this transaction).
    public func writeOnSecondConnection<T>(_ body: (StoreTx) throws -> T) throws -> T {
        guard let path else { throw StoreError("an in-memory store has no second connection") }
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pragma = synchronous == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(pragma); PRAGMA cache_size = -65536") }
        let queue = try DatabaseQueue(path: path, configuration: config)
        var result: T?
        try queue.inTransaction(.immediate) { db in
            result = try body(StoreTx(db: db))
            return .commit
        }
        return result!
    }

    /// An in-memory database, for tests.
    public init() throws {
        lock = nil
        path = nil
        synchronous = .full
        writer = try DatabaseQueue()
        try Store.migrator.migrate(writer)
    }

    /// Runs `body` in one write transaction. An audit row attached with `attachAudit` is
    /// written in this same transaction: the change and its audit commit together or not at all.
    public func write<T>(_ body: (StoreTx) throws -> T) throws -> T {
        let audit = pendingAudit.withLock { $0 }
        let result = try writer.write { db in
            let tx = StoreTx(db: db)
            let result = try body(tx)
            if let audit { try tx.appendAudit(audit) }
            return result
        }
        // Detached only once the transaction committed: a failed COMMIT (a full disk) leaves it
        // attached, and the caller knows nothing was stored.
        if audit != nil { pendingAudit.withLock { $0 = nil } }
        return result
    }

    /// Makes `audit` part of the next write transaction that commits.
    public func attachAudit(_ audit: AuditRow?) {
        pendingAudit.withLock { $0 = audit }
    }

    /// Detaches the attached audit row; nil when a committed write already carried it.
    public func detachAudit() -> AuditRow? {
        pendingAudit.withLock { a in
            defer { a = nil }
            return a
        }
    }

    /// Rows inserted, updated or deleted through the writer since it opened (SQLite's
    /// total_changes), and rows in the audit log: the fuzzer's oracle checks that a refused
    /// request changed nothing but the audit.
    public func changeCounts() throws -> (changes: Int, audit: Int) {
        try writer.writeWithoutTransaction { db in
            (db.totalChangesCount, try Int.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0)
        }
    }

    /// Whether an error means the database cannot be written for lack of space or a failing
    /// disk (SQLITE_FULL, SQLITE_IOERR): the daemon then stays up and refuses changes.
    public static func isStorageFault(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_FULL || e.resultCode == .SQLITE_IOERR
    }

    /// SQLite's own words for a storage fault ("database or disk is full"), without the SQL.
    public static func faultMessage(_ error: any Error) -> String {
        (error as? DatabaseError)?.message ?? "\(error)"
    }

    public func read<T>(_ body: (StoreTx) throws -> T) throws -> T {
        try writer.read { db in try body(StoreTx(db: db)) }
    }

    /// Runs `body` in a write transaction that is always rolled back: the dry run of `preview`
    /// goes through exactly the code that a real move of the clock would.
    public func dryRun<T>(_ body: (StoreTx) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction {
                result = try body(StoreTx(db: db))
                return .rollback
            }
            return result!
        }
    }

    /// Migrations are frozen once shipped: add new ones, never edit these.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE unit (
                    id TEXT PRIMARY KEY NOT NULL,
                    parent TEXT,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    head TEXT,
                    email TEXT,
                    path TEXT NOT NULL             -- 'duk/so-tai-chinh/' : ids from the root, '/'-terminated
                );
                CREATE INDEX unit_path ON unit(path);
                CREATE INDEX unit_parent ON unit(parent);
                CREATE TABLE member (
                    id TEXT PRIMARY KEY NOT NULL,
                    unit TEXT NOT NULL REFERENCES unit(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    email TEXT,
                    disciplined INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX member_unit ON member(unit);
                CREATE TABLE campaign (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    root TEXT NOT NULL,
                    plan TEXT NOT NULL,            -- the validated plan, JSON
                    source TEXT NOT NULL,          -- the YAML as loaded
                    loaded_at INTEGER NOT NULL,
                    status TEXT NOT NULL,          -- active | paused | completed
                    watermark INTEGER NOT NULL,    -- triggers at or before this instant have fired
                    completed_at INTEGER
                );
                CREATE TABLE stage (
                    campaign TEXT NOT NULL REFERENCES campaign(id),
                    id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    title TEXT NOT NULL,
                    scope TEXT NOT NULL,           -- 'members' or comma-separated unit kinds
                    opens INTEGER NOT NULL,
                    due INTEGER NOT NULL,
                    PRIMARY KEY (campaign, id)
                );
                CREATE TABLE unit_task (           -- sparse: a row only once a unit completed or was extended
                    campaign TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    due_override INTEGER,
                    override_reason TEXT,
                    completed_at INTEGER,
                    completed_by TEXT,
                    PRIMARY KEY (campaign, stage, unit)
                ) WITHOUT ROWID;
                CREATE TABLE member_task (         -- sparse: a row once a member completed
                    campaign TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    member TEXT NOT NULL,
                    completed_at INTEGER NOT NULL,
                    PRIMARY KEY (campaign, stage, member)
                ) WITHOUT ROWID;
                CREATE TABLE event (               -- the outbox; seq is assigned from meta.last_seq
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    time INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT NOT NULL,
                    command TEXT NOT NULL,
                    args TEXT NOT NULL,
                    result TEXT NOT NULL
                );
                CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value) WITHOUT ROWID;
                INSERT INTO meta(key, value) VALUES ('last_seq', 0);
                """)
        }
        m.registerMigration("v2-escalations-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE escalation (          -- one per overdue (campaign, stage, unit, deadline)
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    due INTEGER NOT NULL,
                    level INTEGER NOT NULL,        -- the latest ladder step raised
                    target TEXT NOT NULL,          -- the committee it was raised to
                    raised_at INTEGER NOT NULL,
                    acknowledged_at INTEGER,
                    acknowledged_by TEXT,
                    UNIQUE (campaign, stage, unit, due)
                );
                CREATE TABLE job (                 -- the jobs outbox: one notification to deliver
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL UNIQUE,      -- idempotency key: the event id [/recipient]
                    event_seq INTEGER NOT NULL,
                    kind TEXT NOT NULL,            -- reminder | overdue | escalation
                    channel TEXT NOT NULL,         -- spool | smtp | webhook
                    recipient TEXT NOT NULL,       -- unit id
                    address TEXT,                  -- e-mail address of the recipient unit
                    payload TEXT NOT NULL,         -- JSON for the worker's templates
                    state TEXT NOT NULL,           -- pending | leased | done | dead
                    attempts INTEGER NOT NULL DEFAULT 0,
                    worker TEXT,
                    lease_until REAL,              -- wall-clock seconds; jobs live in real time
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    finished_at REAL
                );
                CREATE INDEX job_ready ON job(state, next_attempt_at);
                """)
        }
        m.registerMigration("v3-rules") { db in
            try db.execute(sql: """
                CREATE TABLE flag (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    reasons TEXT NOT NULL,         -- comma-separated FlagReason codes
                    note TEXT NOT NULL,
                    confirmed INTEGER NOT NULL,    -- a competent conclusion, not only signs
                    flagged_at INTEGER NOT NULL,
                    flagged_by TEXT NOT NULL,
                    review_due INTEGER NOT NULL,   -- the directed review's deadline
                    review_done_at INTEGER,
                    closed_at INTEGER,
                    closed_note TEXT,
                    closed_by TEXT
                );
                CREATE INDEX flag_unit ON flag(unit);
                CREATE TABLE rating (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    kind TEXT NOT NULL,            -- member | unit
                    subject TEXT NOT NULL,
                    level TEXT NOT NULL,
                    commendation INTEGER NOT NULL,
                    note TEXT,
                    rated_at INTEGER NOT NULL,
                    rated_by TEXT NOT NULL,
                    annulled_at INTEGER,
                    annul_reason TEXT,
                    annulled_by TEXT
                );
                CREATE INDEX rating_subject ON rating(campaign, kind, subject);
                CREATE TABLE remediation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,        -- the campaign it is tracked in now (carried over)
                    unit TEXT NOT NULL,
                    member TEXT,
                    text TEXT NOT NULL,
                    due INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    done_at INTEGER,
                    done_by TEXT
                );
                CREATE INDEX remediation_open ON remediation(campaign, done_at);
                """)
        }
        m.registerMigration("v4-rating-state") { db in
            try db.execute(sql: """
                ALTER TABLE member ADD COLUMN disciplined_on TEXT;     -- the discipline's date, if known
                ALTER TABLE unit ADD COLUMN discipline TEXT;           -- NULL, 'true', or the date
                ALTER TABLE rating ADD COLUMN status TEXT NOT NULL DEFAULT 'decided';  -- proposed | decided
                ALTER TABLE rating ADD COLUMN score REAL;              -- qd366-2025: the 100-point score
                ALTER TABLE rating ADD COLUMN on_time REAL;            -- % of tasks on time with quality
                ALTER TABLE rating ADD COLUMN beyond REAL;             -- % of tasks beyond the requirement
                ALTER TABLE remediation ADD COLUMN origin TEXT;        -- the campaign whose review found it
                UPDATE remediation SET origin = campaign;
                CREATE TABLE conclusion (          -- a competent conclusion about a unit or a member (rule 4)
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    kind TEXT NOT NULL,            -- member | unit
                    subject TEXT NOT NULL,
                    reasons TEXT NOT NULL,         -- comma-separated FlagReason codes
                    note TEXT NOT NULL,
                    flag INTEGER,                  -- the flag it concludes, if any
                    at INTEGER NOT NULL,
                    by TEXT NOT NULL
                );
                CREATE INDEX conclusion_campaign ON conclusion(campaign);
                INSERT INTO conclusion(campaign, kind, subject, reasons, note, flag, at, by)
                  SELECT campaign, 'unit', unit, reasons, note, id, flagged_at, flagged_by FROM flag WHERE confirmed = 1;
                CREATE TABLE suggestion (          -- the upper committee's written review suggestions (gợi ý kiểm điểm)
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    author TEXT NOT NULL,          -- the committee that suggests: the unit's parent
                    name TEXT NOT NULL,            -- the file's name as given
                    text TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    by TEXT NOT NULL
                );
                CREATE INDEX suggestion_unit ON suggestion(unit);
                """)
        }
        m.registerMigration("v5-counters") { db in
            // Counts that `status` and the metrics read in O(1), kept by triggers in the very
            // transaction that changes the rows, so they can never drift from the tables. And an
            // index that serves the lease query in the order it reads (pending jobs by id), so
            // leasing costs the same whatever the size of the queue.
            try db.execute(sql: """
                CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL);
                INSERT INTO counter(name, n) VALUES
                  ('units', (SELECT COUNT(*) FROM unit)),
                  ('cells', (SELECT COUNT(*) FROM unit WHERE kind IN ('cell', 'grassroots-cell'))),
                  ('members', (SELECT COUNT(*) FROM member)),
                  ('events', (SELECT COUNT(*) FROM event)),
                  ('jobs.pending', (SELECT COUNT(*) FROM job WHERE state = 'pending')),
                  ('jobs.leased', (SELECT COUNT(*) FROM job WHERE state = 'leased')),
                  ('jobs.done', (SELECT COUNT(*) FROM job WHERE state = 'done')),
                  ('jobs.dead', (SELECT COUNT(*) FROM job WHERE state = 'dead'));
                CREATE TRIGGER unit_counted AFTER INSERT ON unit BEGIN
                  UPDATE counter SET n = n + 1 WHERE name = 'units';
                  UPDATE counter SET n = n + 1 WHERE name = 'cells' AND NEW.kind IN ('cell', 'grassroots-cell');
                END;
                CREATE TRIGGER unit_uncounted AFTER DELETE ON unit BEGIN
                  UPDATE counter SET n = n - 1 WHERE name = 'units';
                  UPDATE counter SET n = n - 1 WHERE name = 'cells' AND OLD.kind IN ('cell', 'grassroots-cell');
                END;
                CREATE TRIGGER unit_recounted AFTER UPDATE OF kind ON unit
                  WHEN (OLD.kind IN ('cell', 'grassroots-cell')) != (NEW.kind IN ('cell', 'grassroots-cell')) BEGIN
                  UPDATE counter SET n = n + (CASE WHEN NEW.kind IN ('cell', 'grassroots-cell') THEN 1 ELSE -1 END) WHERE name = 'cells';
                END;
                CREATE TRIGGER member_counted AFTER INSERT ON member BEGIN UPDATE counter SET n = n + 1 WHERE name = 'members'; END;
                CREATE TRIGGER member_uncounted AFTER DELETE ON member BEGIN UPDATE counter SET n = n - 1 WHERE name = 'members'; END;
                CREATE TRIGGER event_counted AFTER INSERT ON event BEGIN UPDATE counter SET n = n + 1 WHERE name = 'events'; END;
                CREATE TRIGGER event_uncounted AFTER DELETE ON event BEGIN UPDATE counter SET n = n - 1 WHERE name = 'events'; END;
                CREATE TRIGGER job_counted AFTER INSERT ON job BEGIN UPDATE counter SET n = n + 1 WHERE name = 'jobs.' || NEW.state; END;
                CREATE TRIGGER job_uncounted AFTER DELETE ON job BEGIN UPDATE counter SET n = n - 1 WHERE name = 'jobs.' || OLD.state; END;
                CREATE TRIGGER job_recounted AFTER UPDATE OF state ON job WHEN OLD.state != NEW.state BEGIN
                  UPDATE counter SET n = n - 1 WHERE name = 'jobs.' || OLD.state;
                  UPDATE counter SET n = n + 1 WHERE name = 'jobs.' || NEW.state;
                END;
                CREATE INDEX job_pending ON job(id) WHERE state = 'pending';
                """)
        }
        m.registerMigration("v6-rollups") { db in
            // Per-unit rollups of the tree and of completed work (Store+Rollups.swift), so that a
            // subtree's progress costs a few lookups instead of a count over its members.
            try db.execute(sql: """
                CREATE TABLE tree_count (          -- units of each kind, and members ('member'), in the subtree of unit
                    unit TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    n INTEGER NOT NULL,
                    PRIMARY KEY (unit, kind)
                ) WITHOUT ROWID;
                CREATE TABLE done_count (          -- completed items of a stage in the subtree of unit
                    campaign TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    n INTEGER NOT NULL,
                    PRIMARY KEY (campaign, stage, unit)
                ) WITHOUT ROWID;
                CREATE INDEX unit_task_extended ON unit_task(campaign, stage) WHERE due_override IS NOT NULL;
                """)
            try StoreTx(db: db).rebuildRollups()
        }
        m.registerMigration("v7-uploads") { db in
            // Files imported in chunks, staged apart from the live tables until committed.
            try db.execute(sql: """
                CREATE TABLE upload (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,            -- units | members
                    name TEXT NOT NULL,            -- the file's name, for its findings
                    chunks INTEGER NOT NULL,
                    bytes INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    created_at INTEGER NOT NULL,   -- real time: an idle upload is dropped after limits.import_idle
                    touched_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE upload_chunk (
                    upload TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    content TEXT NOT NULL,
                    PRIMARY KEY (upload, seq)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v8-web-tokens") { db in
            // Tokens of the web page: what an admin issued, the secret's SHA-256 only.
            try db.execute(sql: """
                CREATE TABLE web_token (
                    id TEXT PRIMARY KEY NOT NULL,
                    unit TEXT NOT NULL,            -- the subtree it sees
                    role TEXT NOT NULL,            -- observer | committee
                    hash TEXT NOT NULL,            -- hex SHA-256 of the secret
                    label TEXT NOT NULL,
                    actor TEXT NOT NULL,           -- who issued it
                    created_at INTEGER NOT NULL,   -- real time, epoch seconds
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v9-phones") { db in
            // For an SMS bridge: optional in the files, stored as `+` and digits.
            try db.execute(sql: "ALTER TABLE unit ADD COLUMN phone TEXT; ALTER TABLE member ADD COLUMN phone TEXT")
        }
        m.registerMigration("v10-silences") { db in
            // Reminders and escalations held for a subtree (and stage) until a time; what fell
            // due meanwhile waits in held_job and goes out once, at the end, if still late.
            try db.execute(sql: """
                CREATE TABLE silence (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    path TEXT NOT NULL,            -- the unit's path when it was added: its subtree
                    stage TEXT,                    -- null: every stage
                    until INTEGER NOT NULL,        -- campaign time
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    created_at INTEGER NOT NULL,   -- campaign time
                    ended_at INTEGER,              -- campaign time: its end, or an early expiry
                    ended_by TEXT
                );
                CREATE TABLE held_job (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    silence INTEGER NOT NULL REFERENCES silence(id),
                    key TEXT NOT NULL UNIQUE,
                    event_seq INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    address TEXT,
                    payload TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    unit TEXT NOT NULL             -- the unit the notification is about
                );
                CREATE INDEX held_job_silence ON held_job(silence, unit, stage, event_seq);
                """)
        }
        m.registerMigration("v11-digests") { db in
            // Notifications for one recipient within one window (delivery.group_wait) wait here
            // until the window ends, then go out as one letter (docs/notifications.md).
            try db.execute(sql: """
                CREATE TABLE digest_item (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    window_end INTEGER NOT NULL,   -- campaign time
                    recipient TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    key TEXT NOT NULL UNIQUE,      -- the key the notification has alone
                    event_seq INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    address TEXT,
                    payload TEXT NOT NULL
                );
                CREATE INDEX digest_item_window ON digest_item(window_end, recipient, channel, event_seq);
                """)
        }
        m.registerMigration("v12-children-index") { db in
            // A level's children with their ids from the index alone: a report at a national
            // root joins 104,500 children to the rollups without reading their rows.
            try db.execute(sql: "DROP INDEX IF EXISTS unit_parent; CREATE INDEX unit_parent ON unit(parent, id)")
        }
        m.registerMigration("v13-member-exempt-left") { db in
            // Members not rated this year (the reason), and members who left (a date or a
            // reason): kept with their history, out of what the rules and the stages count.
            try db.execute(sql: "ALTER TABLE member ADD COLUMN exempt TEXT; ALTER TABLE member ADD COLUMN left_on TEXT")
        }
        m.registerMigration("v14-member-extension") { db in
            // One member's own deadline for a members stage (`extend CELL STAGE UNTIL --member M`):
            // the cell's notices leave the member out until then (Store+Campaign.swift, targets).
            try db.execute(sql: """
                CREATE TABLE member_extension (
                    campaign TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    member TEXT NOT NULL,
                    cell TEXT NOT NULL,
                    due INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (campaign, stage, member)
                ) WITHOUT ROWID
                """)
        }
        return m
    }
}

/// One transaction's view of the store. Only this module sees GRDB.
public struct StoreTx {
    let db: Database

    func meta(_ key: String) throws -> DatabaseValue {
        try DatabaseValue.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key]) ?? .null
    }

    func setMeta(_ key: String, _ value: some DatabaseValueConvertible) throws {
        try db.cachedStatement(sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }

    /// The simulated clock's stored instant, if any.
    public func storedClock() throws -> Date? {
        Int64.fromDatabaseValue(try meta("clock_now")).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    public func setStoredClock(_ now: Date) throws {
        try setMeta("clock_now", now.epoch)
    }

    public func appendAudit(_ a: AuditRow) throws {
        try appendAudit(time: a.time, actor: a.actor, role: a.role, command: a.command, args: a.args, result: a.result)
    }

    public func appendAudit(time: Date, actor: String, role: String, command: String, args: String, result: String) throws {
        try db.execute(sql: "INSERT INTO audit(time, actor, role, command, args, result) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [time.epoch, actor, role, command, args, result])
    }
}

extension Date {
    /// Whole seconds since 1970: the stored form of an instant (UTC by definition).
    public var epoch: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    public init(epoch: Int64) { self.init(timeIntervalSince1970: TimeInterval(epoch)) }
}

/// `path >= lower AND path < upper` selects a subtree through the path index.
func subtreeRange(_ path: String) -> (String, String) {
    (path, String(path.dropLast()) + "0") // '0' is the byte after '/'
}

/// One row of the audit log: who ran what, with which arguments, and how it ended.
public struct AuditRow: Sendable, Equatable {
    public var time: Date
    public var actor: String
    public var role: String
    public var command: String
    public var args: String
    public var result: String
    public init(time: Date, actor: String, role: String, command: String, args: String, result: String) {
        self.time = time
        self.actor = actor
        self.role = role
        self.command = command
        self.args = args
        self.result = result
    }
}

extension StoreTx {
    /// Audit entries, oldest first, optionally from `since` on.
    public func auditEntries(since: Date?, limit: Int) throws -> [AuditRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE time >= ? ORDER BY id LIMIT ?", arguments: [since?.epoch ?? Int64.min, limit]).map {
            AuditRow(time: Date(epoch: $0["time"]), actor: $0["actor"], role: $0["role"], command: $0["command"], args: $0["args"], result: $0["result"])
        }
    }
}

/// A misuse of the store (not a database error).
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
