import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct ConcludeCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conclude", 
        abstract: "Record a competent conclusion about a member (degradation, self-evolution, self-transformation): the member's rating is 'failed' for the campaign's year.")
    @Argument var member: String
    @Option(help: "Reasons, comma-separated.") var reason: String
    @Option(help: "The competent body and its finding.") var note: String
    @Option var campaign: String?
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
