"""The dashboard's static files and compression: the stylesheet bundle, fingerprinted URLs
with long-lived caching, gzip (precompressed static files, pages on the fly) and the favicon."""

from __future__ import annotations

from flask import Flask

from .compression import install_page_compression
from .favicon import install_favicon
from .static_view import install_static_view


def install_assets(app: Flask) -> None:
    install_static_view(app)
    install_favicon(app)
    install_page_compression(app)
