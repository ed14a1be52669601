import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client over a POSIX socket, for the page's tests: it sends exactly the bytes
/// given (malformed ones too) and reads the answer until the server closes.
struct HTTPProbe {
    let port: UInt16

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    /// An open connection, for a client that sends slowly.
    final class Connection {
        let fd: Int32
        init(port: UInt16) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard r == 0 else { throw TestFailure("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
            var tv = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        func send(_ text: String) { send(Array(text.utf8)) }
        /// Everything until the server closes (or 30 s pass).
        func readAll() -> Data {
            var out = Data()
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { break }
                out.append(contentsOf: buf[0..<n])
            }
            return out
        }
        deinit { close(fd) }
    }

    func raw(_ request: String) throws -> Answer? {
        let c = try Connection(port: port)
        c.send(request)
        return HTTPProbe.parse(c.readAll())
    }

    func get(_ path: String, token: String? = nil, headers: [String: String] = [:]) throws -> Answer {
        var h = headers
        if let token { h["Authorization"] = "Bearer \(token)" }
        let lines = h.map { "\($0.key): \($0.value)\r\n" }.joined()
        guard let a = try raw("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(lines)\r\n") else { throw TestFailure("no answer to GET \(path)") }
        return a
    }

    func post(_ path: String, token: String? = nil, form: String, headers: [String: String] = [:]) throws -> Answer {
        let auth = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let extra = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let req = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(auth)\(extra)Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\r\n\(form)"
        guard let a = try raw(req) else { throw TestFailure("no answer to POST \(path)") }
        return a
    }

    /// Status, headers and body (chunked bodies joined); nil when the server closed without a word.
    static func parse(_ data: Data) -> Answer? {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var out = Data(), rest = body[...]
            while let nl = rest.range(of: Data("\r\n".utf8)), let size = Int(String(decoding: rest[..<nl.lowerBound], as: UTF8.self), radix: 16), size > 0 {
                let start = nl.upperBound
                out.append(rest[start..<min(rest.endIndex, start + size)])
                rest = rest[min(rest.endIndex, start + size + 2)...]
            }
            body = out
        }
        return Answer(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }
}
