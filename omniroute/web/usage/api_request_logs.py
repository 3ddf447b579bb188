"""Management API for one request: GET /api/usage/requests/<reference> (its detail: the usage
row, attempt chain, headers and bodies when kept; see request_detail.py) and
GET /api/usage/requests/<request_id>/log (the bodies kept when ENABLE_REQUEST_LOGS is on,
secrets redacted, see omniroute/usage/request_log.py; 404 when there are none).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...store.request_logs import request_log
from ..security import json_error
from .request_detail import detail_json, request_detail

bp = Blueprint("request_logs", __name__)


@bp.get("/usage/requests/<request_id>/log")
def get_request_log(request_id: str):
    found = request_log(request_id)
    if found is None:
        return json_error(
            404,
            "no request log for this request (request logs are off, or it was pruned)",
            "invalid_request_error",
            "not_found",
        )
    return jsonify(
        {
            "requestId": found.request_id,
            "createdAt": found.created_at.isoformat() + "Z",
            "endpoint": found.endpoint,
            "model": found.requested_model,
            "provider": found.provider,
            "status": found.status,
            "request": found.request_body,
            "response": found.response_body,
        }
    )


@bp.get("/usage/requests/<reference>")
def get_request_detail(reference: str):
    detail = request_detail(reference)
    if detail is None:
        return json_error(
            404, f"no request {reference!r}", "invalid_request_error", "request_not_found"
        )
    return jsonify(detail_json(detail))
