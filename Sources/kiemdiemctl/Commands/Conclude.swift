import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ConcludeCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conclude", 
        abstract: "Record a competent conclusion about a member (degradation, self-evolution, self-transformation): the member's rating is 'failed' for the campaign's year.",
        discussion: """
            Example:
              kiemdiemctl conclude dv-000405 --reason degradation \\
                  --note 'Ủy ban Kiểm tra Đảng ủy Khối kết luận suy thoái về đạo đức, lối sống'
            """)
    @Argument(help: ArgumentHelp("The member's id.", discussion: "e.g. dv-000405")) var member: String
    @Option(help: ArgumentHelp("Reasons, comma-separated: degradation, self-evolution, self-transformation.", discussion: "e.g. --reason degradation,self-evolution")) var reason: String
    @Option(help: ArgumentHelp("The competent body and its finding.", discussion: "e.g. --note 'Ủy ban Kiểm tra Đảng ủy Khối kết luận suy thoái về đạo đức, lối sống'")) var note: String
    @Option(help: ArgumentHelp("The campaign, when several cover the member's cell (default: the only open one that does).", discussion: "e.g. --campaign 2026-annual")) var campaign: String?
    @OptionGroup var options: ClientOptions

    func run() throws {
        let reasons = reason.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        try options.run(Conclude.self, ConcludeArgs(member: member, reasons: reasons, note: note, campaign: campaign), human: printConclusion)
    }
}

func printConclusion(_ r: ConclusionResult) {
    print("conclusion \(r.conclusion) on \(r.kind) \(r.subject): \(r.reasons.joined(separator: ", "))")
    for c in r.conflicts { print("  conflict: \(c)") }
    if !r.conflicts.isEmpty { print("  the ratings above contradict the conclusion: annul them (rate annul) and decide again") }
}
