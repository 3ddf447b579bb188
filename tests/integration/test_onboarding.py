"""Home for a fresh install: the three onboarding steps, checked off as they are done and gone
after the first answered request; and the base URL Home shows (BASE_URL, else the address the
dashboard is reached at, forwarded by TRUSTED_PROXY), never a hard-coded port."""

from __future__ import annotations

import html
import json
import re

import requests

from tests.dashboard_user import browser_session


def home(gateway, headers=None) -> str:
    session = browser_session(gateway)
    response = session.get(gateway.url + "/", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.text


def steps(page_html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-done="(\w+)"', page_html))


def shown_base_url(page_html: str) -> str:
    return html.unescape(re.search(r"<pre><code>([^<]+)/v1</code></pre>", page_html)[1])


def test_a_fresh_install_is_guided_to_its_first_answer(gateway, upstream):
    page = home(gateway)
    assert steps(page) == {"provider": "no", "key": "no", "tool": "no"}
    assert 'href="/providers"' in page and 'href="/keys"' in page and 'href="/cli-tools"' in page
    assert "Optional here" in page  # a loopback gateway takes requests without a key

    gateway.add_connection(upstream.url)
    with gateway.admin() as admin:
        assert admin.post(gateway.url + "/api/keys", json={"name": "laptop"}).status_code == 201
    assert steps(home(gateway)) == {"provider": "yes", "key": "yes", "tool": "no"}

    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    answer = requests.post(gateway.v1 + "/chat/completions", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    gateway.services.usage.flush()
    assert 'id="onboarding"' not in home(gateway)


def test_a_failed_request_does_not_end_the_onboarding(gateway):
    body = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    assert requests.post(gateway.v1 + "/chat/completions", json=body, timeout=10).status_code >= 400
    gateway.services.usage.flush()
    assert steps(home(gateway))["tool"] == "no"


def test_home_shows_the_address_the_dashboard_is_reached_at(gateway):
    assert shown_base_url(home(gateway)) == gateway.url
    assert ":20128" not in gateway.url  # the test gateway listens on a random port


def test_base_url_wins_and_a_trusted_proxy_forwards_its_host(start):
    public = start(BASE_URL="https://ai.example.com/")
    assert shown_base_url(home(public)) == "https://ai.example.com"
    proxied = start(TRUSTED_PROXY="127.0.0.1")
    forwarded = {"X-Forwarded-Host": "gw.example.net", "X-Forwarded-Proto": "https"}
    assert shown_base_url(home(proxied, forwarded)) == "https://gw.example.net"
    direct = start()
    assert shown_base_url(home(direct, forwarded)) == direct.url  # an untrusted peer's header


def test_a_tool_configured_for_this_gateway_checks_the_third_step(start, tmp_path):
    home_dir = tmp_path / "home"
    gateway = start(CLI_TOOLS_HOME=str(home_dir))
    assert steps(home(gateway))["tool"] == "no"
    settings = home_dir / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": "http://elsewhere:1"}}))
    assert steps(home(gateway))["tool"] == "no"  # configured, but for another server
    settings.write_text(json.dumps({"env": {"ANTHROPIC_BASE_URL": gateway.url}}))
    assert steps(home(gateway))["tool"] == "yes"
