"""Settings in five tabs over plain HTTP: every tab answers with its sections, the old URLs still
work, the AI / Security / Advanced fields of GET|PATCH /api/settings (a bad, unknown or read-only
field is a 400 naming it and saves nothing), the forms without JavaScript and with htmx, and the
model list opened to callers without a key."""

from __future__ import annotations

import re

import pytest
import requests

from tests.dashboard_user import browser_session, csrf_from
from tests.gateway_harness import start_gateway

SETTINGS = "/api/settings"
EFFORTS = {"minimal": 1024, "low": 2048, "medium": 8192, "high": 24576, "xhigh": 32768}
TABS = {
    "/settings/security": (
        "password-section",
        "sessions-section",
        "models-key-section",
        'action="/settings/password"',
        'action="/settings/sessions/logout-all"',
    ),
    "/settings/routing": ("routing-panel",),
    "/settings/resilience": ("resilience-profiles", "resilience-backoff"),
    "/settings/ai": (
        "thinking-section",
        "system-prompt-section",
        "affinity-section",
        "replay-section",
        "prompt-cache-section",
    ),
    "/settings/advanced": (
        "environment-section",
        "system-storage-section",
        "UPSTREAM_CONNECT_TIMEOUT",
        "UPSTREAM_READ_TIMEOUT",
        "UPSTREAM_IDLE_TIMEOUT",
        "ENABLE_REQUEST_LOGS",
        "REQUEST_LOG_HOURS",
    ),
}
TAB_ORDER = ["Security", "Routing", "Resilience", "AI", "Advanced"]


def tab_bar(page: str) -> str:
    return re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)


@pytest.mark.parametrize("path", list(TABS))
def test_every_tab_answers_with_its_sections_and_the_five_tabs(gateway, path):
    session = browser_session(gateway)
    response = session.get(gateway.url + path)
    assert response.status_code == 200
    for section in TABS[path]:
        assert section in response.text, section
    tabs = tab_bar(response.text)
    assert re.findall(r">([^<]+)</a>", tabs) == TAB_ORDER
    current = re.findall(r'href="([^"]+)" aria-current="page"', tabs)
    assert current == [path]


def test_old_urls_still_work(gateway):
    session = browser_session(gateway)
    old = session.get(gateway.url + "/settings/password", allow_redirects=False)
    assert old.status_code == 302 and old.headers["Location"] == "/settings/security"
    assert session.get(gateway.url + "/settings", allow_redirects=False).status_code == 302
    for path in ("/settings/routing", "/settings/resilience"):
        assert session.get(gateway.url + path).status_code == 200


def test_a_wrong_password_shows_its_error_on_the_security_tab(gateway):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/settings/security").text)
    form = {"csrf_token": token, "current_password": "wrong", "new_password": "long-enough-1"}
    refused = session.post(gateway.url + "/settings/password", data=form)
    assert refused.status_code == 400
    assert "The current password is wrong." in refused.text
    assert 'aria-current="page">Security<' in tab_bar(refused.text)


def test_api_has_the_new_fields_with_their_defaults(gateway, admin):
    settings = admin.get(gateway.url + SETTINGS).json()
    assert settings["thinkingPolicy"] == "passthrough"
    assert settings["thinkingBudgetCap"] == 8192
    assert settings["globalSystemPrompt"] == ""
    assert settings["modelsRequireKey"] is True
    assert settings["upstreamConnectTimeout"] == 10.0
    assert settings["requestLogs"] is False and settings["requestLogHours"] == 24.0
    assert settings["routingStrategy"] == "fill-first"  # the routing fields are still there


def test_api_patch_saves_the_new_fields_and_the_tabs_show_them(gateway, admin):
    changes = {
        "thinkingPolicy": "cap",
        "thinkingBudgetCap": 4096,
        "globalSystemPrompt": "  Answer in French.  ",
        "modelsRequireKey": False,
        "stickyRoundRobinLimit": 5,
    }
    saved = admin.patch(gateway.url + SETTINGS, json=changes)
    assert saved.status_code == 200, saved.text
    expected = {**changes, "globalSystemPrompt": "Answer in French."}
    with gateway.admin(fresh=True) as fresh:
        settings = fresh.get(gateway.url + SETTINGS).json()
    assert {name: settings[name] for name in expected} == expected
    session = browser_session(gateway)
    ai = session.get(gateway.url + "/settings/ai").text
    assert re.search(r'data-field="thinkingBudgetCap">4096<', ai)
    assert "Answer in French." in ai
    security = session.get(gateway.url + "/settings/security").text
    assert re.search(r'data-field="modelsRequireKey">No<', security)


