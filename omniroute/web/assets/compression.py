"""gzip for the dashboard's answers: which encoding a request accepts, and the on-the-fly
compression of the pages (and /api JSON) larger than a kilobyte.

Streams (the Live Monitor's SSE, file downloads) and answers that already carry an encoding
are left alone. The client API (/v1, /v1beta) answers before Flask and never gets here.
"""

from __future__ import annotations

import gzip

from flask import Flask, Request, Response, request

MIN_COMPRESSED_BYTES = 1024
ON_THE_FLY_LEVEL = 6  # pages are compressed per request: a cheaper level than the static files
COMPRESSED_MIMETYPES = {"text/html", "application/json"}


def accepts_gzip(incoming: Request) -> bool:
    """True when Accept-Encoding allows gzip (a `;q=0` refuses it)."""
    return incoming.accept_encodings.quality("gzip") > 0


def add_vary_accept_encoding(response: Response) -> None:
    response.vary.add("Accept-Encoding")


def is_compressible(response: Response) -> bool:
    return (
        response.mimetype in COMPRESSED_MIMETYPES
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
        and response.status_code not in (204, 304)
    )


def compress_response(response: Response) -> Response:
    """after_request: gzip a page or JSON body over MIN_COMPRESSED_BYTES if the client takes it."""
    if not is_compressible(response):
        return response
    add_vary_accept_encoding(response)
    if not accepts_gzip(request):
        return response
    body = response.get_data()
    if len(body) <= MIN_COMPRESSED_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=ON_THE_FLY_LEVEL))
    response.headers["Content-Encoding"] = "gzip"
    return response


def install_page_compression(app: Flask) -> None:
    app.after_request(compress_response)
