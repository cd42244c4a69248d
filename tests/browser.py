"""Debian's Chromium as Playwright drives it, for the docs' browser tests and ``make bench``.

Playwright downloads no browser here: it runs the system's ``/usr/bin/chromium`` (``make test``
installs the Debian package). The flags keep a headless run off the network: without the
background-networking ones Chromium keeps trying Google's hosts, which this machine refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch(playwright: Any) -> Any:
    """A headless Chromium browser (Playwright's ``Browser``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(LAUNCH_ARGS))
