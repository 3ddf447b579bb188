"""Management API for provider connections: /api/providers[/<id>[/test]],
/api/providers/test-all (every connection, or one provider's, tested at once),
/api/providers/<id>/refresh (renew a signed-in account's token now) and
/api/providers/<id>/quota (read a signed-in account's quota windows from its provider now)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...oauth.grants import NeedsSignIn, TokenUnavailable
from ...oauth.quota_poll import QuotaPollError
from ..security import field_error, json_error, not_found
from . import connection_actions as actions
from .connection_form import FieldError, parse_connection_fields

bp = Blueprint("providers", __name__, url_prefix="/providers")


def _json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FieldError("body", "send a JSON object")
    return body


@bp.get("")
def list_connections():
    return jsonify({"data": [actions.as_json(r) for r in actions.store.list_connections()]})


@bp.post("")
def create_connection():
    try:
        fields = parse_connection_fields(_json_body(), partial=False)
    except FieldError as error:
        return field_error(error.field, error.message)
    return jsonify(actions.as_json(actions.create(fields))), 201


@bp.get("/<int:connection_id>")
def get_connection(connection_id: int):
    record = actions.store.get_connection(connection_id)
    return (
        not_found("provider connection", connection_id)
        if record is None
        else jsonify(actions.as_json(record))
    )


@bp.put("/<int:connection_id>")
def update_connection(connection_id: int):
    current = actions.store.get_connection(connection_id)
    if current is None:
        return not_found("provider connection", connection_id)
    try:
        fields = parse_connection_fields(_json_body(), partial=True, current=current)
    except FieldError as error:
        return field_error(error.field, error.message)
    record = actions.update(connection_id, fields)
    if record is None:  # deleted meanwhile
        return not_found("provider connection", connection_id)
    return jsonify(actions.as_json(record))


@bp.delete("/<int:connection_id>")
def delete_connection(connection_id: int):
    return (
        ("", 204)
        if actions.delete(connection_id)
        else not_found("provider connection", connection_id)
    )


@bp.post("/test-all")
def test_all_connections():
    """Test every connection (or every one of `provider`) at once: a 1-token request each."""
    body = request.get_json(silent=True) or {}
    provider = body.get("provider") if isinstance(body, dict) else None
    if provider is not None and not isinstance(provider, str):
        return field_error("provider", "must be a provider id")
    records = [
        record
        for record in actions.store.list_connections()
        if provider is None or record.provider == provider
    ]
    results = actions.test_many(records) if records else []
    return jsonify(
        {
            "data": [
                {"id": record.id, "provider": record.provider, "name": record.name}
                | result.as_json()
                for record, result in zip(records, results, strict=True)
            ]
        }
    )


@bp.post("/<int:connection_id>/refresh")
def refresh_connection(connection_id: int):
    """Renew a signed-in account's token now: 409 when only a new sign-in helps, 503 (with
    Retry-After) when the provider's token endpoint is failing. No token is returned."""
    record = actions.store.get_connection(connection_id)
    if record is None:
        return not_found("provider connection", connection_id)
    if record.auth_kind != actions.store.AUTH_OAUTH:
        return field_error("id", "is an API-key connection: there is no token to renew")
    try:
        current_app.extensions["omniroute"].subscriptions.tokens.refresh_now(connection_id)
    except NeedsSignIn as refused:
        return json_error(409, refused.reason, "invalid_request_error", "sign_in_again")
    except TokenUnavailable as unavailable:
        return _unavailable(
            unavailable.reason, "token_endpoint_unavailable", unavailable.retry_after
        )
    return _connection_now(connection_id)


@bp.post("/<int:connection_id>/quota")
def poll_quota(connection_id: int):
    """Read a signed-in account's quota windows from its provider's usage endpoint now, saved
    like those read from answers; the answer is the connection (quota in `signedIn.quota`).
    409 when only a new sign-in helps; 503 with Retry-After while the usage endpoint (after a
    429, for its Retry-After clamped to 5 s – 5 min) or the token endpoint asks to wait; 502
    when the usage endpoint fails or refuses the token; 400 when the provider has none."""
    record = actions.store.get_connection(connection_id)
    if record is None:
        return not_found("provider connection", connection_id)
    if record.auth_kind != actions.store.AUTH_OAUTH:
        return field_error("id", "is an API-key connection: it has no quota windows to read")
    try:
        current_app.extensions["omniroute"].subscriptions.poller.poll(
            connection_id, record.provider
        )
    except NeedsSignIn as refused:
        return json_error(409, refused.reason, "invalid_request_error", "sign_in_again")
    except TokenUnavailable as unavailable:
        return _unavailable(
            unavailable.reason, "token_endpoint_unavailable", unavailable.retry_after
        )
    except QuotaPollError as failed:
        if failed.code == "not_offered":
            return json_error(400, failed.message, "invalid_request_error", "quota_not_offered")
        if failed.code == "rate_limited":
            return _unavailable(failed.message, "usage_rate_limited", failed.retry_after)
        return json_error(502, failed.message, "server_error", f"usage_{failed.code}")
    return _connection_now(connection_id)


def _unavailable(message: str, code: str, retry_after: float | None):
    """503 with the seconds to wait in Retry-After, when known."""
    response, status = json_error(503, message, "server_error", code)
    if retry_after:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response, status


def _connection_now(connection_id: int):
    record = actions.store.get_connection(connection_id)
    return (
        jsonify(actions.as_json(record))
        if record
        else not_found("provider connection", connection_id)
    )


@bp.post("/<int:connection_id>/test")
def test_connection(connection_id: int):
    result = actions.test(connection_id)
    return (
        not_found("provider connection", connection_id)
        if result is None
        else jsonify(result.as_json())
    )
