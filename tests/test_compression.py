"""gzip straight from the app: HTML, CSS and JS for clients that ask, static files
compressed once with their ETag and 304 intact, and a setting to switch it off."""

import gzip
import re

import pytest

from app.web import compression
from tests import factories
from tests.test_page_budget import BYTE_BUDGET, REQUEST_BUDGET

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def assets(client):
    page = client.get("/").text
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


@pytest.mark.parametrize("url", ["/", "/impressum", "/datenschutz", "/barrierefreiheit"])
def test_a_gzip_page_decompresses_to_the_same_bytes(client, url):
    factories.seminar()
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    assert int(packed.headers["Content-Length"]) == len(packed.data)
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "HX-Request" in response.headers["Vary"]


def test_a_gzip_seminar_page_decompresses_to_the_same_bytes(client):
    seminar = factories.seminar()
    url = f"/seminare/{seminar.id}"
    assert gzip.decompress(client.get(url, headers=GZIP).data) == client.get(url).data


def _fetch(client, url, **headers):
    """A static file's response, read and closed (send_file keeps the file open)."""
    response = client.get(url, headers=headers)
    response.get_data()
    response.close()
    return response


def test_static_files_go_gzip_with_their_own_etag_and_304(client, assets):
    for asset in assets:
        plain = _fetch(client, asset)
        packed = _fetch(client, asset, **GZIP)
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data
        assert packed.headers["ETag"] != plain.headers["ETag"]
        again = _fetch(client, asset, **GZIP, **{"If-None-Match": packed.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        plain_again = _fetch(client, asset, **{"If-None-Match": plain.headers["ETag"]})
        assert plain_again.status_code == 304


def test_static_files_are_compressed_once(client, assets):
    asset = assets[0]
    first = _fetch(client, asset, **GZIP)
    filename = asset.removeprefix("/static/").split("?")[0]
    etag = first.headers["ETag"].strip('"').removesuffix("-gz")
    kept = compression._static_gzip[(filename, etag)]
    second = _fetch(client, asset, **GZIP)
    assert compression._static_gzip[(filename, etag)] is kept
    assert first.data == second.data == kept


def test_no_compression_without_accept_encoding_or_with_the_setting_off(
    app_factory, client, assets
):
    factories.seminar()
    for url in ["/", *assets]:
        response = _fetch(client, url)
        assert "Content-Encoding" not in response.headers, url
    off = app_factory(COMPRESS_RESPONSES=False)
    with off.app_context():
        off_client = off.test_client()
        for url in ["/", *assets]:
            response = _fetch(off_client, url, **GZIP)
            assert "Content-Encoding" not in response.headers, url
            assert "Accept-Encoding" not in response.headers.get("Vary", "")


def test_refusing_gzip_gets_plain(client):
    response = client.get("/impressum", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response.headers


def test_first_view_as_sent_stays_within_the_budget_and_agrees_with_the_budget_test(runner, client):
    """What the server sends gzip is no more than test_page_budget reckons with."""
    runner.invoke(args=["seed-demo"])
    page = client.get("/", headers=GZIP)
    html = gzip.decompress(page.data)
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) + 1 <= REQUEST_BUDGET
    sent, reckoned = len(page.data), len(gzip.compress(html, 6))
    for asset in assets:
        packed = _fetch(client, asset.decode(), **GZIP)
        sent += len(packed.data)
        reckoned += len(gzip.compress(gzip.decompress(packed.data), 6))
    assert sent <= reckoned <= BYTE_BUDGET, (sent, reckoned)
