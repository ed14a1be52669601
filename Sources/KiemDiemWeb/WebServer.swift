import Foundation
import HTTPTypes
import Hummingbird
import KiemDiemCore
import KiemDiemEngine
import KiemDiemStore
import KiemDiemPages
import KiemDiemWire
import Logging
import NIOCore

/// What the page needs from the daemon: control requests run on its loop (the same checks,
/// audit and handlers as `kiemdiemctl`), reads of the store (tokens, events), the metrics, and
/// the link signer in force.
public protocol WebBackend: Sendable {
    /// Runs a control request on the daemon's loop as `caller`; its reply.
    func call(_ body: Data, caller: Caller) async -> Data
    var store: Store { get }
    /// The Prometheus text; nil when metrics are off.
    func metricsText() -> String?
    /// The signer of letters' links in force (it rotates on reload).
    func linkSigner() -> LinkSigner?
    /// True once the daemon stops: open event streams end, so that the server can.
    var isStopping: Bool { get }
}

/// The daemon's HTTP server (Hummingbird 2): the committee's page, its live events, the links in
/// letters, and `/metrics`. docs/dashboard.md describes it from the outside.
public enum WebServer {
    /// The application, not yet running; `onListening` gets the address bound once it listens.
    public static func application(host: String, port: Int, backend: any WebBackend, logger: Logger,
                                   onListening: @escaping @Sendable (String) -> Void) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeaders())
        Routes(backend: backend, logger: logger).add(to: router)
        return Application(
            router: router,
            // A connection silent for 30 s is closed; a slow client holds its own connection only.
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let a = channel.localAddress
                let text = a.map { addr in
                    let ip = addr.ipAddress ?? host
                    return ip.contains(":") ? "[\(ip)]:\(addr.port ?? port)" : "\(ip):\(addr.port ?? port)"
                } ?? "\(host):\(port)"
                onListening(text)
            },
            logger: logger)
    }
}

/// Headers on every answer: no framing, no sniffing, no referrer, and a CSP without inline
/// script or style, so that text from the tree can never run as code in the page.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let e as HTTPError {
            response = Page.html(e.status, HTML.message(title: "Lỗi \(e.status.code)", text: e.status.code == 404 ? "Không có trang này." : "Yêu cầu không hợp lệ."))
        }
        response.headers[.contentSecurityPolicy] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        // Nothing of an address (a token, a signed link) goes to another site; within the page,
        // a form's POST names its origin (with `no-referrer` a browser sends `Origin: null`).
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

enum Page {
    static func html(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.location] = location
        return Response(status: .seeOther, headers: h)
    }
}

/// Who is looking: a token's unit, its subtree and role.
struct Viewer: Sendable {
    let token: String
    let unit: String
    let path: String
    let role: Role
    /// When the token expires (epoch seconds): the cookie lives no longer.
    var expiresAt: Int64 = 0
    var caller: Caller { Caller(name: "token:\(token)", role: role) }
}

/// A refusal, as the page shows it: 401 without a valid token, 403 outside its subtree.
struct Refused: Error {
    let status: HTTPResponse.Status
    let text: String
    static func unauthorized(_ t: String) -> Refused { Refused(status: .unauthorized, text: t) }
    static let forbidden = Refused(status: .forbidden, text: "Mã truy cập này không được xem đơn vị đó.")
    static let otherOrigin = Refused(status: .forbidden, text: "Yêu cầu không gửi từ trang theo dõi kế hoạch kiểm điểm; không có gì thay đổi.")
    var response: Response { Page.html(status, HTML.message(title: status == .unauthorized ? "Cần đăng nhập" : "Không được phép", text: text)) }
}

struct Routes: Sendable {
    let backend: any WebBackend
    let logger: Logger
    static let cookie = "kd_token"

