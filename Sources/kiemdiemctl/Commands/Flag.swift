import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct FlagCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Flag a unit, or confirm a flag's conclusion (flag confirm UNIT).",
        discussion: """
            Examples:
              kiemdiemctl flag so-tai-chinh --reason disunity,public-outrage \\
                  --note 'Đơn thư phản ánh mất đoàn kết nội bộ'
              kiemdiemctl flag confirm so-tai-chinh \\
                  --note 'Ủy ban Kiểm tra Đảng ủy Khối kết luận có mất đoàn kết'
            """,
        subcommands: [Raise.self, Confirm.self], defaultSubcommand: Raise.self)

    struct Raise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raise",
            abstract: "Flag a unit (reasons: disunity, violation, group-interest, corruption, negativity, public-outrage, degradation, self-evolution, self-transformation); its parent committee must direct a review at once (the default).",
            discussion: """
                Example:
                  kiemdiemctl flag raise so-tai-chinh --reason disunity,public-outrage \\
                      --note 'Đơn thư phản ánh mất đoàn kết nội bộ'
                """)
        @Argument(help: ArgumentHelp("The unit's id.", discussion: "e.g. so-tai-chinh")) var unit: String
        @Option(help: ArgumentHelp("Reasons, comma-separated (from the list above).", discussion: "e.g. --reason disunity,public-outrage")) var reason: String
        @Option(help: ArgumentHelp("What was found.", discussion: "e.g. --note 'Đơn thư phản ánh mất đoàn kết nội bộ'")) var note: String
        @Flag(help: "A competent conclusion, not only signs: recorded as a conclusion (disunity then forces the collective's rating 'failed').") var confirmed = false
        @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
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
            abstract: "The directed review concluded what the unit's latest flag said: recorded as a conclusion for the campaign's year, flag open or not.",
            discussion: """
                Example:
                  kiemdiemctl flag confirm so-tai-chinh \\
                      --note 'Ủy ban Kiểm tra Đảng ủy Khối kết luận có mất đoàn kết'
                """)
        @Argument(help: ArgumentHelp("The flagged unit's id.", discussion: "e.g. so-tai-chinh")) var unit: String
        @Option(help: ArgumentHelp("The competent body and its finding.", discussion: "e.g. --note 'Ủy ban Kiểm tra Đảng ủy Khối kết luận có mất đoàn kết'")) var note: String
        @Option(help: ArgumentHelp("The campaign, when several cover the unit (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
        @OptionGroup var options: ClientOptions

        func run() throws {
            try options.run(FlagConfirm.self, FlagConfirmArgs(unit: unit, note: note, campaign: campaign), human: printConclusion)
        }
    }
}
