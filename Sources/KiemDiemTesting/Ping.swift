import Foundation
import KiemDiemCore
import KiemDiemEngine
import KiemDiemWire

// A command that exists only for tests, added the way docs/architecture.md ("Adding a command")
// describes: the declaration (in the product it goes in KiemDiemWire/Commands/Ping.swift), the
// server side (KiemDiemEngine/Commands/Ping.swift), and one line in the registry. The tests
// register it next to the standard commands to show the registry needs nothing else.

/// `test.ping`: echoes its text with the request's instant, as the daemon's clock shows it.
public enum Ping: ControlCommand {
    public struct Args: Codable, Sendable {
        public var text: String
        public init(text: String) { self.text = text }
    }
    public struct Result: Codable, Sendable, Equatable {
        public var text: String
        public var now: String
        public init(text: String, now: String) {
            self.text = text
            self.now = now
        }
    }
    public static let name = "test.ping"
}

extension Ping: EngineCommand {
    public static func run(_ args: Args, in context: CommandContext) throws -> Result {
        guard !args.text.isEmpty else { throw ErrorBody(.invalidInput, "text must not be empty") }
        return Result(text: args.text, now: Instant.format(context.now, timeZone: context.zone))
    }
}
