import Foundation

/// `suggest`: Sends a suggestion to a unit's committee (a letter, audited).
public enum Suggest: ControlCommand {
    public typealias Args = SuggestArgs
    public typealias Result = SuggestionInfo
    public static let name = "suggest"
    public static let mutates = true
}

/// `suggest UNIT --file F`: the upper committee's written review suggestions for a unit.
public struct SuggestArgs: Codable, Sendable {
    public var unit: String
    public var name: String
    public var content: String
    public var campaign: String?
    public init(unit: String, name: String, content: String, campaign: String? = nil) {
        self.unit = unit
        self.name = name
        self.content = content
        self.campaign = campaign
    }
}

public struct SuggestionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var unit: String
    /// The committee that wrote it (the unit's parent).
    public var author: String
    public var name: String
    public var text: String
    public var time: String
    public init(id: Int64, unit: String, author: String, name: String, text: String, time: String) {
        self.id = id
        self.unit = unit
        self.author = author
        self.name = name
        self.text = text
        self.time = time
    }
}
