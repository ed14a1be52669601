import Foundation
import KiemDiemWire
import Testing

/// The wire types on their own: roles against each command's declaration, certificates and
/// authorized keys as pyzmq and czmq write them, and the JSON shapes other programs parse.
@Suite(.timeLimit(.minutes(5))) struct WireTests {
    @Test func aRoleRunsWhatTheDeclarationSays() {
        #expect(Role.observer.allows(Status.self) && Role.admin.allows(Status.self))
        #expect(!Role.observer.allows(Done.self) && Role.admin.allows(Done.self))
        // Read-only, yet for admins: the audit log; audited without changing data: reload.
        #expect(!Role.observer.allows(Audit.self) && !Audit.mutates && !Audit.audited)
        #expect(!Role.observer.allows(Reload.self) && !Reload.mutates && Reload.audited)
        for role in Role.allCases { #expect(!Role.worker.allows(Status.self) || role != .worker) }
        #expect(Role.worker.mayConnect(to: "jobs") && !Role.worker.mayConnect(to: "control"))
        #expect(Role.observer.mayConnect(to: "events") && !Role.observer.mayConnect(to: "jobs"))
    }

    @Test func aRequestAndItsRepliesEncodeAsDocumented() throws {
        let request = Request(id: "7", command: Done.name, args: DoneArgs(unit: "c1", stage: "a"))
        let text = String(decoding: try WireJSON.encoder().encode(request), as: UTF8.self)
        #expect(text == #"{"args":{"stage":"a","unit":"c1"},"command":"done","id":"7"}"#)
        let error = String(decoding: try WireJSON.encoder().encode(Reply<NoArgs>(id: "7", error: ErrorBody(.notFound, "no unit 'x'"))), as: UTF8.self)
        #expect(error == #"{"error":{"code":"not_found","message":"no unit 'x'"},"id":"7","ok":false}"#)
        // Typed fields keep their wire spelling.
        let job = JobInfo(id: 1, key: "k", kind: .escalation, channel: .webhook, recipient: "gc", state: .dead, attempts: 8, worker: nil, lastError: "x")
        let j = try JSONSerialization.jsonObject(with: try WireJSON.encoder().encode(job)) as! [String: Any]
        #expect(j["kind"] as? String == "escalation" && j["channel"] as? String == "webhook" && j["state"] as? String == "dead")
        #expect(JobState.allCases.map(\.rawValue) == ["pending", "leased", "done", "dead"])
    }

    @Test func certificatesAndAuthorizedKeysParseOrSayWhere() throws {
        let pub = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
        let sec = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
        let text = """
            #   ****  Generated on 2023-01-01 by pyzmq  ****
            metadata
            curve
                public-key = "\(pub)"
                secret-key = "\(sec)"
            """
        let cert = try Certificate.parse(text, source: "a.key_secret")
        #expect(cert.publicKey == pub && cert.secretKey == sec)
        #expect(try Certificate.parse(cert.render(includeSecret: false, comment: "x"), source: "a.key") == Certificate(publicKey: pub, secretKey: nil))
        #expect { try Certificate.parse("curve\n    public-key = \"short\"\n", source: "b.key") } throws: {
            "\($0)".contains("b.key:2") && "\($0)".contains("40-character Z85")
        }
        #expect { try Certificate.parse("metadata\n", source: "c.key") } throws: { "\($0)".contains("c.key: no public-key") }

        let keys = try AuthorizedKeys.parse("# who may connect\nadmin \(pub) an\n\nobserver \(sec) bao\n", source: "authorized_keys")
        #expect(keys.count == 2 && keys[pub]?.name == "an" && keys[sec]?.role == .observer)
        for (bad, says) in [("admin \(pub) an\nobserver \(pub) bao\n", "authorized_keys:2: this key is listed twice"),
                            ("admin \(pub) an\nobserver \(sec) an\n", "authorized_keys:2: name 'an' is already used on line 1"),
                            ("root \(pub) an\n", "authorized_keys:1: unknown role 'root'"),
                            ("admin \(pub)\n", "authorized_keys:1: expected '<role> <z85-public-key> <name>'")] {
            #expect { try AuthorizedKeys.parse(bad, source: "authorized_keys") } throws: { "\($0)".contains(says) }
        }
    }
}
