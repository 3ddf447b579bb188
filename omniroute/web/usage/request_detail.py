"""One request in detail (Usage → Requests → a row): its summary, its attempt chain, the headers
the client sent and the request and answer bodies — the last two only when request logs
(ENABLE_REQUEST_LOGS) kept them, with secrets already redacted when stored.

The same detail feeds the drawer fragment and the full page (GET /usage/requests/<reference>)
and the JSON (GET /api/usage/requests/<reference>). A reference is the request id, or the usage
row's id for a request whose request id was not kept (request logs off). Bodies are shown
pretty-printed when they are JSON and cut at DISPLAY_CHARS, saying how much more there is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from flask import current_app

from ...store.api_keys import get_api_key
from ...store.models import RequestLog, UsageRecord
from ...store.request_logs import request_log, usage_row
from ...usage.request_log import HIDDEN_HEADER, is_secret_header
from .api import chain_steps, request_json

DISPLAY_CHARS = 64 * 1024
STORED_CUT_MARK = "…[cut]"


@dataclass(frozen=True)
class ShownBody:
    """A body as the detail shows it: `text` (at most DISPLAY_CHARS), what was left out."""

    text: str
    more_kb: int  # KB not shown (0: all of it is shown)
    cut_when_stored: bool  # the request log kept only the first 64 KB
    is_json: bool

    @property
    def truncated(self) -> bool:
        return self.more_kb > 0

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "json": self.is_json,
            "truncated": self.truncated,
            "moreKb": self.more_kb,
            "cutWhenStored": self.cut_when_stored,
        }


@dataclass(frozen=True)
class RequestDetail:
    row: UsageRecord
    key_name: str | None
    attempts: list[dict]
    logged: bool  # a request log exists for it (headers and bodies below)
    logs_on: bool  # ENABLE_REQUEST_LOGS now
    headers: list[tuple[str, str]]
    request_body: ShownBody | None
    response_body: ShownBody | None


def shown_body(stored: str | None) -> ShownBody | None:
    """The stored body, pretty-printed when it is JSON, cut at DISPLAY_CHARS."""
    if not stored:
        return None
    cut_when_stored = stored.endswith(STORED_CUT_MARK)
    text, is_json = stored, False
    try:
        text, is_json = json.dumps(json.loads(stored), indent=2, ensure_ascii=False), True
    except ValueError:
        pass
    extra = len(text) - DISPLAY_CHARS
    more_kb = math.ceil(len(text[DISPLAY_CHARS:].encode("utf-8")) / 1024) if extra > 0 else 0
    return ShownBody(text[:DISPLAY_CHARS], more_kb, cut_when_stored, is_json)


def shown_headers(stored: str | None) -> list[tuple[str, str]]:
    """The stored headers as (name, value); a secret one shows ••• even if stored otherwise."""
    try:
        pairs = json.loads(stored) if stored else []
    except ValueError:
        return []
    shown = []
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, list) and len(pair) == 2:
            name, value = str(pair[0]), str(pair[1])
            shown.append((name, HIDDEN_HEADER if is_secret_header(name) else value))
    return shown


def request_detail(reference: str) -> RequestDetail | None:
    """The detail of the request `reference` names; None when there is no such request."""
    row = usage_row(reference)
    if row is None:
        return None
    log: RequestLog | None = request_log(row.request_id) if row.request_id else None
    key = get_api_key(row.api_key_id) if row.api_key_id else None
    return RequestDetail(
        row=row,
        key_name=key.name if key is not None else None,
        attempts=chain_steps(row.attempt_chain),
        logged=log is not None,
        logs_on=bool(current_app.extensions["omniroute"].settings["ENABLE_REQUEST_LOGS"]),
        headers=shown_headers(log.request_headers) if log is not None else [],
        request_body=shown_body(log.request_body) if log is not None else None,
        response_body=shown_body(log.response_body) if log is not None else None,
    )


def detail_json(detail: RequestDetail) -> dict:
    """The detail as /api answers it: the request log's row shape, plus headers and bodies."""
    key_id, name = detail.row.api_key_id, detail.key_name
    names = {key_id: name} if key_id is not None and name is not None else {}
    return {
        **request_json(detail.row, names),
        "logged": detail.logged,
        "requestHeaders": [{"name": n, "value": v} for n, v in detail.headers],
        "requestBody": detail.request_body.as_json() if detail.request_body else None,
        "responseBody": detail.response_body.as_json() if detail.response_body else None,
    }
