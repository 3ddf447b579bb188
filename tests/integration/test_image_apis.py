"""Stability AI and Black Forest Labs behind POST /v1/images/generations, through a real
gateway to strict fakes of their APIs (tests.fakes.image_apis, real HTTP)."""

from __future__ import annotations

import base64

import openai
import pytest
import requests

from omniroute.proxy import image_jobs
from tests.fakes.image_apis import ImageApis


@pytest.fixture(scope="module")
def images_server():
    server = ImageApis().start()
    yield server
    server.stop()


@pytest.fixture
def images(images_server, monkeypatch):
    images_server.reset()
    monkeypatch.setattr(image_jobs, "POLL_INTERVAL", 0.01)
    return images_server


def generate(gateway, **body) -> requests.Response:
    return requests.post(gateway.v1 + "/images/generations", json=body, timeout=10)


# -- Stability AI ---------------------------------------------------------------------------


def test_stability_gets_a_multipart_form_and_answers_b64_json(gateway, images):
    gateway.add_connection(images.base + "/stability", provider="stability", apiKey="sk-stab-1")
    client = openai.OpenAI(base_url=gateway.v1, api_key="unused", max_retries=0)
    reply = client.images.generate(
        model="stability/stable-image-core",
        prompt="a red fox",
        size="1792x1024",
        response_format="b64_json",
    )
    assert base64.b64decode(reply.data[0].b64_json) == b"PNG:core:a red fox"
    [sent] = images.requests
    assert sent.path == "/stability/v2beta/stable-image/generate/core"
    assert sent.body == {"prompt": "a red fox", "output_format": "png", "aspect_ratio": "16:9"}
    assert sent.headers["Authorization"] == "Bearer sk-stab-1"
    assert sent.headers["Accept"] == "application/json"
    row = gateway.last_usage_row()
    assert (row.endpoint, row.provider, row.completion_tokens) == (
        "images.generations",
        "stability",
        1,
    )
    assert row.cost_usd == 0  # no published per-image price in the row


def test_stability_sd35_names_its_model_and_answers_a_data_url(gateway, images):
    gateway.add_connection(images.base + "/stability", provider="stability")
    answer = generate(gateway, model="stability/sd3.5-large", prompt="p", output_format="jpeg")
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["data"]
    assert item["url"].startswith("data:image/jpeg;base64,")
    sent = images.requests[-1]
    assert sent.path.endswith("/generate/sd3") and sent.body["model"] == "sd3.5-large"


@pytest.mark.parametrize(
    ("change", "param"),
    [({"n": 2}, "n"), ({"size": "big"}, "size"), ({"output_format": "gif"}, "output_format")],
)
def test_what_stability_cannot_do_is_a_400_before_sending(gateway, images, change, param):
    gateway.add_connection(images.base + "/stability", provider="stability")
    answer = generate(gateway, model="stability/stable-image-ultra", prompt="p", **change)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param
    assert images.requests == []


def test_a_stability_refusal_keeps_its_status(gateway, images):
    gateway.add_connection(images.base + "/stability", provider="stability")
    answer = generate(gateway, model="stability/stable-image-ultra", prompt="p", aspect_ratio="7:3")
    assert answer.status_code == 400, answer.text
    assert "aspect_ratio is not supported" in answer.json()["error"]["message"]
    row = gateway.last_usage_row()
    assert (row.endpoint, row.status, row.provider) == ("images.generations", 400, "stability")


# -- Black Forest Labs ----------------------------------------------------------------------


def test_bfl_job_is_polled_until_ready_and_priced_per_image(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl", apiKey="bfl-key-1")
    images.pending = 2
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="a fox", size="1024x768", seed=3)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [{"url": images.base + "/delivery/job-1.jpeg"}]
    assert images.paths() == ["/bfl/v1/flux-pro-1.1"] + ["/bfl/v1/get_result"] * 3
    job = images.requests[0]
    assert job.body == {"prompt": "a fox", "seed": 3, "width": 1024, "height": 768}
    assert all(r.headers["x-key"] == "bfl-key-1" for r in images.requests)
    row = gateway.last_usage_row()
    assert (row.provider, row.model, row.completion_tokens) == ("bfl", "flux-pro-1.1", 1)
    assert row.cost_usd == pytest.approx(0.04)


def test_bfl_b64_json_fetches_the_sample_without_the_key(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl")
    answer = generate(gateway, model="bfl/flux-dev", prompt="p", response_format="b64_json")
    assert answer.status_code == 200, answer.text
    image = base64.b64decode(answer.json()["data"][0]["b64_json"])
    assert image == b"JPEG:/delivery/job-1.jpeg"
    assert images.paths()[-1] == "/delivery/job-1.jpeg"


def test_bfl_ultra_takes_an_aspect_ratio(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl")
    answer = generate(gateway, model="bfl/flux-pro-1.1-ultra", prompt="p", size="1536x1024")
    assert answer.status_code == 200, answer.text
    assert images.requests[0].body == {"prompt": "p", "aspect_ratio": "3:2"}


def test_a_bfl_job_that_never_finishes_is_an_honest_504(gateway, images, monkeypatch):
    monkeypatch.setattr(image_jobs, "POLL_TIMEOUT", 0.2)
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl")
    images.pending = 10**6
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="p")
    assert answer.status_code == 504, answer.text
    assert "did not finish image job job-1" in answer.json()["error"]["message"]
    row = gateway.last_usage_row()
    assert (row.endpoint, row.status, row.provider) == ("images.generations", 504, "bfl")


@pytest.mark.parametrize(
    ("final", "status"), [("Content Moderated", 400), ("Error", 502), ("Failed", 502)]
)
def test_a_bfl_job_that_fails_says_why(gateway, images, final, status):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl")
    images.final_status = final
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="p")
    assert answer.status_code == status, answer.text
    assert final in answer.json()["error"]["message"]


def test_a_bfl_refusal_keeps_its_status(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl")
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="p", size="1000x1000")
    assert answer.status_code == 422, answer.text  # BFL wants multiples of 32
    assert images.paths() == ["/bfl/v1/flux-pro-1.1"]


def test_bfl_falls_back_across_accounts(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl", name="a", apiKey="k-a")
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl", name="b", apiKey="k-b")
    images.busy_keys.add("k-a")
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="p")
    assert answer.status_code == 200, answer.text
    assert [r.api_key for r in images.requests[:2]] == ["k-a", "k-b"]
    assert images.paths()[2:] == ["/bfl/v1/get_result"] * 2


def test_the_connection_test_checks_image_keys_without_generating(gateway, images):
    ids = {
        "stability": gateway.add_connection(images.base + "/stability", provider="stability"),
        "bfl": gateway.add_connection(images.base + "/bfl/v1", provider="bfl"),
    }
    with gateway.admin() as admin:
        for provider, connection in ids.items():
            result = admin.post(f"{gateway.url}/api/providers/{connection['id']}/test").json()
            assert result["ok"] is True, (provider, result)
    assert images.paths() == ["/stability/v1/user/balance", "/bfl/v1/credits"]


def test_the_key_is_not_sent_to_a_polling_url_on_another_host(gateway, images):
    gateway.add_connection(images.base + "/bfl/v1", provider="bfl", apiKey="bfl-secret-1")
    images.polling_base = images.base.replace("127.0.0.1", "localhost")
    answer = generate(gateway, model="bfl/flux-pro-1.1", prompt="p")
    assert answer.status_code == 403, answer.text  # the fake wants the key it was not given
    poll = images.requests[-1]
    assert poll.path.startswith("/bfl/v1/get_result") and "x-key" not in poll.headers
