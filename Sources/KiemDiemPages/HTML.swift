import Foundation
import KiemDiemCore
import KiemDiemWire

/// The page's HTML, written as strings: a few small server-rendered pages need no template
/// engine, and every value passes through `esc`. Readable without JavaScript; the script only
/// refreshes `<main>` when an event arrives. No inline script or style (the CSP forbids them):
/// bars and the timeline are SVG shapes whose sizes are attributes.
public enum HTML {
    public static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// "2022-11-25T00:00:00+07:00" → "25/11/2022 00:00" (in the plan's zone, as given).
    public static func when(_ instant: String) -> String {
        let s = Array(instant)
        guard s.count >= 16 else { return instant }
        return "\(String(s[8..<10]))/\(String(s[5..<7]))/\(String(s[0..<4])) \(String(s[11..<16]))"
    }

    static func date(_ instant: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: instant)
    }

    /// The whole document around `main`; `live` lets the script follow events.
    /// With `inlineStyle` the stylesheet is in the file and there is no script: a report to attach.
    public static func document(title: String, heading: String, sub: String, main: String, live: Bool, search: Bool, inlineStyle: String? = nil) -> String {
        """
        <!DOCTYPE html>
        <html lang="vi">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        \(inlineStyle.map { "<style>\n\($0)\n</style>" } ?? "<link rel=\"stylesheet\" href=\"/static/app.css\">\n<script src=\"/static/app.js\" defer></script>")
        </head>
        <body>
        <header>
        <h1>\(esc(heading))</h1>
        <p class="sub">\(esc(sub))</p>
        \(search ? "<form class=\"search\" action=\"/search\" method=\"get\" role=\"search\"><label for=\"q\">Tìm đơn vị</label> <input id=\"q\" name=\"q\" type=\"search\" placeholder=\"Tên hoặc mã đơn vị\" maxlength=\"100\"> <button type=\"submit\">Tìm</button></form>" : "")
        \(live ? "<p id=\"live\" class=\"live\" aria-live=\"polite\">Trang cập nhật trực tiếp khi có sự kiện mới.</p>" : "")
        </header>
        <main\(live ? " data-live=\"1\"" : "")>
        \(main)
        </main>
        <footer>kiemdiem — trang theo dõi kiểm điểm, đánh giá, xếp loại</footer>
        </body>
        </html>
        """
    }

    public static func message(title: String, text: String, status: String = "") -> String {
        document(title: title, heading: title, sub: status, main: "<section><p>\(esc(text))</p></section>", live: false, search: false)
    }

    /// A bar of `total` in three parts: completed (green), overdue (red), the rest (grey).
    static func bar(completed: Int, overdue: Int, total: Int, label: String, thin: Bool = false) -> String {
        let w = 200.0
        let h = thin ? 5 : 12
        let t = Double(max(total, 1))
        let done = (w * Double(completed) / t).rounded()
        let late = (w * Double(min(overdue, max(0, total - completed))) / t).rounded()
        return """
        <svg class="bar\(thin ? " thin" : "")" viewBox="0 0 200 \(h)" width="200" height="\(h)" role="img" aria-label="\(esc(label))">\
        <rect class="rest" x="0" y="0" width="200" height="\(h)"></rect>\
        <rect class="done" x="0" y="0" width="\(Int(done))" height="\(h)"></rect>\
        <rect class="late" x="\(Int(done))" y="0" width="\(Int(late))" height="\(h)"></rect></svg>
        """
    }

    static func percent(_ a: Int, _ b: Int) -> String {
        b == 0 ? "—" : "\(Int((100.0 * Double(a) / Double(b)).rounded()))%"
    }
}

/// The unit page: overview at the token's unit, drill-down below it.
public struct UnitPage {
    public let v: ViewResult
    /// A committee's token may mark units done.
    public let canAct: Bool
    /// Links to other units (false on a page opened from a letter's link, or in a file).
    public let navigable: Bool

    public init(v: ViewResult, canAct: Bool, navigable: Bool) {
        self.v = v
        self.canAct = canAct
        self.navigable = navigable
    }

    public var title: String { "\(v.report.name) — \(v.campaignTitle)" }
    public var sub: String {
        let clock = v.simulatedClock ? " (đồng hồ mô phỏng)" : ""
        return "Thời điểm: \(HTML.when(v.report.asOf))\(clock) · \(UnitKind(rawValue: v.kind)?.vietnamese ?? v.kind)"
    }

    public func document() -> String {
        HTML.document(title: title, heading: v.report.name, sub: "\(v.campaignTitle) · \(sub)", main: main(), live: navigable, search: navigable)
    }

