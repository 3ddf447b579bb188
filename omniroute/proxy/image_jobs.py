"""Image APIs that answer with a job to poll (Black Forest Labs, fal's queue): wait for it,
bounded.

`settle_bfl` takes the job's first answer ({"id", "polling_url"}) and polls the URL with the
account's key; `settle_fal` takes fal's ({"request_id", "status_url", "response_url"}), polls
the status URL, then reads the result at the response URL. Polls come every POLL_INTERVAL
seconds until the job is done — or failed (502), refused by moderation (400), or still not done
after POLL_TIMEOUT seconds (504, saying so). The images are fetched (without the key) when the
client asked for base64, and the answer handed back holds the OpenAI-shaped reply, read by the
media pipeline like any other.
"""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from ..errors import (
    InvalidRequestError,
    UpstreamError,
    UpstreamTimeoutError,
    UpstreamUnreachableError,
)
from ..providers import bfl, fal
from .attempts import Answer, status_error
from .media import to_json
from .transport import READ_SIZE, Transport, network_error
from .upstream_call import auth_headers, base_url

POLL_INTERVAL = 0.5  # seconds between polls (BFL's own examples wait 0.5 s)
POLL_TIMEOUT = 120.0  # seconds before a job that never finishes is given up (504)


def settle_bfl(
    client: Transport, answer: Answer, response_format: str | None, sleep=time.sleep
) -> Answer:
    return _settled(_settle_bfl, client, answer, response_format, sleep)


def settle_fal(
    client: Transport, answer: Answer, response_format: str | None, sleep=time.sleep
) -> Answer:
    return _settled(_settle_fal, client, answer, response_format, sleep)


def _settled(settle, client: Transport, answer: Answer, response_format: str | None, sleep):
    try:
        reply = settle(client, answer, response_format, sleep)
    except (ValueError, TypeError, AttributeError) as exc:
        provider = answer.attempt.spec.id
        raise UpstreamUnreachableError(
            f"provider '{provider}' answered with something that is not a valid image job: {exc}",
            provider=provider,
        ) from None
    return dataclasses.replace(answer, response=ReadyResponse(to_json(reply)))


def _settle_bfl(client: Transport, answer: Answer, response_format: str | None, sleep) -> dict:
    provider = answer.attempt.spec.id
    job = _json(answer.response, provider)
    url = bfl.polling_url(job)
    headers = _keyed(answer.attempt, url)

    def done(state: dict) -> bool:
        status = state.get("status")
        if status in bfl.MODERATED:
            raise InvalidRequestError(
                f"{provider} refused the image: {status}", code="content_policy_violation"
            )
        if status in bfl.FAILED:
            raise UpstreamError(f"{provider} could not make the image: {status}", provider=provider)
        return status == bfl.READY

    state = _poll(client, url, headers, provider, job.get("id"), done, sleep)
    sample = bfl.sample_url(state)
    b64 = _fetched(client, [sample], provider)[0] if response_format == "b64_json" else None
    return bfl.openai_images(sample, b64)


def _settle_fal(client: Transport, answer: Answer, response_format: str | None, sleep) -> dict:
    provider = answer.attempt.spec.id
    job = _json(answer.response, provider)
    status_url = fal.status_url(job)
    headers = _keyed(answer.attempt, status_url)

    def done(state: dict) -> bool:
        status = state.get("status")
        if status != fal.COMPLETED and status not in fal.WAITING:
            raise UpstreamError(f"{provider} could not make the image: {status}", provider=provider)
        return status == fal.COMPLETED

    _poll(client, status_url, headers, provider, job.get("request_id"), done, sleep)
    result_url = fal.response_url(job)
    result = _json(_get(client, result_url, _keyed(answer.attempt, result_url), provider), provider)
    urls = fal.image_urls(result)
    b64s = _fetched(client, urls, provider) if response_format == "b64_json" else None
    return fal.openai_images(urls, b64s)


def _keyed(attempt, url: str) -> dict[str, str]:
    """JSON, with the account's key when `url` is on the provider's own hosts."""
    headers = {"Accept": "application/json"}
    if _same_site(url, base_url(attempt)):
        headers.update(auth_headers(attempt.spec, attempt.connection.api_key))
    return headers


def _poll(
    client: Transport,
    url: str,
    headers: dict[str, str],
    provider: str,
    job_id: object,
    done: Callable[[dict], bool],
    sleep,
) -> dict:
    """GET `url` every POLL_INTERVAL seconds until `done` says so (it raises for a job that
    failed); a 504 after POLL_TIMEOUT seconds."""
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        state = _json(_get(client, url, headers, provider), provider)
        if done(state):
            return state
        if time.monotonic() >= deadline:
            raise UpstreamTimeoutError(
                f"provider '{provider}' did not finish image job {job_id} in {POLL_TIMEOUT:g} s",
                provider=provider,
            )
        sleep(POLL_INTERVAL)


def _fetched(client: Transport, urls: list[str], provider: str) -> list[str]:
    """The images at `urls` (fetched without the key), in base64."""
    return [
        base64.b64encode(_read(_get(client, url, {}, provider), provider)).decode("ascii")
        for url in urls
    ]


def _get(client: Transport, url: str, headers: dict[str, str], provider: str):
    response = client.get(url, headers, provider=provider)
    if response.status_code >= 400:
        raise status_error(response, "openai", provider)
    return response


def _read(response, provider: str) -> bytes:
    try:
        return response.read_all()
    except Exception as exc:
        raise network_error(exc, provider, "reading the answer") from exc
    finally:
        response.close()


def _json(response, provider: str) -> dict:
    payload = json.loads(_read(response, provider))  # ValueError: a 502 in answer_reply's terms
    if not isinstance(payload, dict):
        raise ValueError("an image job's answer is a JSON object")
    return payload


def _same_site(url: str, base: str) -> bool:
    """Is `url` on the base URL's host or, for a named host, a sibling (api.us1.bfl.ai for
    api.bfl.ai)?"""
    host, home = urlsplit(url).hostname or "", urlsplit(base).hostname or ""
    if host == home:
        return True
    try:
        ipaddress.ip_address(home)
        return False  # an address has no siblings
    except ValueError:
        site = ".".join(home.split(".")[-2:])
        return host.endswith("." + site)


class ReadyResponse:
    """An answer already in hand, read like a provider's (UpstreamResponse)."""

    status_code = 200

    def __init__(self, body: bytes):
        self.headers: Mapping[str, str] = {"Content-Type": "application/json"}
        self._body = body

    def read1(self, amount: int = READ_SIZE) -> bytes:
        chunk, self._body = self._body[:amount], self._body[amount:]
        return chunk

    def read1_by(self, deadline: float, amount: int = READ_SIZE) -> bytes:
        return self.read1(amount)

    def read_all(self, limit: int | None = None) -> bytes:
        return self.read1(len(self._body) if limit is None else limit)

    def started(self) -> None:
        pass

    def on_close(self, callback: Callable[[], object]) -> None:
        callback()

    def close(self) -> None:
        pass

    def __enter__(self) -> ReadyResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
