"""The gateway's base URL as its users reach it, for every URL the dashboard shows (Home, the
CLI tools' snippets): BASE_URL when set; else, in a request, the address the browser used
(behind TRUSTED_PROXY waitress has already put the forwarded host, port and scheme there);
else HOSTNAME and PORT (an any-address bind shown as localhost)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def external_base_url(settings: dict[str, Any]) -> str:
    if settings["BASE_URL"]:
        return str(settings["BASE_URL"]).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    host = settings["HOSTNAME"]
    host = "localhost" if host in ANY_ADDRESS else (f"[{host}]" if ":" in host else host)
    return f"http://{host}:{settings['PORT']}"
