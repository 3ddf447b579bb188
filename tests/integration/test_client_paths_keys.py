"""A request carrying several API keys (a stale `Authorization: Bearer` next to a good
`x-api-key`, say) is let in when any of them is valid, through a real gateway that requires keys;
a wrong request counts once towards the wrong-key lockout, however many keys it carried."""

from __future__ import annotations

import requests

MODEL = "openai/gpt-4o-mini"
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hello there"}]}
MESSAGES = {**CHAT, "max_tokens": 16}
WRONG = "sk-omni-not-a-real-key-000000"


def test_a_wrong_bearer_next_to_a_valid_x_api_key_is_let_in(keyed):
    headers = {"Authorization": f"Bearer {WRONG}", "x-api-key": keyed.key}
    response = requests.post(keyed.v1 + "/messages", json=MESSAGES, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"


def test_a_valid_bearer_next_to_a_wrong_x_api_key_is_let_in(keyed):
    headers = {"Authorization": f"Bearer {keyed.key}", "x-api-key": WRONG}
    response = requests.post(keyed.v1 + "/chat/completions", json=CHAT, headers=headers)
    assert response.status_code == 200, response.text


def test_a_wrong_bearer_next_to_a_valid_gemini_key_is_let_in(keyed):
    url = keyed.url + f"/v1beta/models/{MODEL}:generateContent"
    body = {"contents": [{"role": "user", "parts": [{"text": "hello there"}]}]}
    headers = {"Authorization": f"Bearer {WRONG}", "x-goog-api-key": keyed.key}
    assert requests.post(url, json=body, headers=headers).status_code == 200
    query = requests.post(url, json=body, params={"key": keyed.key}, headers=headers)
    assert query.status_code == 200


def test_all_keys_wrong_is_one_401_that_names_none_of_them(keyed):
    headers = {"Authorization": f"Bearer {WRONG}", "x-api-key": WRONG + "x"}
    response = requests.post(keyed.v1 + "/messages", json=MESSAGES, headers=headers)
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "authentication_error"
    assert WRONG not in error["message"]
    for word in ("bearer", "x-api-key", "authorization"):
        assert word not in error["message"].lower()


def test_a_request_with_two_wrong_keys_counts_once_towards_the_lockout(keyed):
    """The address is locked after 10 wrong requests, not after 5 requests of two keys each."""
    url = keyed.v1 + "/chat/completions"
    two_wrong = {"Authorization": f"Bearer {WRONG}", "x-api-key": WRONG + "x"}
    for _ in range(9):
        assert requests.post(url, json=CHAT, headers=two_wrong).status_code == 401
    good = {"Authorization": f"Bearer {keyed.key}"}
    assert requests.post(url, json=CHAT, headers=good).status_code == 200  # not locked yet
    assert requests.post(url, json=CHAT, headers=two_wrong).status_code == 401  # the 10th
    locked = requests.post(url, json=CHAT, headers=good)
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
