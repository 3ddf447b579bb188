"""The outbound proxy API (/api/settings/proxy) through a real gateway: the guide's three curl
bodies verbatim (sent, as curl -d does, without a JSON Content-Type), every level read back
without its password, deletion per level, bad input as 400s naming the field, the session and
CSRF header still required, passwords sealed at rest, and the reachability test answering
{ok, latencyMs, error} after a real fetch through a real proxy."""

from __future__ import annotations

import json

import pytest
import requests

from omniroute.store.models import AppSetting
from tests.fakes.proxies import HttpProxy, Socks5Proxy
from tests.gateway_harness import start_gateway

pytestmark = pytest.mark.timeout(60)

PROXY = "/api/settings/proxy"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl -d sends
JSON_HEADERS = {"Content-Type": "application/json"}
SECRET = "s3cret-pa55"


def started(request, server):
    request.addfinalizer(server.stop)
    return server


@pytest.fixture
def probed(tmp_path, upstream):
    """A gateway whose proxy test fetches the fake upstream."""
    running = start_gateway(str(tmp_path / "data"), PROXY_TEST_URL=upstream.url + "/models")
    yield running
    running.stop()


def test_the_guides_curl_bodies_work_verbatim(gateway, admin):
    url = gateway.url + PROXY
    global_body = '{"global": {"type":"http","host":"proxy.example.com","port":"8080"}}'
    provider_body = (
        '{"providers": {"openai": {"type":"socks5","host":"proxy.example.com","port":"1080"}}}'
    )
    assert admin.put(url, data=global_body, headers=FORM).status_code == 200
    answer = admin.put(url, data=provider_body, headers=FORM)
    assert answer.status_code == 200, answer.text
    read = admin.get(url).json()
    assert read["global"] == {
        "type": "http",
        "host": "proxy.example.com",
        "port": 8080,
        "hasPassword": False,
    }
    assert read["providers"]["openai"]["type"] == "socks5"
    assert read["providers"]["openai"]["port"] == 1080
    test_body = '{"proxy":{"type":"socks5","host":"proxy.example.com","port":"1080"}}'
    tested = admin.post(url + "/test", data=test_body, headers=FORM)
    assert tested.status_code == 200, tested.text
    assert set(tested.json()) == {"ok", "latencyMs", "error"}


def test_every_level_reads_back_and_passwords_are_never_returned(gateway, admin):
    url = gateway.url + PROXY
    proxy = {"type": "http", "host": "10.0.0.9", "port": 3128, "username": "u", "password": SECRET}
    body = {
        "global": proxy,
        "providers": {"anthropic": proxy},
        "combos": {"team": {**proxy, "type": "https"}},
        "keys": {"7": {**proxy, "type": "socks5", "port": 1080}},
    }
    answer = admin.put(url, json=body)
    assert answer.status_code == 200, answer.text
    assert SECRET not in answer.text
    read = admin.get(url)
    assert SECRET not in read.text
    levels = read.json()
    for shown in (
        levels["global"], levels["providers"]["anthropic"], levels["combos"]["team"],
        levels["keys"]["7"],
    ):  # fmt: skip
        assert shown["hasPassword"] is True and shown["username"] == "u"
        assert "password" not in shown
    with gateway.services.database.connection_context():
        stored = AppSetting.get(AppSetting.key == "proxies").value
    assert SECRET not in stored  # sealed at rest
    # a proxy sent back without its password keeps the stored one
    admin.put(url, json={"global": {k: v for k, v in proxy.items() if k != "password"}})
    assert gateway.services.proxies.settings.global_proxy.password == SECRET


