"""The Combos page, Settings → Routing and the attempt chain on the Home page.

Plain-HTTP form tests (a browser without JavaScript, and htmx requests) against a real gateway;
outcomes are checked through the JSON API and in the visible page. The same pages in chromium:
tests/e2e/test_combos_browser.py.
"""

from __future__ import annotations

import html
import re

import pytest
import requests

from omniroute.routing.account_order import ACCOUNT_STRATEGIES
from omniroute.routing.combos import COMBO_STRATEGIES
from omniroute.web.combos.pages import COMBO_STRATEGY_HELP, COMBO_TEMPLATES
from omniroute.web.routing.pages import ACCOUNT_STRATEGY_HELP
from tests.dashboard_user import browser_session, csrf_from
from tests.fake_upstream import Behavior

HX = {"HX-Request": "true"}

# The user guide's combos, with its free layer (iFlow, Qwen Code: discontinued) replaced by
# local models, the free option that remains.
GUIDE_TEMPLATES = {
    "maximize-claude": ["cc/claude-opus-4-6", "glm/glm-4.7", "ollama-local/qwen2.5-coder"],
    "free-forever": [
        "ollama-local/qwen2.5-coder",
        "lmstudio-local/qwen2.5-coder-7b-instruct",
        "llamacpp-local/default",
    ],
    "always-on": [
        "cc/claude-opus-4-6",
        "cx/gpt-5.2-codex",
        "glm/glm-4.7",
        "minimax/MiniMax-M2.1",
        "ollama-local/qwen2.5-coder",
    ],
}


# -- helpers ---------------------------------------------------------------------------------


def api(gateway, method: str, path: str, **kwargs) -> requests.Response:
    with gateway.admin() as admin:
        return admin.request(method, gateway.url + path, **kwargs)


def combos(gateway) -> dict[str, dict]:
    return {c["name"]: c for c in api(gateway, "GET", "/api/combos").json()["data"]}


def targets(combo: dict) -> list[str]:
    return [t["model"] for t in combo["models"]]


def create_combo(gateway, name: str, models: list, strategy: str = "priority") -> dict:
    response = api(
        gateway, "POST", "/api/combos", json={"name": name, "models": models, "strategy": strategy}
    )
    assert response.status_code == 201, response.text
    return response.json()


def logged_in(gateway, path: str = "/combos") -> tuple[requests.Session, str]:
    session = browser_session(gateway)
    return session, csrf_from(session.get(gateway.url + path).text)


def form_models(page_html: str) -> list[str]:
    """The editor's target inputs, in order."""
    return [html.unescape(v) for v in re.findall(r'<input name="model" value="([^"]*)"', page_html)]


def field_error(page_html: str, field: str) -> str:
    found = re.search(rf'data-error="{field}">([^<]*)<', page_html)
    return html.unescape(found.group(1)) if found else ""


def text_of(page_html: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_html)))


def combo_form(token: str, name: str, models: list[str], weights=None, **extra) -> dict:
    return {
        "csrf_token": token,
        "name": name,
        "strategy": extra.pop("strategy", "priority"),
        "model": models,
        "weight": weights or ["1"] * len(models),
        **extra,
    }


# -- combos over plain HTTP ------------------------------------------------------------------


def test_combos_page_lists_each_combo_with_strategy_targets_and_weights(gateway):
    create_combo(gateway, "fast", ["openai/gpt-4o-mini", "glm/glm-4.7"])
    create_combo(
        gateway,
        "spread",
        [{"model": "openai/gpt-4o", "weight": 3}, {"model": "glm/glm-4.7", "weight": 1}],
        strategy="weighted",
    )
    session, _ = logged_in(gateway)
    page_html = session.get(gateway.url + "/combos").text

    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page_html, re.S).group(1)
    assert re.search(r'href="/combos" aria-current="page">(?:(?!</a>).)*>Combos<', nav)
    fast = re.search(r'<article[^>]*data-combo="fast".*?</article>', page_html, re.S).group(0)
    spread = re.search(r'<article[^>]*data-combo="spread".*?</article>', page_html, re.S).group(0)
    assert re.findall(r"<li><code>([^<]+)</code>", fast) == ["openai/gpt-4o-mini", "glm/glm-4.7"]
    assert 'data-copy="fast"' in fast and "Copy model name" in fast
    assert (
        'data-strategy="priority"' in fast and "data-weight" not in fast
    )  # weights: weighted only
    assert 'data-strategy="weighted"' in spread
    assert re.findall(r"<code>([^<]+)</code> <span[^>]*data-weight>weight (\d+)<", spread) == [
        ("openai/gpt-4o", "3"),
        ("glm/glm-4.7", "1"),
    ]


