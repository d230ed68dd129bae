"""Screenshots of the key pages at phone and desktop size: ``make screenshots``.

Starts the site with demo data on a temporary SQLite file under gunicorn and drives
Debian's Chromium with Playwright. Writes docs/screenshots/<page>-<size>.png.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.chromium import launch  # noqa: E402
from tests.server import LiveServer  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PASSWORD = "Demo-Passwort-fuer-Bilder"


def prepare(url: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLASK_APP": "wsgi",
        "FLASK_DEBUG": "1",
        "MAIL_FOLDER": tempfile.mkdtemp(prefix="shots-mail-"),
    }
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [str(BIN / "flask"), *args], check=True, env=env, cwd=ROOT, capture_output=True
        )
    out = subprocess.run(
        [
            str(BIN / "flask"),
            "create-user",
            "--role",
            "contact",
            "--email",
            "kontakt@demo.example",
            "--council",
            "Dortmund",
        ],
        check=True,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    return re.search(r"/manage/einladung/(\S+)", out).group(1)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    database = f"sqlite:///{tempfile.mkdtemp(prefix='shots-')}/demo.sqlite"
    token = prepare(database)
    with LiveServer(database, workers=2, threads=2) as server, sync_playwright() as p:
        browser = launch(p)
        base = server.url
        setup = browser.new_page()
        setup.goto(f"{base}/manage/einladung/{token}")
        setup.fill("#password", PASSWORD)
        setup.fill("#confirm", PASSWORD)
        setup.click("button[type=submit]")
        setup.close()
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, device_scale_factor=1)
            page = context.new_page()

            def shot(name: str, full: bool = True, page=page, size=size) -> None:
                page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=full)

            page.goto(base + "/")
            shot("home", full=False)
            page.goto(base + "/seminare/1")
            shot("seminar", full=False)
            page.fill("#last_name", "Çelik")
            page.fill("#first_name", "Ayşe")
            page.fill("#town", "Köln")
            page.fill("#email", f"ayse.celik.{size}@example.org")
            page.check("#privacy")
            page.click("#registration-form button[type=submit]")
            page.wait_for_selector("#registration-outcome")
            page.locator("#registration-outcome").scroll_into_view_if_needed()
            shot("registered", full=False)
            page.goto(base + "/manage/anmelden")
            page.fill("#email", "kontakt@demo.example")
            page.fill("#password", PASSWORD)
            page.click("form button[type=submit]")
            page.wait_for_url(re.compile(r".*/manage/$"))
            shot("dashboard", full=False)
            # the first seminar whose first day's attendance can be taken today
            links = page.locator("#dashboard-rows a").evaluate_all("els => els.map(e => e.href)")
            for link in links:
                seminar_id = link.rstrip("/").split("/")[-1]
                page.goto(f"{base}/manage/seminare/{seminar_id}/anwesenheit/1")
                if page.locator(".toggle").count():
                    page.locator(".toggle").first.click()
                    page.wait_for_selector(".toggle--on")
                    shot("attendance", full=False)
                    break
            else:
                print("No seminar of the demo data takes attendance today: attendance kept.")
            context.close()
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    main()
