import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

extension RateList: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        try context.engine.ratings(args)
    }
}

extension Engine {
    public func ratings(_ a: RatingsArgs) throws -> [RatingInfo] {
        let c = try ratingCampaign(a.campaign)
        return try store.read { tx in
            let members = try tx.allMembers()
            let tree = RatingTree(units: try tx.allUnits(), members: members)
            // A member who left is out of the tree, but their ratings are history: listed under
            // the cell they left.
            let cellOf = Dictionary(members.map { ($0.id, $0.unit) }, uniquingKeysWith: { a, _ in a })
            let inScope = try a.unit.map { try tx.unitIds(subtree: try knownUnit($0, tx: tx).path) }
            return try tx.currentRatings(campaign: c.id).compactMap { row in
                let e = row.entry
                guard let home = tree.home(of: e.key) ?? (e.kind == .member ? cellOf[e.subject] : nil), inScope?.contains(home) ?? true else { return nil }
                return RatingInfo(subject: e.subject, kind: e.kind.rawValue, status: e.status.rawValue, level: e.level.rawValue, commendation: e.commendation,
                                  unit: home, score: e.score, onTime: e.onTime, beyond: e.beyond,
                                  ratedAt: Instant.format(row.ratedAt, timeZone: c.plan.zone), ratedBy: row.ratedBy)
            }
        }
    }
}