def test_strategy_select_explains_every_strategy(gateway):
    assert tuple(COMBO_STRATEGY_HELP) == COMBO_STRATEGIES
    session, _ = logged_in(gateway)
    page_html = session.get(gateway.url + "/combos").text
    select = re.search(r'<select id="combo-strategy".*?</select>', page_html, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert [value for value, _ in options] == list(COMBO_STRATEGIES)
    for value, label in options:
        assert " — " in label and len(label.split(" — ")[1]) > 15, (value, label)


def test_create_edit_and_delete_a_combo_with_plain_form_posts(gateway):
    session, token = logged_in(gateway)
    created = session.post(
        gateway.url + "/combos",
        data=combo_form(token, "my-combo", ["openai/gpt-4o-mini", "glm/glm-4.7"]),
        allow_redirects=False,
    )
    assert created.status_code == 302 and created.headers["Location"] == "/combos?saved=my-combo"
    stored = combos(gateway)["my-combo"]
    assert (stored["strategy"], targets(stored)) == (
        "priority",
        ["openai/gpt-4o-mini", "glm/glm-4.7"],
    )
    landing = session.get(gateway.url + created.headers["Location"]).text
    assert "Combo “my-combo” saved." in text_of(landing)

    edit_page = session.get(f"{gateway.url}/combos/{stored['id']}/edit").text
    assert form_models(edit_page) == ["openai/gpt-4o-mini", "glm/glm-4.7"]
    assert f'action="/combos/{stored["id"]}"' in edit_page
    updated = session.post(
        f"{gateway.url}/combos/{stored['id']}",
        data=combo_form(
            token,
            "my-combo",
            ["glm/glm-4.7", "openai/gpt-4o-mini"],
            ["2", "5"],
            strategy="weighted",
            new_model="if/kimi-k2-thinking",  # typed into "add target", then saved directly
        ),
        allow_redirects=False,
    )
    assert updated.status_code == 302
    stored = combos(gateway)["my-combo"]
    assert stored["strategy"] == "weighted"
    assert stored["models"] == [
        {"model": "glm/glm-4.7", "weight": 2},
        {"model": "openai/gpt-4o-mini", "weight": 5},
        {"model": "if/kimi-k2-thinking", "weight": 1},
    ]

    deleted = session.post(
        f"{gateway.url}/combos/{stored['id']}/delete",
        data={"csrf_token": token},
        allow_redirects=False,
    )
    assert deleted.status_code == 302
    assert combos(gateway) == {}
    assert 'id="no-combos"' in session.get(gateway.url + "/combos").text


def test_a_combos_own_system_prompt_is_chosen_in_the_editor(gateway):
    session, token = logged_in(gateway)
    models = ["openai/gpt-4o-mini"]
    form = combo_form(token, "team", models, prompt_mode="own", system_prompt=" Team rules. ")
    assert session.post(gateway.url + "/combos", data=form).status_code == 200
    stored = combos(gateway)["team"]
    assert stored["systemPrompt"] == "Team rules."
    edit_page = session.get(f"{gateway.url}/combos/{stored['id']}/edit").text
    assert '<option value="own" selected>' in edit_page and ">Team rules.</textarea>" in edit_page
    for mode, expected in (("none", ""), ("global", None)):
        form = combo_form(token, "team", models, prompt_mode=mode, system_prompt="ignored")
        saved = session.post(f"{gateway.url}/combos/{stored['id']}", data=form)
        assert saved.status_code == 200
        assert combos(gateway)["team"]["systemPrompt"] == expected
    too_long = combo_form(token, "team", models, prompt_mode="own", system_prompt="x" * 20_001)
    refused = session.post(f"{gateway.url}/combos/{stored['id']}", data=too_long)
    assert refused.status_code == 400
    assert field_error(refused.text, "systemPrompt") == "at most 20000 characters"
    assert combos(gateway)["team"]["systemPrompt"] is None  # nothing saved


def test_combo_forms_without_the_csrf_token_are_refused(gateway):
    combo = create_combo(gateway, "keep", ["openai/gpt-4o-mini"])
    session, _ = logged_in(gateway)
    form = combo_form("", "sneaky", ["openai/gpt-4o-mini"])
    del form["csrf_token"]
    assert session.post(gateway.url + "/combos", data=form).status_code == 400
    assert session.post(f"{gateway.url}/combos/{combo['id']}/delete").status_code == 400
    assert session.post(f"{gateway.url}/combos/{combo['id']}", data=form).status_code == 400
    assert list(combos(gateway)) == ["keep"]
    assert targets(combos(gateway)["keep"]) == ["openai/gpt-4o-mini"]


@pytest.mark.parametrize(
    ("name", "models", "weights", "field", "message"),
    [
        ("bad/name", ["openai/gpt-4o"], ["1"], "name", "letters, digits and . _ : - only"),
        ("", ["openai/gpt-4o"], ["1"], "name", "must be 1 to 100 characters"),
        ("no-targets", [], [], "models", "must be a list of 1 to 50 models"),
        ("heavy", ["openai/gpt-4o"], ["lots"], "models", "weight must be a whole number"),
        ("heavy", ["openai/gpt-4o"], ["1001"], "models", "weight must be a whole number"),
    ],
)
def test_combo_validation_errors_show_next_to_the_field_and_keep_the_input(
    gateway, name, models, weights, field, message
):
    session, token = logged_in(gateway)
    response = session.post(
        gateway.url + "/combos",
        data=combo_form(token, name, models, weights, strategy="random"),
        allow_redirects=False,
    )
    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert f'id="combo-name" name="name" value="{html.escape(name)}"' in response.text
    assert form_models(response.text) == models
    assert re.search(r'<option value="random" selected>', response.text)
    assert combos(gateway) == {}


def test_duplicate_names_and_cycles_are_refused_in_the_form(gateway):
    create_combo(gateway, "taken", ["openai/gpt-4o-mini"])
    outer = create_combo(gateway, "outer", ["taken"])
    session, token = logged_in(gateway)
    duplicate = session.post(
        gateway.url + "/combos", data=combo_form(token, "taken", ["glm/glm-4.7"])
    )
    assert duplicate.status_code == 400
    assert field_error(duplicate.text, "name") == "another combo already has this name"
    assert targets(combos(gateway)["taken"]) == ["openai/gpt-4o-mini"]

    taken = combos(gateway)["taken"]
    cycle = session.post(
        f"{gateway.url}/combos/{taken['id']}", data=combo_form(token, "taken", ["outer"])
    )
    assert cycle.status_code == 400
    assert re.fullmatch(
        r"combo cycle: (taken → outer → taken|outer → taken → outer)",
        field_error(cycle.text, "models"),
    )
    assert targets(combos(gateway)["taken"]) == ["openai/gpt-4o-mini"]
    assert targets(combos(gateway)["outer"]) == ["taken"] and outer["id"]


def test_move_remove_and_add_buttons_work_without_javascript_and_save_nothing(gateway):
    session, token = logged_in(gateway)
    models = ["a/one", "b/two", "c/three"]

    def press(action, current=models, **extra):
        response = session.post(
            gateway.url + "/combos",
            data=combo_form(token, "draft", current, action=action, **extra),
        )
        assert response.status_code == 200
        return response.text

    moved_up = press("up:2")
    assert form_models(moved_up) == ["a/one", "c/three", "b/two"]
    assert re.search(r'id="target-1-up"[^>]*autofocus', moved_up)  # focus follows the target
    assert form_models(press("down:0")) == ["b/two", "a/one", "c/three"]
    assert form_models(press("up:0")) == models  # the first cannot move up
    assert form_models(press("remove:1")) == ["a/one", "c/three"]
    added = press("add", new_model="d/four")
    assert form_models(added) == [*models, "d/four"]
    assert 'id="new-target" name="new_model" list="combo-models" value=""' in added
    assert 'value="draft"' in added
    assert combos(gateway) == {}


@pytest.mark.parametrize("template", list(GUIDE_TEMPLATES))
def test_templates_open_the_form_prefilled_and_save_as_the_guide_says(gateway, template):
    assert list(COMBO_TEMPLATES[template][0]) == GUIDE_TEMPLATES[template]
    session, token = logged_in(gateway)
    listing = session.get(gateway.url + "/combos").text
    assert f'href="/combos/new?template={template}"' in listing
    prefilled = session.get(f"{gateway.url}/combos/new?template={template}").text
    assert form_models(prefilled) == GUIDE_TEMPLATES[template]
    assert f'id="combo-name" name="name" value="{template}"' in prefilled
    assert re.search(r'<option value="priority" selected>', prefilled)
    assert combos(gateway) == {}  # opening a template saves nothing

    saved = session.post(
        gateway.url + "/combos",
        data=combo_form(token, template, form_models(prefilled)),
        allow_redirects=False,
    )
    assert saved.status_code == 302
    stored = combos(gateway)[template]
    assert (stored["strategy"], targets(stored)) == ("priority", GUIDE_TEMPLATES[template])


def test_datalist_offers_connected_models_and_other_combos(connected):
    create_combo(connected, "other", ["openai/gpt-4o-mini"])
    session, _ = logged_in(connected)
    page_html = session.get(connected.url + "/combos").text
    datalist = re.search(r'<datalist id="combo-models">(.*?)</datalist>', page_html, re.S).group(1)
    offered = re.findall(r'<option value="([^"]+)"', datalist)
    assert "openai/gpt-4o-mini" in offered and "other" in offered
    assert not [m for m in offered if m.startswith("glm/")]  # glm is not connected


def test_deleting_a_combo_in_use_shows_the_409_inline(gateway):
    inner = create_combo(gateway, "inner", ["openai/gpt-4o-mini"])
    create_combo(gateway, "outer", ["inner", "glm/glm-4.7"])
    session, token = logged_in(gateway)
    url = f"{gateway.url}/combos/{inner['id']}/delete"

    plain = session.post(url, data={"csrf_token": token}, allow_redirects=False)
    assert plain.status_code == 409
    message = re.search(r"data-delete-error>([^<]+)<", plain.text).group(1)
    assert html.unescape(message) == "“inner” is used by outer: remove it there first."
    assert "<html" in plain.text

    fragment = session.post(url, data={"csrf_token": token}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="combos-list"')
    assert "is used by outer" in text_of(fragment.text)
    assert set(combos(gateway)) == {"inner", "outer"}


def test_htmx_posts_return_fragments(gateway):
    session, token = logged_in(gateway)
    reordered = session.post(
        gateway.url + "/combos",
        data=combo_form(token, "hx", ["a/one", "b/two"], action="down:0"),
        headers=HX,
    )
    assert reordered.text.lstrip().startswith('<section class="card" id="combo-editor">')
    assert form_models(reordered.text) == ["b/two", "a/one"]

    invalid = session.post(
        gateway.url + "/combos", data=combo_form(token, "hx/bad", ["a/one"]), headers=HX
    )
    assert invalid.status_code == 200 and "<html" not in invalid.text  # htmx swaps only 2xx
    assert field_error(invalid.text, "name")

    saved = session.post(
        gateway.url + "/combos", data=combo_form(token, "hx", ["a/one"]), headers=HX
    )
    assert saved.headers["HX-Trigger"] == "combos-changed"
    assert "Combo “hx” saved." in text_of(saved.text) and form_models(saved.text) == []
    assert targets(combos(gateway)["hx"]) == ["a/one"]
    listing = session.get(gateway.url + "/combos", headers=HX).text
    assert listing.lstrip().startswith('<div id="combos-list"') and 'data-combo="hx"' in listing

    combo_id = combos(gateway)["hx"]["id"]
    editor = session.get(f"{gateway.url}/combos/{combo_id}/edit", headers=HX).text
    assert "<html" not in editor and form_models(editor) == ["a/one"]
    deleted = session.post(
        f"{gateway.url}/combos/{combo_id}/delete", data={"csrf_token": token}, headers=HX
    )
    assert 'id="no-combos"' in deleted.text and combos(gateway) == {}


def test_combo_test_reports_each_target(connected, upstream):
    connected.add_connection(upstream.url, provider="glm", name="zhipu", apiKey="glm-key-0003")
    upstream.add(Behavior(status=401, error_message="bad glm key"), api_key="glm-key-0003")
    combo = create_combo(
        connected, "mixed", ["openai/gpt-4o-mini", "glm/glm-4.7", "if/kimi-k2-thinking"]
    )
    session, token = logged_in(connected)
    url = f"{connected.url}/combos/{combo['id']}/test"

    fragment = session.post(url, data={"csrf_token": token}, headers=HX).text
    assert "<html" not in fragment and 'data-test-results="mixed"' in fragment
    rows = dict(re.findall(r'<tr data-target="([^"]+)"[^>]*>(.*?)</tr>', fragment, re.S))
    assert list(rows) == ["openai/gpt-4o-mini", "glm/glm-4.7", "if/kimi-k2-thinking"]
    assert "data-status>200<" in rows["openai/gpt-4o-mini"]
    assert "openai · gpt-4o-mini" in text_of(rows["openai/gpt-4o-mini"])
    assert re.search(r"<td>\d+ ms</td>", rows["openai/gpt-4o-mini"])
    assert "bad glm key" in text_of(rows["glm/glm-4.7"])
    assert "provider 'iflow' is discontinued (iFlow closed on 2026-04-17): nothing was sent" in (
        text_of(rows["if/kimi-k2-thinking"])
    )
    assert "1 of 3 targets answered." in text_of(fragment)

    page_html = session.post(url, data={"csrf_token": token}).text  # without JavaScript
    assert "<html" in page_html and 'data-test-results="mixed"' in page_html


# -- Settings → Routing over plain HTTP ------------------------------------------------------


def settings(gateway) -> dict:
    """The routing settings (the fields of Settings → Routing) from GET /api/settings."""
    every = api(gateway, "GET", "/api/settings").json()
    return {name: value for name, value in every.items() if name in ROUTING_FORM}


ROUTING_FORM = {
    "routingStrategy": "p2c",
    "stickyRoundRobinLimit": "7",
    "comboStrategy": "weighted",
    "comboRetries": "2",
    "maxAttempts": "12",
}


def test_settings_has_routing_and_security_tabs(gateway):
    session = browser_session(gateway)
    redirect = session.get(gateway.url + "/settings", allow_redirects=False)
    assert redirect.headers["Location"] == "/settings/routing"
    routing = session.get(gateway.url + "/settings/routing").text
    tabs = re.search(r'<nav class="tabs".*?</nav>', routing, re.S).group(0)
    assert re.search(r'href="/settings/routing" aria-current="page">Routing<', tabs)
    assert re.search(r'href="/settings/security"\s*>Security<', tabs)
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', routing, re.S).group(1)
    assert re.search(
        r'href="/settings/routing"\s+aria-current="page">(?:(?!</a>).)*>Settings<', nav
    )
    security = session.get(gateway.url + "/settings/password").text  # the old URL redirects
    assert re.search(r'href="/settings/security" aria-current="page">Security<', security)
    assert 'name="current_password"' in security


def test_routing_page_explains_all_six_strategies(gateway):
    assert tuple(ACCOUNT_STRATEGY_HELP) == ACCOUNT_STRATEGIES and len(ACCOUNT_STRATEGIES) == 6
    session = browser_session(gateway)
    page_html = session.get(gateway.url + "/settings/routing").text
    radios = re.findall(r'name="routingStrategy" value="([^"]+)"( checked)?', page_html)
    assert [value for value, _ in radios] == list(ACCOUNT_STRATEGIES)
    assert [value for value, checked in radios if checked] == ["fill-first"]
    page_text = text_of(page_html)
    for label, about in ACCOUNT_STRATEGY_HELP.values():
        assert str(label) in page_text and str(about) in page_text


def test_save_routing_settings_with_the_form(gateway):
    session, token = logged_in(gateway, "/settings/routing")
    response = session.post(
        gateway.url + "/settings/routing",
        data={"csrf_token": token, **ROUTING_FORM},
        allow_redirects=False,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/routing?saved=routing"
    assert settings(gateway) == {
        "routingStrategy": "p2c",
        "stickyRoundRobinLimit": 7,
        "comboStrategy": "weighted",
        "comboRetries": 2,
        "maxAttempts": 12,
    }
    page_html = session.get(gateway.url + response.headers["Location"]).text
    assert "Routing settings saved." in text_of(page_html)
    assert re.search(r'value="p2c" checked', page_html)
    assert re.search(r'<option value="weighted" selected>', page_html)
    # the new default strategy is what a new combo starts with
    assert re.search(
        r'<option value="weighted" selected>', session.get(gateway.url + "/combos").text
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("routingStrategy", "fastest", "choose one of the listed options"),
        ("stickyRoundRobinLimit", "0", "enter a whole number from 1 to 1000"),
        ("comboRetries", "six", "enter a whole number from 0 to 5"),
        ("maxAttempts", "51", "enter a whole number from 1 to 50"),
        ("comboStrategy", "", "choose one of the listed options"),
    ],
)
def test_bad_routing_values_save_nothing_and_keep_the_input(gateway, field, value, message):
    before = settings(gateway)
    session, token = logged_in(gateway, "/settings/routing")
    response = session.post(
        gateway.url + "/settings/routing",
        data={"csrf_token": token, **ROUTING_FORM, field: value},
    )
    assert response.status_code == 400
    assert field_error(response.text, field) == message
    assert "Nothing was saved" in response.text
    assert (
        'name="maxAttempts" type="number" min="1" max="50" value="'
        + (value if field == "maxAttempts" else "12")
        in response.text
    )
    assert settings(gateway) == before


def test_routing_form_needs_the_csrf_token(gateway):
    session = browser_session(gateway)
    response = session.post(gateway.url + "/settings/routing", data=ROUTING_FORM)
    assert response.status_code == 400
    assert settings(gateway)["routingStrategy"] == "fill-first"


def test_add_and_delete_a_model_alias(gateway):
    session, token = logged_in(gateway, "/settings/routing")
    added = session.post(
        gateway.url + "/settings/routing/aliases",
        data={"csrf_token": token, "pattern": "claude-sonnet-*", "target": "cc/claude-sonnet-4-5"},
        allow_redirects=False,
    )
    assert added.status_code == 302
    stored = api(gateway, "GET", "/api/models/alias").json()["data"]
    assert stored == [{"pattern": "claude-sonnet-*", "target": "cc/claude-sonnet-4-5"}]
    page_html = session.get(gateway.url + added.headers["Location"]).text
    assert 'data-alias="claude-sonnet-*"' in page_html and "Model aliases saved." in page_html

    bad = session.post(
        gateway.url + "/settings/routing/aliases",
        data={"csrf_token": token, "pattern": "has space", "target": "openai/gpt-4o"},
    )
    assert bad.status_code == 400
    assert field_error(bad.text, "pattern") == "letters, digits and - _ . : / * ? only"
    assert 'value="has space"' in bad.text and 'value="openai/gpt-4o"' in bad.text

    fragment = session.post(
        gateway.url + "/settings/routing/aliases/delete",
        data={"csrf_token": token, "pattern": "claude-sonnet-*"},
        headers=HX,
    )
    assert fragment.text.lstrip().startswith('<section class="card" id="aliases-panel">')
    assert 'id="no-aliases"' in fragment.text
    assert api(gateway, "GET", "/api/models/alias").json()["data"] == []


def test_add_and_delete_a_fallback_chain(gateway):
    session, token = logged_in(gateway, "/settings/routing")
    added = session.post(
        gateway.url + "/settings/routing/chains",
        data={
            "csrf_token": token,
            "model": "cc/claude-opus-4-6",
            "chain": "gh/gpt-5.1-codex, glm/glm-4.7\nif/kimi-k2-thinking\n",
            "name": "production-fallback",
        },
        allow_redirects=False,
    )
    assert added.status_code == 302
    assert api(gateway, "GET", "/api/fallback/chains").json()["data"] == [
        {
            "model": "cc/claude-opus-4-6",
            "name": "production-fallback",
            "chain": ["gh/gpt-5.1-codex", "glm/glm-4.7", "if/kimi-k2-thinking"],
        }
    ]
    page_text = text_of(session.get(gateway.url + "/settings/routing").text)
    assert "gh/gpt-5.1-codex → glm/glm-4.7 → if/kimi-k2-thinking" in page_text

    empty = session.post(
        gateway.url + "/settings/routing/chains",
        data={"csrf_token": token, "model": "glm/*", "chain": " , \n", "name": ""},
    )
    assert empty.status_code == 400
    assert field_error(empty.text, "chain") == "must be a list of 1 to 20 models"
    assert 'value="glm/*"' in empty.text

    deleted = session.post(
        gateway.url + "/settings/routing/chains/delete",
        data={"csrf_token": token, "model": "cc/claude-opus-4-6"},
        allow_redirects=False,
    )
    assert deleted.status_code == 302
    assert api(gateway, "GET", "/api/fallback/chains").json()["data"] == []


# -- the attempt chain on the Home page ------------------------------------------------------


def test_home_shows_the_attempt_chain_of_a_request_that_fell_back(gateway, upstream):
    gateway.add_connection(upstream.url, name="first", apiKey="sk-first-0001", priority=1)
    gateway.add_connection(upstream.url, name="second", apiKey="sk-second-0002", priority=2)
    upstream.add(Behavior(status=429, error_message="slow down, first"), api_key="sk-first-0001")
    with requests.Session() as client:
        client.trust_env = False
        answer = client.post(
            gateway.v1 + "/chat/completions",
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            timeout=10,
        )
    assert answer.status_code == 200 and answer.headers["X-OmniRoute-Fallback-Attempts"] == "1"
    gateway.flush_usage()

    session = browser_session(gateway)
    cell = re.search(
        r'<td class="attempt-chain".*?</td>', session.get(gateway.url + "/").text, re.S
    )
    steps = re.findall(r'<span class="step (\w+)" data-step\s+title="([^"]*)">([^<]+)<', cell[0])
    assert [(kind, text) for kind, _, text in steps] == [
        ("failed", "openai·first 429"),
        ("ok", "openai·second 200"),
    ]
    assert "slow down, first" in html.unescape(steps[0][1])  # the error, in the tooltip
    assert "gpt-4o-mini" in steps[1][1]
    assert "openai·first 429 → openai·second 200" in text_of(cell[0])


def test_combos_and_routing_pages_speak_indonesian(gateway):
    create_combo(gateway, "hemat", ["openai/gpt-4o-mini"])
    session, token = logged_in(gateway)
    session.headers["Accept-Language"] = "id"
    combos_text = text_of(session.get(gateway.url + "/combos").text)
    for phrase in ("Kombo Anda", "Salin nama model", "Simpan kombo", "Mulai dari templat"):
        assert phrase in combos_text, phrase
    bad_name = session.post(gateway.url + "/combos", data=combo_form(token, "a/b", ["x/y"]))
    assert field_error(bad_name.text, "name") == "hanya huruf, angka dan . _ : - (tanpa /)"

    routing_text = text_of(session.get(gateway.url + "/settings/routing").text)
    for phrase in ("Perutean", "Keamanan", "Isi dulu", "Alias model", "Rantai fallback"):
        assert phrase in routing_text, phrase
    bad = session.post(
        gateway.url + "/settings/routing",
        data={"csrf_token": token, **ROUTING_FORM, "maxAttempts": "0"},
    )
    assert field_error(bad.text, "maxAttempts") == "masukkan bilangan bulat dari 1 sampai 50"
