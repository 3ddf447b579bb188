"""Management API of sync between instances:

- `GET /api/sync/bundle`: this instance's configuration bundle (sync/config_bundle.py) with an
  ETag; `If-None-Match` with the current ETag answers 304. Only `Authorization: Bearer <sync
  token>` opens it (SYNC_TOKEN or the generated one, sync/publisher.py): anyone else, a
  logged-in dashboard session included, gets 401.
- `GET /api/sync/status`: the puller's state (enabled, CLOUD_URL, last attempt and success,
  applied version, last outcome and error).
- `POST /api/sync/now`: pull from CLOUD_URL at once; the outcome, or 409 when CLOUD_URL is unset
  and 502 naming the failure.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...sync.publisher import published_bundle, token_accepted
from ..guard import public
from ..security import json_error

bp = Blueprint("sync", __name__, url_prefix="/sync")


def _services():
    return current_app.extensions["omniroute"]


@bp.get("/bundle")
@public  # guarded by the sync token instead of the dashboard login
def get_bundle():
    services = _services()
    if not token_accepted(services.settings, request.headers.get("Authorization")):
        response, status = json_error(
            401,
            "send the sync token: Authorization: Bearer <SYNC_TOKEN>",
            "authentication_error",
            "unauthorized",
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="omniroute-sync"'
        return response, status
    bundle, digest = published_bundle(services)
    if request.if_none_match.contains(digest):
        response = current_app.response_class(status=304)
    else:
        response = jsonify(bundle)
    response.set_etag(digest)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/status")
def get_status():
    return jsonify(_services().sync.status())


@bp.post("/now")
def sync_now():
    services = _services()
    outcome = services.sync.pull_now()
    if outcome.outcome == "off":
        return json_error(409, outcome.error or "", "invalid_request_error", "sync_off")
    if not outcome.ok:
        return json_error(502, outcome.error or "", "server_error", "sync_failed")
    return jsonify(outcome.as_api() | {"status": services.sync.status()})
