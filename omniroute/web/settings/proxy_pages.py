"""Settings → Advanced → Outbound proxies: the section's fragment, Edit / Save / Cancel, Delete
and Test.

GET /settings/proxies (htmx: the fragment; `?edit=<row>` its form, `new` for a new proxy;
otherwise back to the Advanced tab), POST /settings/proxies/save, /delete and /test (the form's
fields: level, name, type, host, port, username, password, caBundle). A row is `global` or
`<level>:<name>` (providers, combos, keys). Changes go through what PUT /api/settings/proxy
does (api_proxy.py); a password left empty keeps the stored one. Without JavaScript every form
posts and redirects back to the tab (or redraws it with the errors).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from ...providers import PROVIDERS
from ...proxies.config import LEVELS, MAX_TEXT, PROXY_TYPES, ProxyFieldError, parse_proxy
from ...proxies.probe import probe_proxy
from ..dashboard.pages import is_fragment_request
from .api_proxy import changed_settings, save
from .security_sections import register_state

bp = Blueprint("proxies", __name__, url_prefix="/settings/proxies")
SLUG = "proxies"
TEMPLATE = "partials/settings/proxies.html"
STATE = "proxy_state"
ADVANCED_TAB = "/settings/advanced"
FORM_FIELDS = ("type", "host", "port", "username", "password", "caBundle")
LEVEL_LABELS = {
    "global": _l("Every provider"),
    "providers": _l("Provider"),
    "combos": _l("Combo"),
    "keys": _l("API key"),
}


def row_slug(level: str, name: str | None) -> str:
    return "global" if level == "global" else f"{level}:{name}"


def split_slug(slug: str) -> tuple[str, str | None]:
    level, _, name = slug.partition(":")
    return level, (name or None)


def proxy_rows() -> list[dict]:
    """Every configured proxy, global first, as the section lists them."""
    settings = current_app.extensions["omniroute"].proxies.settings
    rows = []
    if settings.global_proxy is not None:
        rows.append(_row("global", None, settings.global_proxy.as_api()))
    for level in LEVELS[1:]:
        for name, proxy in sorted(getattr(settings, level).items()):
            rows.append(_row(level, name, proxy.as_api()))
    return rows


def _row(level: str, name: str | None, proxy: dict) -> dict:
    shown = PROVIDERS[name].name if level == "providers" and name in PROVIDERS else name
    return {
        "slug": row_slug(level, name),
        "level": level,
        "level_label": LEVEL_LABELS[level],
        "name": name,
        "shown_name": shown,
        "proxy": proxy,
    }


def proxy_state(**state) -> dict:
    """The section's view state (`?proxy_edit=<row>` opens a form on the tab page)."""
    rows = proxy_rows()
    editing = state.pop("editing", request.args.get("proxy_edit"))
    values = state.pop("values", None)
    if values is None and editing:
        values = _row_values(rows, editing)
    return {
        "rows": rows,
        "editing": editing,
        "values": values or {},
        "errors": {},
        "message": None,
        "saved": request.args.get("saved") == SLUG,
        "test": None,
        "types": PROXY_TYPES,
        "levels": LEVEL_LABELS,
        "providers": sorted((spec.id, spec.name) for spec in PROVIDERS.values()),
        **state,
    }


register_state(bp, STATE, proxy_state)


def _row_values(rows: list[dict], slug: str) -> dict:
    level, name = split_slug(slug)
    for row in rows:
        if row["slug"] == slug:
            return {"level": level, "name": name or "", **row["proxy"]}
    return {"level": "global" if slug == "new" else level, "name": "", "type": "http"}


def advanced_tab_url(**args: Any) -> str:
    try:
        return url_for("pages.settings.advanced", **args)
    except BuildError:  # the tab page is not registered: its plain URL
        query = "&".join(f"{name}={value}" for name, value in args.items())
        return ADVANCED_TAB + (f"?{query}" if query else "")


