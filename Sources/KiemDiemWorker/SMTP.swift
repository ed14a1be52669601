import Foundation
import KiemDiemWire
#if canImport(Glibc)
import Glibc
#endif

/// Mail through an SMTP server (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT; no TLS or AUTH, for a
/// relay on the host or the LAN). Written by hand: no SMTP client is among the packages we may
/// use, and the dialogue is a dozen lines. 4xx replies and connection failures are retried;
/// 5xx replies are permanent.
public struct SMTPChannel: DeliveryChannel {
    public let host: String
    public let port: UInt16
    public let from: String
    public let timeout: Int

    public init(host: String, port: UInt16, from: String, timeout: Int = 15) {
        self.host = host
        self.port = port
        self.from = from
        self.timeout = timeout
    }

    public func deliver(_ n: Outgoing) throws {
        guard let to = n.address, to.contains("@") else {
            throw DeliveryError(retryable: false, "unit \(n.payload.recipient) has no e-mail address")
        }
        let mail = MailMessage(from: from, to: to, subject: n.subject, body: n.body, key: n.key, date: Date())
        let conn = try Connection(host: host, port: port, timeout: timeout)
        defer { conn.close() }
        try conn.expect(220)
        try conn.command("EHLO kiemdiem", expect: 250)
        try conn.command("MAIL FROM:<\(from)>", expect: 250)
        try conn.command("RCPT TO:<\(to)>", expect: 250)
        try conn.command("DATA", expect: 354)
        // Dot-stuffing: a line starting with '.' gets another.
        let data = mail.rendered().split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try conn.command(data + "\r\n.", expect: 250)
        try? conn.command("QUIT", expect: 221)
    }

    final class Connection {
        let fd: Int32
        let place: String
        var buffer = [UInt8]()

        init(host: String, port: UInt16, timeout: Int) throws {
            place = "\(host):\(port)"
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var res: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &res) == 0, let first = res else {
                throw DeliveryError(retryable: true, "SMTP \(host):\(port): cannot resolve")
            }
            defer { freeaddrinfo(res) }
            var ai: UnsafeMutablePointer<addrinfo>? = first
            var lastErr: Int32 = 0
            while let a = ai {
                let s = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
                if s >= 0 {
                    var tv = timeval(tv_sec: timeout, tv_usec: 0)
                    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                    if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { fd = s; return }
                    lastErr = errno
                    Glibc.close(s)
                }
                ai = a.pointee.ai_next
            }
            throw DeliveryError(retryable: true, "SMTP \(host):\(port): \(String(cString: strerror(lastErr)))")
        }

        func close() { Glibc.close(fd) }

        func command(_ line: String, expect code: Int) throws {
            let bytes = Array((line + "\r\n").utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { throw DeliveryError(retryable: true, "SMTP \(place): connection lost while sending") }
                sent += n
            }
            try expect(code)
        }

        /// Reads a reply (multi-line replies have '-' after the code) and checks its code.
        func expect(_ code: Int) throws {
            while true {
                let line = try readLine()
                guard line.count >= 3, let got = Int(line.prefix(3)) else { throw DeliveryError(retryable: true, "SMTP \(place): bad reply '\(line)'") }
                if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
                if got == code { return }
                throw DeliveryError(retryable: got < 500, "SMTP \(place): expected \(code), got '\(line)'")
            }
        }

        func readLine() throws -> String {
            while true {
                if let i = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<i], as: UTF8.self).trimmingCharacters(in: .newlines)
                    buffer.removeFirst(i + 1)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { throw DeliveryError(retryable: true, "SMTP \(place): connection closed or timed out") }
                buffer += chunk[..<n]
            }
        }
    }
}
