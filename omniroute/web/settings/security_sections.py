"""What the Security tab's IP access and provider blocking sections share: each is a fragment
(`templates/partials/settings/<name>.html`) that reads its own state, so the tab page only
includes it; htmx swaps the fragment (Edit / Save / Cancel), and without JavaScript the forms
post and redirect back to the tab (or redraw it with the errors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from ..dashboard.pages import is_fragment_request

SECURITY_TAB = "/settings/security"


def security_tab_url(**args: Any) -> str:
    try:
        return url_for("pages.settings.security", **args)
    except BuildError:  # the tab page is not registered: its plain URL
        query = "&".join(f"{name}={value}" for name, value in args.items())
        return SECURITY_TAB + (f"?{query}" if query else "")


def section_state(slug: str, **state: Any) -> dict:
    """A section's view state, from the page's query (`?edit=<slug>`, `?saved=<slug>`)."""
    return {
        "editing": request.args.get("edit") == slug,
        "saved": request.args.get("saved") == slug,
        "errors": {},
        "message": None,
        **state,
    }


def section_answer(slug: str, template: str, state_name: str, state: dict, status: int = 200):
    """The fragment for htmx (200, so htmx swaps it). Without JavaScript: back to the tab after
    a change, or the tab redrawn with the errors and `status`."""
    if is_fragment_request():
        return render_template(template, **{state_name: state})
    if not state["errors"] and not state["message"]:
        args = {"edit": slug} if state["editing"] else {"saved": slug} if state["saved"] else {}
        return redirect(security_tab_url(**args) + f"#{slug}")
    from .pages import render_tab  # the tab page (settings/pages.py) draws the whole tab

    return render_tab("security", status, **{state_name: state})


def register_state(bp, name: str, build: Callable[[], dict]) -> None:
    """Offer `name()` to every template, so the section can draw itself in the tab page."""

    @bp.app_context_processor
    def offer_state() -> dict:
        return {name: build}
