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

    /// The whole control path (decode → role → handler → reply) on any bytes, under an oracle
    /// (`checkRequest`). Returns whether the request was accepted; traps on a broken invariant.
    @discardableResult public static func handleRequest(_ data: Data) -> Bool {
        let (ok, failure) = checkRequest(data)
        if let failure { fatalError(failure) }
        return ok
    }

    /// The largest error reply (ControlHandler.Codec.error bounds it).
    public static let maxErrorReply = 120_000

    /// Runs one request as an admin and checks what it did. The reply is JSON with an `ok`
    /// key. An error reply stays under `maxErrorReply`. A refused request changes nothing but
    /// the audit log: no row of any other table is inserted, updated or deleted. An audited
    /// command leaves exactly one audit row, whose arguments are the request's own, as decoded
    /// (keys the command does not know left out, file contents replaced by their size).
    /// Returns whether it was accepted, and what broke, if anything.
    public static func checkRequest(_ data: Data) -> (ok: Bool, failure: String?) {
        let store = state.handler.engine.store
        guard let before = try? store.changeCounts() else { return (false, "cannot read the store before") }
        let handled = state.handler.handle(data, caller: Caller(name: "fuzz", role: .admin), now: state.now)
        let reply = handled.reply
        guard let object = try? JSONSerialization.jsonObject(with: reply) as? [String: Any], let ok = object["ok"] as? Bool else {
            return (false, "reply without \"ok\": \(String(decoding: reply.prefix(300), as: UTF8.self))")
        }
        guard let after = try? store.changeCounts() else { return (ok, "cannot read the store after") }
        let audited = after.audit - before.audit
        if !ok, reply.count > maxErrorReply { return (ok, "an error reply of \(reply.count) bytes") }
        if !ok, after.changes - before.changes != audited {
            return (ok, "a refused request changed \(after.changes - before.changes - audited) rows: \(String(decoding: reply.prefix(300), as: UTF8.self))")
        }
        guard let command = handled.command else { return (ok, audited == 0 ? nil : "a request naming no command was audited") }
        if command.audited, audited != 1 { return (ok, "\(command.name) left \(audited) audit rows") }
        if !command.audited, audited != 0 { return (ok, "\(command.name) is not audited but left \(audited) rows") }
        if command.audited, ok {
            // The audit's arguments are the request's: every key with the request's value.
            guard let row = try? store.read({ try $0.auditEntries(since: nil, limit: 1_000_000).last }),
                  let args = try? JSONSerialization.jsonObject(with: Data(row.args.utf8)) as? [String: Any],
                  let request = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                return (ok, "cannot read the audit row of \(command.name)")
            }
            let asked = request["args"] as? [String: Any] ?? [:]
            for (key, value) in args {
                guard let given = asked[key] else { return (ok, "the audit of \(command.name) has '\(key)', which the request did not") }
                if key == "content", let c = given as? String, value as? String == "<\(c.utf8.count) bytes>" { continue }
                if !sameJSON(value, given) { return (ok, "the audit of \(command.name) has \(key)=\(value), the request \(given)") }
            }
        }
        return (ok, nil)
    }

    /// JSON values compared as JSON (numbers by value).
    static func sameJSON(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case let (x as NSNumber, y as NSNumber): x == y
        case let (x as String, y as String): x == y
        case let (x as [Any], y as [Any]): x.count == y.count && zip(x, y).allSatisfy { sameJSON($0, $1) }
        case let (x as [String: Any], y as [String: Any]): x.count == y.count && x.allSatisfy { k, v in y[k].map { sameJSON(v, $0) } ?? false }
        case (is NSNull, is NSNull): true
        default: false
        }
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
