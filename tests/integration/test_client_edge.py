"""The client API validates at its edge, through a real gateway and the fake upstream: a bad model
id, a body nested too deeply or holding a lone surrogate, or an audio form with too many parts is
a 400 in the caller's wire format and never reaches a provider; model ids reach a Gemini URL as
one encoded path segment; every response header can be sent whatever the model id is."""

from __future__ import annotations

import json

import pytest
import requests

from omniroute.proxy.client_input import MAX_JSON_DEPTH
from tests.client_requests import ENDPOINTS, add_nodes, error_shape, node_model
from tests.gateway_harness import start_gateway


@pytest.fixture(scope="module")
def edge_gateway(tmp_path_factory, upstream_server):
    """One gateway for the module, with a provider node of each format at the fake upstream."""
    running = start_gateway(str(tmp_path_factory.mktemp("edge") / "data"))
    add_nodes(running, upstream_server.url)
    yield running
    running.stop()


@pytest.fixture
def nodes(edge_gateway, upstream):
    return edge_gateway


def usage_rows(gateway):
    from omniroute.store.usage_queries import recent_usage

    gateway.flush_usage()
    with gateway.services.database.connection_context():
        return list(reversed(recent_usage(100)))


# -- model ids ------------------------------------------------------------------------------------

INJECTION = "../../../v1/responses?injected=1&"


def test_a_model_id_cannot_steer_the_gemini_upstream_url(nodes, upstream):
    """Model `node/../../../v1/responses?injected=1&` once reached the upstream as
    POST /v1beta/models/../../../v1/responses?injected=1&:generateContent."""
    for endpoint in (ENDPOINTS["chat"], ENDPOINTS["gemini"]):
        response = endpoint.post(nodes.url, node_model("gemini", INJECTION))
        assert response.status_code == 400, response.text
        assert "model" in error_shape(endpoint.wire_format, response)
    assert upstream.requests == []


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_the_model_reaches_a_gemini_url_as_one_encoded_segment(nodes, upstream, stream):
    body = ENDPOINTS["chat"].body(node_model("gemini", "tuned/model ☃"))
    body["stream"] = stream
    response = requests.post(nodes.url + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    [sent] = upstream.requests
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    assert sent.path == f"/v1/models/tuned%2Fmodel%20%E2%98%83:{action}"
    assert sent.model == "tuned/model ☃"


@pytest.mark.parametrize(
    ("endpoint", "action"),
    [("embeddings", "batchEmbedContents"), ("count_tokens", "countTokens")],
)
def test_other_gemini_paths_encode_the_model_too(nodes, upstream, endpoint, action):
    ENDPOINTS[endpoint].post(nodes.url, node_model("gemini", "tuned/x"))
    assert upstream.requests[0].path == f"/v1/models/tuned%2Fx:{action}"


BAD_MODEL_IDS = {
    "control-char": "edge-openai/fa\x01ke",
    "newline": "edge-openai/fake\nX-Injected: 1",
    "del": "edge-openai/fa\x7fke",
    "c1": "edge-openai/fa\x85ke",
    "too-long": "edge-openai/" + "m" * 300,
    "question-mark": "edge-openai/fake?x=1",
    "hash": "edge-openai/fake#frag",
    "dot-dot": "edge-openai/../fake",
    "encoded-dot-dot": "edge-openai/%2e%2e/fake",
}


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=list(ENDPOINTS))
@pytest.mark.parametrize("model", BAD_MODEL_IDS.values(), ids=list(BAD_MODEL_IDS))
def test_bad_model_ids_are_a_400_in_the_callers_shape(nodes, upstream, endpoint, model):
    response = endpoint.post(nodes.url, model)
    assert response.status_code == 400, response.text
    assert "model" in error_shape(endpoint.wire_format, response)
    if endpoint.wire_format != "anthropic":
        assert response.json()["error"].get("param") in ("model", None)
    assert upstream.requests == []


def test_a_100_kb_model_id_is_refused_without_being_echoed(nodes, upstream):
    response = ENDPOINTS["chat"].post(nodes.url, "openai/" + "x" * 100_000)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "model"
    assert len(response.text) < 1000
    assert upstream.requests == []


