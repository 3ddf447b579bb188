"""Schemathesis against a live gateway's /api, driven by the gateway's own /api/openapi.json.

Every operation gets a fixed budget of generated requests, valid and invalid ones (schemathesis'
positive and negative modes), derandomized so that a run repeats exactly. Requests carry the
logged-in admin session (cookie and X-CSRFToken). Each answer must be below 500, and JSON
unless it is an empty 204 or a success the document gives another media type (the CSV export).
Every distinct failure is collected, then reported together.

Operations that call a provider (connection test, combo test, translator send and bench) run
against a gateway whose only connection is the fake upstream, where nothing can add another:
elsewhere the fuzzer creates connections to whatever base URL it invents. The sign-in
operations (and a signed-in account's token refresh and quota poll) run against a gateway
whose sign-in and usage endpoints all point at the fake OAuth server, so no request leaves
127.0.0.1. Left out: logout and logout-all (they end the fuzzer's own session) and the monitor
feed (an endless text/event-stream). Failed logins lock out the loopback address's logins, not
its session.
"""

from __future__ import annotations

import json

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st

from tests.fakes.oauth_server import OAuthFake
from tests.gateway_harness import Gateway, start_gateway

MAX_EXAMPLES = 24  # per operation, half valid and half invalid on average
JSON = "application/json"
NOT_FUZZED = {
    "POST /api/auth/logout",
    "POST /api/auth/logout-all",
    "GET /api/translator/stream",
}
SIGNS_IN = {
    "GET /api/oauth/{provider}/start",
    "POST /api/oauth/{provider}/callback",
    "GET /api/oauth/{provider}/status",
    "POST /api/oauth/{provider}/import",
    "POST /api/providers/{connection_id}/refresh",
    "POST /api/providers/{connection_id}/quota",
}
CALLS_PROVIDERS = {
    "POST /api/providers/{connection_id}/test",
    "POST /api/combos/test",
    "POST /api/translator/send",
    "POST /api/translator/bench",
}
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[hypothesis.Phase.generate],  # no shrinking: a failure is recorded, not raised
    suppress_health_check=list(hypothesis.HealthCheck),
)


def api_operations(gateway: Gateway) -> dict[str, schemathesis.APIOperation]:
    """The gateway's operations as its document describes them, by "METHOD /path"."""
    config = schemathesis.Config.from_dict(
        {
            "base-url": gateway.url,
            "generation": {"with-security-parameters": False},
            "output": {"sanitization": {"enabled": False}},  # reproductions keep their keyId
        }
    )
    schema = schemathesis.openapi.from_url(gateway.url + "/api/openapi.json", config=config)
    operations = (result.ok() for result in schema.get_all_operations())
    return {f"{op.method.upper()} {op.path}": op for op in operations}


def documented_media_types(case, status: int) -> set[str]:
    responses = case.operation.definition.raw["responses"]
    return set(responses.get(str(status), {}).get("content", {})) or {JSON}


def answer_problem(case, response: schemathesis.Response) -> str | None:
    """Why this answer breaks the contract (a 5xx, or not JSON where JSON is due), or None."""
    status = response.status_code
    text = response.content[:300].decode(errors="replace")
    if status >= 500:
        return f"{status}: {text}"
    if status == 204:
        return f"204 with a body: {text}" if response.content else None
    content_type = response.headers.get("content-type", [""])[0]
    media_type = content_type.partition(";")[0].strip()
    allowed = documented_media_types(case, status) if status < 400 else {JSON}
    if media_type not in allowed:
        return f"{status} as {media_type or 'no Content-Type'}: {text}"
    if media_type == JSON:
        try:
            json.loads(response.content)
        except ValueError:
            return f"{status} that is not JSON: {text}"
    return None


def fuzz(operation: schemathesis.APIOperation, admin: requests.Session) -> dict[str, str]:
    """Distinct problems found on one operation: first line of each → a curl reproducing it."""
    found: dict[str, str] = {}
    cases = st.one_of(
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE),
    )

    @FUZZ_SETTINGS
    @hypothesis.given(case=cases)
    def send(case):
        problem = answer_problem(case, case.call(session=admin))
        if problem is not None:
            first_line = problem.splitlines()[0][:160]
            found.setdefault(first_line, f"{problem}\n{case.as_curl_command()}")

    send()
    return found


def fuzz_all(gateway: Gateway, names: set[str]) -> list[str]:
    """The distinct problems found on these operations, each with a curl reproducing it."""
    operations = api_operations(gateway)
    problems = []
    with gateway.admin() as admin:
        for name in sorted(names):
            for first_line, detail in fuzz(operations[name], admin).items():
                problems.append(f"{name}: {first_line}\n    {detail}")
    return problems


def report(problems: list[str]) -> str:
    return f"{len(problems)} distinct problems:\n" + "\n".join(problems)


def test_the_operations_left_out_or_fuzzed_apart_are_real_operations(gateway):
    assert set(api_operations(gateway)) >= NOT_FUZZED | CALLS_PROVIDERS | SIGNS_IN


def test_management_api_answers_every_fuzzed_request_without_5xx_and_in_json(gateway):
    names = set(api_operations(gateway)) - NOT_FUZZED - CALLS_PROVIDERS - SIGNS_IN
    problems = fuzz_all(gateway, names)
    assert not problems, report(problems)


