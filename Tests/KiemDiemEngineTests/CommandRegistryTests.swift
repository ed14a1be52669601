import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Logging
import Testing
@testable import KiemDiemEngine

/// The registry: declarations, dispatch, roles and audit come from each command's declaration, and
/// a command added outside the product (KiemDiemTesting's `Ping`) needs nothing but registering.
@Suite(.timeLimit(.minutes(5))) struct CommandRegistryTests {
    /// A handler of the standard commands on the small fixture with its plan loaded, at `now`.
    func loadedHandler(now: Date) throws -> (Fixture, ControlHandler, TestHost) {
        let f = try Fixture()
        try f.load()
        let handler = ControlHandler(engine: f.engine, logger: Logger(label: "t"))
        let host = TestHost(engine: f.engine, now: now)
        handler.host = host
        return (f, handler, host)
    }

    func reply(_ handler: ControlHandler, _ request: String, as role: Role = .admin, now: Date) throws -> (ControlHandler.Handled, [String: Any]) {
        let handled = handler.handle(Data(request.utf8), caller: Caller(name: role.rawValue, role: role), now: now)
        return (handled, try JSONSerialization.jsonObject(with: handled.reply) as! [String: Any])
    }

    @Test func aCommandAddedOutsideTheProductIsServedOnceRegistered() throws {
        let f = try Fixture()
        let now = at("2022-11-02T10:30:00+07:00")
        let host = TestHost(engine: f.engine, now: now)
        let standard = ControlHandler(engine: f.engine, logger: Logger(label: "t"))
        standard.host = host
        let (unknown, u) = try reply(standard, #"{"id":"1","command":"test.ping","args":{"text":"a"}}"#, now: now)
        #expect(unknown.command == nil && (u["error"] as? [String: Any])?["code"] as? String == "unknown_command")

        var registry = CommandRegistry.standard
        registry.register(Ping.self)
        let handler = ControlHandler(engine: f.engine, logger: Logger(label: "t"), registry: registry)
        handler.host = host
        let (handled, r) = try reply(handler, #"{"id":"2","command":"test.ping","args":{"text":"xin chào"}}"#, as: .observer, now: now)
        #expect(handled.command?.name == "test.ping")
        let result = try WireJSON.decoder().decode(Reply<Ping.Result>.self, from: handled.reply).result
        #expect(result == Ping.Result(text: "xin chào", now: "2022-11-02T10:30:00+07:00"), "\(r)")
        // Its own validation, and the standard commands, still answer through the same handler.
        let (_, empty) = try reply(handler, #"{"id":"3","command":"test.ping","args":{"text":""}}"#, now: now)
        #expect((empty["error"] as? [String: Any])?["message"] as? String == "text must not be empty")
        let (status, s) = try reply(handler, #"{"id":"4","command":"status","args":{}}"#, now: now)
        #expect(status.command?.name == "status" && s["ok"] as? Bool == true)
    }

    @Test func rolesAndAuditFollowEachDeclaration() throws {
        let names = CommandRegistry.standard.names
        #expect(names.count == 46)
        let now = at("2022-11-02T10:30:00+07:00")
        let (_, handler, host) = try loadedHandler(now: now)
        defer { withExtendedLifetime(host) {} } // the handler holds its host weakly
        var mutating = 0
        for name in names {
            let c = try #require(CommandRegistry.standard.command(named: name))
            #expect(name.allSatisfy { $0.isLowercase || $0 == "." }, "\(name)")
            #expect(c.roles.contains(.admin) && !c.roles.contains(.worker), "\(name)")
            // Every change is audited but a chunk of an import, whose begin and commit are.
            // A committee (the web page) may acknowledge and mark done; no other change.
            if c.mutates { mutating += 1; #expect(c.audited == (name != "import.chunk") && c.roles == (["ack", "done"].contains(name) ? [.admin, .committee] : [.admin]), "\(name)") }
            // An observer is refused exactly the commands its role lacks, before any argument is read.
            let (handled, r) = try reply(handler, #"{"id":"x","command":"\#(name)","args":{"bogus":1}}"#, as: .observer, now: now)
            let code = (r["error"] as? [String: Any])?["code"] as? String
            #expect(handled.command?.name == name)
            #expect((code == "forbidden") == !c.roles.contains(.observer), "\(name): \(r)")
        }
        #expect(mutating == 29)
        #expect(CommandRegistry.standard.command(named: "reload")?.audited == true)
        #expect(CommandRegistry.standard.command(named: "audit")?.roles == [.admin])
    }

    /// docs/security.md's role table lists exactly the commands an observer may run.
    @Test func theSecurityDocListsEveryObserverCommand() throws {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/security.md"), encoding: .utf8)
        let row = try #require(doc.split(separator: "\n").first { $0.contains("| `observer` |") })
        let cell = row.split(separator: "|")[2]
        let listed = Set(cell.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }).subtracting(["watch"])
        let allowed = Set(CommandRegistry.standard.names.filter { CommandRegistry.standard.command(named: $0)!.roles.contains(.observer) })
        #expect(listed == allowed)
    }

    @Test func theAuditRecordsTheArgumentsAsDecoded() throws {
        let now = at("2022-11-02T10:30:00+07:00")
        let (f, handler, host) = try loadedHandler(now: now)
        defer { withExtendedLifetime(host) {} } // the handler holds its host weakly
        // A key no command reads is not what ran, so it is not what the audit shows; a file's
        // content is recorded as its size.
        _ = try reply(handler, #"{"id":"1","command":"extend","args":{"unit":"c1","stage":"b","until":"2022-12-03","reason":"Nghỉ phép","extra":"ignored"}}"#, now: now)
        _ = try reply(handler, #"{"id":"2","command":"import.units","args":{"name":"u.csv","content":"\#(smallUnits.replacingOccurrences(of: "\n", with: "\\n"))"}}"#, now: now)
        let rows = try f.store.read { try $0.auditEntries(since: nil, limit: 10) }
        let extend = try #require(rows.first { $0.command == "extend" })
        #expect(extend.args == #"{"reason":"Nghỉ phép","stage":"b","unit":"c1","until":"2022-12-03"}"#)
        #expect(extend.result == "ok")
        let imported = try #require(rows.first { $0.command == "import.units" })
        #expect(imported.args == #"{"content":"<\#(smallUnits.utf8.count) bytes>","name":"u.csv"}"#)
    }
}
