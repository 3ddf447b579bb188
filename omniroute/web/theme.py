"""Colour theme: light, dark, or the system's choice (`prefers-color-scheme`), kept in a cookie.

The switcher posts to /theme like the language switcher posts to /language; base.html renders
`<html data-theme>` from the cookie, so a chosen theme paints at once without a flash.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, make_response, redirect, request, url_for

from .auth.local_redirect import local_path
from .guard import public

THEME_COOKIE = "theme"
THEMES = ("light", "dark", "system")
SYSTEM = "system"
bp = Blueprint("theme", __name__)


def current_theme() -> str:
    """The user's choice from the cookie, else "system" (the browser's preference decides)."""
    chosen = request.cookies.get(THEME_COOKIE)
    return chosen if chosen in THEMES else SYSTEM


def init_theme(app: Flask) -> None:
    @app.context_processor
    def theme_context():
        return {"theme": current_theme()}


@bp.post("/theme")
@public  # the login page has the switcher too; CSRF is checked either way
def set_theme():
    choice = request.form.get("theme", "")
    if choice not in THEMES:
        abort(400)
    target = local_path(request.form.get("next")) or url_for("pages.dashboard.home")
    response = redirect(target)
    if request.headers.get("HX-Request"):
        response = make_response("", 200, {"HX-Redirect": target})
    if choice == SYSTEM:
        response.delete_cookie(THEME_COOKIE, samesite="Lax", httponly=True)
    else:
        response.set_cookie(
            THEME_COOKIE, choice, max_age=365 * 86400, samesite="Lax", httponly=True
        )
    return response
