"""The site plus one bare route, served by the same gunicorn settings as the baseline."""

from app import create_app

app = create_app()


@app.get("/__bare")
def bare():
    return "ok"
