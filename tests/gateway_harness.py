"""Run a real OmniRoute (waitress on 127.0.0.1, fresh data dir) for a test, and log in to it.

Importing this module lowers the admin password's scrypt cost for every app the tests create in
this process: production hashes with werkzeug's default, while the tests would otherwise pay a
full scrypt hash at each gateway start and each login. A stored hash names its own parameters,
so it verifies whatever the cost of the next one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from omniroute import admin_password, create_app
from omniroute.serving import build_server, server_url

ADMIN_PASSWORD = "test-password-123"
PRODUCTION_HASH_METHOD = admin_password.HASH_METHOD
CHEAP_HASH_METHOD = "scrypt:128:1:1"  # the smallest cost werkzeug's scrypt accepts
admin_password.HASH_METHOD = CHEAP_HASH_METHOD


@dataclass
class Gateway:
    app: Any
    server: Any
    thread: threading.Thread
    url: str
    _session: requests.Session | None = field(default=None, init=False, repr=False)

    @property
    def services(self):
        return self.app.extensions["omniroute"]

    @property
    def v1(self) -> str:
        return self.url + "/v1"

    def admin(self, fresh: bool = False) -> requests.Session:
        """The gateway's session logged in to the management API, sending the CSRF header: one
        login per gateway (closing it, as `with gateway.admin() as session:` does, only drops its
        pooled connections). `fresh=True` logs in again for a session of its own, to log out,
        revoke or change the headers of without touching the shared one."""
        if fresh:
            return self._log_in()
        if self._session is None:
            self._session = self._log_in()
        return self._session

    def _log_in(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        response = session.post(self.url + "/api/auth/login", json={"password": ADMIN_PASSWORD})
        response.raise_for_status()
        session.headers["X-CSRFToken"] = response.json()["csrfToken"]
        return session

    def add_connection(self, upstream_url: str, provider: str = "openai", **fields) -> dict:
        body = {
            "provider": provider,
            "name": fields.pop("name", f"{provider} test"),
            "apiKey": fields.pop("apiKey", "sk-test-key-0001"),
            "baseUrl": upstream_url,
            **fields,
        }
        response = self.admin().post(self.url + "/api/providers", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def add_node(self, prefix: str, base_url: str, api_type: str, api_key: str = "") -> dict:
        """A provider node (the user's own endpoint) of `api_type`, named after its prefix."""
        body = {"name": f"node {prefix}", "prefix": prefix, "baseUrl": base_url}
        body.update(apiType=api_type, apiKey=api_key)
        response = self.admin().post(self.url + "/api/provider-nodes", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def flush_usage(self, settle_seconds: float = 5.0) -> None:
        """Write queued usage rows, first letting in-flight requests finish recording theirs.

        A client may read a stream's last byte before the gateway's generator has closed and
        queued the row; waiting for the admission counter to reach zero removes that race."""
        admission = self.app.wsgi_app
        deadline = time.monotonic() + settle_seconds
        while getattr(admission, "in_flight", 0) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.services.usage.flush()

    def last_usage_row(self) -> dict:
        """The newest usage row, after writing what is queued."""
        from omniroute.store.usage_queries import recent_usage

        self.flush_usage()
        with self.services.database.connection_context():
            return recent_usage(1)[0]

    def stop(self) -> None:
        if self._session is not None:
            self._session.close()
        self.server.close()
        for channel in list(self.server._map.values()):  # keep-alive clients and the trigger
            channel.close()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
        self.thread.join(2)
        self.services.close()


def start_gateway(data_dir: str, **settings) -> Gateway:
    config = {
        "DATA_DIR": data_dir,
        "PORT": 0,
        "INITIAL_PASSWORD": ADMIN_PASSWORD,
        "THREADS": 48,
        "MAX_IN_FLIGHT": 40,
        "USAGE_FLUSH_SECONDS": 0.05,
        **settings,
    }
    app = create_app(config, environ={})
    server = build_server(app, asyncore_loop_timeout=0.1)  # quick exit on stop()
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    return Gateway(app, server, thread, server_url(server))
