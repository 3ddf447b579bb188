"""Languages: flask-babel with English (source) and Indonesian catalogs, and the switcher.

The language comes from the `lang` cookie set by the switcher, else the browser's
Accept-Language, else English.
"""

from __future__ import annotations

from flask import Blueprint, Flask, make_response, redirect, request, url_for
from flask_babel import Babel

from .auth.local_redirect import local_path

LANGUAGES = {"en": "English", "id": "Bahasa Indonesia"}
LANG_COOKIE = "lang"
bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES.keys()) or "en"


def init_i18n(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)

    @app.context_processor
    def languages():
        return {"languages": LANGUAGES, "current_language": select_locale()}


@bp.post("/language")
def set_language():
    choice = request.form.get("lang", "en")
    target = local_path(request.form.get("next")) or url_for("pages.dashboard.home")
    response = redirect(target)
    if request.headers.get("HX-Request"):  # the switcher posts on change: htmx reloads the page
        response = make_response("", 200, {"HX-Redirect": target})
    if choice in LANGUAGES:
        response.set_cookie(LANG_COOKIE, choice, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response
