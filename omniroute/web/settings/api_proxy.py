"""Management API for outbound proxies (Settings → Advanced), as the guide spells it.

- `GET /api/settings/proxy`: every level — `global`, `providers`, `combos`, `keys` (by API key
  id) — plus `caBundle` (UPSTREAM_CA_BUNDLE) and whether the environment sets a proxy. A
  password is never returned: a proxy with one answers `hasPassword: true`.
- `PUT /api/settings/proxy`: any of `{"global": proxy}`, `{"providers": {"<id>": proxy}}`,
  `{"combos": {"<name>": proxy}}`, `{"keys": {"<api key id>": proxy}}`; a proxy is
  `{type: http|https|socks5, host, port, username?, password?, caBundle?}` (port a number or a
  string of digits), `null` removes it. A proxy sent without its password keeps the stored one
  (same user name). Everything is checked before anything is saved; a bad field is a 400
  naming it.
- `DELETE /api/settings/proxy?level=global|provider|combo|key&id=…`: removes one proxy (404
  when that level has none).
- `POST /api/settings/proxy/test {"proxy": {...}}`: `{ok, latencyMs, error}` after fetching
  PROXY_TEST_URL through the proxy.
These endpoints accept a JSON body sent without a Content-Type (the guide's curl examples);
like every /api call they need the dashboard session and, for changes, the CSRF header.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from ...proxies.config import LEVELS, ProxyFieldError, ProxySettings, parse_proxy
from ...proxies.probe import probe_proxy
from ...proxies.store import save_proxy_settings
from ..security import field_error, json_error

bp = Blueprint("settings_proxy", __name__)

DELETE_LEVELS = {"global": "global", "provider": "providers", "combo": "combos", "key": "keys"}
MAX_NAME = 200


@bp.record_once
def _read_raw_bodies_first(state) -> None:
    """Keep the raw body of these endpoints before anything parses it as a form (a JSON body
    sent without Content-Type would otherwise be read as form fields by the CSRF check)."""

    def keep_raw_body() -> None:
        if request.endpoint and request.endpoint.startswith("api.settings_proxy."):
            request.get_data(cache=True)

    state.app.before_request_funcs.setdefault(None, []).insert(0, keep_raw_body)


def services():
    return current_app.extensions["omniroute"]


def proxy_settings_answer(settings: ProxySettings) -> dict:
    app_settings = services().settings
    return {
        **settings.as_api(),
        "caBundle": app_settings["UPSTREAM_CA_BUNDLE"],
        "environment": {
            "httpsProxy": bool(app_settings["HTTPS_PROXY"]),
            "httpProxy": bool(app_settings["HTTP_PROXY"]),
            "noProxy": app_settings["NO_PROXY"],
        },
    }


def json_object() -> dict | None:
    """The request's JSON object, whatever its Content-Type says (None: not a JSON object)."""
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def changed_settings(current: ProxySettings, body: dict) -> ProxySettings:
    """`current` with the body's changes; ProxyFieldError names the first bad field."""
    unknown = sorted(set(body) - set(LEVELS))
    if unknown:
        raise ProxyFieldError(unknown[0], f"unknown level (known: {', '.join(LEVELS)})")
    if not body:
        raise ProxyFieldError("body", f"name at least one of {', '.join(LEVELS)}")
    settings = current
    if "global" in body:
        proxy = body["global"]
        previous = current.global_proxy
        parsed = None if proxy is None else parse_proxy(proxy, "global", previous)
        settings = settings.with_level("global", None, parsed)
    for level in LEVELS[1:]:
        if level not in body:
            continue
        table = body[level]
        if not isinstance(table, dict):
            raise ProxyFieldError(level, "must be an object of proxies by name")
        for name, proxy in table.items():
            where = f"{level}.{name}"
            check_name(level, name, where)
            previous = current.existing(level, name)
            parsed = None if proxy is None else parse_proxy(proxy, where, previous)
            settings = settings.with_level(level, name, parsed)
    return settings


def check_name(level: str, name: str, where: str) -> None:
    if not name.strip() or len(name) > MAX_NAME:
        raise ProxyFieldError(where, f"the name must be 1–{MAX_NAME} characters")
    if level == "keys" and not name.isdigit():
        raise ProxyFieldError(where, "an API key is named by its id (digits)")


def save(settings: ProxySettings) -> None:
    save_proxy_settings(settings, services().box)
    services().proxies.invalidate()


@bp.get("/settings/proxy")
def get_proxy_settings():
    return jsonify(proxy_settings_answer(services().proxies.settings))


@bp.put("/settings/proxy")
def put_proxy_settings():
    body = json_object()
    if body is None:
        return field_error("body", "must be a JSON object")
    try:
        settings = changed_settings(services().proxies.settings, body)
    except ProxyFieldError as error:
        return field_error(error.field, error.message)
    save(settings)
    return jsonify(proxy_settings_answer(settings))


@bp.delete("/settings/proxy")
def delete_proxy():
    level = DELETE_LEVELS.get(request.args.get("level", ""))
    if level is None:
        return field_error("level", f"must be one of {', '.join(DELETE_LEVELS)}")
    name = None if level == "global" else request.args.get("id", "").strip()
    if name == "":
        return field_error("id", f"name the {request.args['level']} whose proxy to remove")
    current = services().proxies.settings
    if current.existing(level, name) is None:
        what = "global proxy" if name is None else f"proxy for {request.args['level']} {name!r}"
        return json_error(404, f"no {what} is set", "invalid_request_error", "not_found")
    settings = current.with_level(level, name, None)
    save(settings)
    return jsonify(proxy_settings_answer(settings))


@bp.post("/settings/proxy/test")
def test_proxy():
    body = json_object()
    if body is None or "proxy" not in body:
        return field_error("proxy", 'send {"proxy": {type, host, port, username?, password?}}')
    try:
        proxy = parse_proxy(body["proxy"], "proxy")
    except ProxyFieldError as error:
        return field_error(error.field, error.message)
    app_settings = services().settings
    route = proxy.route(app_settings["UPSTREAM_CA_BUNDLE"])
    return jsonify(probe_proxy(route, app_settings["PROXY_TEST_URL"]).as_api())
