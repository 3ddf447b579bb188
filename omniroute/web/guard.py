"""The one login guard for the dashboard pages and the /api blueprint.

Every view under the guarded blueprints needs the admin's live session unless it is marked
`@public` (the login forms, logout, the OpenAPI document, the liveness HEAD on /). Anonymous
visitors get what flask-login's unauthorized handler gives them: a 401 JSON body on /api, a
redirect to /login on a page (security.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

View = TypeVar("View", bound=Callable[..., object])
PUBLIC_ATTRIBUTE = "omniroute_public"


def public(view: View) -> View:
    """Mark a view as open to anonymous visitors."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


def is_public(view: Callable[..., object] | None) -> bool:
    return view is not None and getattr(view, PUBLIC_ATTRIBUTE, False)


def login_answer() -> ResponseReturnValue | None:
    """None when the caller is the logged-in admin, else the answer an anonymous caller gets."""
    if current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]


def require_admin() -> ResponseReturnValue | None:
    """before_request of the guarded blueprints: lets public views and the admin through."""
    if request.method in EXEMPT_METHODS:
        return None
    if is_public(current_app.view_functions.get(request.endpoint or "")):
        return None
    return login_answer()
