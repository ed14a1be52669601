import ArgumentParser
import Foundation
import KiemDiemClient
import KiemDiemCore
import KiemDiemWire

struct TokenCmd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Tokens of the web page: who may see which subtree.",
        discussion: """
            Example:
              kiemdiemctl token issue --unit so-tai-chinh --role committee --expires 30d \\
                  --label 'Văn phòng Đảng ủy'
            """,
        subcommands: [Issue.self, List.self, Revoke.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token; prints the link that opens the page with it (the secret is shown once).",
            discussion: "Example: kiemdiemctl token issue --unit duk --role observer --expires 30d")
        @Option(help: "The unit whose subtree it sees, e.g. so-tai-chinh.") var unit: String
        @Option(help: "observer (reads) or committee (reads, acknowledges escalations, marks units done), e.g. committee.") var role: String = "observer"
        @Option(help: "How long it works, e.g. 30d (at most 366d).") var expires: String = "30d"
        @Option(help: "Whom it is for, shown by `token list`, e.g. 'Ban Tổ chức'.") var label: String?
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(TokenIssue.self, TokenIssueArgs(unit: unit, role: role, expires: expires, label: label)) { r in
                print("token \(r.info.id) for \(r.info.unit) (\(r.info.role)) until \(r.info.expires)")
                if let link = r.link { print(link) } else { print("secret: \(r.token) (the daemon serves no page: set http.listen)") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The tokens issued (never their secrets).", discussion: "Example: kiemdiemctl token list")
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(TokenList.self, NoArgs()) { items in
                if items.isEmpty { print("no tokens"); return }
                Table(["id", "unit", "role", "expires", "revoked", "issued by", "label"],
                      items.map { [$0.id, $0.unit, $0.role, $0.expires, $0.revoked ?? "", $0.issuedBy, $0.label] }).print()
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A token stops working at once.", discussion: "Example: kiemdiemctl token revoke 3f9a0c1b2d4e")
        @Argument(help: ArgumentHelp("The token's id (token list).", discussion: "e.g. 3f9a0c1b2d4e")) var id: String
        @OptionGroup var options: ClientOptions
        func run() throws {
            try options.run(TokenRevoke.self, TokenIdArgs(id: id)) { print("token \($0.id) revoked at \($0.revoked ?? "")") }
        }
    }
}
