"""The Subscriptions cards of the Providers page over plain HTTP (a browser without JavaScript):
each provider's status and terms-of-service risk, and a paste sign-in done with form posts."""

from __future__ import annotations

import re
import time

from omniroute.store.oauth_accounts import save_quota_snapshot
from tests.dashboard_user import browser_session, csrf_from
from tests.integration.test_oauth_api import hosted_code


def card_html(page: str, provider: str) -> str:
    start = page.index(f'id="subscription-{provider}"')
    return page[start : page.index("</article>", start)]


def test_every_subscription_provider_has_a_card_with_its_status_and_risk(signing_gateway):
    page = browser_session(signing_gateway).get(signing_gateway.url + "/providers").text
    kiro = card_html(page, "kiro")
    assert 'data-tos-risk="high"' in kiro and "forbid" in kiro
    assert 'data-flow="device"' in kiro
    qwen = card_html(page, "qwen")
    assert "Discontinued" in qwen and "2026-04-15" in qwen and "<button" not in qwen
    assert "Enterprise accounts only" in card_html(page, "gemini-cli")
    codex = card_html(page, "codex")
    assert 'data-flow="loopback"' in codex and 'data-flow="device"' in codex
    assert "~/.codex/auth.json" in codex


def test_a_paste_sign_in_works_with_plain_form_posts(signing_gateway, fake):
    session = browser_session(signing_gateway)
    csrf = csrf_from(session.get(signing_gateway.url + "/providers").text)
    base = signing_gateway.url + "/providers/subscriptions/claude-code"
    started = session.post(base + "/start", data={"csrf_token": csrf, "flow": "paste"})
    assert started.status_code == 200
    authorize = re.search(r'href="([^"]+)"[^>]*data-authorize-link', started.text).group(1)
    state = re.search(r'name="state" value="([^"]+)"', started.text).group(1)
    pasted = hosted_code(authorize.replace("&amp;", "&"))

    done = session.post(base + "/paste", data={"csrf_token": csrf, "state": state, "value": pasted})
    assert done.status_code == 200 and "data-flow-done" in done.text
    assert fake.accounts["claude-code"] in card_html(done.text, "claude-code")

    again = session.post(
        base + "/paste", data={"csrf_token": csrf, "state": state, "value": pasted}
    )
    assert again.status_code == 409 and "data-flow-error" in again.text  # a code works once


def test_home_and_the_card_show_the_accounts_quota_windows(signing_gateway, fake):
    fake.fail_usage("claude-code", 503)  # the poll after sign-in reads nothing: the saved one shows
    with signing_gateway.admin() as admin:
        started = admin.get(signing_gateway.url + "/api/oauth/claude-code/start").json()
        done = admin.post(
            signing_gateway.url + "/api/oauth/claude-code/callback",
            json={"value": hosted_code(started["authorizeUrl"])},
        ).json()
    in_two_hours = time.time() + 2 * 3600 + 90
    snapshot = {
        "provider": "claude-code",
        "takenAt": time.time(),
        "exhausted": False,
        "resetsAt": None,
        "windows": [
            {"name": "5h", "used": 0.42, "resetsAt": in_two_hours, "exhausted": False},
            {"name": "7d", "used": 1.0, "resetsAt": in_two_hours + 86400, "exhausted": True},
        ],
    }
    with signing_gateway.services.database.connection_context():
        save_quota_snapshot(done["connectionId"], snapshot)

    session = browser_session(signing_gateway)
    home = session.get(signing_gateway.url + "/").text
    section = home[home.index('id="home-subscriptions"') :]
    assert 'data-window="5h"' in section and "42%" in section and "2 h 1 min" in section
    assert 'class="quota exhausted" data-window="7d"' in section and "1 d 2 h" in section
    card = card_html(session.get(signing_gateway.url + "/providers").text, "claude-code")
    assert 'aria-valuenow="42"' in card and fake.accounts["claude-code"] in card
