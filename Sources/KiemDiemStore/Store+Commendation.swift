import Foundation
import GRDB
import KiemDiemCore

extension StoreTx {
    /// The decided rating in force of a subject, with its row id (nil: none decided).
    public func decidedRating(campaign: String, kind: RatingEntry.Kind, subject: String) throws -> RatingRow? {
        try currentRatings(campaign: campaign, kind: kind, subject: subject).first { $0.entry.status == .decided }
    }

    /// Sets or clears the commendation proposal of one rating row (`rate commend`).
    public func setCommendation(rating id: Int64, _ on: Bool) throws {
        try db.execute(sql: "UPDATE rating SET commendation = ? WHERE id = ?", arguments: [on, id])
    }
}
