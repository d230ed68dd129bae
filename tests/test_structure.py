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


def service_imports(path: Path) -> set[str]:
    """The ``app.services`` modules a file imports (by name), wherever in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "app.services":
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.services."):
            names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names.update(
                alias.name.split(".")[2]
                for alias in node.names
                if alias.name.startswith("app.services.")
            )
    return names


def test_the_outbox_knows_no_feature():
    """The sender sits at the bottom of the services: what it imports, and what that
    imports, never imports the outbox back. A feature's mail kind registers what it
    needs with the outbox (``outbox.register_kind``) instead of being imported by it."""
    services = APP / "services"
    seen, todo = set(), ["outbox"]
    while todo:
        name = todo.pop()
        for imported in service_imports(services / f"{name}.py") - seen:
            seen.add(imported)
            todo.append(imported)
    assert "outbox" not in seen
    for name in seen:
        assert "outbox.register_kind(" not in (services / f"{name}.py").read_text(
            encoding="utf-8"
        ), name
    tree = ast.parse((services / "outbox.py").read_text(encoding="utf-8"))
    inner = [
        node
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert not inner, "the outbox imports inside a function"


def test_every_mail_kind_registration_is_imported_by_create_app():
    """A kind registers when its module is imported: the app imports every such module,
    so that a sender (web worker, ``flask send-mail``, the worker) knows every kind."""
    registering = {
        path.stem
        for path in (APP / "services").glob("*.py")
        if "outbox.register_kind(" in path.read_text(encoding="utf-8")
    }
    assert registering
    assert registering <= service_imports(APP / "__init__.py")


def test_the_public_pages_cache_and_its_data_version_have_one_face():
    """The data version and the page cache are one module: everyone else uses its face
    (``app.web.page_cache``), and the version's SQL, for both engines, and the connection
    it is read on live in its ``version.py`` alone."""
    package = APP / "web" / "page_cache"
    for path in APP.rglob("*.py"):
        if package in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                inner = node.module.startswith("app.web.page_cache.") or (
                    node.module == "app.web.page_cache"
                    and any(alias.name == "version" for alias in node.names)
                )
                assert not inner, path
        text = path.read_text(encoding="utf-8")
        assert "changed_at)" not in text and "read_fresh" not in text, path


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
