import Foundation
import KiemDiemCore

/// What every control request must satisfy beyond its command's argument types, checked on the
/// strict parse before anything is decoded or run (docs/protocol.md, "Requests").
public enum RequestRules {
    /// Arguments that name a unit, member, stage, campaign or rating subject: ids, which match
    /// `[a-z0-9-]+` (at most 128 bytes) wherever they enter. SQLite compares text up to a NUL,
    /// so an id that is not one could otherwise act on another subject.
    public static let idArguments: Set<String> = ["unit", "member", "stage", "campaign", "subject"]
    /// A file's name (`name` in the arguments of a file-carrying command) is repeated in every
    /// finding about the file: at most 255 bytes, no control characters.
    public static let maxFileName = 255

    public static func check(_ request: JSONValue) throws(ErrorBody) {
        guard case .object(let args)? = request["args"] else { return }
        for (key, value) in args {
            guard case .string(let s) = value else { continue }
            if idArguments.contains(key), !Code.isValid(s) {
                throw ErrorBody(.invalidInput, "args.\(key) \(shown(s)) is not an id: ids match [a-z0-9-]+, at most 128 bytes")
            }
            if key == "name", request["args"]?["content"] != nil {
                guard s.utf8.count <= maxFileName else {
                    throw ErrorBody(.invalidInput, "args.name is \(s.utf8.count) bytes long: a file name has at most \(maxFileName)")
                }
                guard !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw ErrorBody(.invalidInput, "args.name \(shown(s)) contains a control character")
                }
            }
        }
    }

    /// A value quoted for an error message: control characters made visible, at most 64 characters.
    public static func shown(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars.prefix(64) {
            out += u.value < 0x20 || u.value == 0x7F ? String(format: "\\u%04x", u.value) : String(u)
        }
        return "'" + out + (s.unicodeScalars.count > 64 ? "…'" : "'")
    }
}
