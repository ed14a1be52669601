import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiemctl",
        abstract: "Administer and watch a kiemdiem daemon.",
        discussion: """
            Settings: --endpoint, --key and --server-key win over KIEMDIEM_ENDPOINT, KIEMDIEM_KEY and \
            KIEMDIEM_SERVER_KEY, which win over $XDG_CONFIG_HOME/kiemdiem/ctl.yaml (~/.config/kiemdiem/ctl.yaml), \
            which wins over /etc/kiemdiem/ctl.yaml. `kiemdiemctl config show` prints what is in force.

            Exit status:
              0   done
              1   the daemon refused the request (the reason is printed), or `check` found errors
              2   a file could not be read or written, or a configuration file is invalid
              3   no reply: the daemon is down, busy past --timeout, or refused the key
              64  usage: an unknown command or option, a missing or malformed argument

            Examples:
              kiemdiemctl status
              kiemdiemctl done co-quan-duk self-review
              kiemdiemctl overdue --unit so-tai-chinh --output csv > tre-han.csv
              kiemdiemctl check units config/examples/units.csv
            """,
        version: kiemdiemVersion,
        subcommands: [StatusCmd.self, ImportCmd.self, CampaignCmd.self, DoneCmd.self, ExtendCmd.self, OverdueCmd.self, ReportCmd.self,
                      EventsCmd.self, WatchCmd.self, ClockCmd.self, PreviewCmd.self, AuditCmd.self, ReloadCmd.self, KeygenCmd.self, AckCmd.self,
                      TokenCmd.self, SilenceCmd.self, JobsCmd.self, FlagCmd.self, UnflagCmd.self, ConcludeCmd.self, SuggestCmd.self, RateCmd.self,
                      RemediationCmd.self, CheckCmd.self, ConfigCmd.self])
}

/// How a command prints a list: a padded table on a terminal, CSV into a pipe, or JSON.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// What this process prints with, set once by `ClientOptions` before a command prints.
enum Style {
    /// The format of lists; `nil` until a command chose it.
    nonisolated(unsafe) static var output: OutputFormat = isatty(STDOUT_FILENO) == 1 ? .table : .csv

    /// Colour on a terminal only, and never with NO_COLOR set (https://no-color.org) or TERM=dumb.
    static func colour(_ fd: Int32) -> Bool {
        let env = ProcessInfo.processInfo.environment
        return isatty(fd) == 1 && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
    }

    static func bold(_ s: String, fd: Int32 = STDOUT_FILENO) -> String { colour(fd) ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    static func red(_ s: String, fd: Int32 = STDOUT_FILENO) -> String { colour(fd) ? "\u{1B}[31m\(s)\u{1B}[0m" : s }

    /// One error line on standard error: `kiemdiemctl: …`, the prefix red on a terminal.
    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("\(red("kiemdiemctl:", fd: STDERR_FILENO)) \(message)\n".utf8))
    }
}

/// Options every command that talks to the daemon takes, anywhere after the subcommand.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Control endpoint (default: ctl.yaml's, else tcp://127.0.0.1:7400).",
                                            discussion: "e.g. --endpoint tcp://10.0.0.5:7400", valueName: "endpoint"))
    var endpoint: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a reply (default: 10; 600 for imports, ratings and plans; 120 for reports).",
                                            discussion: "e.g. --timeout 1800 for a national members file", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .long, help: ArgumentHelp("How lists print: table, csv or json (default: table on a terminal, csv otherwise).",
                                            discussion: "e.g. --output json | jq .", valueName: "format"))
    var output: OutputFormat?

    @Flag(name: .long, help: "Print JSON for scripts (same as --output json), e.g. kiemdiemctl status --json.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Your own CURVE .key_secret file (default: $KIEMDIEM_KEY, then ctl.yaml's key).",
                                            discussion: "e.g. --key ~/.config/kiemdiem/admin.key_secret", valueName: "file"))
    var key: String?

    @Option(name: .customLong("server-key"), help: ArgumentHelp("The daemon's public .key file (default: $KIEMDIEM_SERVER_KEY, then ctl.yaml's server_key).",
                                                                 discussion: "e.g. --server-key /etc/kiemdiem/keys/server.key", valueName: "file"))
    var serverKey: String?

    @Option(name: .long, help: ArgumentHelp("Read settings from this ctl.yaml instead of the user's and the system's (default: $KIEMDIEM_CONFIG).",
                                          discussion: "e.g. --config state/ctl.yaml", valueName: "file"))
    var config: String?

    /// The settings in force, each with where it came from; a bad ctl.yaml ends with status 2.
    func settings() throws -> CtlSettings {
        do {
            return try CtlSettings.resolve(flags: self, environment: ProcessInfo.processInfo.environment)
        } catch let e as CtlSettings.Problem {
            Style.fail(e.message)
            throw ExitCode(2)
        }
    }

    /// The format lists print in: --json, then --output, then the terminal's default.
    var format: OutputFormat { json ? .json : output ?? Style.output }

    func client(for command: String = "") throws -> ControlClient {
        let s = try settings()
        let seconds = s.timeout(for: command)
        do {
            return try ControlClient(endpoint: s.endpoint.value, timeout: .milliseconds(Int64(seconds * 1000)), curve: try s.credentials())
        } catch let e as ClientError {
            Style.fail(e.description)
            throw ExitCode(e.exitCode)
        }
    }

    /// Runs one request and prints the result: JSON with --json/--output json, else `human`.
    func run<C: ControlCommand>(_ command: C.Type, _ args: C.Args, human: (C.Result) -> Void) throws {
        Style.output = format
        do {
            let result = try client(for: C.name).call(command, args)
            if format == .json { printJSON(result) } else { human(result) }
        } catch let e as ClientError {
            Style.fail(e.description)
            throw ExitCode(e.exitCode)
        }
    }
}

extension ClientError {
    var isRemote: Bool { if case .remote = self { true } else { false } }
    /// 1 when the daemon answered no; 3 when it did not answer.
    var exitCode: Int32 { isRemote ? 1 : 3 }
}

func printJSON<T: Encodable>(_ value: T) {
    let e = WireJSON.encoder()
    e.outputFormatting.insert(.prettyPrinted)
    if let d = try? e.encode(value) { print(String(decoding: d, as: UTF8.self)) }
}

func readFile(_ path: String) throws -> FileArgs {
    guard let data = FileManager.default.contents(atPath: path) else {
        Style.fail("cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")")
        throw ExitCode(2)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
        Style.fail("\(path): not valid UTF-8 (save it as UTF-8: in a spreadsheet, \"CSV UTF-8\")")
        throw ExitCode(2)
    }
    return FileArgs(name: (path as NSString).lastPathComponent, content: text)
}
