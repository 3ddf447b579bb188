"""Management API for request logs: GET /api/usage/requests/<request_id>/log.

The bodies kept for one request when ENABLE_REQUEST_LOGS is on (secrets redacted, see
omniroute/usage/request_log.py); 404 when there are none (logs off, or pruned).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...store.request_logs import request_log
from ..security import json_error

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
