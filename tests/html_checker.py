"""The HTML conformance checker: html-validate, pinned in ``tools/html-validate``, run
once over many pages.

``make test`` installs it (``npm ci``) the way it installs Chromium; a run without it
fails with what to do, never skips. The rule set is ``tools/html-validate/config.cjs``.
All pages are written to one folder and checked by ONE process, so that a walk over
hundreds of pages costs one start of Node.js.
"""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "html-validate"
CHECKER = TOOL / "node_modules" / ".bin" / "html-validate"
CONFIG = TOOL / "config.cjs"
# A fragment (what htmx swaps in) is checked as the markup of a <body>: it has no
# doctype or <title> of its own, and its ids live beside the page's.
FRAGMENT_SUFFIX = ".fragment.html"


@dataclass(frozen=True)
class Problem:
    page: str  # the name the page was given
    rule: str
    message: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.page}:{self.line}:{self.column} [{self.rule}] {self.message}"


def check(pages: dict[str, str], folder: Path, fragments: frozenset[str] = frozenset()):
    """The problems html-validate finds in ``pages`` (name -> markup); the names in
    ``fragments`` are checked as fragments. Returns problems in page order."""
    if not CHECKER.exists():
        pytest.fail(
            f"html-validate is not installed in {TOOL}: run `make test` "
            f"(or `npm ci --prefix {TOOL.name}` in tools/)",
            pytrace=False,
        )
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for n, (name, markup) in enumerate(pages.items()):
        suffix = FRAGMENT_SUFFIX if name in fragments else ".html"
        path = folder / f"page-{n:05d}{suffix}"
        path.write_text(markup, encoding="utf-8")
        names[path.name] = name
    # the report goes to a file: Node.js may exit before a pipe has taken all of it
    report = folder.parent / f"{folder.name}-report.json"
    done = subprocess.run(
        [str(CHECKER), "--config", str(CONFIG), "--formatter", f"json={report}", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode not in (0, 1) or not report.exists():
        pytest.fail(f"html-validate failed ({done.returncode}): {done.stderr[-2000:]}")
    results = json.loads(report.read_text(encoding="utf-8") or "[]")
    problems = [
        Problem(
            names[Path(result["filePath"]).name],
            message.get("ruleId", "?"),
            message["message"],
            message.get("line", 0),
            message.get("column", 0),
        )
        for result in results
        for message in result["messages"]
    ]
    order = {name: n for n, name in enumerate(pages)}
    return sorted(problems, key=lambda p: (order[p.page], p.line, p.column))
