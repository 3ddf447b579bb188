"""Which proxy carries each upstream call, through a real gateway, real proxies on 127.0.0.1
(tests/fakes/proxies.py) and the fake upstream: a distinct proxy per level shows that the API
key's wins over the combo's, the combo's over the provider's, the provider's over the global
one; the environment's HTTP(S)_PROXY only when no level is set, and never for a NO_PROXY host;
CONNECT to an HTTPS upstream trusting the test CA (UPSTREAM_CA_BUNDLE); a stream relayed
through an HTTP and a SOCKS5 proxy event by event; a proxy that is down named in a clear 502
and the next target tried."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.fake_upstream import Behavior
from tests.fakes.certificates import write_test_certificate
from tests.fakes.proxies import HttpProxy, Socks5Proxy, TlsFront, server_tls
from tests.gateway_harness import start_gateway

pytestmark = pytest.mark.timeout(60)

PROXY = "/api/settings/proxy"
MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": "hello there"}]
WORDS = ["One ", "event ", "at ", "a ", "time."]


def started(request, server):
    request.addfinalizer(server.stop)
    return server


def as_proxy(server, **extra) -> dict:
    kind = "socks5" if isinstance(server, Socks5Proxy) else "http"
    return {"type": kind, "host": "127.0.0.1", "port": server.port, **extra}


def carried(server) -> int:
    """How many calls the proxy carried."""
    if isinstance(server, Socks5Proxy):
        return len(server.targets)
    return len(server.forwarded) + len(server.tunnels)


def chat(gateway, model: str = MODEL, key: str | None = None, stream: bool = False):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {"model": model, "messages": HELLO, "stream": stream}
    return requests.post(
        gateway.v1 + "/chat/completions", json=body, headers=headers, stream=stream, timeout=20
    )


def set_proxies(gateway, body: dict) -> None:
    answer = gateway.admin().put(gateway.url + PROXY, json=body)
    assert answer.status_code == 200, answer.text


def test_each_level_wins_over_the_ones_below(request, keyed, upstream):
    """Each check uses proxies not used before: a proxy records a connection's first request
    only, and the gateway keeps its connections through a proxy open."""
    admin = keyed.admin()
    combo = admin.post(keyed.url + "/api/combos", json={"name": "team", "models": [MODEL]})
    assert combo.status_code == 201, combo.text
    servers: dict[str, HttpProxy | Socks5Proxy] = {}

    def use(label: str, level: str, name: str | None = None) -> None:
        """A new proxy named `label` at `level` (the key level's is SOCKS5 with a password)."""
        if level == "keys":
            server = started(request, Socks5Proxy(credentials="k:pw"))
            proxy = as_proxy(server, username="k", password="pw")
        elif level == "combos":
            server = started(request, HttpProxy(credentials="c:pw"))
            proxy = as_proxy(server, username="c", password="pw")
        else:
            server = started(request, HttpProxy())
            proxy = as_proxy(server)
        servers[label] = server
        set_proxies(keyed, {level: proxy} if name is None else {level: {name: proxy}})

    def carriers(model: str = MODEL) -> list[str]:
        before = {label: carried(server) for label, server in servers.items()}
        answer = chat(keyed, model, keyed.key)
        assert answer.status_code == 200, answer.text
        return [label for label, server in servers.items() if carried(server) > before[label]]

    assert carriers() == []  # nothing set: direct
    use("global", "global")
    assert carriers() == ["global"]
    use("provider", "providers", "openai")
    assert carriers() == ["provider"]
    use("combo", "combos", "team")
    assert carriers("team") == ["combo"]
    use("provider 2", "providers", "openai")
    assert carriers() == ["provider 2"]  # the model named directly: not through the combo
    use("key", "keys", str(keyed.key_id))
    assert carriers("team") == ["key"]
    use("key 2", "keys", str(keyed.key_id))
    assert carriers() == ["key 2"]
    keyed.admin().delete(keyed.url + PROXY, params={"level": "key", "id": str(keyed.key_id)})
    use("combo 2", "combos", "team")
    assert carriers("team") == ["combo 2"]
    assert len(upstream.chat_requests()) == 8


def test_the_environment_proxy_applies_only_when_no_level_is_set(request, tmp_path, upstream):
    env_proxy = started(request, HttpProxy())
    global_proxy = started(request, HttpProxy())
    running = start_gateway(str(tmp_path / "env"), HTTP_PROXY=env_proxy.url())
    request.addfinalizer(running.stop)
    running.add_connection(upstream.url)
    assert chat(running).status_code == 200
    assert len(env_proxy.forwarded) == 1
    set_proxies(running, {"global": as_proxy(global_proxy)})
    assert chat(running).status_code == 200
    assert (len(env_proxy.forwarded), len(global_proxy.forwarded)) == (1, 1)


def test_no_proxy_hosts_skip_the_environment_proxy(request, tmp_path, upstream):
    env_proxy = started(request, HttpProxy())
    running = start_gateway(
        str(tmp_path / "env"), HTTP_PROXY=env_proxy.url(), NO_PROXY="localhost,127.0.0.1"
    )
    request.addfinalizer(running.stop)
    running.add_connection(upstream.url)
    assert chat(running).status_code == 200
    assert env_proxy.forwarded == [] and len(upstream.chat_requests()) == 1


def test_connect_tunnels_to_an_https_upstream_trusting_the_test_ca(
    request, tmp_path, tmp_path_factory, upstream
):
    certificate = write_test_certificate(tmp_path_factory.mktemp("tls"))
    front = started(request, TlsFront(server_tls(certificate), upstream.port))
    proxy = started(request, HttpProxy())
    running = start_gateway(str(tmp_path / "tls"), UPSTREAM_CA_BUNDLE=certificate[0])
    request.addfinalizer(running.stop)
    running.add_connection(front.url("/v1"))
    set_proxies(running, {"global": as_proxy(proxy)})
    answer = chat(running)
    assert answer.status_code == 200, answer.text
    assert proxy.tunnels == [f"127.0.0.1:{front.port}"]
    assert proxy.forwarded == []


@pytest.mark.parametrize("kind", [HttpProxy, Socks5Proxy])
def test_a_stream_passes_through_the_proxy_event_by_event(request, connected, upstream, kind):
    proxy = started(request, kind())
    set_proxies(connected, {"global": as_proxy(proxy)})
    upstream.add(Behavior(chunks=WORDS, chunk_interval=0.25))
    arrivals: list[tuple[float, str]] = []
    with chat(connected, stream=True) as answer:
        assert answer.status_code == 200
        for line in answer.iter_lines():
            if line.startswith(b"data: {"):
                delta = json.loads(line[6:])["choices"]
                text = delta[0]["delta"].get("content") if delta else None
                if text:
                    arrivals.append((time.monotonic(), text))
    assert "".join(text for _, text in arrivals) == "".join(WORDS)
    assert carried(proxy) == 1
    last_sent = max(sent for sent, _ in upstream.stream_log)
    # unbuffered: the first words reached the client before the upstream sent its last one
    assert arrivals[0][0] < last_sent


def test_a_proxy_that_is_down_is_named_and_the_next_target_answers(request, connected, upstream):
    dead = started(request, HttpProxy())
    dead.stop()
    down = {"type": "http", "host": "127.0.0.1", "port": dead.port, "username": "u"}
    set_proxies(connected, {"providers": {"openai": {**down, "password": "hidden-pw"}}})
    alone = chat(connected)
    assert alone.status_code == 502, alone.text
    message = alone.json()["error"]["message"]
    assert f"127.0.0.1:{dead.port}" in message and "proxy" in message
    assert "hidden-pw" not in alone.text
    connected.add_connection(upstream.url, provider="deepseek", apiKey="sk-deepseek-0001")
    admin = connected.admin()
    team = {"name": "team", "models": [MODEL, "deepseek/deepseek-chat"]}
    assert admin.post(connected.url + "/api/combos", json=team).status_code == 201
    answer = chat(connected, "team")
    assert answer.status_code == 200, answer.text
    assert [r.api_key for r in upstream.chat_requests()] == ["sk-deepseek-0001"]
