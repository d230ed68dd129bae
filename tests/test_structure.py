"""The house's walls: the three web areas never import each other, the services import
no web module, and rules.py imports neither Flask nor the database."""

import ast
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
AREAS = ("public", "organiser", "admin")
WEB = ("app.public", "app.organiser", "app.admin", "app.auth", "app.web")


def imports_of(folder_or_file: Path) -> dict[str, set[str]]:
    """module file -> the app modules it imports."""
    files = [folder_or_file] if folder_or_file.is_file() else folder_or_file.rglob("*.py")
    found = {}
    for path in files:
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(APP.parent))] = {n for n in names if n.startswith("app")}
    return found


@pytest.mark.parametrize("area", AREAS)
def test_an_area_never_imports_another(area):
    others = tuple(f"app.{other}" for other in AREAS if other != area)
    for module, names in imports_of(APP / area).items():
        assert not {n for n in names if n.startswith(others)}, module


@pytest.mark.parametrize("layer", ["services", "models", "core"])
def test_inner_layers_import_no_web_module(layer):
    for module, names in imports_of(APP / layer).items():
        assert not {n for n in names if n.startswith(WEB)}, module


def test_rules_stay_plain():
    source = (APP / "rules.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in getattr(node, "names", [])
    }
    assert not {n for n in imported if n and n.split(".")[0] in {"flask", "sqlalchemy", "app"}}


def test_no_route_or_template_commits():
    for folder in ("public", "organiser", "admin", "auth", "web"):
        for path in (APP / folder).rglob("*.py"):
            assert ".commit(" not in path.read_text(encoding="utf-8"), path
    for path in (APP.parent / "templates").rglob("*"):
        if path.is_file():
            assert "commit" not in path.read_text(encoding="utf-8"), path


def test_the_health_checks_import_no_area_and_no_login():
    """/health and /metrics answer without a login or an area's code: they must keep
    working when a page of the site is broken."""
    for module, names in imports_of(APP / "health").items():
        assert not {n for n in names if n.startswith((*WEB[:3], "app.auth"))}, module


READS = re.compile(r"db\.session\.(execute|scalars?|query|get)\(|\bsa\.select\(")


def test_admin_routes_read_through_queries():
    """The admin area reads the database only in its queries module, as the other areas
    read through theirs; its route and form modules call those functions."""
    for path in (APP / "admin").glob("*.py"):
        if path.name != "queries.py":
            assert not READS.search(path.read_text(encoding="utf-8")), path


def test_forms_live_in_forms_modules():
    """Every form class (a subclass of FlaskForm, or of one of our forms) is defined in a
    forms module (``forms.py`` or ``<topic>_forms.py``), never beside the routes."""
    form_names = {"FlaskForm", "Form"}
    definitions = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                definitions.append((path, node.name, bases))
    # forms made from forms: follow the subclasses until nothing new turns up
    changed = True
    while changed:
        changed = False
        for _path, name, bases in definitions:
            if name not in form_names and bases & form_names:
                form_names.add(name)
                changed = True
    for path, name, bases in definitions:
        if bases & form_names:
            assert path.name.endswith("forms.py"), f"{name} in {path}"


# ``role == "vhs"``, ``role in ('admin', 'vhs')``: a role spelled as a string
ROLE_AS_STRING = re.compile(r"\brole\s*(==|!=|not\s+in|in)\s*[(\[{]?\s*[\"']")


def test_roles_are_compared_as_members():
    """Code and templates compare roles through the Role enum (``Role.VHS``), never as
    strings, so a renamed or added role is found everywhere. rules.py stays plain (it
    imports nothing of the app) and the table's check constraints are SQL."""
    plain = {APP / "rules.py", APP / "models" / "user.py"}
    files = [p for p in APP.rglob("*.py") if p not in plain]
    files += list((APP.parent / "templates").rglob("*.html"))
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not ROLE_AS_STRING.search(line), f"{path}:{number}: {line.strip()}"


TABLE_WRITERS = re.compile(r"csv\.(writer|DictWriter)\b|\bWorkbook\b")


def test_every_download_table_is_written_by_one_helper():
    """CSV and XLSX files to download are written by app/core/tabular.py alone, with its
    formula protection; reading an upload (core/tables.py) is another matter."""
    for path in APP.rglob("*.py"):
        if path != APP / "core" / "tabular.py":
            assert not TABLE_WRITERS.search(path.read_text(encoding="utf-8")), path
