"""The `static` endpoint served from the in-memory catalog (catalog.py).

- `url_for('static', filename='css/app.css')` builds the fingerprinted URL (a url_defaults
  hook), so templates name files plainly and pages link to `/static/css/app.<hash>.css`.
- A fingerprinted URL answers with a year-long immutable cache; a plain one (an old link, a
  hand-typed URL) still answers, with `no-cache` and an ETag.
- Text types are sent gzip-compressed (level 9, compressed once at start) when the request
  accepts gzip; `If-None-Match` gets a 304; HEAD gets the headers only.
- A file added after start is served from disk (revalidated each time); an unknown file is
  the styled 404.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound

from .catalog import Asset, AssetCatalog
from .compression import accepts_gzip, add_vary_accept_encoding

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
CATALOG_KEY = "omniroute.assets"


def asset_catalog(app: Flask) -> AssetCatalog:
    return app.extensions[CATALOG_KEY]


def asset_response(asset: Asset, cache_control: str) -> Response:
    """The answer for `asset` to the current request, in the encoding it accepts."""
    gzipped = asset.gzip_body is not None and accepts_gzip(request)
    etag = asset.gzip_etag if gzipped else asset.etag
    if request.if_none_match.contains_weak(asset.etag) or request.if_none_match.contains_weak(
        asset.gzip_etag
    ):
        response = Response(status=304)
    else:
        response = Response(asset.gzip_body if gzipped else asset.body)
        response.headers["Content-Type"] = asset.content_type
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    if asset.gzip_body is not None:
        add_vary_accept_encoding(response)
    return response


def serve_static(filename: str) -> Response:
    asset, fingerprinted = asset_catalog(current_app).find(filename)
    if asset is not None:
        return asset_response(asset, IMMUTABLE if fingerprinted else REVALIDATE)
    static_folder = current_app.static_folder
    if static_folder is None:
        raise NotFound()
    response = send_from_directory(static_folder, filename, max_age=0)
    response.headers["Cache-Control"] = REVALIDATE
    return response


def install_static_view(app: Flask) -> None:
    """Serve `static` from memory and make its URLs fingerprinted."""
    if app.static_folder is None:
        return
    catalog = AssetCatalog(app.static_folder)
    app.extensions[CATALOG_KEY] = catalog
    app.view_functions["static"] = serve_static

    @app.url_defaults
    def fingerprint_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = catalog.url_name(values["filename"])
