"""The Subscriptions cards of the /providers page: one card per subscription provider with its
status and terms-of-service risk, its signed-in accounts (sign-in state, quota windows), and
the sign-in flows it offers. Every action is a plain form post that htmx swaps in place; an
account's "Update quota" reads its windows anew from the provider's usage endpoint."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from ...oauth.grants import NeedsSignIn, TokenUnavailable
from ...oauth.quota_poll import QuotaPollError
from ...oauth.sign_in import SignInError, status_public
from ...store import connections as connection_store
from ..dashboard.pages import is_fragment_request
from .cards import card, cards

bp = Blueprint("subscriptions", __name__, url_prefix="/providers/subscriptions")

# A refused sign-in step in the reader's language, by SignInError.code (the JSON API keeps the
# English detail); a code not listed shows that detail.
SIGN_IN_ERROR_TEXT = {
    "unknown_provider": _l("There is no sign-in for this provider."),
    "discontinued": _l("This service has closed: its accounts cannot sign in any more."),
    "flow_not_offered": _l("This provider does not offer that way of signing in."),
    "port_busy": _l(
        "Another program holds the local port this sign-in needs: close it and start again."
    ),
    "invalid_region": _l("Choose one of the regions offered."),
    "invalid_paste": _l("That is not the address or code the provider showed: paste all of it."),
    "state_mismatch": _l("The pasted answer belongs to another sign-in: paste the newest one."),
    "missing_state": _l("The answer does not say which sign-in it ends: start from this page."),
    "wrong_flow": _l("This sign-in waits for the code to be entered at the provider, not a paste."),
    "invalid_file": _l("This is not a credentials file of this provider."),
    "server_files_disabled": _l(
        "Reading credentials files on the server is off (OAUTH_IMPORT_FROM_PATHS)."
    ),
    "provider_refused": _l("The provider refused the sign-in: start it again."),
    "busy": _l("This sign-in is being completed already."),
    "unknown_state": _l("No sign-in was started with this answer, or it has ended: start again."),
    "wrong_provider": _l("This answer belongs to another provider's sign-in."),
    "finished": _l("This sign-in has already ended."),
    "expired": _l("The sign-in took too long and expired: start it again."),
    "invalid_answer": _l("The provider's answer could not be read: try again later."),
}
# Why an account's quota could not be read, by QuotaPollError.code.
QUOTA_ERROR_TEXT = {
    "refused": _l("The provider's usage endpoint refuses this account's token (HTTP %(status)s)."),
    "unavailable": _l("The provider's usage endpoint is not answering: try again later."),
    "invalid_answer": _l("The provider's usage answer could not be read."),
}


def sign_in_error_text(error: SignInError) -> str:
    text = SIGN_IN_ERROR_TEXT.get(error.code)
    return str(text) if text is not None else str(error)


def quota_error_text(error: QuotaPollError) -> str:
    text = QUOTA_ERROR_TEXT.get(error.code)
    if text is None:
        return _("The quota could not be read: %(reason)s", reason=error.message)
    return str(text) % {"status": error.status}


def _signin():
    return current_app.extensions["omniroute"].signin


def _panel(provider: str, status: int = 200, **context: Any) -> Response:
    """The provider's flow panel; without htmx, the whole page with the panel in its card. A
    finished sign-in tells the page to reload its connections and cards."""
    if is_fragment_request():  # htmx swaps 2xx answers only: the panel shows the refusal
        html = render_template(
            "partials/providers/subscription_flow.html", card=card(provider), **context
        )
        status = 200
    else:
        html = render_template(
            "providers/subscriptions.html", cards=cards(), panel=card(provider), **context
        )
    response = Response(html, status=status, mimetype="text/html")
    if context.get("done"):
        response.headers["HX-Trigger"] = "connections-changed"
    return response


def _refused(provider: str, error: SignInError, **context: Any) -> Response:
    return _panel(provider, error.http_status, error=sign_in_error_text(error), **context)


@bp.get("")
def index():
    if is_fragment_request():
        return render_template("partials/providers/subscriptions.html", cards=cards())
    return render_template("providers/subscriptions.html", cards=cards())


@bp.post("/<provider>/start")
def start(provider: str):
    try:
        started = _signin().start(provider, request.form.get("flow") or None)
    except SignInError as error:
        return _refused(provider, error)
    return _panel(provider, started=started.public())


@bp.post("/<provider>/paste")
def paste(provider: str):
    state = request.form.get("state") or None
    started = {"state": state, "flow": "paste", "expiresIn": 600} if state else None
    try:
        finished = _signin().callback(provider, request.form.get("value", ""), state)
    except SignInError as error:
        return _refused(provider, error, started=started)
    return _panel(provider, done=status_public(finished))


@bp.get("/<provider>/status")
def status(provider: str):
    state = request.args.get("state", "")
    try:
        current = status_public(_signin().status(provider, state))
    except SignInError as error:
        return _refused(provider, error)
    if current["status"] == "done":
        return _panel(provider, done=current)
    if current["status"] == "pending":
        return _panel(provider, waiting=current)
    return _panel(provider, error=current.get("reason") or current["status"])


@bp.post("/<provider>/import")
def import_file(provider: str):
    upload = request.files.get("file")
    try:
        if upload is not None and upload.filename:
            connection_id = _signin().import_file(provider, upload.read())
        else:
            allowed = current_app.extensions["omniroute"].settings["OAUTH_IMPORT_FROM_PATHS"]
            path = request.form.get("path", "").strip() or None
            connection_id = _signin().import_server_file(provider, path, allowed=allowed)
    except SignInError as error:
        return _refused(provider, error)
    return _panel(provider, done={"provider": provider, "connectionId": connection_id})


@bp.post("/accounts/<int:connection_id>/quota")
def update_quota(connection_id: int):
    """Read one account's quota windows anew; the cards come back with its new bars, or with
    why it has none now (htmx swaps 2xx answers only: the fragment is always a 200)."""
    message, status, retry_after = _poll_quota(connection_id)
    context: dict[str, Any] = {"cards": cards()}
    if message:
        context["quota_error"] = {"connectionId": connection_id, "message": message}
    if is_fragment_request():
        html, status = render_template("partials/providers/subscriptions.html", **context), 200
    else:
        html = render_template("providers/subscriptions.html", **context)
    response = Response(html, status=status, mimetype="text/html")
    if retry_after:
        response.headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return response


def _poll_quota(connection_id: int) -> tuple[str | None, int, float | None]:
    """(what to tell the user or None, the page's status, seconds to wait when known)."""
    record = connection_store.get_connection(connection_id)
    if record is None or record.auth_kind != connection_store.AUTH_OAUTH:
        return _("No signed-in account has this id."), 404, None
    try:
        current_app.extensions["omniroute"].subscriptions.poller.poll(
            connection_id, record.provider
        )
    except NeedsSignIn:
        return _("Sign in again to read this account's quota."), 409, None
    except TokenUnavailable as unavailable:
        message = _("The provider's sign-in service is not answering; try again later.")
        return message, 503, unavailable.retry_after
    except QuotaPollError as failed:
        if failed.code == "rate_limited":
            wait = math.ceil(failed.retry_after or 0)
            message = _("The provider asks to wait: try again in %(seconds)d s.", seconds=wait)
            return message, 503, failed.retry_after
        if failed.code == "not_offered":
            return _("This provider does not report its quota on demand."), 400, None
        return quota_error_text(failed), 502, None
    return None, 200, None
