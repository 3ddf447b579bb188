"""The dashboard's and /api's IP access check (Settings → Security → IP access control).

Runs before every other check, on the real client address (REMOTE_ADDR as waitress leaves it:
X-Forwarded-For is believed only from TRUSTED_PROXY). A refused caller gets the JSON 403 on /api
and the styled 403 page elsewhere; static files stay reachable so that page keeps its style.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import gettext as _

from ..access.gate import address_refused
from .error_boundaries import error_page
from .paths import is_api_path
from .security import json_error


def refuse_unknown_addresses():
    if request.endpoint == "static":
        return None
    address = request.remote_addr
    if current_app.extensions["omniroute"].access.admits_admin(address):
        return None
    if is_api_path(request.path):
        error = address_refused(address, "the dashboard and /api")
        return json_error(403, error.message, error.type, error.code)
    detail = _(
        "Your address (%(address)s) is not allowed to open this dashboard. "
        "The administrator sets this in Settings → Security → IP access control.",
        address=address or "?",
    )
    return error_page(403, detail)


def install_ip_guard(app: Flask) -> None:
    app.before_request(refuse_unknown_addresses)
