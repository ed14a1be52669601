import Foundation

/// `remediation.done`: Marks a remediation done.
public enum RemediationDone: ControlCommand {
    public typealias Args = IdArgs
    public typealias Result = RemediationInfo
    public static let name = "remediation.done"
    public static let mutates = true
}