    func add(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            guard let text = backend.metricsText() else { return Page.html(.notFound, HTML.message(title: "Lỗi 404", text: "Metrics are off.")) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/static/app.css") { _, _ in Assets.response(Assets.css, type: "text/css; charset=utf-8") }
        router.get("/static/app.js") { _, _ in Assets.response(Assets.js, type: "text/javascript; charset=utf-8") }
        router.get("/t/{token}") { request, context -> Response in
            let token = context.parameters.get("token") ?? ""
            do {
                let v = try viewer(token: token)
                // The link's token becomes a cookie and leaves the address bar. It lives as long
                // as the token, and only over https where the page is served so.
                let life = max(0, v.expiresAt - Int64(Date().timeIntervalSince1970))
                let secure = secureScheme(request) ? "; Secure" : ""
                let cookie = "\(Routes.cookie)=\(token); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(life)\(secure)"
                return Page.redirect("/", headers: [.setCookie: cookie])
            } catch { return error.response }
        }
        router.get("/") { request, _ -> Response in
            do {
                let v = try viewer(request)
                return try await unitPage(v.unit, viewer: v, partial: request.uri.queryParameters.get("partial") != nil)
            } catch let r as Refused { return r.response }
        }
        router.get("/u/{unit}") { request, context -> Response in
            do {
                let v = try viewer(request)
                let unit = context.parameters.get("unit") ?? ""
                try within(v, unit)
                return try await unitPage(unit, viewer: v, partial: request.uri.queryParameters.get("partial") != nil)
            } catch let r as Refused { return r.response }
        }
        router.post("/u/{unit}/done") { request, context -> Response in
            do {
                try sameOrigin(request)
                let v = try viewer(request)
                let unit = context.parameters.get("unit") ?? ""
                try within(v, unit)
                guard v.role == .committee else { throw Refused.forbidden }
                let form = try await Form(request)
                guard let stage = form["stage"], Code.isValid(stage) else { return Page.html(.badRequest, HTML.message(title: "Yêu cầu không hợp lệ", text: "Thiếu nội dung (stage).")) }
                let reply: Reply<DoneResult> = await call(Done.self, DoneArgs(unit: unit, stage: stage), as: v.caller)
                if let e = reply.error { return Page.html(.conflict, HTML.message(title: "Chưa ghi nhận được", text: e.message)) }
                return Page.redirect("/u/\(unit)")
            } catch let r as Refused { return r.response }
        }
        router.get("/search") { request, _ -> Response in
            do {
                let v = try viewer(request)
                let q = String((request.uri.queryParameters.get("q") ?? "").prefix(100))
                let found = try backend.store.read { try $0.searchUnits(subtree: v.path, text: q, limit: 50) }
                let items = found.map { "<li><a href=\"/u/\(HTML.esc($0.id))\">\(HTML.esc($0.unit.name))</a> <small>\(HTML.esc($0.id))</small></li>" }.joined()
                let main = "<section><h2>Kết quả tìm “\(HTML.esc(q))”</h2>" + (items.isEmpty ? "<p>Không tìm thấy đơn vị nào.</p>" : "<ul>\(items)</ul>") + "<p><a href=\"/\">Về trang tổng quan</a></p></section>"
                return Page.html(.ok, HTML.document(title: "Tìm đơn vị", heading: "Tìm đơn vị", sub: "", main: main, live: false, search: true))
            } catch let r as Refused { return r.response }
        }
        router.get("/events") { request, _ -> Response in
            do {
                let v = try viewer(request)
                let resume = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap { Int64($0) }
                    ?? request.uri.queryParameters.get("after").flatMap { Int64($0) }
                let store = backend.store, id = v.token
                let allowed: @Sendable () -> Bool = {
                    guard let row = (try? store.read { try $0.webToken(id) }) ?? nil else { return false }
                    return row.revokedAt == nil && Double(row.expiresAt) > Date().timeIntervalSince1970
                }
                return try EventStream(backend: backend, path: v.path, after: resume, stillAllowed: allowed).response()
            } catch let r as Refused { return r.response }
        }
        router.get("/a/{link}") { _, context -> Response in
            await letterLink(context.parameters.get("link") ?? "", act: false)
        }
        router.post("/a/{link}") { request, context -> Response in
            do { try sameOrigin(request) } catch let r as Refused { return r.response } catch { return Refused.forbidden.response }
            return await letterLink(context.parameters.get("link") ?? "", act: true)
        }
    }

    // MARK: - Who is looking

    func viewer(_ request: Request) throws(Refused) -> Viewer {
        var token: String?
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") { token = String(auth.dropFirst(7)) }
        if token == nil, let cookies = request.headers[.cookie] {
            for part in cookies.split(separator: ";") {
                let kv = part.trimmingCharacters(in: .whitespaces)
                if kv.hasPrefix("\(Routes.cookie)=") { token = String(kv.dropFirst(Routes.cookie.count + 1)) }
            }
        }
        guard let token else { throw .unauthorized("Cần mở trang bằng đường dẫn có mã truy cập do quản trị viên cấp (kiemdiemctl token issue).") }
        return try viewer(token: token)
    }

    func viewer(token: String) throws(Refused) -> Viewer {
        guard let (id, secret) = WebToken.parse(token) else { throw .unauthorized("Mã truy cập không hợp lệ.") }
        let found: (WebTokenRow, UnitRow?)?
        do { found = try backend.store.read { tx in try tx.webToken(id).map { ($0, try tx.unit($0.unit)) } } } catch {
            throw Refused(status: .serviceUnavailable, text: "Không đọc được dữ liệu: \(error)")
        }
        guard let (row, unit) = found, WebToken.sameDigest(row.hash, WebToken.hash(secret)) else { throw .unauthorized("Mã truy cập không hợp lệ.") }
        guard row.revokedAt == nil else { throw .unauthorized("Mã truy cập này đã bị thu hồi.") }
        guard Double(row.expiresAt) > Date().timeIntervalSince1970 else { throw .unauthorized("Mã truy cập này đã hết hạn.") }
        guard let unit, let role = Role(rawValue: row.role) else { throw .unauthorized("Đơn vị của mã truy cập không còn trong cây tổ chức.") }
        return Viewer(token: id, unit: row.unit, path: unit.path, role: role, expiresAt: row.expiresAt)
    }

    /// The page is served over https: its public address says so, or the reverse proxy in front.
    func secureScheme(_ request: Request) -> Bool {
        backend.linkSigner()?.base.lowercased().hasPrefix("https://") == true
            || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// A POST comes from the page itself: a browser names where a form was sent from in `Origin`,
    /// and one from another site (or a page of another address) is refused, whatever cookie it
    /// carries (SameSite is not the only guard). The page's own origin is its public address or
    /// the Host it was asked on.
    func sameOrigin(_ request: Request) throws(Refused) {
        guard let origin = request.headers[.origin]?.lowercased() else { return }
        // An opaque origin ("null": a sandboxed frame, a privacy setting) is the page's own only
        // when the browser says the request comes from the same origin.
        if origin == "null", request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased() == "same-origin" { return }
        var allowed: Set<String> = []
        if let base = backend.linkSigner()?.base.lowercased(), let u = URL(string: base), let scheme = u.scheme, let host = u.host {
            allowed.insert("\(scheme)://\(host)" + (u.port.map { ":\($0)" } ?? ""))
        }
        if let host = request.head.authority?.lowercased() {
            allowed.insert("http://\(host)")
            allowed.insert("https://\(host)")
        }
        guard allowed.contains(origin) else { throw .otherOrigin }
    }

    /// A unit of the viewer's subtree; anything else (another subtree, an unknown or malformed
    /// id) is the same 403, so guessing ids tells nothing.
    func within(_ v: Viewer, _ unit: String) throws(Refused) {
        guard Code.isValid(unit) else { throw .forbidden }
        let row: UnitRow?
        do { row = try backend.store.read { try $0.unit(unit) } } catch { throw Refused(status: .serviceUnavailable, text: "\(error)") }
        guard let row, row.path.hasPrefix(v.path) else { throw .forbidden }
    }

    // MARK: - Pages

    func unitPage(_ unit: String, viewer v: Viewer, partial: Bool) async throws -> Response {
        let reply: Reply<ViewResult> = await call(View.self, UnitFilter(unit: unit), as: v.caller)
        guard let view = reply.result else {
            return Page.html(.notFound, HTML.message(title: "Chưa có dữ liệu", text: reply.error?.message ?? "Không có kế hoạch kiểm điểm nào cho đơn vị này."))
        }
        let page = UnitPage(v: view, canAct: v.role == .committee, navigable: true)
        return Page.html(.ok, partial ? page.main() : page.document())
    }

    /// A letter's link: GET shows the case, POST acknowledges it (once: a second press, a
    /// replayed or altered link change nothing).
    func letterLink(_ token: String, act: Bool) async -> Response {
        guard let signer = backend.linkSigner() else { return Page.html(.notFound, HTML.message(title: "Lỗi 404", text: "Không có trang này.")) }
        let claim: LinkClaim
        do { claim = try signer.verify(token, now: Date().timeIntervalSince1970) } catch {
            let text = error == .expired ? "Đường dẫn này đã hết hạn." : "Đường dẫn không hợp lệ (bị sửa hoặc không do hệ thống cấp)."
            return Page.html(.forbidden, HTML.message(title: "Không mở được đường dẫn", text: text))
        }
        let recipient = (try? backend.store.read { try $0.unit(claim.recipient) }) ?? nil
        let committee = recipient?.unit.committeeName ?? claim.recipient
        let caller = Caller(name: "\(committee) (\(claim.recipient))", role: .committee)
        let reply: Reply<ViewResult> = await call(View.self, UnitFilter(unit: claim.unit), as: Caller(name: caller.name, role: .observer))
        guard let view = reply.result else {
            return Page.html(.notFound, HTML.message(title: "Không có dữ liệu", text: reply.error?.message ?? "Không tìm thấy đơn vị."))
        }
        var notice = ""
        if claim.purpose == .ack {
            // Pressed again (a second click, a reload of the answer): nothing to record, nothing
            // audited twice.
            let already = (try? backend.store.read { try $0.escalation(claim.escalation)?.acknowledgedAt != nil }) ?? false
            if act, already {
                notice = "<p class=\"notice\" id=\"ack-result\">Việc này đã được tiếp nhận trước đó; không có gì thay đổi.</p>"
            } else if act {
                let ack: Reply<AckResult> = await call(Ack.self, IdArgs(id: claim.escalation), as: caller)
                if let r = ack.result {
                    notice = r.alreadyAcknowledged ? "<p class=\"notice\" id=\"ack-result\">Việc này đã được tiếp nhận trước đó; không có gì thay đổi.</p>"
                        : "<p class=\"notice ok\" id=\"ack-result\">Đã ghi nhận: \(HTML.esc(committee)) đã tiếp nhận. Hệ thống ngừng gửi báo cáo chậm tiến độ về việc này.</p>"
                } else {
                    notice = "<p class=\"notice\" id=\"ack-result\">Chưa ghi nhận được: \(HTML.esc(ack.error?.message ?? ""))</p>"
                }
            }
            let open = view.escalations.contains { $0.id == claim.escalation }
            let stageTitle = view.report.stages.first { $0.stage == claim.stage }?.title ?? claim.stage
            notice = """
            <section id="case"><h2>Báo cáo chậm tiến độ gửi \(HTML.esc(committee))</h2>
            <p>\(HTML.esc(view.report.name)) chưa hoàn thành nội dung “\(HTML.esc(stageTitle))”.</p>\(notice)
            \(open && !act ? "<form method=\"post\"><button type=\"submit\" id=\"ack\">Đã nhận</button></form>" : (open ? "" : "<p id=\"ack-state\">Việc này đã được tiếp nhận.</p>"))
            </section>
            """
        }
        let page = UnitPage(v: view, canAct: false, navigable: false)
        return Page.html(.ok, HTML.document(title: page.title, heading: view.report.name, sub: "\(view.campaignTitle) · \(page.sub)",
                                            main: notice + page.main(), live: false, search: false))
    }

    // MARK: - The daemon's loop

    func call<C: ControlCommand>(_ command: C.Type, _ args: C.Args, as caller: Caller) async -> Reply<C.Result> {
        let encoder = WireJSON.encoder()
        guard let body = try? encoder.encode(KiemDiemWire.Request(id: "web", command: C.name, args: args)) else {
            return Reply(id: nil, error: ErrorBody(.internalError, "cannot encode the request"))
        }
        let data = await backend.call(body, caller: caller)
        do { return try WireJSON.decoder().decode(Reply<C.Result>.self, from: data) } catch {
            return Reply(id: nil, error: ErrorBody(.internalError, "cannot read the reply: \(error)"))
        }
    }
}

extension Error {
    var response: Response {
        (self as? Refused)?.response ?? Page.html(.internalServerError, HTML.message(title: "Lỗi", text: "\(self)"))
    }
}

/// An `application/x-www-form-urlencoded` body of at most 16 KiB.
struct Form {
    let fields: [String: String]
    init(_ request: Request) async throws {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 * 1024)
        var f: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if kv.count == 2 { f[kv[0]] = kv[1] }
        }
        fields = f
    }
    subscript(_ key: String) -> String? { fields[key] }
}
