"""Management API for the gateway's health: GET /api/health (the report the Health page shows)
and GET /api/telemetry/summary?window=<seconds> (latency and error rates per provider).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..security import field_error
from .report import health_report

bp = Blueprint("health", __name__)

MAX_WINDOW_SECONDS = 3600


def _services():
    return current_app.extensions["omniroute"]


@bp.get("/health")
def get_health():
    return jsonify(health_report(_services()))


@bp.get("/telemetry/summary")
def telemetry_summary():
    try:
        window = float(request.args.get("window", 300))
    except ValueError:
        return field_error("window", "must be a number of seconds")
    if not 1 <= window <= MAX_WINDOW_SECONDS:
        return field_error("window", f"must be between 1 and {MAX_WINDOW_SECONDS}")
    return jsonify({"windowSeconds": window, "providers": _services().telemetry.summary(window)})
