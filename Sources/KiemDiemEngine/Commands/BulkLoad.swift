import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

/// The steps of an offline load, for its progress lines.
public enum BulkLoadStep: Sendable {
    case parsed(file: String, rows: Int, seconds: Double)
    case storing(file: String, rows: Int, percent: Int)
    case validated(file: String, seconds: Double)
    case stored(file: String, seconds: Double)
    case rollups(seconds: Double)
}

extension Engine {
    /// `kiemdiemd import`: the units file, the members file, or both, checked exactly as the
    /// control socket's imports check them and stored in **one** transaction (all or nothing).
    /// The members file is read from its mapping a piece at a time, checked on a second thread
    /// while the piece before is stored. Into an empty member table the member index is built
    /// after the rows; the rollups are rebuilt once at the end.
    public func bulkLoad(units: FileArgs?, members: (name: String, data: Data)?, now: Date, progress: (BulkLoadStep) -> Void = { _ in })
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
                        // The mapped file, fed in slices: it is never copied whole.
                        var pieces = CSVPieces(source: members.name), offset = 0, ended = false, shown = 0
                        let size = members.data.count, slice = 4 << 20
                        out.1 = try members.data.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
                            try tx.loadMembers(source: members.name, kinds: kinds, next: {
                                while offset < size {
                                    let end = min(offset + slice, size)
                                    defer { offset = end }
                                    if let piece = try pieces.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end])) { return piece }
                                }
                                if !ended { ended = true; return try pieces.finish() }
                                return nil
                            }, progress: { rows in
                                let percent = 100 * offset / max(size, 1)
                                if percent >= shown + 5 { shown = percent - percent % 5; progress(.storing(file: members.name, rows: rows, percent: percent)) }
                            })
                        }
                        progress(.stored(file: members.name, seconds: seconds(since: t)))
                    }
                    t = Date()
                }}
                try tx.rebuildRollups()
                try tx.excuseMembers()
                progress(.rollups(seconds: seconds(since: t)))
                // Heads are members (HeadCheck.swift): the mapped members file is scanned again
                // only to name a head it moved out of their unit.
                try Engine.checkHeads(tx: tx, units: units.map { ($0.name, Engine.lines(incoming ?? [])) }, members: members?.name) { ids in
                    members.map { m in m.data.withUnsafeBytes { TreeImport.memberLines(of: ids, in: $0) } } ?? [:]
                }
                return out
            }
            try reload()
            return result
        } catch let e as InputErrors {
            throw ErrorBody(e)
        }
    }
}
