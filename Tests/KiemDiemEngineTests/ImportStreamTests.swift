import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire
import Testing
@testable import KiemDiemEngine

/// The chunked import's rules, command by command: what a commit needs, what a chunk sent
/// again does, and the bounds on uploads.
@Suite(.timeLimit(.minutes(5))) struct ImportStreamTests {
    let f: Fixture
    let context: CommandContext

    init() throws {
        f = try Fixture()
        context = CommandContext(engine: f.engine, now: at("2022-11-02T09:00:00+07:00"), caller: Caller(name: "admin", role: .admin),
                                 host: TestHost(engine: f.engine, now: at("2022-11-02T09:00:00+07:00")))
    }

    func expectError(_ code: ErrorCode, containing text: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let e as ErrorBody {
            #expect(e.code == code && e.message.contains(text), "\(e.code): \(e.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aCommitNeedsEveryChunkAndEveryByte() throws {
        let header = "id,unit,name,role,email,disciplined\n", row = "m9,c1,Vũ Văn Chín,member,,false\n"
        let u = try ImportBegin.run(ImportBeginArgs(kind: "members", name: "m.csv", chunks: 2, bytes: (header + row).utf8.count), in: context)
        _ = try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: 1, content: row), in: context)
        expectError(.conflict, containing: "1 of 2 chunks (the first missing: 0)") { _ = try ImportCommit.run(UploadArgs(upload: u.upload), in: context) }
        // A chunk sent again: the same content changes nothing, other content is refused.
        #expect(try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: 1, content: row), in: context).received == 1)
        expectError(.conflict, containing: "stored already with other content") {
            _ = try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: 1, content: "m8,c1,X,member,,false\n"), in: context)
        }
        expectError(.invalidInput, containing: "outside 0..<2") { _ = try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: 2, content: row), in: context) }
        let state = try ImportChunk.run(ImportChunkArgs(upload: u.upload, seq: 0, content: header), in: context)
        #expect(state.received == 2 && state.nextMissing == 2)
        let committed = try ImportCommit.run(UploadArgs(upload: u.upload), in: context)
        #expect(committed.phase == "applied" && committed.result?.added == 1)
        expectError(.notFound, containing: "no import '\(u.upload)'") { _ = try ImportState.run(UploadArgs(upload: u.upload), in: context) }

        // Fewer bytes than announced: refused, still staged.
        let short = try ImportBegin.run(ImportBeginArgs(kind: "units", name: "u.csv", chunks: 1, bytes: 1000), in: context)
        _ = try ImportChunk.run(ImportChunkArgs(upload: short.upload, seq: 0, content: "id,parent,kind,name\n"), in: context)
        expectError(.conflict, containing: "1000 were announced") { _ = try ImportCommit.run(UploadArgs(upload: short.upload), in: context) }
        #expect(try ImportState.run(UploadArgs(upload: short.upload), in: context).received == 1)
    }

    @Test func uploadsAreBounded() throws {
        expectError(.invalidInput, containing: "kind must be units or members") {
            _ = try ImportBegin.run(ImportBeginArgs(kind: "ratings", name: "r.csv", chunks: 1, bytes: 1), in: context)
        }
        expectError(.invalidInput, containing: "chunks must be from 1") {
            _ = try ImportBegin.run(ImportBeginArgs(kind: "units", name: "u.csv", chunks: 0, bytes: 1), in: context)
        }
        for _ in 0..<Engine.maxUploads { _ = try ImportBegin.run(ImportBeginArgs(kind: "units", name: "u.csv", chunks: 1, bytes: 1), in: context) }
        expectError(.conflict, containing: "imports are open already") {
            _ = try ImportBegin.run(ImportBeginArgs(kind: "units", name: "u.csv", chunks: 1, bytes: 1), in: context)
        }
        expectError(.invalidInput, containing: "is not an upload id") { _ = try ImportAbort.run(UploadArgs(upload: "x\u{0}y"), in: context) }
    }
}
