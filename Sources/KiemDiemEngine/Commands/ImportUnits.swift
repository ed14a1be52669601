import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension ImportUnits: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.importUnits(args, now: context.now)
    }

    public static func later(_ args: Args, in context: CommandContext) throws -> (@Sendable (AuditRow?) throws -> Result)? {
        try context.engine.importLater(kind: "units", args)
    }
}

extension Engine {
    /// Loads or updates the tree, all-or-nothing. A change that breaks a rating rule of the
    /// ratings in force (a head moved above their unit, …) is refused; a collective's discipline
    /// is a fact: accepted, and the ratings it contradicts published as `rating.conflict`.
    public func importUnits(_ file: FileArgs, now: Date) throws -> ImportResult {
        do {
            let incoming = try TreeImport.parseUnits(file.content, source: file.name)
            let counts = try store.write { (tx: StoreTx) throws(any Error) -> ImportResult in
                let merged = try TreeImport.validateTree(existing: try tx.allUnits(), incoming: incoming, source: file.name)
                var counts = ImportResult(added: 0, updated: 0, total: 0)
                _ = try recordFacts(in: openCampaigns, cause: "import-units-\(now.epoch)-\(UUID().uuidString.prefix(8))", now: now, tx: tx, scope: { _ in nil }) {
                    counts = try tx.saveTree(merged, incoming: Set(incoming.map(\.unit.id)))
                    try Engine.checkHeads(tx: tx, units: (file.name, Engine.lines(incoming))) // HeadCheck.swift
                }
                return counts
            }
            try reload() // a campaign root's path may have changed
            return counts
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }
}
