"""The participant lists as CSV and Excel: personal data, so never for observers
(``get_seminar_for`` keeps them out; no ``figures_only`` here)."""

from flask import Response, request

from app.auth.scope import get_seminar_for
from app.organiser import bp
from app.services.exports import as_csv, as_xlsx, participant_rows
from app.web.downloads import XLSX, download
from app.web.security import no_store


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return no_store(download(body, mimetype, filename))


def _filename(seminar, extension: str) -> str:
    return f"teilnehmende-seminar-{seminar.id}-{seminar.day1.isoformat()}.{extension}"


def _rows(seminar) -> list[list[str]]:
    """The confirmed people; ``?warteliste=1`` adds the waiting list."""
    return participant_rows(seminar, with_waitlist=request.args.get("warteliste") == "1")


@bp.get("/seminare/<int:seminar_id>/teilnehmende.csv")
def export_csv(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    # a bare text/* type: Werkzeug adds "; charset=utf-8" itself
    return _download(as_csv(_rows(seminar)), "text/csv", _filename(seminar, "csv"))


@bp.get("/seminare/<int:seminar_id>/teilnehmende.xlsx")
def export_xlsx(seminar_id: int):
    seminar = get_seminar_for(seminar_id)
    return _download(
        as_xlsx(_rows(seminar), f"Seminar {seminar.id}"),
        XLSX,
        _filename(seminar, "xlsx"),
    )