@pytest.mark.parametrize(
    "body, param",
    [
        ({"thinkingPolicy": "sometimes"}, "thinkingPolicy"),
        ({"thinkingBudgetCap": 10}, "thinkingBudgetCap"),
        ({"thinkingBudgetCap": "4096"}, "thinkingBudgetCap"),
        ({"thinkingBudgetCap": True}, "thinkingBudgetCap"),
        ({"globalSystemPrompt": 5}, "globalSystemPrompt"),
        ({"globalSystemPrompt": "x" * 20_001}, "globalSystemPrompt"),
        ({"modelsRequireKey": "no"}, "modelsRequireKey"),
        ({"upstreamReadTimeout": 30}, "upstreamReadTimeout"),
        ({"requestLogs": True}, "requestLogs"),
        ({"thinkingPolicy": "off", "noSuchSetting": 1}, "noSuchSetting"),
        ({"thinkingPolicy": "off", "maxAttempts": 0}, "maxAttempts"),
        ({"stickyRoundRobinLimit": 4, "thinkingBudgetCap": 0}, "thinkingBudgetCap"),
        ({"thinkingBudgetFixed": 100}, "thinkingBudgetFixed"),
        ({"effortBudgets": {"low": 2048}}, "effortBudgets"),
        ({"effortBudgets": {**EFFORTS, "high": 200_000}}, "effortBudgets"),
        ({"globalSystemPromptPosition": "middle"}, "globalSystemPromptPosition"),
        ({"sessionAffinity": "yes"}, "sessionAffinity"),
        ({"sessionAffinityHeader": "X Conv"}, "sessionAffinityHeader"),
        ({"sessionAffinityMaxEntries": 10}, "sessionAffinityMaxEntries"),
        ({"sessionAffinityTtlSeconds": 0}, "sessionAffinityTtlSeconds"),
        ({"responseCacheTtlSeconds": -1}, "responseCacheTtlSeconds"),
        ({"responseCacheMaxBytes": 1024}, "responseCacheMaxBytes"),
        ({"idempotencyWindowSeconds": 3601}, "idempotencyWindowSeconds"),
        ({"responseCacheStreams": 1}, "responseCacheStreams"),
    ],
)
def test_api_refuses_a_bad_field_by_name_and_saves_nothing(gateway, admin, body, param):
    before = admin.get(gateway.url + SETTINGS).json()
    response = admin.patch(gateway.url + SETTINGS, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param and error["message"].startswith(param + ":")
    assert admin.get(gateway.url + SETTINGS).json() == before


def test_read_only_fields_name_their_environment_variable(gateway, admin):
    response = admin.patch(gateway.url + SETTINGS, json={"upstreamIdleTimeout": 30})
    assert "UPSTREAM_IDLE_TIMEOUT" in response.json()["error"]["message"]


def test_advanced_tab_shows_the_environment_values(tmp_path):
    gateway = start_gateway(str(tmp_path / "data"), UPSTREAM_READ_TIMEOUT=42.5)
    try:
        page = browser_session(gateway).get(gateway.url + "/settings/advanced").text
        assert re.search(r'data-field="upstreamReadTimeout">42.5 <code', page)
        assert gateway.admin().get(gateway.url + SETTINGS).json()["upstreamReadTimeout"] == 42.5
    finally:
        gateway.stop()


# -- the forms without JavaScript and with htmx --------------------------------------------


def test_no_js_edit_save_redirects_with_the_saved_flag(gateway, admin):
    session = browser_session(gateway)
    editing = session.get(gateway.url + "/settings/ai?edit=thinking").text
    assert 'name="thinkingBudgetCap"' in editing
    token = csrf_from(editing)
    form = {"csrf_token": token, "thinkingPolicy": "off", "thinkingBudgetCap": "2048"}
    saved = session.post(gateway.url + "/settings/ai/thinking", data=form, allow_redirects=False)
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/settings/ai?saved=thinking"
    page = session.get(gateway.url + saved.headers["Location"]).text
    assert "data-saved" in page and 'data-field="thinkingBudgetCap">2048<' in page
    settings = admin.get(gateway.url + SETTINGS).json()
    assert settings["thinkingPolicy"] == "off" and settings["thinkingBudgetCap"] == 2048

    form = {"csrf_token": token, "globalSystemPrompt": "Be brief."}
    saved = session.post(gateway.url + "/settings/ai/system-prompt", data=form)
    assert saved.status_code == 200 and "Be brief." in saved.text
    form = {"csrf_token": token}  # the checkbox unticked
    saved = session.post(gateway.url + "/settings/security/models-key", data=form)
    assert saved.status_code == 200
    assert admin.get(gateway.url + SETTINGS).json()["modelsRequireKey"] is False


def test_no_js_bad_value_shows_the_error_and_keeps_the_input(gateway, admin):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/settings/ai").text)
    form = {"csrf_token": token, "thinkingPolicy": "cap", "thinkingBudgetCap": "99"}
    refused = session.post(gateway.url + "/settings/ai/thinking", data=form)
    assert refused.status_code == 400
    assert "<html" in refused.text
    assert re.search(
        r'data-error="thinkingBudgetCap">enter a whole number from 128 to 128000<', refused.text
    )
    assert 'value="99"' in refused.text
    assert admin.get(gateway.url + SETTINGS).json()["thinkingBudgetCap"] == 8192


@pytest.mark.parametrize("typed", ["99", "1e4", "9" * 5000, "-5", "4096.5"])
def test_no_js_every_bad_number_is_a_400_not_a_500(gateway, typed):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/settings/ai").text)
    form = {"csrf_token": token, "thinkingPolicy": "cap", "thinkingBudgetCap": typed}
    refused = session.post(gateway.url + "/settings/ai/thinking", data=form)
    assert refused.status_code == 400
    assert 'data-error="thinkingBudgetCap"' in refused.text


def test_errors_come_in_the_users_language(gateway):
    session = browser_session(gateway)
    session.headers["Accept-Language"] = "id"
    token = csrf_from(session.get(gateway.url + "/settings/ai").text)
    form = {"csrf_token": token, "thinkingPolicy": "cap", "thinkingBudgetCap": "abc"}
    refused = session.post(gateway.url + "/settings/ai/thinking", data=form)
    assert refused.status_code == 400
    assert re.search(
        r'data-error="thinkingBudgetCap">masukkan bilangan bulat dari 128 sampai 128000<',
        refused.text,
    )


def test_htmx_edit_save_cancel_swap_one_section(gateway):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/settings/security").text)
    htmx = {"HX-Request": "true"}
    form = session.get(gateway.url + "/settings/security/models-key?edit=1", headers=htmx).text
    assert "<html" not in form and 'name="modelsRequireKey"' in form and "cancel-models-key" in form
    shown = session.get(gateway.url + "/settings/security/models-key", headers=htmx).text
    assert "<html" not in shown and 'id="edit-models-key"' in shown
    saved = session.post(
        gateway.url + "/settings/security/models-key",
        data={"csrf_token": token},
        headers=htmx,
    )
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "data-saved" in saved.text and 'data-field="modelsRequireKey">No<' in saved.text
    refused = session.post(
        gateway.url + "/settings/ai/thinking",
        data={"csrf_token": token, "thinkingPolicy": "never"},
        headers=htmx,
    )
    assert refused.status_code == 200 and "<html" not in refused.text  # htmx swaps 2xx only
    assert 'data-error="thinkingPolicy"' in refused.text


def test_a_section_of_another_tab_is_404_and_plain_get_redirects(gateway):
    session = browser_session(gateway)
    assert session.get(gateway.url + "/settings/ai/models-key").status_code == 404
    assert session.get(gateway.url + "/settings/ai/nothing").status_code == 404
    plain = session.get(gateway.url + "/settings/ai/thinking?edit=1", allow_redirects=False)
    assert plain.headers["Location"] == "/settings/ai?edit=thinking"


def test_forms_need_the_csrf_token(gateway, admin):
    session = browser_session(gateway)
    form = {"thinkingPolicy": "off", "thinkingBudgetCap": "2048"}
    assert session.post(gateway.url + "/settings/ai/thinking", data=form).status_code == 400
    assert admin.get(gateway.url + SETTINGS).json()["thinkingPolicy"] == "passthrough"


# -- the model list and its key ------------------------------------------------------------


def test_model_list_needs_a_key_unless_security_opens_it(keyed):
    models, gemini = keyed.url + "/v1/models", keyed.url + "/v1beta/models"
    plain = requests.Session()
    plain.trust_env = False
    assert plain.get(models).status_code == 401
    assert plain.get(gemini).status_code == 401
    opened = keyed.admin().patch(keyed.url + SETTINGS, json={"modelsRequireKey": False})
    assert opened.status_code == 200
    listing = plain.get(models)
    assert listing.status_code == 200 and listing.json()["object"] == "list"
    assert plain.get(gemini).status_code == 200
    chat = plain.post(
        keyed.url + "/v1/chat/completions",
        json={"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert chat.status_code == 401  # only the lists are opened
    keyed.admin().patch(keyed.url + SETTINGS, json={"modelsRequireKey": True})
    assert plain.get(models).status_code == 401
    keyed_call = plain.get(models, headers={"Authorization": f"Bearer {keyed.key}"})
    assert keyed_call.status_code == 200


def test_the_new_ai_sections_save_from_forms_and_refuse_bad_values(gateway, admin):
    session = browser_session(gateway)
    token = csrf_from(session.get(gateway.url + "/settings/ai").text)
    form = {
        "csrf_token": token,
        "thinkingPolicy": "effort_map",
        **{f"effortBudgets.{level}": str(budget + 1) for level, budget in EFFORTS.items()},
        "thinkingBudgetFixed": "3000",
    }
    saved = session.post(gateway.url + "/settings/ai/thinking", data=form, allow_redirects=False)
    assert saved.status_code == 302, saved.text
    settings = admin.get(gateway.url + SETTINGS).json()
    assert settings["thinkingPolicy"] == "effort_map" and settings["thinkingBudgetFixed"] == 3000
    assert settings["effortBudgets"] == {level: b + 1 for level, b in EFFORTS.items()}

    form = {
        "csrf_token": token,
        "sessionAffinityHeader": "X_Thread",  # no checkbox: switched off
        "sessionAffinityMaxEntries": "500",
        "sessionAffinityTtlSeconds": "90.5",
    }
    refused = session.post(gateway.url + "/settings/ai/affinity", data=form)
    assert refused.status_code == 400
    assert (
        'data-error="sessionAffinityHeader"' in refused.text and 'value="X_Thread"' in refused.text
    )
    assert admin.get(gateway.url + SETTINGS).json()["sessionAffinity"] is True  # nothing saved
    form["sessionAffinityHeader"] = "X-Thread"
    assert session.post(gateway.url + "/settings/ai/affinity", data=form).status_code == 200
    settings = admin.get(gateway.url + SETTINGS).json()
    assert settings["sessionAffinity"] is False and settings["sessionAffinityHeader"] == "X-Thread"
    assert settings["sessionAffinityTtlSeconds"] == 90.5

    form = {
        "csrf_token": token,
        "responseCache": "on",
        "responseCacheStreams": "on",
        "responseCacheTtlSeconds": "60",
        "responseCacheMaxEntries": "10",
        "responseCacheMaxBytes": "1048576",
        "idempotencyWindowSeconds": "0",
    }
    saved = session.post(gateway.url + "/settings/ai/replay", data=form)
    assert saved.status_code == 200 and "data-saved" in saved.text
    assert 'data-field="idempotencyWindowSeconds">Off<' in saved.text
    settings = admin.get(gateway.url + SETTINGS).json()
    assert settings["responseCacheStreams"] is True and settings["responseCacheMaxEntries"] == 10
    assert settings["idempotencyWindowSeconds"] == 0
