"""Which model ids a dedicated provider route owns (`scoped_model`), checked directly: pure, no
database. The same routes end to end: tests/integration/test_provider_scope.py."""

from __future__ import annotations

import pytest

from omniroute.errors import InvalidRequestError
from omniroute.providers import PROVIDERS
from omniroute.proxy.provider_scope import scoped_model
from omniroute.routing.table import build_routing_table

TABLE = build_routing_table([])
LLAMA = "meta-llama/Llama-3.3-70B-Instruct-Turbo"


def _listed(provider_id: str, *custom: str) -> set[str]:
    return {m.id for m in PROVIDERS[provider_id].models} | set(custom)


@pytest.mark.parametrize(
    ("provider", "model", "routed"),
    [
        ("openrouter", "openai/gpt-4o", "openrouter/openai/gpt-4o"),
        ("openrouter", "anthropic/claude-sonnet-4", "openrouter/anthropic/claude-sonnet-4"),
        ("openrouter", "openrouter/openai/gpt-4o", "openrouter/openai/gpt-4o"),
        ("openrouter", "openrouter/auto", "openrouter/openrouter/auto"),  # its own catalog id
        ("groq", "openai/gpt-oss-120b", "groq/openai/gpt-oss-120b"),
        ("groq", "groq/llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile"),
        ("groq", "llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile"),
        ("nvidia", "nvidia/llama-3.3-70b-instruct", "nvidia/nvidia/llama-3.3-70b-instruct"),
        ("nvidia", "nvidia/nvidia/llama-3.3-70b-instruct", "nvidia/nvidia/llama-3.3-70b-instruct"),
        ("together", LLAMA, f"together/{LLAMA}"),
        ("deepseek", "ds/deepseek-chat", "ds/deepseek-chat"),
        ("deepseek", "deepseek/deepseek-chat", "ds/deepseek-chat"),
        ("openai", "gpt-4o", "openai/gpt-4o"),
        ("openai", "ft/my-model", "openai/ft/my-model"),  # "ft" names no provider
    ],
)  # fmt: skip
def test_the_route_provider_owns_the_model(provider, model, routed):
    spec = PROVIDERS[provider]
    assert scoped_model(spec, model, TABLE, _listed(provider)) == routed


@pytest.mark.parametrize(
    ("provider", "model", "owner"),
    [
        ("openai", "anthropic/claude-sonnet-4-5", "anthropic"),
        ("deepseek", "openai/gpt-4o", "openai"),
        ("anthropic", "gemini/gemini-2.5-pro", "gemini"),
    ],
)
def test_another_providers_model_is_refused_where_ids_have_no_slash(provider, model, owner):
    with pytest.raises(InvalidRequestError) as error:
        scoped_model(PROVIDERS[provider], model, TABLE, _listed(provider))
    assert error.value.status == 400 and error.value.param == "model"
    assert f"belongs to provider '{owner}'" in error.value.message


def test_a_listed_custom_id_is_kept_even_when_it_names_another_provider():
    listed = _listed("openai", "anthropic/claude-proxy")
    routed = scoped_model(PROVIDERS["openai"], "anthropic/claude-proxy", TABLE, listed)
    assert routed == "openai/anthropic/claude-proxy"