    /// One self-contained file (`kiemdiemctl report --format html`): the same overview, its
    /// stylesheet inside, no script, no link that needs the daemon; for email or print.
    public func standalone(generated: String) -> String {
        HTML.document(title: "Báo cáo tiến độ — \(title)", heading: "Báo cáo tiến độ: \(v.report.name)",
                      sub: "\(v.campaignTitle) · \(sub) · lập lúc \(generated)", main: main(), live: false, search: false,
                      inlineStyle: PageAssets.css + PageAssets.printCSS)
    }

    public func main() -> String {
        var out = ""
        if navigable, v.trail.count > 1 {
            out += "<nav class=\"trail\" aria-label=\"Cấp trên\">"
            out += v.trail.dropLast().map { "<a href=\"/u/\(HTML.esc($0.id))\">\(HTML.esc($0.name))</a>" }.joined(separator: " › ")
            out += " › <span>\(HTML.esc(v.report.name))</span></nav>"
        }
        out += stages()
        if canAct { out += doneForm() }
        out += timeline()
        out += members()
        out += children()
        out += escalations()
        out += flags()
        out += ratings()
        return out
    }

    func stages() -> String {
        var rows = ""
        for s in v.report.stages {
            let whom = s.scope == "members" ? "đảng viên" : "tổ chức"
            rows += """
            <tr id="stage-\(HTML.esc(s.stage))" class="\(s.overdue > 0 ? "is-late" : "")" data-stage="\(HTML.esc(s.stage))" data-completed="\(s.completed)" data-total="\(s.total)" data-overdue="\(s.overdue)">
            <th scope="row">\(HTML.esc(s.title))</th>
            <td class="bar-cell">\(HTML.bar(completed: s.completed, overdue: s.overdue, total: s.total, label: "\(s.completed)/\(s.total) hoàn thành, \(s.overdue) quá hạn"))</td>
            <td class="num" data-label="Đã hoàn thành">\(s.total == 0 ? "không áp dụng" : "\(s.completed)/\(s.total) \(whom) (\(HTML.percent(s.completed, s.total)))")</td>
            <td class="num late-count" data-label="Quá hạn">\(s.overdue)</td>
            <td data-label="Hạn">\(HTML.esc(ReportText.deadline(s.due)))</td>
            </tr>
            """
        }
        return """
        <section id="overview"><h2>Tiến độ theo nội dung</h2>
        <table class="stages"><thead><tr><th>Nội dung</th><th>Tiến độ</th><th>Đã hoàn thành</th><th>Quá hạn</th><th>Hạn</th></tr></thead>
        <tbody>\(rows)</tbody></table></section>
        """
    }

    /// The plan's stages on one axis, "now" marked; the next deadlines listed beside it.
    func timeline() -> String {
        let spans = v.report.stages.compactMap { s -> (StageProgress, Date, Date)? in
            guard let a = HTML.date(s.opens), let b = HTML.date(s.due) else { return nil }
            return (s, a, b)
        }
        guard let first = spans.map(\.1).min(), let last = spans.map(\.2).max(), last > first, let now = HTML.date(v.report.asOf) else { return "" }
        let width = 600.0, row = 18.0, left = 0.0
        let span = last.timeIntervalSince(first)
        func x(_ d: Date) -> Double { left + width * min(1, max(0, d.timeIntervalSince(first) / span)) }
        var svg = "<svg class=\"timeline\" viewBox=\"0 0 600 \(Int(row * Double(spans.count) + 24))\" role=\"img\" aria-label=\"Lịch trình kế hoạch\">"
        for (i, (s, a, b)) in spans.enumerated() {
            let y = Double(i) * row + 4
            let cls = s.overdue > 0 ? "late" : (s.completed == s.total && s.total > 0 ? "done" : "open")
            svg += "<rect class=\"\(cls)\" x=\"\(Int(x(a)))\" y=\"\(Int(y))\" width=\"\(max(2, Int(x(b) - x(a))))\" height=\"12\"><title>\(HTML.esc(s.title)): từ \(HTML.when(s.opens)), hạn \(HTML.esc(ReportText.deadline(s.due)))</title></rect>"
        }
        let nx = Int(x(now))
        svg += "<line class=\"now\" x1=\"\(nx)\" x2=\"\(nx)\" y1=\"0\" y2=\"\(Int(row * Double(spans.count) + 8))\"></line>"
        svg += "<text class=\"now\" x=\"\(min(nx + 3, 560))\" y=\"\(Int(row * Double(spans.count) + 20))\">Hiện tại</text></svg>"
        let next = v.report.stages.filter { (HTML.date($0.due) ?? .distantPast) > now }.sorted { $0.due < $1.due }.prefix(3)
        let list = next.map { "<li>\(HTML.esc($0.title)): hạn \(HTML.esc(ReportText.deadline($0.due)))</li>" }.joined()
        return "<section id=\"timeline\"><h2>Lịch trình</h2>\(svg)" + (list.isEmpty ? "" : "<h3>Hạn sắp tới</h3><ul>\(list)</ul>") + "</section>"
    }

