"""The answer of a preference switcher (language, theme): back to the page the form came from,
with the preference kept in a cookie for a year.

The switchers post from every page: without JavaScript the answer is a redirect to the form's
`next` (a path of this site only, else Home); with htmx, which posts on change, it is an empty
200 with `HX-Redirect`, so htmx reloads the page in the new language or theme.
"""

from __future__ import annotations

from flask import make_response, redirect, request, url_for
from werkzeug.wrappers import Response

from .auth.local_redirect import local_path

PREFERENCE_SECONDS = 365 * 86400


def back_to_the_page(cookie: str, value: str | None, forget: bool = False) -> Response:
    """Back to the form's page, setting `cookie` to `value` (None: leaving it as it is), or
    deleting it when `forget`."""
    target = local_path(request.form.get("next")) or url_for("pages.dashboard.home")
    response = redirect(target)
    if request.headers.get("HX-Request"):
        response = make_response("", 200, {"HX-Redirect": target})
    if forget:
        response.delete_cookie(cookie, samesite="Lax", httponly=True)
    elif value is not None:
        response.set_cookie(
            cookie, value, max_age=PREFERENCE_SECONDS, samesite="Lax", httponly=True
        )
    return response
