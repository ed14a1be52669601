import Foundation
import KiemDiemClient
import Yams

/// Where `kiemdiemctl` finds the daemon and its keys, amtool's way: flags win over the
/// environment, which wins over the user's ctl.yaml, which wins over the system's.
///
///     # ~/.config/kiemdiem/ctl.yaml (or /etc/kiemdiem/ctl.yaml)
///     endpoint: tcp://127.0.0.1:7400
///     key: admin.key_secret          # relative paths are relative to this file
///     server_key: /etc/kiemdiem/keys/server.key
///     timeout: 10                    # seconds, for most commands
///     long_timeout: 600              # seconds, for imports, ratings and plans
struct CtlSettings {
    struct Setting<T> {
        var value: T
        var source: String
    }

    struct Problem: Error { var message: String }

    var endpoint = Setting(value: "tcp://127.0.0.1:7400", source: "default")
    var key = Setting<String?>(value: nil, source: "default")
    var serverKey = Setting<String?>(value: nil, source: "default")
    /// Set by --timeout or KIEMDIEM_TIMEOUT: every command waits this long.
    var forcedTimeout: Setting<Double>?
    var timeout = Setting(value: 10.0, source: "default")
    var longTimeout = Setting(value: 600.0, source: "default")
    /// The files read, in the order read (the system's first, so the user's win).
    var files: [String] = []

    static let keys = ["endpoint", "key", "server_key", "timeout", "long_timeout"]

    /// Commands that may take long on a large tree: the whole request is one transaction.
    static func isLong(_ command: String) -> Bool {
        command.hasPrefix("import.") || command == "rate" || command == "rate.annul" || command == "campaign.load"
    }

    func timeout(for command: String) -> Double {
        if let forcedTimeout { return forcedTimeout.value }
        if Self.isLong(command) { return longTimeout.value }
        if command == "report" || command == "view" { return max(timeout.value, 120) }
        return timeout.value
    }

    /// The configuration files to read: `--config`/KIEMDIEM_CONFIG alone when given, else the
    /// system's and the user's that exist.
    static func candidates(flag: String?, environment env: [String: String]) -> (paths: [String], required: Bool) {
        if let explicit = flag ?? env["KIEMDIEM_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) { return ([explicit], true) }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let xdg = env["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.config"
        return (["/etc/kiemdiem/ctl.yaml", xdg + "/kiemdiem/ctl.yaml"], false)
    }

    static func resolve(flags: ClientOptions, environment: [String: String]) throws(Problem) -> CtlSettings {
        var s = CtlSettings()
        let (paths, required) = candidates(flag: flags.config, environment: environment)
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                if required { throw Problem(message: "cannot read \(path): no such file") }
                continue
            }
            try s.read(file: path)
        }
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let v = env("KIEMDIEM_ENDPOINT") { s.endpoint = Setting(value: v, source: "KIEMDIEM_ENDPOINT") }
        if let v = env("KIEMDIEM_KEY") { s.key = Setting(value: v, source: "KIEMDIEM_KEY") }
        if let v = env("KIEMDIEM_SERVER_KEY") { s.serverKey = Setting(value: v, source: "KIEMDIEM_SERVER_KEY") }
        if let v = env("KIEMDIEM_TIMEOUT") {
            guard let seconds = Double(v), seconds > 0 else { throw Problem(message: "KIEMDIEM_TIMEOUT='\(v)': expected seconds, e.g. 30") }
            s.forcedTimeout = Setting(value: seconds, source: "KIEMDIEM_TIMEOUT")
        }
        if let v = flags.endpoint { s.endpoint = Setting(value: v, source: "--endpoint") }
        if let v = flags.key { s.key = Setting(value: v, source: "--key") }
        if let v = flags.serverKey { s.serverKey = Setting(value: v, source: "--server-key") }
        if let v = flags.timeout {
            guard v > 0 else { throw Problem(message: "--timeout \(v): expected a positive number of seconds") }
            s.forcedTimeout = Setting(value: v, source: "--timeout")
        }
        return s
    }

    /// Reads one ctl.yaml over what is set: every error names the file, the line and the reason.
    mutating func read(file path: String) throws(Problem) {
        // Through a file handle: /dev/null (what tests give) is not a regular file, and reads empty.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            throw Problem(message: "cannot read \(path): permission denied or not a file")
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw Problem(message: "\(path): not valid UTF-8") }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw Problem(message: "\(path): not YAML: \(error)")
        }
        files.append(path)
        guard let node else { return } // an empty file sets nothing
        guard let mapping = node.mapping else { throw Problem(message: "\(path):\(line(node)): expected keys \(Self.keys.joined(separator: ", "))") }
        let dir = (path as NSString).deletingLastPathComponent
        func file(_ v: String) -> String { v.hasPrefix("/") || v.hasPrefix("~") ? (v as NSString).expandingTildeInPath : dir + "/" + v }
        for (k, v) in mapping {
            let name = k.string ?? ""
            let place = "\(path):\(line(k))"
            guard let value = v.scalar?.string, !value.isEmpty else { throw Problem(message: "\(place): '\(name)' needs a value") }
            switch name {
            case "endpoint": endpoint = Setting(value: value, source: path)
            case "key": key = Setting(value: file(value), source: path)
            case "server_key": serverKey = Setting(value: file(value), source: path)
            case "timeout", "long_timeout":
                guard let seconds = Double(value), seconds > 0 else { throw Problem(message: "\(place): \(name) '\(value)' must be a positive number of seconds") }
                if name == "timeout" { timeout = Setting(value: seconds, source: path) } else { longTimeout = Setting(value: seconds, source: path) }
            default:
                throw Problem(message: "\(place): unknown key '\(name)' (expected \(Self.keys.joined(separator: ", ")))")
            }
        }
    }

    private func line(_ n: Node) -> Int { (n.mark?.line ?? 0) }

    /// CURVE credentials when both key files are set, none when neither is.
    func credentials() throws(ClientError) -> CurveCredentials? {
        switch (key.value, serverKey.value) {
        case (nil, nil): return nil
        case let (k?, s?):
            do { return try CurveCredentials.load(keyFile: k, serverKeyFile: s) } catch {
                throw ClientError.transport("\(error)")
            }
        default:
            throw ClientError.transport("CURVE needs both a key (your .key_secret) and a server key (the daemon's .key); "
                                        + "only \(key.value == nil ? "the server key" : "the key") is set (\(key.value == nil ? serverKey.source : key.source))")
        }
    }
}
