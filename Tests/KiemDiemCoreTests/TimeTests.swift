import Foundation
import Testing
@testable import KiemDiemCore

let hcm = TimeZone(identifier: "Asia/Ho_Chi_Minh")!

@Suite(.timeLimit(.minutes(5))) struct DurationTextTests {
    @Test(arguments: [("90s", Int64(90)), ("15m", 900), ("12h", 43_200), ("7d", 604_800), ("0d", 0)])
    func parses(_ text: String, _ seconds: Int64) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "7", "d", "7w", "-1d", "1.5h", "99999999999999d", "7 d"])
    func rejects(_ text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func formatsShortest() {
        #expect(DurationText.format(259_200) == "3d")
        #expect(DurationText.format(7200) == "2h")
        #expect(DurationText.format(90) == "90s")
        #expect(DurationText.vietnamese(3 * 86_400 + 4 * 3600) == "3 ngày 4 giờ")
    }
}

@Suite(.timeLimit(.minutes(5))) struct InstantTests {
    @Test func dateOnlyIsMidnightInTheCampaignZone() {
        // docs/protocol.md: "due: 2022-12-21 means before that day: 00:00 of that date in the campaign's time zone".
        let d = Instant.parse("2022-12-21", timeZone: hcm)!
        #expect(d.timeIntervalSince1970 == 1_671_555_600) // 2022-12-20T17:00:00Z
        #expect(Instant.format(d, timeZone: hcm) == "2022-12-21T00:00:00+07:00")
    }

    @Test(arguments: [
        ("2022-11-01T08:00:00+07:00", 1_667_264_400.0),
        ("2022-11-01T01:00:00Z", 1_667_264_400.0),
        ("2022-11-01T08:00+07:00", 1_667_264_400.0),
        ("2022-11-01T08:00:00.250+0700", 1_667_264_400.0),
        ("2022-11-01T03:00:00-05:00", 1_667_289_600.0),
    ])
    func parsesInstants(_ text: String, _ epoch: Double) {
        #expect(Instant.parse(text, timeZone: hcm)?.timeIntervalSince1970 == epoch)
    }

    @Test(arguments: ["2022-11-01T08:00:00", "2022-13-01", "2022-02-30", "22-11-01", "2022-11-01T25:00:00Z", "2022-11-01X", "", "2022-11-01T08:00:00+07:00junk"])
    func rejectsMalformed(_ text: String) {
        #expect(Instant.parse(text, timeZone: hcm) == nil)
    }

    @Test func roundTripsAcrossYears() {
        for epoch in stride(from: 0.0, to: 4_000_000_000, by: 86_400 * 37 + 3_601) {
            let d = Date(timeIntervalSince1970: epoch)
            #expect(Instant.parse(Instant.format(d, timeZone: hcm), timeZone: hcm) == d)
        }
    }

    @Test func vietnameseDeadline() {
        #expect(Instant.vietnameseDeadline(Instant.parse("2022-11-25", timeZone: hcm)!, timeZone: hcm) == "trước ngày 25/11/2022")
    }
}
