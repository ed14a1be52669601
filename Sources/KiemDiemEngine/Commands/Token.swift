import Foundation
import KiemDiemCore
import KiemDiemStore
import KiemDiemWire

// Tokens of the web page (docs/dashboard.md): issued, listed and revoked by an admin, audited;
// the secret is printed once and stored as its SHA-256.

extension Engine {
    static func tokenInfo(_ t: WebTokenRow) -> TokenInfo {
        let utc = TimeZone(identifier: "UTC")!
        return TokenInfo(id: t.id, unit: t.unit, role: t.role, label: t.label, issuedBy: t.actor,
                         created: Instant.format(Date(timeIntervalSince1970: Double(t.createdAt)), timeZone: utc),
                         expires: Instant.format(Date(timeIntervalSince1970: Double(t.expiresAt)), timeZone: utc),
                         revoked: t.revokedAt.map { Instant.format(Date(timeIntervalSince1970: Double($0)), timeZone: utc) })
    }
}

extension TokenIssue: EngineCommand {
    public static func run(_ a: TokenIssueArgs, in context: CommandContext) throws -> TokenIssued {
        guard a.role == Role.observer.rawValue || a.role == Role.committee.rawValue else {
            throw ErrorBody(.invalidInput, "role must be observer or committee, not \(RequestRules.shown(a.role))")
        }
        guard let seconds = DurationText.seconds(a.expires), seconds > 0, seconds <= 366 * 86_400 else {
            throw ErrorBody(.invalidInput, "expires must be a duration from 1s to 366d, e.g. 30d, not \(RequestRules.shown(a.expires))")
        }
        let label = a.label ?? ""
        guard label.count <= 200, !label.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ErrorBody(.invalidInput, "label must be at most 200 characters without control characters")
        }
        let engine = context.engine
        let (id, secret, token) = WebToken.make()
        let now = Int64(engine.wallNow())
        let row = WebTokenRow(id: id, unit: a.unit, role: a.role, hash: WebToken.hash(secret), label: label, actor: context.caller.name,
                              createdAt: now, expiresAt: now + seconds)
        try engine.store.write { tx in
            _ = try engine.knownUnit(a.unit, tx: tx)
            try tx.insertWebToken(row)
        }
        return TokenIssued(info: Engine.tokenInfo(row), token: token, link: engine.links.map { "\($0.base)/t/\(token)" })
    }
}

extension TokenList: EngineCommand {
    public static func run(_ a: NoArgs, in context: CommandContext) throws -> [TokenInfo] {
        try context.engine.store.read { try $0.webTokens() }.map(Engine.tokenInfo)
    }
}

extension TokenRevoke: EngineCommand {
    public static func run(_ a: TokenIdArgs, in context: CommandContext) throws -> TokenInfo {
        let engine = context.engine
        return try engine.store.write { tx in
            guard Code.isValid(a.id), try tx.webToken(a.id) != nil else { throw ErrorBody(.notFound, "no token \(RequestRules.shown(a.id))") }
            _ = try tx.revokeWebToken(a.id, at: Int64(engine.wallNow()))
            return Engine.tokenInfo(try tx.webToken(a.id)!)
        }
    }
}
