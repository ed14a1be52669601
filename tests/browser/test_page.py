#!/usr/bin/env python3
"""The committee's page in a real browser: Debian's headless Chromium driven by Selenium,
against the real kiemdiemd, kiemdiemctl and kiemdiem-worker on loopback (ephemeral ports).

Checks what a person sees: the overview's numbers equal `kiemdiemctl report --json`; drilling
down to a late cell shows its late members (from the members file, not from the daemon); an
event fired by `clock set` reaches an open page without a reload; a letter's link acknowledges
its escalation once; a token for one organization sees nothing of another. Screenshots of the
overview and a drill-down at desktop and phone widths are kept in ARTIFACTS.

Usage: BIN=.build/debug python3 tests/browser/test_page.py   (make test runs it)
"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import base64
import email

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BIN", os.path.join(ROOT, ".build/debug"))
ARTIFACTS = os.environ.get("ARTIFACTS", os.path.join(ROOT, ".build/test-artifacts/browser"))
SAMPLES = os.path.join(ROOT, "config/samples")
PLAN = os.path.join(ROOT, "config/plans/2022-annual.yaml")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Daemon:
    """kiemdiemd on a temp dir, started and awaited by its `ready` line."""

    def __init__(self, work):
        self.work = work
        cfg = os.path.join(work, "kiemdiem.yaml")
        with open(cfg, "w") as f:
            f.write(f"""database: {work}/db.sqlite
clock:
  mode: simulated
  start: 2022-11-01T07:00:00+07:00
endpoints:
  control: ipc://{work}/control.sock
  events: tcp://127.0.0.1:*
  jobs: ipc://{work}/jobs.sock
http:
  listen: 127.0.0.1:0
delivery:
  group_wait: 0
""")
        self.proc = subprocess.Popen([os.path.join(BIN, "kiemdiemd"), "--config", cfg], stderr=subprocess.PIPE, text=True)
        self.lines = []
        ready = threading.Event()

        def read():
            for line in self.proc.stderr:
                self.lines.append(line)
                if "ready control=" in line:
                    self.ready_line = line
                    ready.set()
        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(60):
            sys.exit("kiemdiemd did not become ready:\n" + "".join(self.lines))
        self.control = re.search(r"control=(\S+)", self.ready_line).group(1)
        self.http = "http://" + re.search(r"http=(\S+)", self.ready_line).group(1)

    def ctl(self, *args):
        r = subprocess.run([os.path.join(BIN, "kiemdiemctl"), *args, "--endpoint", self.control], capture_output=True, text=True, timeout=300, env=dict(os.environ, KIEMDIEM_CONFIG="/dev/null"))
        if r.returncode != 0:
            sys.exit(f"kiemdiemctl {' '.join(args)} failed: {r.stderr}")
        return r.stdout

    def json(self, *args):
        return json.loads(self.ctl(*args, "--json"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def browser(width, height):
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}", "--lang=vi"):
        o.add_argument(a)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(driver, name):
    """A screenshot of the whole page: the window grows to the document's height for it."""
    w = driver.get_window_size()
    h = driver.execute_script("return document.documentElement.scrollHeight;")
    driver.set_window_size(w["width"], min(max(h + 120, w["height"]), 6000))
    driver.save_screenshot(os.path.join(ARTIFACTS, name))
    driver.set_window_size(w["width"], w["height"])


def token_link(d, unit, role="observer"):
    return [l for l in d.ctl("token", "issue", "--unit", unit, "--role", role).splitlines() if "/t/" in l][0].strip()


