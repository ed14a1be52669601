import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One process at a time on a database: the daemon holds this lock for its lifetime, and so does
/// an offline `kiemdiemd import`, so that neither runs beside the other. It is `flock(2)` on
/// `<database>.lock` (SQLite's own locks only serialize transactions; they cannot say "a daemon
/// is running"). The kernel drops the lock when the process ends, even by kill -9. The file holds
/// the holder's pid, for the message the next one gets.
public final class DatabaseLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public struct Busy: Error, CustomStringConvertible {
        public let database: String
        public let holder: String?
        public var description: String {
            "database \(database) is in use by another process\(holder.map { " (pid \($0))" } ?? ""): a running kiemdiemd or an import; stop it first"
        }
    }

    public init(database: String) throws {
        path = database + ".lock"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
            throw Busy(database: database, holder: holder?.isEmpty == false ? holder : nil)
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
