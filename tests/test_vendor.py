"""The vendored htmx is the file its note says it is."""

import base64
import hashlib
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"


def test_vendored_htmx_matches_its_recorded_sha384():
    digest = hashlib.sha384((VENDOR / "htmx-2.0.11.min.js").read_bytes()).digest()
    recorded = base64.b64encode(digest).decode()
    assert f"sha384-{recorded}" in (VENDOR / "VENDOR.md").read_text()
