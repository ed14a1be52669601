import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct FlagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag a unit, or confirm a flag's conclusion (flag confirm UNIT).",
        subcommands: [Raise.self, Confirm.self], defaultSubcommand: Raise.self)

    struct Raise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raise",
            abstract: "Flag a unit (reasons: disunity, violation, group-interest, corruption, negativity, public-outrage, degradation, self-evolution, self-transformation); its parent committee must direct a review at once (the default).")
        @Argument var unit: String
        @Option(help: "Reasons, comma-separated.") var reason: String
        @Option(help: "What was found.") var note: String
        @Flag(help: "A competent conclusion, not only signs: recorded as a conclusion (disunity then forces the collective's rating 'failed').") var confirmed = false
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions

        func run() throws {
            let reasons = reason.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            try options.run(FlagRaise.self, FlagArgs(unit: unit, reasons: reasons, note: note, confirmed: confirmed ? true : nil, campaign: campaign)) { r in
                print("flag \(r.flag) on \(r.unit); directed review by \(r.owner ?? "the upper committee") due \(r.reviewDue)")
            }
        }
    }

    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The directed review concluded what the unit's latest flag said: recorded as a conclusion for the campaign's year, flag open or not.")
        @Argument var unit: String
        @Option(help: "The competent body and its finding.") var note: String
        @Option var campaign: String?
        @OptionGroup var options: ClientOptions

        func run() throws {
            try options.run(FlagConfirm.self, FlagConfirmArgs(unit: unit, note: note, campaign: campaign), human: printConclusion)
        }
    }
}
