"""The ceiling for reading pages: a bare Flask "hello" app, nothing of the site in it.

Served by ``bench/run.py`` on the same gunicorn layout as the site, in the same run. Every
path answers (the readiness check asks for ``/impressum``).
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/<path:_path>")
def hello(_path: str = ""):
    return "hello"
