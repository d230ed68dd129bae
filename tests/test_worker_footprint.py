"""A web worker starts without the heavy libraries that only a few routes or commands
use (worker memory, issue: speed): PDF, spreadsheet, QR code, calendar, migrations and
the password checker's word lists load on first use."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = [
    "fpdf",
    "uharfbuzz",
    "PIL",
    "fontTools",
    "openpyxl",
    "segno",
    "icalendar",
    "alembic",
    "zxcvbn",
]

PROBE = f"""
import json, sys
from wsgi import app
client = app.test_client()
for url in ("/", "/impressum"):
    assert client.get(url).status_code == 200, url
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
"""


def _loaded(database_url: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"FLASK_DEBUG", "FLASK_APP"}}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "footprint-test-secret",
            "OPERATOR_EMAIL": "info@seminare-nrw.test",
            "MAIL_SENDER": "Seminare Integrationsräte NRW <anmeldung@seminare-nrw.test>",
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_web_worker_serves_the_public_pages_without_the_heavy_libraries(migrated_database):
    assert _loaded(migrated_database) == []
