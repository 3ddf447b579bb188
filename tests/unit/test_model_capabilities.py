"""The capability table (providers/capabilities.py) and fitting a request to a model
(formats/fitting.py), without a server."""

from __future__ import annotations

import logging

import pytest

from omniroute.formats import canonical as c
from omniroute.formats.body_fitting import fit_body
from omniroute.formats.dropped import DropNotes
from omniroute.formats.fitting import fit_request, nearest_effort
from omniroute.formats.registry import FORMATS
from omniroute.providers.capabilities import UNKNOWN, traits_for
from omniroute.providers.catalog import CATALOG


@pytest.mark.parametrize(
    "model, thinking, limit, exclusive",
    [
        ("claude-sonnet-4-5-20250929", "budget", 64000, True),
        ("claude-opus-4-6", "adaptive", 128000, True),
        ("claude-opus-4-1", "budget", 32000, True),
        ("claude-opus-4-20250514", "budget", 32000, False),
        ("claude-sonnet-4.5", "budget", 64000, True),  # Kiro's spelling
        ("claude-4.5-sonnet", "budget", 64000, True),  # Copilot's
        ("anthropic/claude-haiku-4.5", "budget", 64000, True),  # an aggregator's
        ("claude-3-5-haiku-20241022", "none", 8192, False),
        ("gpt-5", "effort", 128000, False),
        ("gpt-5.2-codex", "effort", 128000, False),
        ("o3", "effort", 100000, False),
        ("gpt-4o-mini", "none", 16384, False),
        ("gpt-4.1", "none", 32768, False),
        ("gemini-3-pro-preview", "level", 65536, False),
        ("gemini-2.5-flash", "budget", 65536, False),
        ("deepseek-reasoner", "none", 64000, False),
    ],
)
def test_families(model, thinking, limit, exclusive):
    traits = traits_for(model)
    assert traits.known
    assert (traits.thinking, traits.max_output_tokens) == (thinking, limit)
    assert traits.exclusive_sampling is exclusive


def test_reasoning_models_take_max_completion_tokens_and_no_sampling():
    for model in ("gpt-5", "o4-mini", "gpt-5.1-codex-max"):
        traits = traits_for(model)
        assert traits.token_field == "max_completion_tokens"
        assert not traits.accepts("temperature") and not traits.accepts("top_p")
    assert traits_for("gpt-4o").token_field == "max_tokens"
    assert traits_for("gpt-4o").accepts("temperature")


def test_an_unknown_model_gets_the_safe_default_and_one_log_line(caplog):
    with caplog.at_level(logging.INFO, logger="omniroute.capabilities"):
        assert traits_for("my-local-model-xyz") is UNKNOWN
        assert traits_for("my-local-model-xyz") is UNKNOWN
    assert caplog.text.count("my-local-model-xyz") == 1


def test_every_catalog_chat_model_of_a_known_vendor_has_an_entry():
    vendors = ("claude-", "gpt-", "gemini-", "o3", "o4")
    for provider in CATALOG:
        for model in provider.models:
            if model.kind == "chat" and model.id.startswith(vendors):
                assert traits_for(model.id).known, (provider.id, model.id)


def request(**fields) -> c.Request:
    message = c.Message("user", (c.TextPart("hi"),))
    return c.Request(model=fields.pop("model", "m"), messages=(message,), **fields)


def test_sampling_the_model_refuses_is_dropped_and_logged(caplog):
    notes = DropNotes("req-1")
    with caplog.at_level(logging.INFO, logger="omniroute.formats.dropped"):
        fitted = fit_request(
            request(model="gpt-5", temperature=0.2, top_p=0.9, drops=notes), traits_for("gpt-5")
        )
        again = fit_request(
            request(model="gpt-5", temperature=0.2, top_p=0.9, drops=notes), traits_for("gpt-5")
        )
    assert (fitted.temperature, fitted.top_p) == (None, None) == (again.temperature, again.top_p)
    assert caplog.text.count("dropping temperature") == 1  # once per request
    assert "req-1" in caplog.text


def test_claude_45_keeps_the_temperature_of_the_two():
    fitted = fit_request(request(temperature=0.0, top_p=1.0), traits_for("claude-sonnet-4-5"))
    assert (fitted.temperature, fitted.top_p) == (0.0, None)
    only_top_p = fit_request(request(top_p=0.5), traits_for("claude-sonnet-4-5"))
    assert only_top_p.top_p == 0.5


def test_reasoning_reaches_only_models_that_take_it():
    high = c.Reasoning(effort="high")
    assert fit_request(request(reasoning=high), traits_for("gpt-4o-mini")).reasoning is None
    assert fit_request(request(reasoning=high), traits_for("gpt-5")).reasoning == high
    budget = fit_request(request(reasoning=high), traits_for("claude-sonnet-4-5")).reasoning
    assert budget == high


def test_an_effort_becomes_the_nearest_the_model_knows():
    xhigh = fit_request(request(reasoning=c.Reasoning(effort="xhigh")), traits_for("gpt-5"))
    assert xhigh.reasoning.effort == "high"
    minimal = fit_request(request(reasoning=c.Reasoning(effort="minimal")), traits_for("o3"))
    assert minimal.reasoning.effort == "low"
    assert nearest_effort("none", ("low", "high")) is None
    assert nearest_effort("medium", ("low", "high")) == "high"  # ties go up


def test_a_cap_above_the_limit_is_lowered_and_traits_ride_along():
    traits = traits_for("claude-opus-4-1")
    fitted = fit_request(request(max_tokens=100000), traits)
    assert fitted.max_tokens == 32000 and fitted.traits is traits
    assert fit_request(request(max_tokens=100), traits).max_tokens == 100


def test_an_unknown_model_gets_the_request_as_asked():
    asked = request(temperature=0.3, top_p=0.4, reasoning=c.Reasoning(effort="high"))
    fitted = fit_request(asked, UNKNOWN)
    assert (fitted.temperature, fitted.top_p, fitted.reasoning) == (0.3, 0.4, asked.reasoning)


def test_a_body_with_nothing_to_fit_is_the_same_object():
    body = {"model": "gpt-4o", "temperature": 0.1, "messages": []}
    fields = FORMATS["openai"].body_fields
    assert fit_body(body, "gpt-4o", fields, traits_for("gpt-4o")) is body
    assert fit_body(body, "mystery", fields, UNKNOWN) is body


def test_fitting_a_body_never_changes_the_clients():
    reasoning = {"effort": "xhigh", "summary": "auto"}
    body = {"model": "gpt-5", "input": "hi", "reasoning": reasoning, "top_p": 0.3}
    fitted = fit_body(body, "gpt-5", FORMATS["responses"].body_fields, traits_for("gpt-5"))
    assert fitted["reasoning"] == {"effort": "high", "summary": "auto"} and "top_p" not in fitted
    assert (
        body["reasoning"] is reasoning and reasoning["effort"] == "xhigh" and body["top_p"] == 0.3
    )


def test_a_gemini_body_is_fitted_inside_its_generation_config():
    config = {"temperature": 0, "topP": 1, "thinkingConfig": {"thinkingBudget": 0}}
    body = {"contents": [], "generationConfig": config}
    fields = FORMATS["gemini"].body_fields
    fitted = fit_body(body, "gemini-2.0-flash", fields, traits_for("gemini-2.0-flash"))
    assert fitted["generationConfig"] == {"temperature": 0, "topP": 1}
    assert config["thinkingConfig"] == {"thinkingBudget": 0}  # the client's body is untouched
