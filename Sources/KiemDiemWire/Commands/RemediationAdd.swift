import Foundation

/// `remediation.add`: Records a shortcoming to remedy, with its deadline.
public enum RemediationAdd: ControlCommand {
    public typealias Args = RemediationAddArgs
    public typealias Result = RemediationInfo
    public static let name = "remediation.add"
    public static let mutates = true
}

public struct RemediationAddArgs: Codable, Sendable {
    public var unit: String
    /// Absent: the plan's `remediation.due_in` from now.
    public var due: String?
    public var text: String
    public var member: String?
    public var campaign: String?
    public init(unit: String, due: String?, text: String, member: String? = nil, campaign: String? = nil) {
        self.unit = unit
        self.due = due
        self.text = text
        self.member = member
        self.campaign = campaign
    }
}

public struct RemediationInfo: Codable, Sendable {
    public var id: Int64
    public var campaign: String
    public var unit: String
    public var member: String?
    public var text: String
    public var due: String
    public var done: String?
    public init(id: Int64, campaign: String, unit: String, member: String?, text: String, due: String, done: String?) {
        self.id = id
        self.campaign = campaign
        self.unit = unit
        self.member = member
        self.text = text
        self.due = due
        self.done = done
    }
}
