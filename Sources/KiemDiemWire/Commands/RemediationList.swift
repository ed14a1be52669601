import Foundation

/// `remediation.list`: Remediation items under a unit.
public enum RemediationList: ControlCommand {
    public typealias Args = RemediationListArgs
    public typealias Result = [RemediationInfo]
    public static let name = "remediation.list"
}

public struct RemediationListArgs: Codable, Sendable {
    public var unit: String?
    public var all: Bool?
    public init(unit: String? = nil, all: Bool? = nil) {
        self.unit = unit
        self.all = all
    }
}
