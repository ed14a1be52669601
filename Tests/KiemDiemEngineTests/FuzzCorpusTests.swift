import Foundation
import KiemDiemTesting
import Testing

/// Runs the seed corpora of fuzz/run.sh through the fuzzer's own entry points, so a change that
/// makes a seed trap, or turns a valid seed invalid (and the fuzzer's start shallow), fails here.
/// Convention: a seed whose name starts with `bad-` must be rejected, every other one accepted.
@Suite(.timeLimit(.minutes(5))) struct FuzzCorpusTests {
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
}