def answer(state: dict, status: int = 200):
    """The fragment for htmx (200, so htmx swaps it); without JavaScript back to the tab, or
    the tab redrawn with the errors and `status`."""
    if is_fragment_request():
        return render_template(TEMPLATE, **{STATE: state})
    if not state["errors"] and not state["message"] and state["test"] is None:
        args = {"proxy_edit": state["editing"]} if state["editing"] else {}
        if state["saved"]:
            args["saved"] = SLUG
        return redirect(advanced_tab_url(**args) + f"#{SLUG}")
    from .pages import render_tab  # the tab page (settings/pages.py) draws the whole tab

    return render_tab("advanced", status, **{STATE: state})[0], status


def form_values() -> dict:
    values = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    values["password"] = request.form.get("password", "")
    values["level"] = request.form.get("level", "global")
    values["name"] = request.form.get("name", "").strip()
    return values


def form_body(values: dict) -> dict:
    """The form as PUT /api/settings/proxy's body."""
    proxy = {name: values[name] for name in FORM_FIELDS if values[name]}
    if values["level"] == "global":
        return {"global": proxy}
    return {values["level"]: {values["name"]: proxy}}


FIELD_PROBLEMS = {
    "type": _l("Choose HTTP, HTTPS or SOCKS5."),
    "host": _l("Enter a host name or an IP address (no scheme, path or user)."),
    "port": _l("Enter a port number from 1 to 65535."),
    "username": _l("At most %(n)d characters.", n=MAX_TEXT),
    "password": _l("At most %(n)d characters.", n=MAX_TEXT),
    "caBundle": _l("At most %(n)d characters.", n=MAX_TEXT),
}


def form_error(error: ProxyFieldError) -> dict[str, str]:
    """The form field an API error names (`providers.openai.port` → `port`), with what that
    field needs in the reader's language (the JSON API keeps the English detail)."""
    field = error.field.rpartition(".")[2]
    if error.field in LEVELS or field not in FORM_FIELDS:
        field = "name" if "." in error.field else "level"
    problem = FIELD_PROBLEMS.get(field)
    return {field: str(problem) if problem is not None else error.message}


def editing_slug() -> str:
    """The row whose form was posted ("new": the add form)."""
    return request.form.get("row") or "new"


@bp.get("")
def proxies_section():
    editing = request.args.get("edit") or None
    return answer(proxy_state(editing=editing) if is_fragment_request() else _plain(editing))


def _plain(editing: str | None) -> dict:
    return {"editing": editing, "errors": {}, "message": None, "test": None, "saved": False}


@bp.post("/save")
def save_proxy():
    values = form_values()
    if values["level"] not in LEVELS:
        values["level"] = "global"
    if values["level"] != "global" and not values["name"]:
        errors = {"name": str(_l("Name the provider, combo or API key id."))}
        return answer(proxy_state(editing=editing_slug(), values=values, errors=errors), 400)
    services = current_app.extensions["omniroute"]
    try:
        settings = changed_settings(services.proxies.settings, form_body(values))
    except ProxyFieldError as error:
        state = proxy_state(editing=editing_slug(), values=values, errors=form_error(error))
        return answer(state, 400)
    save(settings)
    return answer(proxy_state(editing=None, saved=True))


@bp.post("/delete")
def delete_proxy():
    level, name = request.form.get("level", ""), request.form.get("name") or None
    services = current_app.extensions["omniroute"]
    current = services.proxies.settings
    if level in LEVELS and current.existing(level, name) is not None:
        save(current.with_level(level, name, None))
    return answer(proxy_state(editing=None, saved=True))


@bp.post("/test")
def test_proxy():
    values = form_values()
    level, name = values["level"], values["name"] or None
    services = current_app.extensions["omniroute"]
    previous = services.proxies.settings.existing(level, name) if level in LEVELS else None
    proxy_fields = {key: values[key] for key in FORM_FIELDS if values[key]}
    try:
        proxy = parse_proxy(proxy_fields, "proxy", previous)
    except ProxyFieldError as error:
        state = proxy_state(editing=editing_slug(), values=values, errors=form_error(error))
        return answer(state, 400)
    app_settings = services.settings
    result = probe_proxy(
        proxy.route(app_settings["UPSTREAM_CA_BUNDLE"]), app_settings["PROXY_TEST_URL"]
    )
    return answer(proxy_state(editing=editing_slug(), values=values, test=result))
