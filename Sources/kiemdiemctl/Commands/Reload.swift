import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ReloadCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reload", abstract: "Re-read the authorized keys (as SIGHUP does); connections of keys still listed stay up.",
                                                    discussion: "Example: kiemdiemctl reload")
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Reload.self, NoArgs()) { print("\($0.authorizedKeys) authorized key(s) in force") }
    }
}