    func members() -> String {
        guard !v.members.isEmpty else { return "" }
        var out = "<section id=\"members\"><h2>Đảng viên chưa hoàn thành</h2>"
        for s in v.members {
            out += "<h3 class=\"\(s.late && !s.members.isEmpty ? "late" : "")\">\(HTML.esc(s.title)) — hạn \(HTML.esc(ReportText.deadline(s.due)))\(s.late && !s.members.isEmpty ? " (quá hạn)" : "")</h3>"
            out += s.members.isEmpty ? "<p>Tất cả đã hoàn thành.</p>"
                : "<ul class=\"members\" data-stage=\"\(HTML.esc(s.stage))\">" + s.members.map { "<li data-member=\"\(HTML.esc($0.id))\">\(HTML.esc($0.name))</li>" }.joined() + "</ul>"
        }
        return out + "</section>"
    }

    func escalations() -> String {
        guard !v.escalations.isEmpty else { return "" }
        let rows = v.escalations.map { e in
            "<tr data-escalation=\"\(e.id)\"><td>\(HTML.esc(e.unitName))</td><td>\(HTML.esc(e.stageTitle))</td><td>\(HTML.esc(ReportText.deadline(e.due)))</td><td>\(HTML.esc(e.targetName))</td><td>\(HTML.when(e.raised))</td></tr>"
        }.joined()
        // A long list is folded (readable without JavaScript: <details>), its count in view.
        return """
        <section id="escalations"><h2>Báo cáo chậm tiến độ chưa được tiếp nhận (\(v.escalations.count))</h2>
        <details\(v.escalations.count <= 10 ? " open" : "")><summary>Danh sách</summary>
        <table><thead><tr><th>Đơn vị</th><th>Nội dung</th><th>Hạn</th><th>Gửi cấp ủy</th><th>Lúc</th></tr></thead><tbody>\(rows)</tbody></table></details></section>
        """
    }

    func flags() -> String {
        guard let flags = v.report.flags, !flags.isEmpty else { return "" }
        let rows = flags.map { f in
            let reasons = f.reasons.map { FlagReason(rawValue: $0)?.vietnamese ?? $0 }.joined(separator: ", ")
            return "<tr><td>\(HTML.esc(v.report.names?[f.unit] ?? f.unit))</td><td>\(HTML.esc(reasons))</td><td>\(ReportText.confirmed(f.confirmed))</td><td>\(HTML.esc(ReportText.deadline(f.reviewDue)))</td><td>\(ReportText.held(f.reviewHeld))</td></tr>"
        }.joined()
        return "<section id=\"flags\"><h2>\(ReportText.flagsHeading)</h2><table><thead><tr>"
            + ReportText.flagColumns.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>\(rows)</tbody></table>"
            + (v.report.openRemediation.map { "<p>\(ReportText.remediation(open: $0, overdue: v.report.overdueRemediation ?? 0))</p>" } ?? "") + "</section>"
    }

    func children() -> String {
        guard let children = v.report.children, !children.isEmpty else { return "" }
        // Late first, then by completion; at most 500 rows (the search box finds the others).
        let sorted = children.sorted { a, b in
            if (a.overdue > 0) != (b.overdue > 0) { return a.overdue > 0 }
            if a.overdue != b.overdue { return a.overdue > b.overdue }
            let ra = Double(a.completed) / Double(max(a.total, 1)), rb = Double(b.completed) / Double(max(b.total, 1))
            return ra != rb ? ra < rb : a.name < b.name
        }
        var rows = ""
        for c in sorted.prefix(500) {
            let name = navigable ? "<a href=\"/u/\(HTML.esc(c.unit))\">\(HTML.esc(c.name))</a>" : HTML.esc(c.name)
            rows += """
            <tr class="\(c.overdue > 0 ? "is-late" : "")" data-unit="\(HTML.esc(c.unit))" data-overdue="\(c.overdue)">
            <th scope="row">\(name)<br><small>\(HTML.esc(UnitKind(rawValue: c.kind)?.vietnamese ?? c.kind))</small></th>
            <td class="bar-cell">\(HTML.bar(completed: c.completed, overdue: c.overdue, total: c.total, label: "\(c.completed)/\(c.total)"))\(stageBars(c))</td>
            <td class="num" data-label="Đã hoàn thành">\(c.completed)/\(c.total)</td><td class="num late-count" data-label="Quá hạn">\(c.overdue)</td><td class="num" data-label="Dấu hiệu">\(c.flags)</td>
            </tr>
            """
        }
        let more = children.count > 500 ? "<p>Hiển thị 500 trong \(children.count) đơn vị; dùng ô tìm kiếm để mở đơn vị khác.</p>" : ""
        return """
        <section id="children"><h2>\(ReportText.childrenHeading) (\(children.count))</h2>
        <table class="children"><thead><tr><th>Đơn vị</th><th>Tiến độ</th><th>Đã hoàn thành</th><th>Quá hạn</th><th>Dấu hiệu</th></tr></thead>
        <tbody>\(rows)</tbody></table>\(more)</section>
        """
    }

