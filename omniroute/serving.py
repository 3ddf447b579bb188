"""Serve the app with waitress, configured per the measured facts in DESIGN.md.

- `asyncore_use_poll=True`: the default select() loop dies past 1024 file descriptors.
- threads and connection_limit come from settings sized for hundreds of open streams; the
  pool starts small and grows to `threads` as requests arrive (thread_pool.py).
- no `send_bytes`: anything above 1 buffers SSE; chunks go out as soon as the app yields them.
- bodies over MAX_BODY_BYTES are refused while waitress reads them, in the caller's JSON shape
  (`oversized_bodies`); waitress's own cap, twice the limit, only bounds chunk framing.
- `channel_request_lookahead=1`: waitress notices a client that hung up while its request is
  still being planned (`waitress.client_disconnected`), so fallback stops sending for it.
- TRUSTED_PROXY: only that peer's X-Forwarded-For/-Proto/-Host/-Port are believed (the last
  hop, since one proxy is in front); every other request has them removed, so a client cannot
  pick the address the lockouts key on.
- Answers go out with fewer system calls (`lean_channel`): the head with the first body bytes,
  and no wake-up of the event loop after an answer that left it nothing to do.
- Every request gets one access-log line (logs/access.py: the server runs the app wrapped in
  AccessLog), written when its answer ends; `python app.py` configures where lines go.
- Start-up prints one line: the address, and whether /v1 requires API keys and why.
- SIGTERM (and Ctrl-C) stop accepting, let running requests finish briefly, and flush the
  pending usage rows before the process exits.
"""

from __future__ import annotations

import signal
import sys

from flask import Flask
from waitress.server import create_server

from .clientapi.errors import error_reply
from .clientapi.paths import is_client_api_path
from .cpu_pinning import pinned_cpu
from .lean_channel import quiet_triggers
from .logs.access import AccessLog
from .oversized_bodies import body_limit_channel, use_channel_class
from .startup_checks import listen_error
from .thread_pool import GrowingTaskDispatcher
from .web.backups.limits import UPLOAD_LIMITS
from .web.paths import is_api_path

BODY_SLACK = 2  # waitress's raw cap (framing included); the decoded limit is checked exactly
FORWARDED_HEADERS = "x-forwarded-for x-forwarded-proto x-forwarded-host x-forwarded-port"


class _Stop(SystemExit):
    """Raised by the SIGTERM handler; waitress's loop re-raises SystemExit (not Exception)."""


def build_server(app: Flask, sockets=None, **overrides):
    """A waitress server for `app`; `sockets` lets callers pass pre-bound (e.g. SO_REUSEPORT)."""
    settings = app.extensions["omniroute"].settings
    options = dict(
        threads=settings["THREADS"],
        connection_limit=settings["CONNECTION_LIMIT"],
        asyncore_use_poll=True,
        backlog=2048,
        channel_timeout=max(
            300, int(max(settings["UPSTREAM_READ_TIMEOUT"], settings["UPSTREAM_IDLE_TIMEOUT"])) + 30
        ),
        max_request_body_size=max(settings["MAX_BODY_BYTES"], *UPLOAD_LIMITS.values()) * BODY_SLACK,
        ident="OmniRoute",
        expose_tracebacks=False,
        channel_request_lookahead=1,  # keeps reading, so a hung-up client is seen before a write
        clear_untrusted_proxy_headers=True,
        **proxy_options(settings["TRUSTED_PROXY"]),
    )
    if sockets is None:
        options.update(host=settings["HOSTNAME"], port=settings["PORT"])
    else:
        options["sockets"] = sockets
    options.update(overrides)
    dispatcher = GrowingTaskDispatcher()
    dispatcher.set_thread_count(options["threads"])
    try:
        server = create_server(AccessLog(app), _dispatcher=dispatcher, **options)
    except (ValueError, OSError) as error:
        dispatcher.shutdown(cancel_pending=True, timeout=1)
        if sockets is not None:
            raise
        named = listen_error(error, options["host"], options["port"])
        if named is None:
            raise
        raise named from None
    use_channel_class(
        server,
        body_limit_channel(settings["MAX_BODY_BYTES"], error_reply, answers_in_json, UPLOAD_LIMITS),
    )
    quiet_triggers(server)
    return server


def answers_in_json(path: str) -> bool:
    """The client API and the management API answer even an unparsable request in JSON."""
    return is_client_api_path(path) or is_api_path(path)


def proxy_options(trusted_proxy: str | None) -> dict:
    """waitress's options for believing one reverse proxy's X-Forwarded-* headers (none: off)."""
    if not trusted_proxy:
        return {}
    return dict(
        trusted_proxy=trusted_proxy,
        trusted_proxy_count=1,
        trusted_proxy_headers=FORWARDED_HEADERS,
    )


def server_url(server) -> str:
    host, port = server.effective_host, server.effective_port
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


def startup_line(app: Flask, server) -> str:
    """Where the gateway listens, whether /v1 requires API keys and why (the decision the
    API-key check itself uses), and the CPU the process is pinned to, if it is."""
    client_auth = app.extensions["omniroute"].client_auth
    keys = "requires API keys" if client_auth.required else "accepts requests without an API key"
    why = client_auth.required_because
    cpu = pinned_cpu()
    pinned = "" if cpu is None else f"; pinned to CPU {cpu} (CPU_PINNING)"
    return f"OmniRoute listening on {server_url(server)}; /v1 {keys} ({why}){pinned}"


def serve(app: Flask, server=None) -> None:
    """Run `server` (default: one built for `app`) until SIGTERM or Ctrl-C, then shut down."""
    server = server or build_server(app)

    def stop(_signum, _frame):
        raise _Stop()

    signal.signal(signal.SIGTERM, stop)
    print(startup_line(app, server), flush=True)
    try:
        server.run()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        shutdown(app, server)


def shutdown(app: Flask, server) -> None:
    server.close()
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    app.extensions["omniroute"].close()
    print("OmniRoute stopped; usage saved.", file=sys.stderr, flush=True)
