"""Open an HTML page in headless Chromium: what it loaded, what went wrong, a screenshot.

Used by the report tests; also a script that refreshes the screenshot kept in the docs:

    .venv/bin/python tests/browser.py demo-output/report.html docs/images/report.png
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Headless flags for a machine without a display or network (as root: no Chromium sandbox).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--enable-logging=stderr", "--v=0")
TIMEOUT = 60
WINDOW = (1100, 1900)

#: Injected at the top of a copy of the page: records script errors, failed resource loads and
#: console.error calls, then on load writes what it saw into a <pre id="probe"> as JSON.
PROBE = """<script>
window.__probeErrors = [];
window.addEventListener("error", function (e) {
  var t = e.target || {};
  window.__probeErrors.push(t.tagName ? ("failed to load " + t.tagName + " " + String(t.src || t.href).slice(-80))
                                      : String(e.message));
}, true);
var __consoleError = console.error;
console.error = function () { window.__probeErrors.push(Array.prototype.join.call(arguments, " ")); };
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({
    images: imgs.length,
    broken: imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    errors: window.__probeErrors,
    anchors: Array.prototype.map.call(document.querySelectorAll("[id]"), function (n) { return n.id; }),
    title: document.title});
  document.body.appendChild(probe);
});
</script>"""

_PROBE_OUT = re.compile(r'<pre id="probe">(.*?)</pre>', re.S)
_CONSOLE = re.compile(r":(?:ERROR|WARNING|INFO):CONSOLE.*", re.M)


@dataclass
class Rendering:
    """What the page did in the browser."""

    images: int
    broken_images: int
    errors: list[str]           # script errors, failed loads, console.error calls
    console: list[str]          # console lines Chromium logged on stderr
    anchors: list[str]          # every element id in the loaded DOM
    title: str


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(args: list[str], user_dir: str) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise RuntimeError("no Chromium on this machine (Debian: apt-get install chromium)")
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={user_dir}", *args], capture_output=True,
                          text=True, timeout=TIMEOUT)


def render(page: Path) -> Rendering:
    """Load `page` (a copy with the probe injected, next to the original so that relative links
    resolve the same) and report what happened."""
    text = page.read_text(encoding="utf-8")
    head = text.find("<head>")
    probed = text[:head + 6] + PROBE + text[head + 6:] if head >= 0 else PROBE + text
    fd, copy = tempfile.mkstemp(prefix=".probe-", suffix=".html", dir=page.parent)
    with tempfile.TemporaryDirectory(prefix="nnkit-chromium-") as user_dir:
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(probed)
            proc = _run(["--virtual-time-budget=10000", "--dump-dom", Path(copy).as_uri()], user_dir)
        finally:
            Path(copy).unlink(missing_ok=True)
    match = _PROBE_OUT.search(proc.stdout)
    if match is None:
        raise RuntimeError(f"the page did not finish loading (exit {proc.returncode}): {proc.stderr[-2000:]}")
    seen = json.loads(html.unescape(match.group(1)))
    return Rendering(seen["images"], seen["broken"], seen["errors"], _CONSOLE.findall(proc.stderr),
                     seen["anchors"], seen["title"])


def screenshot(page: Path, png: Path, window: tuple[int, int] = WINDOW) -> Path:
    """Save a screenshot of the top `window` pixels of `page` as `png`."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnkit-chromium-") as user_dir:
        proc = _run([f"--window-size={window[0]},{window[1]}", f"--screenshot={png.resolve()}",
                     page.resolve().as_uri()], user_dir)
    if proc.returncode != 0 or not png.is_file():
        raise RuntimeError(f"no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return png


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: browser.py PAGE.html SCREENSHOT.png")
    print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
