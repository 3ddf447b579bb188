"""fal behind POST /v1/images/generations: a request on fal's queue (`Authorization: Key`),
its status polled until COMPLETED, its result read and answered in OpenAI's shape, through a
real gateway to the strict fake of tests/fakes/fal_queue.py."""

from __future__ import annotations

import base64

import openai
import pytest
import requests

from omniroute.proxy import image_jobs
from tests.fakes.fal_queue import FalQueue
from tests.integration.test_image_apis import generate


@pytest.fixture
def fal(monkeypatch):
    server = FalQueue().start()
    monkeypatch.setattr(image_jobs, "POLL_INTERVAL", 0.01)
    yield server
    server.stop()


def test_a_fal_request_is_queued_polled_and_read_with_the_key(gateway, fal):
    gateway.add_connection(fal.base, provider="fal", apiKey="fal-key-1")
    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    reply = client.images.generate(
        model="fal/fal-ai/flux/dev", prompt="a fox", size="1024x768", n=2
    )
    assert [image.url for image in reply.data] == [
        f"{fal.base}/files/{job}-{index}.png" for job in fal.jobs for index in (0, 1)
    ]
    [job] = fal.jobs
    assert fal.paths() == ["/fal-ai/flux/dev"] + [f"/fal-ai/flux/requests/{job}/status"] * 3 + [
        f"/fal-ai/flux/requests/{job}"
    ]
    assert fal.requests[0].body == {
        "prompt": "a fox",
        "num_images": 2,
        "image_size": {"width": 1024, "height": 768},
    }
    assert all(r.headers["authorization"] == "Key fal-key-1" for r in fal.requests)
    row = gateway.last_usage_row()
    assert (row.provider, row.model, row.completion_tokens) == ("fal", "fal-ai/flux/dev", 2)


def test_fal_b64_json_fetches_the_images_without_the_key(gateway, fal):
    gateway.add_connection(fal.base, provider="fal", apiKey="fal-key-1")
    answer = generate(
        gateway, model="fal/fal-ai/flux/schnell", prompt="p", response_format="b64_json"
    )
    assert answer.status_code == 200, answer.text
    [job] = fal.jobs
    image = base64.b64decode(answer.json()["data"][0]["b64_json"])
    assert image == f"PNG:fal:/files/{job}-0.png".encode()
    assert "authorization" not in fal.requests[-1].headers


def test_a_fal_request_that_fails_keeps_its_status(gateway, fal):
    fal.failing = True
    gateway.add_connection(fal.base, provider="fal", apiKey="fal-key-1")
    answer = generate(gateway, model="fal/fal-ai/flux/dev", prompt="p")
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["type"]


def test_a_wrong_key_or_a_bad_size_is_refused(gateway, fal):
    gateway.add_connection(fal.base, provider="fal", apiKey="fal-key-wrong")
    assert generate(gateway, model="fal/fal-ai/flux/dev", prompt="p", size="big").status_code == 400
    assert generate(gateway, model="fal/fal-ai/flux/dev", prompt="p", n=5).status_code == 400
    assert not fal.requests  # the bad bodies never left the gateway
    assert generate(gateway, model="fal/fal-ai/flux/dev", prompt="p").status_code == 401
    assert fal.requests[-1].headers["authorization"] == "Key fal-key-wrong"
    extra = requests.post(
        fal.base + "/fal-ai/flux/dev",
        json={"prompt": "p", "model": "x"},
        headers={"Authorization": "Key fal-key-1"},
        timeout=10,
    )
    assert extra.status_code == 422  # the fake refuses fields FLUX does not take


def test_testing_a_fal_connection_says_there_is_no_key_check(gateway, fal):
    made = gateway.add_connection(fal.base, provider="fal", apiKey="fal-key-1")
    result = gateway.admin().post(f"{gateway.url}/api/providers/{made['id']}/test").json()
    assert result["ok"] is False and "no call that only checks a key" in result["error"]
    assert not fal.requests
