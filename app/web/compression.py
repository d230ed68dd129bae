"""gzip for HTML, CSS and JS, for a site served straight from gunicorn.

Clients that send ``Accept-Encoding: gzip`` get HTML, CSS and JS compressed; every such
response says ``Vary: Accept-Encoding``. Static files are compressed once per worker
(keyed by their ETag, so a changed file is compressed anew) and keep their ETag and 304,
as a variant of their own (``"<etag>-gz"``). ``COMPRESS_RESPONSES=false`` switches it off
where a proxy compresses. Brotli would need a package that requirements.txt does not have.
"""

import gzip
import struct
import threading
import zlib

from flask import Flask, current_app, request

COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
}
MIN_SIZE = 512  # smaller bodies gain nothing
DYNAMIC_LEVEL = 6  # rendered pages: compressed per response
STATIC_LEVEL = 9  # static files: compressed once
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no mtime
FINAL_BLOCK = b"\x03\x00"  # an empty final deflate block


def compression_on() -> bool:
    return bool(current_app.config.get("COMPRESS_RESPONSES", True))


def accepts_gzip() -> bool:
    return compression_on() and request.accept_encodings.quality("gzip") > 0


def deflate_part(data: bytes, level: int = DYNAMIC_LEVEL) -> bytes:
    """Raw deflate blocks of ``data`` ending on a byte boundary, not final: parts made
    this way join into one deflate stream (see ``gzip_join``)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)


def stored_part(data: bytes) -> bytes:
    """``data`` as stored (uncompressed) deflate blocks, not final: for the few bytes that
    differ per request, where setting up a compressor would cost more than it saves."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def gzip_join(parts: list[tuple[bytes, bytes]]) -> bytes:
    """One gzip body from (plain, deflated part) pairs, in order: the parts compressed
    once (a cached page's fixed text) and those compressed per request (a CSRF token)
    make one stream without compressing the fixed text again."""
    crc, size = 0, 0
    body = [GZIP_HEADER]
    for plain, deflated in parts:
        crc = zlib.crc32(plain, crc)
        size += len(plain)
        body.append(deflated)
    body.append(FINAL_BLOCK)
    body.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


_static_lock = threading.Lock()
_static_gzip: dict[tuple[str, str], bytes] = {}


def _static_compressed(filename: str, etag: str, data_of) -> bytes:
    key = (filename, etag)
    found = _static_gzip.get(key)
    if found is None:
        found = gzip.compress(data_of(), STATIC_LEVEL, mtime=0)
        with _static_lock:
            # a file changed in place leaves its old version behind: keep only the newest
            for old in [k for k in _static_gzip if k[0] == filename]:
                del _static_gzip[old]
            _static_gzip[key] = found
    return found


def _compress_static(response):
    etag, weak = response.get_etag()
    if not etag or weak:
        return response
    original = response.response  # the file wrapper of send_file
    response.direct_passthrough = False

    def data_of() -> bytes:
        return b"".join(original)

    try:
        compressed = _static_compressed(request.view_args.get("filename", ""), etag, data_of)
    finally:
        if hasattr(original, "close"):
            original.close()
    response.set_data(compressed)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    response.set_etag(f"{etag}-gz")  # another representation: another strong validator
    return response.make_conditional(request)


def _compress(response):
    headers = response.headers
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")  # merges with the others (one Vary header)
    if "Content-Encoding" in headers or response.status_code != 200 or not accepts_gzip():
        return response
    if request.endpoint == "static":
        return _compress_static(response)
    if response.is_streamed or response.direct_passthrough:
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, DYNAMIC_LEVEL, mtime=0))
    headers["Content-Encoding"] = "gzip"
    etag, _ = response.get_etag()
    if etag:
        # as nginx does: the same content, a weak validator (If-None-Match compares weakly)
        response.set_etag(etag, weak=True)
    return response


def init_compression(app: Flask) -> None:
    """Register before every other after_request hook: hooks run in reverse order, so
    this one runs last and sees the final body."""

    @app.after_request
    def _gzip(response):
        if not compression_on():
            return response
        return _compress(response)
