import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemWire
import Logging

/// Entry points for the libFuzzer harness (Sources/kiemdiem-fuzz) and its corpus test. Each feeds one input to the real code and traps (`fatalError`, whose message survives
/// -O, unlike `precondition`'s) on a broken invariant, which libFuzzer reports as a crash.
/// Ships in no executable but the fuzzer.
public enum FuzzEntry {
    /// One in-memory store holding the small tree and plan (Fixtures.swift), shared by every input (built once).
    /// libFuzzer calls from a single thread, hence `nonisolated(unsafe)`.
    nonisolated(unsafe) private static let state = RequestState()

    /// The control decoder and dispatcher: any bytes must yield a JSON reply with an "ok" key.
    /// Returns that key (each entry point returns whether the input was accepted).
    @discardableResult public static func handleRequest(_ data: Data) -> Bool {
        let reply = state.handler.handle(data, caller: Caller(name: "fuzz", role: .admin), now: state.now).reply
        let ok = (try? JSONSerialization.jsonObject(with: reply) as? [String: Any])?["ok"] as? Bool
        guard let ok else { fatalError("reply without \"ok\": \(String(decoding: reply.prefix(300), as: UTF8.self))") }
        return ok
    }

    /// The units and members importers (and the CSV reader under them).
    @discardableResult public static func importCSV(_ data: Data) -> Bool {
        let text = String(decoding: data, as: UTF8.self)
        var accepted = false
        do { _ = try CSV.parse(text, source: "f.csv") } catch { check([error]) }
        do {
            let units = try TreeImport.parseUnits(text, source: "units.csv")
            _ = try TreeImport.validateTree(existing: [], incoming: units, source: "units.csv")
            accepted = true
        } catch { check(error.errors) }
        do {
            _ = try TreeImport.parseMembers(text, source: "members.csv") { _ in .cell }
            accepted = true
        } catch { check(error.errors) }
        return accepted
    }

    /// The plan parser, and the schedule of any plan it accepts.
    @discardableResult public static func parsePlan(_ data: Data) -> Bool {
        do {
            let plan = try PlanParser.parse(String(decoding: data, as: UTF8.self), source: "plan.yaml")
            _ = Schedule(plan: plan).triggers(after: .distantPast, through: .distantFuture)
            return true
        } catch { check(error.errors); return false }
    }

    /// A rejection must say why: at least one error, none with an empty reason.
    private static func check(_ errors: [InputError]) {
        if errors.isEmpty { fatalError("rejected with no error") }
        for e in errors where e.reason.isEmpty { fatalError("error without a reason: \(e)") }
    }

    private final class RequestState {
        let handler: ControlHandler
        let host: TestHost
        var now: Date { host.now }

        init() {
            let now = at("2022-11-01T08:00:00+07:00")
            let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
            do {
                let engine = try Engine(store: try Store(), logger: quiet)
                _ = try engine.importUnits(FileArgs(name: "units.csv", content: smallUnits), now: now)
                _ = try engine.importMembers(FileArgs(name: "members.csv", content: smallMembers), now: now)
                _ = try engine.loadCampaign(FileArgs(name: "plan.yaml", content: smallPlan), now: now)
                handler = ControlHandler(engine: engine, logger: quiet)
                host = TestHost(engine: engine, now: now)
            } catch { fatalError("fuzz fixture: \(error)") }
            handler.host = host
        }
    }
}