def stage_rows(driver):
    # Read in one script: the page may replace its rows at any moment (a live update).
    rows = driver.execute_script("""return Array.from(document.querySelectorAll('#overview tr[data-stage]')).map(function (r) {
        return [r.dataset.stage, +r.dataset.completed, +r.dataset.total, +r.dataset.overdue]; });""")
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def click(driver, css):
    """Clicks the first element matching `css`, again if a live update replaced it meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(20):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            continue
    raise RuntimeError(f"cannot click {css}")


def report_rows(d, unit=None):
    r = d.json("report", *(["--unit", unit] if unit else []))[0]
    return {s["stage"]: (s["completed"], s["total"], s["overdue"]) for s in r["stages"]}


def letters(spool):
    out = []
    new = os.path.join(spool, "new")
    for name in sorted(os.listdir(new)):
        with open(os.path.join(new, name), "rb") as f:
            m = email.message_from_bytes(f.read())
        subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
        out.append(subject + "\n" + m.get_payload(decode=True).decode("utf-8"))
    return out


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kd-browser-")
    d = Daemon(work)
    spool = os.path.join(work, "spool")
    worker = subprocess.Popen([os.path.join(BIN, "kiemdiem-worker"), "--endpoint", f"ipc://{work}/jobs.sock", "--spool", spool,
                               "--templates", os.path.join(ROOT, "config/templates")], stderr=subprocess.DEVNULL)
    drivers = []
    try:
        d.ctl("import", "units", os.path.join(SAMPLES, "units.csv"))
        d.ctl("import", "members", os.path.join(SAMPLES, "members.csv"))
        d.ctl("campaign", "load", PLAN)
        d.ctl("clock", "set", "2022-11-24T08:00:00+07:00")
        units = list(csv.DictReader(open(os.path.join(SAMPLES, "units.csv"), encoding="utf-8")))
        members = list(csv.DictReader(open(os.path.join(SAMPLES, "members.csv"), encoding="utf-8")))

        # The overview, at the bloc, as the standing committee sees it.
        desk = browser(1280, 900)
        drivers.append(desk)
        desk.get(token_link(d, "duk", "committee"))
        check(desk.current_url.rstrip("/") == d.http, f"the token's link signs in and lands on the overview ({desk.current_url})")
        check(stage_rows(desk) == report_rows(d), "the overview's done / total / overdue per stage equal `report --json`")
        check(desk.find_element(By.CSS_SELECTOR, "svg.timeline line.now") is not None, "the timeline marks now")
        desk.save_screenshot(os.path.join(ARTIFACTS, "overview-desktop-top.png"))  # the first screen, for README
        shot(desk, "overview-desktop.png")

        # Live: an overdue event fired by `clock set` reaches the open page without a reload.
        desk.execute_script("window.__kept = 'no reload';")
        WebDriverWait(desk, 10).until(lambda x: "on" in (x.find_element(By.ID, "live").get_attribute("class") or ""))
        before = stage_rows(desk)["self-review"][2]
        d.ctl("clock", "set", "2022-11-26T08:00:00+07:00")  # self-review was due on the 25th
        fired = time.monotonic()
        WebDriverWait(desk, 10, poll_frequency=0.02).until(lambda x: stage_rows(x)["self-review"][2] > before)
        latency = time.monotonic() - fired
        print(f"     the page showed the overdue members {latency * 1000:.0f} ms after `clock set` returned", flush=True)
        check(latency <= 1.0, f"the overdue event appears on the open page within 1 s ({latency:.2f} s)")
        check(desk.execute_script("return window.__kept;") == "no reload", "the page updated in place, without a reload")
        check(stage_rows(desk) == report_rows(d), "after the event the page still equals `report --json`")

        # Drill down: the bloc → a grassroots organization → a late cell, whose late members the
        # members file names (all of them: nobody has finished).
        org = "vp-tinh-uy"
        click(desk, f'tr[data-unit="{org}"] a')
        WebDriverWait(desk, 10).until(lambda x: x.current_url.endswith(f"/u/{org}"))
        check(stage_rows(desk) == report_rows(d, org), "the organization's page equals `report --unit`")
        children = desk.execute_script("""return Array.from(document.querySelectorAll('#children tbody tr')).map(function (r) {
            return [r.dataset.unit, r.classList.contains('is-late'), getComputedStyle(r.querySelector('th')).color]; });""")
        late = [c for c in children if c[1]]
        check(len(late) > 0 and children[: len(late)] == late, "late units come first")
        check(late[0][2] == "rgb(179, 38, 30)", f"and are red ({late[0][2]})")
        cell = late[0][0]
        bars = desk.execute_script("""return Array.from(document.querySelectorAll('tr[data-unit="' + arguments[0] + '"] span.stage-bar')).map(function (b) {
            return [b.dataset.stage, +b.dataset.completed, +b.dataset.total, +b.dataset.overdue]; });""", cell)
        own = {k: v for k, v in report_rows(d, cell).items() if v[1] > 0}
        check({b[0]: (b[1], b[2], b[3]) for b in bars} == own and len(own) > 0, f"{cell}'s bar per stage equals `report --unit {cell}`")
        click(desk, f'tr[data-unit="{cell}"] a')
        WebDriverWait(desk, 10).until(lambda x: x.current_url.endswith(f"/u/{cell}"))
        shown = sorted(li.text for li in desk.find_elements(By.CSS_SELECTOR, 'ul.members[data-stage="self-review"] li'))
        expected = sorted(m["name"] for m in members if m["unit"] == cell)
        check(shown == expected and len(shown) > 0, f"the late cell {cell} lists its {len(expected)} late members")
        shot(desk, "drilldown-desktop.png")

        # The same pages on a phone.
        phone = browser(390, 844)
        drivers.append(phone)
        phone.get(token_link(d, "duk"))
        overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        check(overflow <= 1, f"the overview fits a phone's width (overflow {overflow} px)")
        shot(phone, "overview-phone.png")
        phone.get(f"{d.http}/u/{cell}")
        shot(phone, "drilldown-phone.png")

        # The report to attach: one file, drawn the same way offline.
        report_file = os.path.join(ARTIFACTS, "bao-cao.html")
        d.ctl("report", "--format", "html", "--out", report_file, "--unit", org)
        phone.get("file://" + report_file)
        check(stage_rows(phone) == report_rows(d, org), "the report file's figures equal `report --unit`")
        check(phone.execute_script("return getComputedStyle(document.querySelector('svg.bar rect.late')).fill") == "rgb(179, 38, 30)",
              "and it is styled from inside the file")
        shot(phone, "report-file-phone.png")

        # One organization's token sees nothing of another, also by guessing addresses.
        other = next(u["id"] for u in units if u["kind"] == "grassroots-committee" and u["id"] != org)
        phone.delete_all_cookies()
        phone.get(token_link(d, org))
        phone.get(f"{d.http}/u/{other}")
        body = phone.find_element(By.TAG_NAME, "body").text
        other_name = next(u["name"] for u in units if u["id"] == other)
        check("Không được phép" in body and other_name not in body, f"a token for {org} cannot open {other}")
        phone.get(f"{d.http}/search?q={other}")
        check(not phone.find_elements(By.CSS_SELECTOR, f'main a[href="/u/{other}"]') and "Không tìm thấy" in phone.find_element(By.TAG_NAME, "main").text,
              "nor find it by searching")

        # A letter's link: the escalation to an upper committee is acknowledged once.
        d.ctl("clock", "set", "2022-11-29T08:00:00+07:00")
        deadline = time.monotonic() + 120
        found = []
        while time.monotonic() < deadline and not found:
            jobs = d.json("jobs", "--limit", "1")["counts"]
            if jobs.get("pending", 0) + jobs.get("leased", 0) == 0:
                found = [l for l in letters(spool) if "/a/ack." in l and "Báo cáo chậm tiến độ" in l]
            else:
                time.sleep(0.2)  # polling the daemon's job counts, not waiting for a process
        check(bool(found), "an escalation letter in the spool carries a link")
        link = re.search(r"(http://\S+/a/ack\.\S+)", found[0]).group(1)
        check("kiemdiemctl" not in found[0], "the letter asks nothing a committee cannot do")
        escalation = int(link.split("/a/")[1].split(".")[1])
        page = browser(1280, 900)
        drivers.append(page)
        page.get(link)
        page.find_element(By.ID, "ack").click()
        WebDriverWait(page, 10).until(lambda x: x.find_elements(By.ID, "ack-result"))
        check("Đã ghi nhận" in page.find_element(By.ID, "ack-result").text, "pressing Đã nhận acknowledges the escalation")
        page.save_screenshot(os.path.join(ARTIFACTS, "acknowledged.png"))
        acks = [e for e in d.json("events", "--since", "0", "--topic", "escalation.acknowledged/")]
        check(len(acks) == 1, "one escalation.acknowledged event")
        audit = [a for a in d.json("audit") if a["command"] == "ack"]
        check(len(audit) == 1 and "Đảng ủy" in audit[0]["actor"] and audit[0]["role"] == "committee",
              f"the audit names the recipient committee ({audit[0]['actor'] if audit else '-'})")
        # The ladder stops: no escalation step for this one after the acknowledgement.
        page.get(link)
        check(not page.find_elements(By.ID, "ack") and "đã được tiếp nhận" in page.find_element(By.ID, "case").text, "a second visit offers nothing to press")
        body = ""
        altered = link[:-1] + ("0" if link[-1] != "0" else "1")
        page.get(altered)
        body = page.find_element(By.TAG_NAME, "body").text
        check("không hợp lệ" in body, "an altered link is refused")
        check(len(d.json("events", "--since", "0", "--topic", "escalation.acknowledged/")) == 1, "and changes nothing")
        d.ctl("clock", "set", "2022-12-05T08:00:00+07:00")
        later = [e for e in d.json("events", "--since", "0", "--topic", "escalation.raised/") if e.get("body", e).get("escalation") == escalation]
        times = sorted(e.get("body", e)["time"] for e in later)
        ack_time = acks[0].get("body", acks[0])["time"]
        check(all(t <= ack_time for t in times), "the ladder stopped for the acknowledged escalation")
    finally:
        for drv in drivers:
            drv.quit()
        worker.terminate()
        worker.wait(30)
        d.stop()
    print(f"screenshots: {ARTIFACTS}")
    if failures:
        sys.exit(f"{len(failures)} browser check(s) failed")
    print("browser tests passed")


if __name__ == "__main__":
    main()
