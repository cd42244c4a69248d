"""The HTML docs page in a browser, beside Redoc: ``python tests/bench.py --docs``.

For the seed, Jira (499 operations) and Kubernetes (the corpus' biggest Swagger 2.0 spec), each
page is opened from ``file://`` in headless Chromium (``tests/browser.py``) three times, and the
medians printed of: first contentful paint, largest contentful paint (the browser's "meaningful
paint"), and when the main thread was last busy (the end of the last task over 50 ms, watched
until a second passes without one), plus the page's size and the requests it made beyond the
page itself. Redoc's page for the same spec is built by ``redocly build-docs --inlineBundle``
(``@redocly/cli``, installed into ``.bench/`` with npm on first use) from the document as
stubforge parsed it. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from browser import CHROMIUM, launch

ROOT = Path(__file__).resolve().parent.parent
REDOCLY = "@redocly/cli@2.77.0"
LOADS = 3

#: Watches paints and long tasks from the first byte; ``QUIET`` reads them once settled.
OBSERVE = """
window.__bench = {paint: {}, lcp: null, busy: 0};
new PerformanceObserver(l => { for (const e of l.getEntries()) __bench.paint[e.name] = e.startTime; })
  .observe({type: 'paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) __bench.lcp = e.startTime; })
  .observe({type: 'largest-contentful-paint', buffered: true});
new PerformanceObserver(l => { for (const e of l.getEntries()) __bench.busy = Math.max(__bench.busy, e.startTime + e.duration); })
  .observe({type: 'longtask', buffered: true});
"""
QUIET = """() => new Promise(done => {
  let seen = __bench.busy;
  const tick = () => {
    if (__bench.busy !== seen) { seen = __bench.busy; setTimeout(tick, 1000); return; }
    done({fcp: __bench.paint['first-contentful-paint'] ?? null, lcp: __bench.lcp, busy: __bench.busy});
  };
  setTimeout(tick, 1000);
})"""


def redocly(cache: Path) -> Path | None:
    """The ``redocly`` command, installed into ``cache`` on first use (None: npm failed)."""
    prefix = cache / "redocly"
    command = prefix / "node_modules" / ".bin" / "redocly"
    if not command.is_file():
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), REDOCLY], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"(Redoc left out: npm install {REDOCLY} failed: {done.stderr.strip()[-300:]})")
            return None
    return command


def parsed_document(spec: Path, target: Path) -> Path:
    """The spec as one JSON document, as stubforge reads it (Redoc refuses the seed's YAML quirks)."""
    from stubforge.load import parse_document

    document, _, _ = parse_document(spec.read_bytes(), spec.name)
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def our_page(spec: Path, scratch: Path) -> Path:
    out = scratch / f"ours-{spec.stem}"
    subprocess.run([sys.executable, "-m", "stubforge", "generate", str(spec), "--out", str(out), "-q"], check=True, cwd=ROOT)
    (page,) = out.glob("*/docs/index.html")
    return page


def redoc_page(command: Path, spec: Path, scratch: Path) -> Path | None:
    page = scratch / f"redoc-{spec.stem}.html"
    document = parsed_document(spec, scratch / f"{spec.stem}.json")
    done = subprocess.run([str(command), "build-docs", str(document), "--inlineBundle", "-o", str(page)], capture_output=True, text=True)
    return page if done.returncode == 0 else None


def load_figures(browser: Any, page_file: Path) -> dict[str, float]:
    """Median figures of ``LOADS`` fresh loads of one page."""
    runs: list[dict[str, float]] = []
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        outside: list[str] = []
        page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(("file:", "data:", "blob:")) else None)
        page.add_init_script(OBSERVE)
        page.goto(page_file.as_uri(), wait_until="load", timeout=120_000)
        figures = page.evaluate(QUIET)
        runs.append({**{k: float(v or 0) for k, v in figures.items()}, "requests": float(len(outside))})
        context.close()
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def row(name: str, page: Path | None, figures: dict[str, float] | None) -> str:
    if page is None or figures is None:
        return f"{name:8} {'-':>6} {'-':>6} {'-':>6} {'-':>7} {'-':>8}"
    size = page.stat().st_size / 1e6
    return f"{name:8} {size:6.2f} {figures['fcp']:6.0f} {figures['lcp']:6.0f} {figures['busy']:7.0f} {figures['requests']:8.0f}"


def main(specs: list[Path], cache: Path) -> None:
    if not CHROMIUM.is_file():
        print(f"\ndocs page figures left out: {CHROMIUM} is missing (`make test` installs Debian's chromium)")
        return
    from playwright.sync_api import sync_playwright

    cache.mkdir(exist_ok=True)
    command = redocly(cache)
    print(f"\ndocs page in headless Chromium from file://, median of {LOADS} loads (ms since navigation; busy: end of the last task over 50 ms)")
    print(f"{'spec':24} {'page':8} {'MB':>6} {'FCP':>6} {'LCP':>6} {'busy':>7} {'requests':>8}")
    with tempfile.TemporaryDirectory() as scratch_dir, sync_playwright() as playwright:
        scratch = Path(scratch_dir)
        browser = launch(playwright)
        for spec in specs:
            ours = our_page(spec, scratch)
            print(f"{spec.name[:24]:24} {row('stubforge', ours, load_figures(browser, ours))}", flush=True)
            theirs = redoc_page(command, spec, scratch) if command else None
            print(f"{'':24} {row('Redoc', theirs, load_figures(browser, theirs) if theirs else None)}", flush=True)
        browser.close()