def test_delete_removes_one_level_at_a_time(gateway, admin):
    url = gateway.url + PROXY
    proxy = {"type": "http", "host": "proxy.example.com", "port": 8080}
    admin.put(url, json={"global": proxy, "providers": {"openai": proxy}, "keys": {"3": proxy}})
    assert admin.delete(url, params={"level": "provider", "id": "openai"}).status_code == 200
    assert admin.delete(url, params={"level": "provider", "id": "openai"}).status_code == 404
    assert admin.delete(url, params={"level": "key", "id": "3"}).status_code == 200
    assert admin.delete(url, params={"level": "global"}).status_code == 200
    read = admin.get(url).json()
    assert read["global"] is None and read["providers"] == {} and read["keys"] == {}
    assert gateway.services.proxies.idle  # nothing left: calls go direct again
    bad = admin.delete(url, params={"level": "planet"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "level"
    assert admin.delete(url, params={"level": "combo"}).json()["error"]["param"] == "id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"global": {"type": "ftp", "host": "h", "port": 1}}, "global.type"),
        ({"global": {"type": "http", "host": "", "port": 1}}, "global.host"),
        ({"global": {"type": "http", "host": "h", "port": "80a"}}, "global.port"),
        ({"global": {"type": "http", "host": "h", "port": 70000}}, "global.port"),
        ({"providers": {"openai": {"type": "http", "host": "h"}}}, "providers.openai.port"),
        ({"keys": {"abc": {"type": "http", "host": "h", "port": 1}}}, "keys.abc"),
        ({"planet": {}}, "planet"),
        ({"providers": []}, "providers"),
        ({"global": {"type": "http", "host": "h", "port": 1, "colour": 1}}, "global.colour"),
        # a lone surrogate (valid JSON, not Unicode) cannot go into a URL or a header
        (
            {"global": {"type": "http", "host": "h", "port": 1, "username": "\ud9c4"}},
            "global.username",
        ),
    ],
)
def test_bad_proxies_are_400s_naming_the_field_and_nothing_is_saved(gateway, admin, body, field):
    url = gateway.url + PROXY
    answer = admin.put(url, json={**body})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == field
    assert admin.get(url).json()["global"] is None


def test_the_proxy_test_refuses_a_user_name_that_is_not_unicode(gateway, admin):
    body = '{"proxy": {"type": "http", "host": "h", "port": 1, "username": "\\ud9c4x"}}'
    answer = admin.post(gateway.url + PROXY + "/test", data=body, headers=JSON_HEADERS)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == "proxy.username"
    # a name beyond Latin-1 is sent as UTF-8 (RFC 7617): the test runs and reports, never a 500
    body = {"proxy": {"type": "http", "host": "127.0.0.1", "port": 1, "username": "用户\U00081110"}}
    answer = admin.post(gateway.url + PROXY + "/test", json=body)
    assert answer.status_code == 200 and answer.json()["ok"] is False, answer.text


def test_a_body_that_is_not_json_is_a_400(gateway, admin):
    answer = admin.put(gateway.url + PROXY, data="global=1", headers=FORM)
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "body"


def test_the_endpoints_still_need_the_session_and_the_csrf_header(gateway):
    body = json.dumps({"global": {"type": "http", "host": "h", "port": 1}})
    anonymous = requests.put(gateway.url + PROXY, data=body)
    assert anonymous.status_code == 401
    without_csrf = gateway.admin(fresh=True)
    del without_csrf.headers["X-CSRFToken"]
    assert without_csrf.put(gateway.url + PROXY, data=body).status_code in (400, 403)
    assert gateway.services.proxies.settings.global_proxy is None


def test_the_proxy_test_really_connects_through_the_proxy(request, probed, upstream):
    http_proxy = started(request, HttpProxy(credentials="u:pw"))
    socks = started(request, Socks5Proxy())
    url = probed.url + PROXY + "/test"
    admin = probed.admin()
    proxy = {"type": "http", "host": "127.0.0.1", "port": http_proxy.port}
    good = admin.post(url, json={"proxy": {**proxy, "username": "u", "password": "pw"}}).json()
    assert good["ok"] is True and good["error"] is None and good["latencyMs"] >= 0
    assert http_proxy.forwarded  # the fetch went through the proxy
    refused = admin.post(url, json={"proxy": {**proxy, "username": "u", "password": "no"}}).json()
    assert refused["ok"] is False and "407" in refused["error"] and ":no@" not in refused["error"]
    via_socks = {"type": "socks5", "host": "127.0.0.1", "port": str(socks.port)}
    assert admin.post(url, json={"proxy": via_socks}).json()["ok"] is True
    assert socks.targets
    socks.stop()
    down = admin.post(url, json={"proxy": via_socks}).json()
    assert down["ok"] is False and f"127.0.0.1:{socks.port}" in down["error"]