    /// A thin bar per stage that applies to the child (its total is not zero), titled.
    func stageBars(_ c: ChildReport) -> String {
        guard let per = c.stages, per.count == v.report.stages.count else { return "" }
        var out = "<div class=\"stage-bars\">"
        for (s, f) in zip(v.report.stages, per) where f.count == 3 && f[1] > 0 {
            let label = "\(s.title): \(f[0])/\(f[1]) hoàn thành, \(f[2]) quá hạn"
            out += "<span class=\"stage-bar\" data-stage=\"\(HTML.esc(s.stage))\" data-completed=\"\(f[0])\" data-total=\"\(f[1])\" data-overdue=\"\(f[2])\" title=\"\(HTML.esc(label))\">"
                + HTML.bar(completed: f[0], overdue: f[2], total: f[1], label: label, thin: true) + "</span>"
        }
        return out + "</div>"
    }

    /// A committee marks this unit done for a stage of its kind (the same as `kiemdiemctl done`).
    func doneForm() -> String {
        let stages = v.report.stages.filter { $0.scope != "members" && $0.scope.split(separator: ",").contains(Substring(v.kind)) }
        guard !stages.isEmpty else { return "" }
        let options = stages.map { "<option value=\"\(HTML.esc($0.stage))\">\(HTML.esc($0.title))</option>" }.joined()
        return """
        <section id="act"><h2>Ghi nhận hoàn thành</h2>
        <form method="post" action="/u/\(HTML.esc(v.report.unit))/done"><label for="stage">\(HTML.esc(v.report.name)) đã hoàn thành nội dung</label>
        <select id="stage" name="stage">\(options)</select> <button type="submit">Ghi nhận</button></form></section>
        """
    }

    /// Findings of rating files the daemon refused: what to correct before sending again.
    func rejected() -> String {
        guard let list = v.rejected, !list.isEmpty else { return "" }
        let items = list.map { "<li data-rule=\"\(HTML.esc($0.rule))\"><small>\(HTML.when($0.time)) · \(HTML.esc(v.report.names?[$0.unit] ?? $0.unit))</small><br>\(HTML.esc($0.message))</li>" }.joined()
        return "<h3>Kết quả xếp loại bị từ chối: các phát hiện cần sửa (\(list.count) gần nhất)</h3><ul class=\"rejected\">\(items)</ul>"
    }

    func ratings() -> String {
        guard let r = v.report.ratings, !(r.members.isEmpty && r.units.isEmpty && r.quota.isEmpty) else {
            let rej = rejected()
            return rej.isEmpty ? "" : "<section id=\"ratings\"><h2>\(ReportText.ratingsHeading)</h2>\(rej)</section>"
        }
        let levels = ["excellent", "good", "completed", "failed"]
        func row(_ label: String, _ m: [String: Int]) -> String {
            "<tr><th scope=\"row\">\(label)</th>" + levels.map { "<td class=\"num\">\(m[$0] ?? 0)</td>" }.joined() + "</tr>"
        }
        var out = "<section id=\"ratings\"><h2>\(ReportText.ratingsHeading)</h2><table><thead><tr>"
            + ReportText.levelColumns.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
            + row(ReportText.memberRow, r.members) + row(ReportText.unitRow, r.units) + "</tbody></table>"
        if !r.quota.isEmpty {
            out += "<h3>\(ReportText.quotaHeading)</h3><table><thead><tr><th>Tổ chức cơ sở đảng</th><th>HTXSNV</th><th>HTTNV</th><th>\(HTML.esc(ReportText.quotaCap(share: v.report.quotaShare)))</th></tr></thead><tbody>"
            for q in r.quota {
                out += "<tr class=\"\(q.excellent > q.allowed ? "is-late" : "")\"><td>\(HTML.esc(v.report.names?[q.unit] ?? q.unit))</td><td class=\"num\">\(q.excellent)</td><td class=\"num\">\(q.good)</td><td class=\"num\">\(q.allowed)</td></tr>"
            }
            out += "</tbody></table>"
        }
        if let conflicts = v.report.conflicts, !conflicts.isEmpty {
            out += "<h3>\(ReportText.conflictsHeading)</h3><ul>" + conflicts.map { "<li>\(HTML.esc($0.message))</li>" }.joined() + "</ul>"
        }
        return out + rejected() + "</section>"
    }
}