def test_operations_that_call_providers_answer_fuzzed_requests_without_5xx(connected):
    problems = fuzz_all(connected, CALLS_PROVIDERS)
    assert not problems, report(problems)


def test_sign_in_operations_answer_fuzzed_requests_without_5xx(tmp_path):
    fake = OAuthFake().start()
    try:
        fake.overrides(tmp_path / "data")  # every sign-in URL at the fake, before start-up
        gateway = start_gateway(str(tmp_path / "data"))
        try:
            problems = fuzz_all(gateway, SIGNS_IN)
        finally:
            gateway.stop()
    finally:
        fake.stop()
    assert not problems, report(problems)


TOO_BIG_ID = 2**63  # one past the largest id the database holds
SERVER_ERRORS_FOUND = {  # each answered 500 before its fix
    "budget-delete-id-too-big": ("DELETE", f"/api/usage/budget?keyId={TOO_BIG_ID}", None),
    "budget-delete-superscript-digit": ("DELETE", "/api/usage/budget?keyId=%C2%B2", None),
    "budget-key-id-too-big": ("POST", "/api/usage/budget", {"keyId": TOO_BIG_ID, "limit": 1}),
    "budget-key-id-superscript": ("POST", "/api/usage/budget", {"keyId": "\u00b2", "limit": 1}),
    "requests-key-id-superscript": ("GET", "/api/usage/requests?keyId=%C2%B2", None),
    "requests-before-too-big": ("GET", f"/api/usage/requests?before={TOO_BIG_ID}", None),
    "requests-limit-superscript": ("GET", "/api/usage/requests?limit=%C2%B2", None),
    "export-key-id-too-big": ("GET", f"/api/usage/export.csv?keyId={TOO_BIG_ID}", None),
    "combo-test-id-too-big": ("POST", "/api/combos/test", {"id": TOO_BIG_ID}),
    "reset-lockout-kind-object": ("POST", "/api/resilience/reset", {"lockout": {"kind": {}}}),
    "resilience-huge-whole-number": (
        "PATCH",
        "/api/resilience",
        {"rateLimits": {"requestsPerMinute": 10**400}},
    ),
    "key-expiry-before-year-1-utc": (
        "POST",
        "/api/keys",
        {"name": "k", "expiresAt": "0001-01-01T00:00:00+01:00"},
    ),
    "key-expiry-after-year-9999-utc": (
        "POST",
        "/api/keys",
        {"name": "k", "expiresAt": "9999-12-31T23:59:59-01:00"},
    ),
    "node-body-a-list": ("POST", "/api/provider-nodes", [1]),
    "node-update-body-a-string": ("PUT", "/api/provider-nodes/{node}", "abc"),
}


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """One gateway for the single-request probes below, with one provider node in it."""
    gateway = start_gateway(str(tmp_path_factory.mktemp("probed")))
    with gateway.admin() as admin:
        node = admin.post(
            gateway.url + "/api/provider-nodes",
            json={"name": "n", "prefix": "probednode", "baseUrl": "http://127.0.0.1:9"},
        )
        assert node.status_code == 201, node.text
        yield gateway, admin, node.json()["id"]
    gateway.stop()


def send(probed, method: str, path: str, body) -> requests.Response:
    gateway, admin, node_id = probed
    data = None if body is None else json.dumps(body)  # 10**400 stays a JSON integer
    headers = {} if data is None else {"Content-Type": JSON}
    return admin.request(
        method, gateway.url + path.format(node=node_id), data=data, headers=headers
    )


@pytest.mark.parametrize(
    ("method", "path", "body"), SERVER_ERRORS_FOUND.values(), ids=SERVER_ERRORS_FOUND.keys()
)
def test_inputs_that_were_server_errors_are_json_4xx(probed, method, path, body):
    response = send(probed, method, path, body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["Content-Type"] == JSON
    assert set(response.json()["error"]) >= {"message", "type", "code"}


LONE_SURROGATE = "x\ud800"  # valid JSON ("x\\ud800"), but no UTF-8 text: no database stores it
SURROGATE_BODIES = {
    "login": ("POST", "/api/auth/login", {"password": LONE_SURROGATE}),
    "price": (
        "PATCH",
        "/api/pricing",
        {"provider": "openai", "model": LONE_SURROGATE, "input": 1, "output": 1},
    ),
    "alias": ("PUT", "/api/models/alias", {"pattern": "a", "target": LONE_SURROGATE}),
    "key": ("POST", "/api/keys", {"name": LONE_SURROGATE}),
    "model": ("POST", "/api/provider-models", {"provider": "openai", "modelId": LONE_SURROGATE}),
    "connection": (
        "POST",
        "/api/providers",
        {"provider": "openai", "name": LONE_SURROGATE, "apiKey": "k"},
    ),
    "node": (
        "POST",
        "/api/provider-nodes",
        {"name": LONE_SURROGATE, "prefix": "n", "baseUrl": "http://127.0.0.1:9"},
    ),
    "combo": ("POST", "/api/combos", {"name": "c", "models": [LONE_SURROGATE]}),
    "chain": ("POST", "/api/fallback/chains", {"model": "m", "chain": [LONE_SURROGATE]}),
}


@pytest.mark.parametrize(
    ("method", "path", "body"), SURROGATE_BODIES.values(), ids=SURROGATE_BODIES.keys()
)
def test_a_string_that_is_no_utf8_text_is_a_json_400(probed, method, path, body):
    response = send(probed, method, path, body)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == JSON
