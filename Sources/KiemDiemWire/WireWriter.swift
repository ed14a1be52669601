// Hand-written JSON for the three messages a burst writes per target: the event, the job payload
// and the job frame. Why by hand: Foundation's JSONEncoder builds a dictionary per object and
// sorts its keys on every call; a profile of a 41,900-event firing put half of its time there,
// and no library in the local package set offers a faster encoder. The output is byte for byte
// what `WireJSON.encoder()` writes (sorted keys, slashes unescaped); `WireWriterTests` checks
// that on random values, so the published bytes did not change.
import Foundation

/// Appends JSON tokens to a byte buffer. Objects are written key by key, in the order given: the
/// callers give them sorted as JSONEncoder's `.sortedKeys` sorts them (case-insensitively).
public struct JSONBytes {
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func open() {
        comma()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func close() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    private mutating func comma() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func key(_ k: StaticString) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    public mutating func field(_ k: StaticString, _ v: String) {
        key(k)
        quoted(v)
        needsComma = true
    }

    public mutating func field(_ k: StaticString, _ v: String?) {
        if let v { field(k, v) }
    }

    public mutating func field<I: BinaryInteger>(_ k: StaticString, _ v: I?) {
        guard let v else { return }
        key(k)
        number(v)
        needsComma = true
    }

    /// An integer's decimal digits, without making a String of them (a national report writes
    /// a million numbers).
    private mutating func number<I: BinaryInteger>(_ v: I) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        if m < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(m))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes: more than a 64-bit integer's 20 digits
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while m > 0 {
                buf[23 - n] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                n += 1
            }
            bytes.append(contentsOf: buf[(24 - n)...])
        }
    }

    public mutating func field(_ k: StaticString, _ v: Bool?) {
        guard let v else { return }
        key(k)
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func field(_ k: StaticString, _ v: [String]?) {
        guard let v else { return }
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, s) in v.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            quoted(s)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A value that is already JSON (a stored payload), spliced in as it is.
    public mutating func field(_ k: StaticString, raw: String) {
        key(k)
        bytes.append(contentsOf: raw.utf8)
        needsComma = true
    }

    /// An array element that is already JSON.
    public mutating func raw(_ json: String) {
        bytes.append(contentsOf: json.utf8)
    }

    /// Bytes that are already JSON.
    public mutating func raw<C: Collection<UInt8>>(bytes json: C) {
        bytes.append(contentsOf: json)
    }

    /// An object, as an array element: `body` writes its fields.
    public mutating func object(_ body: (inout JSONBytes) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Lists of integers (`[[1,2],[3]]`) under `k`.
    public mutating func field(_ k: StaticString, ints v: [[Int]]?) {
        guard let v else { return }
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, list) in v.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "["))
            for (j, n) in list.enumerated() {
                if j > 0 { bytes.append(UInt8(ascii: ",")) }
                number(n)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts an array value under `k`; `element` writes each element (an object).
    public mutating func array<T>(_ k: StaticString, _ v: [T]?, element: (inout JSONBytes, T) -> Void) {
        guard let v else { return }
        key(k)
        bytes.append(UInt8(ascii: "["))
        for (i, x) in v.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            needsComma = false
            element(&self, x)
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A JSON string as JSONEncoder writes it: `"` and `\` escaped, control characters as their
    /// short escapes or `\u00XX`, everything else (slashes, non-ASCII) as it is.
    private mutating func quoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escape: copy them whole.
        var s = s
        let plain = s.withUTF8 { buf in
            for b in buf where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: buf)
            return true
        }
        if plain {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension EventBody {
    /// The event's JSON, as published and stored (keys sorted).
    public var json: String {
        var w = JSONBytes()
        w.open()
        w.field("campaign", campaign)
        w.field("due", due)
        w.field("escalation", escalation)
        w.field("id", id)
        w.field("late", late)
        w.field("lead", lead)
        w.field("level", level)
        w.field("member", member)
        w.array("members", members) { w, m in
            w.open()
            w.field("id", m.id)
            w.field("name", m.name)
            w.close()
        }
        w.field("message", message)
        w.field("path", path)
        w.field("reasons", reasons)
        w.field("rule", rule)
        w.field("seq", seq)
        w.field("stage", stage)
        w.field("time", time)
        w.field("to", to)
        w.field("type", type)
        w.field("unit", unit)
        w.close()
        return w.string
    }
}

extension JobPayload {
    /// The payload's JSON, as stored with the job and sent to workers (keys sorted).
    public var json: String {
        var w = JSONBytes()
        w.open()
        w.field("authorName", authorName)
        w.field("campaign", campaign)
        w.field("campaignTitle", campaignTitle)
        w.field("due", due)
        w.field("dueText", dueText)
        w.field("escalation", escalation)
        w.field("event", event)
        w.field("events", events)
        w.array("items", items) { w, p in w.raw(p.json) }
        w.field("key", key)
        w.field("kind", kind.rawValue)
        w.field("late", late)
        w.field("lateMembers", lateMembers)
        w.field("lateText", lateText)
        w.field("leadText", leadText)
        w.field("level", level)
        w.field("link", link)
        w.field("member", member)
        w.field("recipient", recipient)
        w.field("recipientEmail", recipientEmail)
        w.field("recipientName", recipientName)
        w.field("recipientPhone", recipientPhone)
        w.field("stage", stage)
        w.field("stageTitle", stageTitle)
        w.field("text", text)
        w.field("time", time)
        w.field("unit", unit)
        w.field("unitName", unitName)
        w.field("unitPath", unitPath)
        w.close()
        return w.string
    }
}

extension JobsMessage {
    /// The `job` frame for a stored job, its payload spliced in as stored (no decode and
    /// re-encode per job). Equal, as JSON, to encoding the message with the payload decoded.
    public static func jobFrame(job: Int64, key: String, attempt: Int, channel: String, address: String?, payload: String) -> Data {
        var w = JSONBytes(capacity: payload.utf8.count + 160)
        w.open()
        w.field("address", address)
        w.field("attempt", attempt)
        w.field("channel", channel)
        w.field("job", job)
        w.field("key", key)
        w.field("payload", raw: payload)
        w.field("type", MessageType.job.rawValue)
        w.close()
        return Data(w.bytes)
    }
}
