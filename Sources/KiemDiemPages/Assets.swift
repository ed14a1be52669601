import Foundation

/// The page's stylesheet and script, as text: served by the daemon, and the stylesheet put
/// inside a report file.
public enum PageAssets {
    public static let css = """
    :root { --ok: #1f7a3a; --late: #b3261e; --rest: #d9dde3; --ink: #1b1f24; --muted: #5b6470; --line: #e3e6ea; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: #f6f7f9; }
    header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 16px; }
    header { padding-top: 16px; }
    h1 { font-size: 1.5rem; margin: 0 0 4px; }
    h2 { font-size: 1.15rem; margin: 0 0 8px; }
    h3 { font-size: 1rem; margin: 12px 0 6px; }
    .sub, footer, small { color: var(--muted); }
    footer { padding: 24px 16px; font-size: .85rem; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
    td.num { text-align: right; white-space: nowrap; }
    tr.is-late th, tr.is-late td, h3.late { color: var(--late); }
    tr.is-late .late-count { font-weight: 700; }
    a { color: #0b57d0; }
    .trail { margin: 8px 0; font-size: .95rem; }
    svg.bar { display: block; width: 200px; max-width: 40vw; height: 12px; }
    .stage-bars { display: flex; flex-direction: column; gap: 2px; margin-top: 4px; }
    svg.bar.thin { height: 5px; }
    svg.bar .rest { fill: var(--rest); } svg.bar .done { fill: var(--ok); } svg.bar .late { fill: var(--late); }
    svg.timeline { width: 100%; height: auto; }
    svg.timeline rect.open { fill: #8fb3e8; } svg.timeline rect.done { fill: var(--ok); } svg.timeline rect.late { fill: var(--late); }
    svg.timeline line.now { stroke: var(--ink); stroke-width: 2; stroke-dasharray: 4 3; }
    svg.timeline text.now { font-size: 12px; fill: var(--ink); }
    ul.members { columns: 2; }
    .live { font-size: .9rem; color: var(--muted); }
    .live.on::before { content: "● "; color: var(--ok); }
    .live.off::before { content: "● "; color: var(--late); }
    .notice { padding: 8px 12px; background: #fff4e5; border-radius: 6px; }
    .notice.ok { background: #e6f4ea; }
    form.search { margin: 8px 0; }
    input, select, button { font: inherit; padding: 6px 10px; }
    button { background: #0b57d0; color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
    @media (max-width: 640px) {
      body { font-size: 15px; }
      header, main, footer { padding: 0 8px; }
      section { padding: 8px; }
      th, td { padding: 4px; }
      ul.members { columns: 1; }
      /* The progress tables become one card per row: the name, the bar, then labelled figures. */
      table.stages thead, table.children thead { display: none; }
      table.stages tr, table.children tr { display: flex; flex-wrap: wrap; gap: 2px 12px; padding: 8px 0; border-bottom: 1px solid var(--line); }
      table.stages th, table.stages td, table.children th, table.children td { border: 0; padding: 0; text-align: left; }
      table.stages th[scope=row], table.children th[scope=row], td.bar-cell { flex: 1 1 100%; }
      svg.bar { width: 100%; max-width: none; }
      td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 400; }
    }
    """

    public static let js = """
    "use strict";
    (function () {
      var main = document.querySelector("main[data-live]");
      var live = document.getElementById("live");
      if (!main || !window.EventSource || !window.fetch) { return; }
      var source = new EventSource("/events");
      var timer = null;
      function refresh() {
        timer = null;
        var url = location.pathname + (location.search ? location.search + "&" : "?") + "partial=1";
        fetch(url, { credentials: "same-origin" }).then(function (r) {
          return r.ok ? r.text() : null;
        }).then(function (html) {
          if (html !== null) { main.innerHTML = html; document.body.setAttribute("data-refreshed", String(Date.now())); }
        });
      }
      source.onopen = function () { if (live) { live.className = "live on"; live.textContent = "Đang cập nhật trực tiếp."; } };
      source.onerror = function () { if (live) { live.className = "live off"; live.textContent = "Mất kết nối, đang kết nối lại…"; } };
      source.onmessage = function (e) {
        document.body.setAttribute("data-last-event", e.lastEventId);
        try {
          var body = JSON.parse(e.data);
          if (live && body.message) { live.className = "live on"; live.textContent = "Mới: " + body.message; }
        } catch (ignored) {}
        if (!timer) { timer = setTimeout(refresh, 150); }
      };
    })();
    """

    /// For a printed report: no search, no live line, tables kept whole on a page.
    public static let printCSS = """

    @media print { body { background: #fff; } section { break-inside: avoid; border: 0; } a { color: inherit; text-decoration: none; } }
    """
}
