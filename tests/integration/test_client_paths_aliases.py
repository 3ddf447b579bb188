"""The unprefixed `/responses`, `/messages`, `/models` and the doubled `/v1/v1/…` paths that
misconfigured clients send work like their /v1 originals, through a real gateway."""

from __future__ import annotations

import pytest
import requests

from tests.fake_upstream import ECHO_PREFIX

MODEL = "openai/gpt-4o-mini"
TEXT = "hello there"


def output_text(body: dict) -> str:
    return "".join(
        part["text"]
        for item in body["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )


@pytest.mark.parametrize("path", ["/responses", "/v1/v1/responses"])
def test_responses_paths(connected, upstream, path):
    response = requests.post(connected.url + path, json={"model": MODEL, "input": TEXT})
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "response"
    assert output_text(response.json()) == ECHO_PREFIX + TEXT
    assert upstream.chat_requests()[-1].body["messages"][-1]["content"] == TEXT


@pytest.mark.parametrize("path", ["/messages", "/v1/v1/messages"])
def test_messages_paths(connected, upstream, path):
    body = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": TEXT}]}
    response = requests.post(connected.url + path, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "message"
    assert response.json()["content"][0]["text"] == ECHO_PREFIX + TEXT
    assert len(upstream.chat_requests()) == 1


@pytest.mark.parametrize("path", ["/models", "/v1/v1/models"])
def test_models_paths(connected, path):
    response = requests.get(connected.url + path)
    assert response.status_code == 200, response.text
    assert response.json() == requests.get(connected.v1 + "/models").json()
    assert MODEL in [model["id"] for model in response.json()["data"]]
