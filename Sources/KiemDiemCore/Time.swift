import Foundation

/// Durations as written in plans and commands: `90s`, `15m`, `12h`, `7d`.
extension Duration {
    /// The duration in seconds, for what counts time as a Double: `Date`, and the jobs table,
    /// whose instants are wall-clock seconds since 1970.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

public enum DurationText {
    /// Seconds for a duration text, or nil when it is not one.
    public static func seconds(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let unit = t.last, let n = Int64(t.dropLast()), n >= 0, n <= 36_500 * 86_400 else { return nil }
        let factor: Int64
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3600
        case "d": factor = 86_400
        default: return nil
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: factor)
        return overflow ? nil : v
    }

    /// The shortest exact text for a number of seconds (`259200` → `3d`).
    public static func format(_ seconds: Int64) -> String {
        if seconds != 0, seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds != 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds != 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

}

/// ISO 8601 instants. Written by hand (not ISO8601DateFormatter) because it is a non-Sendable
/// class, slow to create, and we format one instant per event on the hot path.
public enum Instant {
    /// Parses `2022-11-01T08:00:00+07:00`, `…Z`, or a date-only `2022-12-21`, which means 00:00 of
    /// that date in `timeZone` (docs/protocol.md: "before that day").
    public static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= s.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                guard s[i] >= 48, s[i] <= 57 else { return nil }
                v = v * 10 + Int(s[i] - 48)
            }
            return v
        }
        guard s.count >= 10, let y = num(0, 4), s[4] == 45, let mo = num(5, 2), s[7] == 45, let d = num(8, 2),
              (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), y >= 1970, y <= 9999 else { return nil }
        let days = daysFromCivil(y, mo, d)
        if s.count == 10 {
            return localMidnight(days: days, timeZone: timeZone)
        }
        guard s.count >= 16, s[10] == 84 || s[10] == 116 || s[10] == 32, let hh = num(11, 2), s[13] == 58, let mm = num(14, 2),
              hh < 24, mm < 60 else { return nil }
        var i = 16
        var ss = 0
        if i < s.count, s[i] == 58 {
            guard let v = num(17, 2), v < 61 else { return nil }
            ss = v
            i = 19
            if i < s.count, s[i] == 46 { // fractional seconds: accepted, truncated
                i += 1
                while i < s.count, s[i] >= 48, s[i] <= 57 { i += 1 }
            }
        }
        guard i < s.count else { return nil } // an offset is required
        var offset = 0
        if s[i] == 90 || s[i] == 122 {
            guard i + 1 == s.count else { return nil }
        } else if s[i] == 43 || s[i] == 45 {
            guard let oh = num(i + 1, 2), oh <= 14 else { return nil }
            var om = 0
            if i + 3 < s.count {
                let j = s[i + 3] == 58 ? i + 4 : i + 3
                guard let v = num(j, 2), v < 60, j + 2 == s.count else { return nil }
                om = v
            } else {
                guard i + 3 == s.count else { return nil }
            }
            offset = (oh * 3600 + om * 60) * (s[i] == 45 ? -1 : 1)
        } else {
            return nil
        }
        let secs = Int64(days) * 86_400 + Int64(hh * 3600 + mm * 60 + ss) - Int64(offset)
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }

    /// Whether `text` is exactly a valid calendar date `YYYY-MM-DD`.
    public static func isDate(_ text: String) -> Bool {
        text.utf8.count == 10 && parse(text, timeZone: TimeZone(secondsFromGMT: 0)!) != nil
    }

    /// `2022-11-25T00:00:00+07:00` in the given zone.
    public static func format(_ date: Date, timeZone: TimeZone) -> String {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        let offset = timeZone.secondsFromGMT(for: date)
        let local = t + Int64(offset)
        let days = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let sod = Int(local - Int64(days) * 86_400)
        let (y, m, d) = civilFromDays(days)
        let sign = offset < 0 ? "-" : "+"
        let ao = abs(offset)
        return "\(pad(y, 4))-\(pad(m))-\(pad(d))T\(pad(sod / 3600)):\(pad(sod % 3600 / 60)):\(pad(sod % 60))\(sign)\(pad(ao / 3600)):\(pad(ao % 3600 / 60))"
    }

    private static func localMidnight(days: Int, timeZone: TimeZone) -> Date {
        var guess = Date(timeIntervalSince1970: TimeInterval(Int64(days) * 86_400))
        // Two passes settle the offset even across a DST change.
        for _ in 0..<2 {
            guess = Date(timeIntervalSince1970: TimeInterval(Int64(days) * 86_400 - Int64(timeZone.secondsFromGMT(for: guess))))
        }
        return guess
    }

    static func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
