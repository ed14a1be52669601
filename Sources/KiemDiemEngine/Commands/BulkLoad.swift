import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// The steps of an offline load, for its progress lines.
public enum BulkLoadStep: Sendable {
    case parsed(file: String, rows: Int, seconds: Double)
    case storing(file: String, rows: Int, of: Int)
    case validated(file: String, seconds: Double)
    case stored(file: String, seconds: Double)
    case rollups(seconds: Double)
}

extension Engine {
    /// `kiemdiemd import`: the units file, the members file, or both, checked exactly as the
    /// control socket's imports check them and stored in **one** transaction (all or nothing).
    /// Into an empty member table the member index is built after the rows; the rollups are
    /// rebuilt once at the end.
    public func bulkLoad(units: FileArgs?, members: FileArgs?, now: Date, progress: (BulkLoadStep) -> Void = { _ in })
        throws -> (units: ImportResult?, members: ImportResult?) {
        func seconds(since t: Date) -> Double { Date().timeIntervalSince(t) }
        do {
            var t = Date()
            let incoming = try units.map { try TreeImport.parseUnits($0.content, source: $0.name) }
            if let units, let incoming { progress(.parsed(file: units.name, rows: incoming.count, seconds: seconds(since: t))) }
            let result = try store.write { (tx: StoreTx) throws(any Error) -> (ImportResult?, ImportResult?) in
                var out: (ImportResult?, ImportResult?) = (nil, nil)
                _ = try recordFacts(in: openCampaigns, cause: "bulk-load-\(now.epoch)-\(UUID().uuidString.prefix(8))", now: now, tx: tx, scope: { _ in nil }) { try tx.fastFill {
                    if let units, let incoming {
                        t = Date()
                        let merged = try TreeImport.validateTree(existing: try tx.allUnits(), incoming: incoming, source: units.name)
                        progress(.validated(file: units.name, seconds: seconds(since: t)))
                        t = Date()
                        out.0 = try tx.saveTree(merged, incoming: Set(incoming.map(\.unit.id)), rollups: false)
                        progress(.stored(file: units.name, seconds: seconds(since: t)))
                    }
                    if let members {
                        t = Date()
                        let kinds = try tx.unitKinds()
                        let parsed = try TreeImport.parseMembers(members.content, source: members.name) { kinds[$0] }
                        progress(.parsed(file: members.name, rows: parsed.count, seconds: seconds(since: t)))
                        t = Date()
                        out.1 = try tx.saveMembers(parsed, rollups: false) { progress(.storing(file: members.name, rows: $0, of: parsed.count)) }
                        progress(.stored(file: members.name, seconds: seconds(since: t)))
                    }
                    t = Date()
                }}
                try tx.rebuildRollups()
                progress(.rollups(seconds: seconds(since: t)))
                return out
            }
            try reload()
            return result
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }
}
