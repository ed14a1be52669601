import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The log level in force for a whole process. Every handler made by
/// `JournalLogHandler.bootstrap` reads it on each message, so a configuration reload (SIGHUP)
/// changes the level of every logger at once. Setting `logLevel` on one logger changes it here,
/// for all of them: the process has one level, as the configuration has one `log_level`.
public final class LogLevelControl: Sendable {
    private let value: Mutex<Logger.Level>

    public init(_ level: Logger.Level) { value = Mutex(level) }

    public var level: Logger.Level {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// One line per message on stderr.
///
/// Under systemd (stderr is the journal stream named by `$JOURNAL_STREAM`) each line starts with
/// its syslog priority, `<6>ready control=… events=…`, which journald turns into the entry's
/// PRIORITY (so `journalctl -p warning` works) and strips; journald adds the time and the process.
/// Elsewhere a line is `2025-01-02T03:04:05+0700 info kiemdiemd: message key=value`.
///
/// Levels map to priorities as: trace and debug 7, info 6, notice 5, warning 4, error 3,
/// critical 2. A newline inside a message or a metadata value is written as `\n`, so one
/// message is always one line (and one journal entry with its own priority).
public struct JournalLogHandler: LogHandler {
    public enum Format: Sendable {
        /// `<N>message key=value`: for journald.
        case journal
        /// `timestamp level label: message key=value`: for a terminal or a file.
        case plain
    }

    public let label: String
    public let format: Format
    let control: LogLevelControl
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, format: Format, level: LogLevelControl) {
        self.label = label
        self.format = format
        control = level
    }

    /// Bootstraps swift-log with this handler; the format follows `stderrIsJournal`.
    public static func bootstrap(level: LogLevelControl, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let format: Format = stderrIsJournal(environment: environment) ? .journal : .plain
        LoggingSystem.bootstrap { label in JournalLogHandler(label: label, format: format, level: level) }
    }

    /// True when stderr is connected to journald: systemd sets `JOURNAL_STREAM=<dev>:<inode>` of
    /// the stream it gave the service, and the variable is only believed when stderr is still that
    /// stream (a child whose stderr was redirected inherits the variable but not the stream).
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(STDERR_FILENO, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }

    /// Writes one line that ends the program (a bad configuration, a failed start), before or
    /// without a logger: `<3>` first under journald, so it is an error there too.
    public static func writeFatal(_ line: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        writeStderr((stderrIsJournal(environment: environment) ? "<3>" : "") + oneLine(line) + "\n")
    }

    /// The syslog priority of a level (sd-daemon(3)'s SD_DEBUG … SD_CRIT).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public var logLevel: Logger.Level {
        get { control.level }
        set { control.level = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        var text = JournalLogHandler.oneLine(event.message.description)
        for (k, v) in all.sorted(by: { $0.key < $1.key }) { text += " \(k)=\(JournalLogHandler.oneLine(v.description))" }
        let line: String = switch format {
        case .journal: "<\(JournalLogHandler.priority(event.level))>\(text)\n"
        case .plain: "\(JournalLogHandler.timestamp()) \(event.level) \(label): \(text)\n"
        }
        JournalLogHandler.writeStderr(line)
    }

    static func oneLine(_ s: String) -> String {
        s.contains(where: \.isNewline) ? s.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\n") : s
    }

    /// Local time as `2025-01-02T03:04:05+0700`.
    static func timestamp() -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// One write(2) per line (a pipe keeps writes of up to PIPE_BUF bytes whole), retried on a
    /// partial write. A failed write is dropped: logging must never stop the daemon.
    static func writeStderr(_ line: String) {
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
