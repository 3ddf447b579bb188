"""One login guard: every /api route and dashboard page refuses an anonymous caller unless its
view is marked @public, and no view carries a login decorator of its own."""

from __future__ import annotations

import os
import re

import requests

from omniroute import ROOT
from omniroute.web.deferred import built_dashboard
from omniroute.web.guard import is_public

PUBLIC = {
    "api.auth.login",
    "api.auth.logout",
    "api.openapi.document",
    "pages.auth.login",
    "pages.auth.logout",
    "pages.dashboard.home",
    "api.sync.get_bundle",  # the sync token guards it instead (tests/integration/test_sync.py)
}


def _sample_url(rule) -> str:
    """The rule's URL with every variable filled by a value its converter accepts (`any(a, b)`:
    its first choice)."""

    def sample(match: re.Match) -> str:
        converter, arguments = match.group(1), match.group(2)
        if converter == "any" and arguments:
            return arguments.split(",")[0].strip()
        return "1" if converter == "int" else "x"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", sample, rule.rule)


def test_only_the_marked_views_are_public(gateway):
    app = built_dashboard(gateway.app)
    guarded = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(("api.", "pages."))]
    public = {r.endpoint for r in guarded if is_public(app.view_functions[r.endpoint])}
    assert public == PUBLIC


def test_every_guarded_route_refuses_an_anonymous_caller(gateway):
    app = built_dashboard(gateway.app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("api.", "pages.")) or rule.endpoint in PUBLIC:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            url = gateway.url + _sample_url(rule)
            answer = requests.request(method, url, json={}, allow_redirects=False, timeout=10)
            if rule.endpoint.startswith("api."):
                assert answer.status_code == 401, (method, rule.rule, answer.status_code)
                assert answer.json()["error"]["code"] == "unauthorized"
            else:
                assert answer.status_code == 302, (method, rule.rule, answer.status_code)
                assert "/login?next=" in answer.headers["Location"]
            checked += 1
    assert checked > 80


def test_the_liveness_head_on_home_is_open_but_the_page_is_not(gateway):
    assert requests.head(gateway.url + "/", timeout=10).status_code == 200
    page = requests.get(gateway.url + "/", allow_redirects=False, timeout=10)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_no_view_guards_itself():
    web = os.path.join(ROOT, "omniroute", "web")
    for folder, _dirs, files in os.walk(web):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as module:
                    assert "login_required" not in module.read(), os.path.join(folder, name)
