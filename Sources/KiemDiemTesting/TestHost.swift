import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemWire

/// A `CommandHost` without sockets, for tests and the fuzzer: a simulated clock that moves the
/// engine, fixed endpoints, no keys.
public final class TestHost: CommandHost {
    public let engine: Engine
    public var now: Date
    public let clockMode = ClockMode.simulated
    public let boundEndpoints: Endpoints
    public let displayZone: TimeZone
    public let security = SecurityInfo(curve: false, curveEvents: false)
    public let workerCount = 0

    public init(engine: Engine, now: Date, zone: TimeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!,
                endpoints: Endpoints = Endpoints(control: "inproc://test", events: "inproc://test-events", jobs: "inproc://test-jobs")) {
        self.engine = engine
        self.boundEndpoints = endpoints
        self.now = now
        self.displayZone = zone
    }

    public func moveClock(to target: Date) throws -> Int {
        let n = try engine.advance(to: target)
        now = target
        return n
    }

    public func reloadKeys() throws -> Int { 0 }
}
