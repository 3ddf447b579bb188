"""The client API has one router (clientapi/routes.py) answered before Flask: no Flask view
serves a client path, every declared route answers, and the router's HTTP courtesies (HEAD on
GET routes, OPTIONS with Allow) work without reaching the dashboard app."""

from __future__ import annotations

import re

import requests

from omniroute import create_app
from omniroute.clientapi.paths import is_client_api_path
from omniroute.clientapi.routes import ROUTE_MAP, ROUTES
from omniroute.web.deferred import built_dashboard


def test_no_flask_view_serves_a_client_api_path(tmp_path):
    app = built_dashboard(create_app({"DATA_DIR": str(tmp_path)}))
    flask_paths = [rule.rule for rule in app.url_map.iter_rules()]
    assert "/api/providers" in flask_paths
    client = [p for p in flask_paths if is_client_api_path(p) or p in ("/health", "/metrics")]
    assert client == []


def test_every_route_is_served_under_its_aliases():
    rules = {rule.rule for rule in ROUTE_MAP.iter_rules()}
    for route in ROUTES:
        assert set(route.paths) <= rules
    assert {"/v1/chat/completions", "/chat/completions", "/v1/v1/chat/completions"} <= rules
    assert "/v1beta/models/<model_target:target>" in rules


def test_every_route_answers_through_the_router(gateway):
    for rule in ROUTE_MAP.iter_rules():
        path = re.sub(r"<[^>]+>", "nothing-here:generateContent", rule.rule)
        method = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
        answer = requests.request(method, gateway.url + path, data=b"{}", timeout=30)
        assert answer.status_code < 500, (method, path, answer.status_code, answer.text[:200])
        shape = "text/plain; version=0.0.4" if path == "/metrics" else "application/json"
        assert answer.headers["Content-Type"].startswith(shape), path


def test_head_on_a_get_route_has_the_headers_and_no_body(gateway):
    answer = requests.head(gateway.url + "/health", timeout=10)
    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["Content-Type"] == "application/json"


def test_options_names_the_allowed_methods(gateway):
    answer = requests.options(gateway.url + "/v1/chat/completions", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Allow"] == "OPTIONS, POST"
    models = requests.options(gateway.url + "/v1/models", timeout=10)
    assert models.headers["Allow"] == "GET, HEAD, OPTIONS"
