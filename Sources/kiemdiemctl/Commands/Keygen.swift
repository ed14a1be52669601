import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire
import ZeroMQ

struct KeygenCmd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", 
        abstract: "Make a CURVE key pair (NAME.key and NAME.key_secret, ZeroMQ certificate format) and print its authorized-keys line.",
        discussion: """
            The secret file is written with mode 0600, the public one with 0644. With --role, the line \
            printed is `ROLE PUBLIC-KEY NAME`, for the daemon's authorized keys; without it, the public key alone.

            Examples:
              kiemdiemctl keygen --name server --out /etc/kiemdiem/keys
              kiemdiemctl keygen --name van-phong-duk --role admin --out ~/.config/kiemdiem
              kiemdiemctl keygen --name worker-1 --role worker --out /etc/kiemdiem/keys
            """)
    @Option(help: ArgumentHelp("The key's name, [a-z0-9-]+ (file names and the audit log use it).", discussion: "e.g. --name van-phong-duk")) var name: String
    @Option(help: ArgumentHelp("admin, observer or worker; omit for the daemon's own key.", discussion: "e.g. --role observer")) var role: Role?
    @Option(help: ArgumentHelp("Directory to write the files into (created if missing).", discussion: "e.g. --out /etc/kiemdiem/keys")) var out: String = "."
    @Flag(help: "Replace existing files (otherwise an existing NAME.key or NAME.key_secret ends with status 2).") var force = false

    func validate() throws {
        guard Code.isValid(name) else { throw ValidationError("--name must match [a-z0-9-]+") }
    }

    func run() throws {
        let pair = try CurveKeyPair.generate()
        let cert = Certificate(publicKey: pair.publicKey, secretKey: pair.secretKey)
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        let pub = (out as NSString).appendingPathComponent("\(name).key")
        let sec = (out as NSString).appendingPathComponent("\(name).key_secret")
        if !force, fm.fileExists(atPath: pub) || fm.fileExists(atPath: sec) {
            FileHandle.standardError.write(Data("kiemdiemctl: \(pub) or \(sec) exists (use --force to replace)\n".utf8))
            throw ExitCode(2)
        }
        // The secret file is created with mode 0600 before anything is written to it.
        guard fm.createFile(atPath: sec, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            FileHandle.standardError.write(Data("kiemdiemctl: cannot create \(sec)\n".utf8))
            throw ExitCode(2)
        }
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: sec)
        try Data(cert.render(includeSecret: true, comment: "DO NOT PROVIDE THIS FILE TO OTHER USERS").utf8).write(to: URL(fileURLWithPath: sec))
        try Data(cert.render(includeSecret: false, comment: "Exchange securely, or verify the contents after exchange").utf8).write(to: URL(fileURLWithPath: pub))
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pub)
        if let role { print("\(role.rawValue) \(pair.publicKey) \(name)") } else { print(pair.publicKey) }
    }
}

extension Role: ExpressibleByArgument {}
