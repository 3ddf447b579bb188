"""Management API for subscription sign-in.

- GET  /api/oauth/<provider>/start?flow=paste|loopback|device[&region=] → the flow's `state`
  with what the user needs: the authorize URL, or a device user code and the page to enter it
  on; `expiresIn` seconds (a flow lives 10 minutes) and the provider's terms-of-service risk.
- POST /api/oauth/<provider>/callback {"value", "state"?} → what the browser showed, pasted
  back (a URL, a query, a fragment, `code=…&state=…` or `code#state`): the account is saved.
- GET  /api/oauth/<provider>/status?state=… → pending | done (connectionId) | failed |
  expired; a device flow is polled here, one step per call.
- POST /api/oauth/<provider>/import → the provider CLI's credentials file: a multipart `file`,
  {"content": "<file text>"}, or {"path": "<server path>"} when OAUTH_IMPORT_FROM_PATHS allows.
  A malformed file is a 400 and nothing is saved.
No answer ever carries a token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ...oauth.sign_in import SignInError, status_public
from ..security import field_error, json_error

bp = Blueprint("oauth", __name__, url_prefix="/oauth")


def _services():
    return current_app.extensions["omniroute"]


@bp.errorhandler(SignInError)
def sign_in_refused(error: SignInError):
    return json_error(error.http_status, str(error), "invalid_request_error", error.code)


@bp.get("/<provider>/start")
def start(provider: str):
    signin = _services().signin
    started = signin.start(provider, request.args.get("flow"), region=request.args.get("region"))
    declaration = signin.provider(provider)
    return jsonify(
        {**started.public(), "termsRisk": declaration.tos_risk, "termsNote": declaration.tos_note}
    )


@bp.post("/<provider>/callback")
def callback(provider: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("value"), str):
        return field_error("value", 'send {"value": what the browser showed}')
    state = body.get("state")
    if state is not None and not isinstance(state, str):
        return field_error("state", "must be a string")
    return jsonify(status_public(_services().signin.callback(provider, body["value"], state)))


@bp.get("/<provider>/status")
def status(provider: str):
    state = request.args.get("state", "")
    if not state:
        return field_error("state", "is required")
    return jsonify(status_public(_services().signin.status(provider, state)))


@bp.post("/<provider>/import")
def import_credentials(provider: str):
    services = _services()
    upload = request.files.get("file")
    body = request.get_json(silent=True) if upload is None else None
    if upload is not None:
        connection_id = services.signin.import_file(provider, upload.read())
    elif isinstance(body, dict) and isinstance(body.get("content"), str):
        connection_id = services.signin.import_file(provider, body["content"].encode())
    elif isinstance(body, dict) and isinstance(body.get("path"), str):
        allowed = services.settings["OAUTH_IMPORT_FROM_PATHS"]
        connection_id = services.signin.import_server_file(provider, body["path"], allowed=allowed)
    else:
        return field_error("file", 'send a multipart "file", or {"content"} or {"path"}')
    return jsonify({"provider": provider, "connectionId": connection_id}), 201
