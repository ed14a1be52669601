import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging

/// The daemon's own commands on a throw-away in-memory database, with no socket and no daemon:
/// `kiemdiemctl check` loads a tree, a plan and ratings through it, so a file is judged by the
/// same code, with the same file:line findings, as it would be by a running daemon.
public final class OfflineCheck: CommandHost {
    public let engine: Engine
    public private(set) var now: Date
    public let clockMode = ClockMode.simulated
    public let boundEndpoints = Endpoints(control: "inproc://check", events: "inproc://check-events", jobs: "inproc://check-jobs")
    public let displayZone: TimeZone
    public let security = SecurityInfo(curve: false, curveEvents: false)
    public let workerCount = 0

    public init(now: Date = Date(), zone: TimeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!) throws {
        var quiet = Logger(label: "kiemdiem.check")
        quiet.logLevel = .critical
        engine = try Engine(store: Store(), logger: quiet)
        self.now = now
        displayZone = zone
    }

    /// Runs one command as an admin would; a refusal throws the daemon's error body.
    public func run<C: EngineCommand>(_ command: C.Type, _ args: C.Args) throws(ErrorBody) -> C.Result {
        do {
            return try C.run(args, in: CommandContext(engine: engine, now: now, caller: Caller(name: "check", role: .admin), host: self))
        } catch let e as ErrorBody {
            throw e
        } catch let e as InputErrors {
            throw ErrorBody(e)
        } catch {
            throw ErrorBody(.internalError, "\(error)")
        }
    }

    /// Rejected input as the daemon words it: the first error, then every one.
    public static func refusal(_ e: InputErrors) -> ErrorBody { ErrorBody(e) }

    public func moveClock(to target: Date) throws -> Int {
        let n = try engine.advance(to: target)
        now = target
        return n
    }

    public func reloadKeys() throws -> Int { 0 }
}