def test_a_lone_surrogate_model_id_is_refused(nodes, upstream):
    raw = b'{"model": "edge-openai/x\\ud800", "messages": [{"role": "user", "content": "hi"}]}'
    response = ENDPOINTS["chat"].post(nodes.url, "", body=raw)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert upstream.requests == []


def test_a_model_id_outside_latin_1_is_served_and_echoed_encoded(nodes, upstream):
    """`openai/☃` once billed at the provider, answered the client with waitress's text/plain
    500 (the X-OmniRoute-Model header could not be encoded) and recorded 200."""
    response = ENDPOINTS["chat"].post(nodes.url, node_model("openai", "☃"))
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "echo: hi"
    assert response.headers["X-OmniRoute-Model"] == "%E2%98%83"
    assert upstream.requests[0].model == "☃"
    row = usage_rows(nodes)[-1]
    assert (row.status, row.model) == (200, "☃")


def test_a_long_model_id_is_echoed_capped(nodes, upstream):
    model = "é" * 240
    for stream in (False, True):
        body = {**ENDPOINTS["chat"].body(node_model("openai", model)), "stream": stream}
        response = requests.post(nodes.url + "/v1/chat/completions", json=body, timeout=30)
        assert response.status_code == 200, response.text
        header = response.headers["X-OmniRoute-Model"]
        assert len(header) <= 256 and header.startswith("%C3%A9%C3%A9")
        response.close()


# -- bodies ---------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def body_with(endpoint, extra: str) -> bytes:
    """The endpoint's valid body for a connected model with `"metadata": <extra>` added."""
    fmt = "openai" if endpoint.name in ("embeddings", "images") else endpoint.wire_format
    text = json.dumps(endpoint.body(node_model(fmt)))
    return (text[:-1] + f', "metadata": {extra}}}').encode()


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=list(ENDPOINTS))
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 10, 5000], ids=["past-limit", "recursion"])
def test_deeply_nested_bodies_are_a_400(nodes, upstream, endpoint, depth):
    model = node_model(endpoint.wire_format)
    response = endpoint.post(nodes.url, model, body=body_with(endpoint, nested(depth)))
    assert response.status_code == 400, response.text
    assert "nested too deeply" in error_shape(endpoint.wire_format, response)
    assert upstream.requests == []


@pytest.mark.parametrize("endpoint", ENDPOINTS.values(), ids=list(ENDPOINTS))
def test_lone_surrogates_in_bodies_are_a_400(nodes, upstream, endpoint):
    model = node_model(endpoint.wire_format)
    response = endpoint.post(nodes.url, model, body=body_with(endpoint, '"x\\udc00y"'))
    assert response.status_code == 400, response.text
    assert "surrogate" in error_shape(endpoint.wire_format, response)
    assert upstream.requests == []


def test_escaped_surrogate_pairs_and_nesting_within_the_limit_pass(nodes, upstream):
    text = '"smile \\ud83d\\ude00"'
    raw = (
        '{"model": "edge-openai/fake-1", "messages": [{"role": "user", "content": '
        + text
        + '}], "metadata": '
        + nested(MAX_JSON_DEPTH - 5)
        + "}"
    )
    response = ENDPOINTS["chat"].post(nodes.url, "", body=raw.encode())
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "echo: smile 😀"


# -- audio ----------------------------------------------------------------------------------------


def test_an_audio_form_with_too_many_parts_is_a_400_not_a_413(nodes):
    boundary = "edgeboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nx\r\n'
        for i in range(1200)
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    response = requests.post(
        nodes.url + "/v1/audio/transcriptions",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    message = error_shape("openai", response)
    assert "too many parts" in message and "1000" in message
    assert response.json()["error"]["code"] == "form_too_complex"


def test_an_audio_form_with_a_bad_model_id_is_a_400(nodes):
    response = requests.post(
        nodes.url + "/v1/audio/transcriptions",
        data={"model": "openai/whisper-1?x"},
        files={"file": ("a.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64)},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "model"
