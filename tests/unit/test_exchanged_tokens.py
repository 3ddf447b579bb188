"""The exchanged-token cache (providers/exchanged_tokens.py), watsonx.ai's chat body and its
model list shape: pure pieces of the watsonx.ai and GigaChat platforms."""

from __future__ import annotations

import json

from omniroute.providers import watsonx
from omniroute.providers.exchanged_tokens import ExchangedTokens, Token
from omniroute.providers.model_lists import parse_model_list

SPACE = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


class Exchanges:
    def __init__(self, lifetime: float):
        self.count = 0
        self.lifetime = lifetime

    def __call__(self) -> Token:
        self.count += 1
        return Token(f"token-{self.count}", 1000.0 + self.lifetime)


def test_a_token_is_kept_until_the_margin_before_it_expires():
    now = [1000.0]
    tokens = ExchangedTokens(clock=lambda: now[0], margin=60)
    exchange = Exchanges(lifetime=1800)
    assert tokens.token("a", "key", exchange) == "token-1"
    now[0] = 1000.0 + 1800 - 61
    assert tokens.token("a", "key", exchange) == "token-1"
    now[0] = 1000.0 + 1800 - 60
    assert tokens.token("a", "key", exchange) == "token-2"


def test_another_key_or_account_gets_its_own_token():
    tokens = ExchangedTokens(clock=lambda: 1000.0)
    exchange = Exchanges(lifetime=3600)
    assert tokens.token("a", "key-1", exchange) == "token-1"
    assert tokens.token("a", "key-2", exchange) == "token-2"  # the key changed
    assert tokens.token("b", "key-2", exchange) == "token-3"
    assert tokens.token("b", "key-2", exchange) == "token-3"


def test_the_watsonx_body_names_the_model_and_the_space_and_drops_openais_fields():
    body = json.dumps(
        {"model": "ibm/granite", "messages": [], "stream": True, "stream_options": {}, "n": 1}
    ).encode()
    chat, stream = watsonx.chat_body(body, {"spaceId": SPACE})
    assert stream is True
    assert json.loads(chat) == {
        "model_id": "ibm/granite",
        "messages": [],
        "n": 1,
        "space_id": SPACE,
    }


def test_the_watsonx_model_specs_are_read_as_a_model_list():
    raw = json.dumps(
        {"total_count": 1, "resources": [{"model_id": "ibm/granite-3-3-8b", "label": "granite"}]}
    ).encode()
    [listed] = parse_model_list(raw)
    assert (listed.id, listed.name) == ("ibm/granite-3-3-8b", "granite")
