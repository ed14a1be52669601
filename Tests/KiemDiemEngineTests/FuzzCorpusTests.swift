import Foundation
import KiemDiemTesting
import Testing

/// Runs the seed corpora of fuzz/run.sh through the fuzzer's own entry points, so a change that
/// makes a seed trap, or turns a valid seed invalid (and the fuzzer's start shallow), fails here.
/// Convention: a seed whose name starts with `bad-` must be rejected, every other one accepted.
/// Serialized: the fuzz entry points share one in-memory daemon.
@Suite(.serialized, .timeLimit(.minutes(5))) struct FuzzCorpusTests {
    @Test(arguments: ["request", "csv", "yaml"])
    func seedsKeepTheirVerdict(_ target: String) throws {
        let dir = repoRoot.appendingPathComponent("fuzz/corpus/\(target)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.contains { $0.hasPrefix("bad-") } && files.contains { !$0.hasPrefix("bad-") })
        for name in files {
            let data = try Data(contentsOf: dir.appendingPathComponent(name))
            let accepted = switch target {
            case "request": FuzzEntry.handleRequest(data)
            case "csv": FuzzEntry.importCSV(data)
            default: FuzzEntry.parsePlan(data)
            }
            #expect(accepted == !name.hasPrefix("bad-"), "\(target)/\(name)")
        }
    }

    /// A short seeded run of the control-path fuzz target: the seed requests, each mutated the
    /// ways the hostile-input probe found defects (a key given twice, a NUL in a value, a
    /// trailing comma, a huge file name, unknown keys, wrong types, flipped and cut bytes). The
    /// oracle (`FuzzEntry.checkRequest`) holds for every one. `make fuzz` runs it unbounded.
    @Test func theControlPathOracleHoldsOnSeededMutations() throws {
        let dir = repoRoot.appendingPathComponent("fuzz/corpus/request")
        let seeds = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().filter { !$0.hasPrefix("bad-") }
            .map { try Data(contentsOf: dir.appendingPathComponent($0)) }
        var rng = SeededRandom(seed: 12)
        var accepted = 0, refused = 0
        for i in 0..<2400 {
            let seed = seeds[i % seeds.count]
            let text = String(decoding: seed, as: UTF8.self)
            var mutated: Data
            switch Int.random(in: 0..<9, using: &rng) {
            case 0: mutated = Data(text.replacingOccurrences(of: "\"args\":{", with: "\"args\":{\"unit\":\"c2\",").utf8) // maybe a duplicate
            case 1: mutated = Data(text.replacingOccurrences(of: "\"}", with: "\\u0000x\"}").utf8)
            case 2: mutated = Data(text.replacingOccurrences(of: "}}", with: ",}}").utf8)
            case 3: mutated = Data(text.replacingOccurrences(of: "\"name\":\"", with: "\"name\":\"" + String(repeating: "n", count: 5000)).utf8)
            case 4: mutated = Data(text.replacingOccurrences(of: "\"args\":{", with: "\"args\":{\"zzz\":[1,{\"a\":null}],").utf8)
            case 5: mutated = Data(text.replacingOccurrences(of: "\"", with: "", options: [], range: text.range(of: "\"", options: .backwards)).utf8)
            case 6:
                mutated = seed
                for _ in 0..<Int.random(in: 1...4, using: &rng) { mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            case 7: mutated = seed.prefix(Int.random(in: 0..<seed.count, using: &rng))
            default: mutated = seed
            }
            let (ok, failure) = FuzzEntry.checkRequest(mutated)
            #expect(failure == nil, "\(String(decoding: mutated.prefix(200), as: UTF8.self))")
            if ok { accepted += 1 } else { refused += 1 }
        }
        // Both sides were exercised: the run is not all refusals.
        #expect(accepted > 200 && refused > 200, "accepted \(accepted), refused \(refused)")
    }
}
