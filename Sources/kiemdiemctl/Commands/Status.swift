import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct StatusCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Version, clock, campaigns, counts, last seq.",
        discussion: """
            Examples:
              kiemdiemctl status
              kiemdiemctl status --json
              kiemdiemctl status --endpoint tcp://10.0.0.5:7400
            """)
    @OptionGroup var options: ClientOptions

    func run() throws {
        try options.run(Status.self, NoArgs()) { s in
            print("kiemdiem \(s.version) (protocol \(s.protocolVersion))")
            if let problem = s.storage { print("STORAGE:   \(problem)") }
            print("clock:     \(s.clock.mode) \(s.clock.now) (\(s.clock.timezone))")
            print("endpoints: control=\(s.endpoints.control) events=\(s.endpoints.events) jobs=\(s.endpoints.jobs)")
            print("tree:      \(s.counts.units) units, \(s.counts.cells) cells, \(s.counts.members) members")
            print("events:    \(s.counts.events) stored, last seq \(s.lastSeq)")
            print("workers:   \(s.workers)")
            if let sec = s.security { print("security:  CURVE \(sec.curve ? "on" : "off")\(sec.curveEvents ? ", also on events" : "")") }
            for f in s.flags ?? [] {
                print("flagged:   \(f.unit) (\(f.reasons.joined(separator: ", "))\(f.confirmed ? ", confirmed" : "")), directed review \(f.reviewHeld ? "held" : "due \(f.reviewDue)")")
            }
            for x in s.silences ?? [] {
                print("silenced:  \(x.unit)\(x.stage.map { " (\($0))" } ?? "") until \(x.until), \(x.held) held: \(x.reason) [silence \(x.id)]")
            }
            printCampaigns(s.campaigns)
        }
    }
}
