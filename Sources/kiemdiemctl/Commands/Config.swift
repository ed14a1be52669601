import ArgumentParser
import Foundation

struct ConfigCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "The client's own settings: where the daemon is, which keys, how long to wait.",
        discussion: """
            Examples:
              kiemdiemctl config
              kiemdiemctl config show --config config/examples/ctl.yaml
            """,
        subcommands: [Show.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the settings in force and where each comes from (a flag, the environment, a ctl.yaml, the default).",
            discussion: """
                Examples:
                  kiemdiemctl config show
                  kiemdiemctl config show --config /etc/kiemdiem/ctl.yaml
                  KIEMDIEM_ENDPOINT=tcp://10.0.0.5:7400 kiemdiemctl config show --output json
                """)
        @OptionGroup var options: ClientOptions

        func run() throws {
            let s = try options.settings()
            var rows: [[String]] = [
                ["endpoint", s.endpoint.value, s.endpoint.source],
                ["key", s.key.value ?? "(none: CURVE off)", s.key.source],
                ["server_key", s.serverKey.value ?? "(none: CURVE off)", s.serverKey.source],
            ]
            if let forced = s.forcedTimeout {
                rows.append(["timeout", "\(forced.value) s for every command", forced.source])
            } else {
                rows.append(["timeout", "\(s.timeout.value) s", s.timeout.source])
                rows.append(["long_timeout", "\(s.longTimeout.value) s (imports, ratings, plans)", s.longTimeout.source])
            }
            let files = CtlSettings.candidates(flag: options.config, environment: ProcessInfo.processInfo.environment).paths
            rows.append(["files", files.map { s.files.contains($0) ? $0 : "\($0) (absent)" }.joined(separator: ", "), "read in this order"])
            if options.format == .json {
                printJSON(Dictionary(uniqueKeysWithValues: rows.map { ($0[0], ["value": $0[1], "source": $0[2]]) }))
            } else {
                Style.output = options.format
                Table(["setting", "value", "source"], rows).print()
            }
        }
    }
}
