import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kiemdiemctl",
        abstract: "Administer and watch a kiemdiem daemon.",
        version: kiemdiemVersion,
        subcommands: [StatusCmd.self, ImportCmd.self, CampaignCmd.self, DoneCmd.self, ExtendCmd.self, OverdueCmd.self, ReportCmd.self,
                      EventsCmd.self, WatchCmd.self, ClockCmd.self, PreviewCmd.self, AuditCmd.self, ReloadCmd.self, KeygenCmd.self, AckCmd.self, TokenCmd.self, SilenceCmd.self, JobsCmd.self, FlagCmd.self, UnflagCmd.self, ConcludeCmd.self, SuggestCmd.self, RateCmd.self, RemediationCmd.self])
}

/// Options every command takes, anywhere after the subcommand.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Control endpoint (default: $KIEMDIEM_ENDPOINT or tcp://127.0.0.1:7400).")
    var endpoint: String?

    @Option(name: .long, help: "Seconds to wait for a reply.")
    var timeout: Double = 10

    @Flag(name: .long, help: "Print JSON for scripts instead of tables.")
    var json = false

    @Option(name: .long, help: "Your own CURVE .key_secret file (default: $KIEMDIEM_KEY).")
    var key: String?

    @Option(name: .customLong("server-key"), help: "The daemon's public .key file (default: $KIEMDIEM_SERVER_KEY).")
    var serverKey: String?

    var resolvedEndpoint: String {
        endpoint ?? ProcessInfo.processInfo.environment["KIEMDIEM_ENDPOINT"] ?? "tcp://127.0.0.1:7400"
    }

    /// CURVE credentials when both key files are given (flags or environment), else none.
    func credentials() throws -> CurveCredentials? {
        let env = ProcessInfo.processInfo.environment
        let key = key ?? env["KIEMDIEM_KEY"], server = serverKey ?? env["KIEMDIEM_SERVER_KEY"]
        switch (key, server) {
        case (nil, nil): return nil
        case let (k?, s?):
            do { return try CurveCredentials.load(keyFile: k, serverKeyFile: s) } catch {
                throw ClientError.transport("\(error)")
            }
        default: throw ClientError.transport("CURVE needs both --key (your .key_secret) and --server-key (the daemon's .key)")
        }
    }

    func client() throws -> ControlClient {
        try ControlClient(endpoint: resolvedEndpoint, timeout: .milliseconds(Int64(timeout * 1000)), curve: try credentials())
    }

    /// Runs one request and prints the result: JSON with --json, else `human`.
    func run<C: ControlCommand>(_ command: C.Type, _ args: C.Args, human: (C.Result) -> Void) throws {
        do {
            let result = try client().call(command, args)
            if json { printJSON(result) } else { human(result) }
        } catch let e as ClientError {
            FileHandle.standardError.write(Data("kiemdiemctl: \(e.description)\n".utf8))
            throw ExitCode(e.isRemote ? 1 : 3)
        }
    }
}

extension ClientError {
    var isRemote: Bool { if case .remote = self { true } else { false } }
}

func printJSON<T: Encodable>(_ value: T) {
    let e = WireJSON.encoder()
    e.outputFormatting.insert(.prettyPrinted)
    if let d = try? e.encode(value) { print(String(decoding: d, as: UTF8.self)) }
}

func readFile(_ path: String) throws -> FileArgs {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("kiemdiemctl: cannot read \(path)\n".utf8))
        throw ExitCode(2)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
        FileHandle.standardError.write(Data("kiemdiemctl: \(path): not valid UTF-8\n".utf8))
        throw ExitCode(2)
    }
    return FileArgs(name: (path as NSString).lastPathComponent, content: text)
}
