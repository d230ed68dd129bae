"""Files to download: the spreadsheet type, and a response that names its file."""

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes, mimetype: str, filename: str) -> Response:
    """``body`` as the file ``filename``. Pass a bare text/* mimetype: Werkzeug adds
    "; charset=utf-8" itself. Files with personal data add ``security.no_store``."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
