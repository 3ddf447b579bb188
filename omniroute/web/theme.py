"""Colour theme: light, dark, or the system's choice (`prefers-color-scheme`), kept in a cookie.

The switcher posts to /theme like the language switcher posts to /language; base.html renders
`<html data-theme>` from the cookie, so a chosen theme paints at once without a flash.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request

from .guard import public
from .preference_switch import back_to_the_page

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
    return back_to_the_page(THEME_COOKIE, choice, forget=choice == SYSTEM)
