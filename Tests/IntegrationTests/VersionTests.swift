import Foundation
import KiemDiemWire
import Testing

/// `--version` on the three programs prints the version the daemon reports in `status` and the
/// Debian package is built with (both read `kiemdiemVersion`), and exits 0.
@Suite(.timeLimit(.minutes(5))) struct VersionTests {
    @Test(arguments: ["kiemdiemd", "kiemdiemctl", "kiemdiem-worker"])
    func versionIsPrinted(_ program: String) throws {
        let r = try run(binDir.appendingPathComponent(program), ["--version"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == kiemdiemVersion + "\n")
    }
}
