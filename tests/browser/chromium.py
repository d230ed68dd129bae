"""The one way this project starts Chromium: Debian's browser, driven by Playwright
(Playwright's own browser download is not used). The browser tests and the
screenshot script both launch it here. ``CHROMIUM`` names the executable (the
Makefile exports it); ``CHROMIUM_PATH`` is still read as an older name."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(
    os.environ.get("CHROMIUM") or os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
)
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class ChromiumMissing(RuntimeError):
    pass


def launch(playwright: Playwright) -> Browser:
    """A headless Chromium; ``ChromiumMissing`` says how to install it when it is not there."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        hint = f" (there is one at {found})" if found else ""
        raise ChromiumMissing(
            f"Chromium is needed, but {CHROMIUM} is missing or not executable. Install "
            f"Debian's package (apt-get install chromium) or set CHROMIUM{hint}."
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
