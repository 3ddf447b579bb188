"""The favicon: static/favicon.svg, written into every page's `<link rel="icon">` as a data URI
(no request of its own: a page stays within its request budget), and also answered at
/favicon.ico for whatever asks there by itself, so a visit never logs a 404."""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, Response, current_app
from werkzeug.exceptions import NotFound

from .static_view import asset_catalog, asset_response

FAVICON = "favicon.svg"
FAVICON_CACHE = "public, max-age=604800"  # a week: the URL has no fingerprint


def favicon() -> Response:
    asset = asset_catalog(current_app).by_name.get(FAVICON)
    if asset is None:
        raise NotFound()
    return asset_response(asset, FAVICON_CACHE)


def favicon_href() -> str:
    """The icon as a data URI (the SVG is a few hundred bytes)."""
    asset = asset_catalog(current_app).by_name.get(FAVICON)
    if asset is None:
        return ""
    return "data:image/svg+xml," + quote(asset.body.decode("utf-8"), safe=" =:/'")


def install_favicon(app: Flask) -> None:
    app.add_url_rule("/favicon.ico", "favicon", favicon, methods=["GET"])
    app.jinja_env.globals["favicon_href"] = favicon_href
