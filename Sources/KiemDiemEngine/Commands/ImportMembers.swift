import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension ImportMembers: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.importMembers(args, now: context.now)
    }

    public static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)? {
        try context.engine.importLater(kind: "members", args)
    }
}

extension Engine {
    /// Loads or updates the members, all-or-nothing; a discipline recorded after a member was
    /// rated turns that rating into a published conflict (`rating.conflict`).
    public func importMembers(_ file: FileArgs, now: Date) throws -> ImportResult {
        do {
            let counts = try store.write { (tx: StoreTx) throws(any Error) -> ImportResult in
                let kinds = try tx.unitKinds()
                let members = try TreeImport.parseMembers(file.content, source: file.name) { kinds[$0] }
                var counts = ImportResult(added: 0, updated: 0, total: 0)
                _ = try recordFacts(in: openCampaigns, cause: "import-members-\(now.epoch)-\(UUID().uuidString.prefix(8))", now: now, tx: tx, scope: { _ in nil }, everyFinding: true) {
                    counts = try tx.saveMembers(members)
                    try tx.excuseMembers()
                    try Engine.checkHeads(tx: tx, members: file.name) { TreeImport.memberLines(of: $0, in: file.content) } // HeadCheck.swift
                }
                return counts
            }
            return counts
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }
}
