"""Settings → Security → IP access control: the section's fragment, Edit / Save / Cancel.

GET /settings/ip-access (htmx: the fragment, `?edit=1` its form; otherwise back to the tab),
POST /settings/ip-access (the four lists, one address or CIDR per line or comma-separated). The
rules are checked and saved as PUT /api/settings/ip-access does (access/changes.py).
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, request
from flask_babel import gettext as _

from ...access.changes import LockoutError, change_access_rules
from ...access.rules import LISTS, SURFACES, RuleError
from .security_sections import register_state, section_answer, section_state

bp = Blueprint("ip_access", __name__, url_prefix="/settings")
SLUG = "ip-access"
TEMPLATE = "partials/settings/ip_access.html"
STATE = "ip_access_state"
SEPARATORS = re.compile(r"[\s,]+")
FIELDS = tuple(f"{surface}.{name}" for surface in SURFACES for name in LISTS)


def rules_as_text() -> dict[str, str]:
    """Each list as the form's text: one entry per line."""
    rules = current_app.extensions["omniroute"].access.rules().as_api()
    return {f"{s}.{n}": "\n".join(rules[s][n]) for s in SURFACES for n in LISTS}


def ip_access_state(**state) -> dict:
    values = state.pop("values", None) or rules_as_text()
    return section_state(
        SLUG,
        values=values,
        client_address=request.remote_addr,
        fields=FIELDS,
        **state,
    )


register_state(bp, STATE, ip_access_state)


def form_rules(form) -> dict:
    """The form's lists as the API's body."""
    return {
        surface: {
            name: SEPARATORS.split(form.get(f"{surface}.{name}", "").strip()) for name in LISTS
        }
        for surface in SURFACES
    }


def _without_blanks(body: dict) -> dict:
    return {
        s: {n: [e for e in entries if e] for n, entries in lists.items()}
        for s, lists in body.items()
    }


def rule_error_text(error: RuleError) -> str:
    """The list's problem in the reader's language (the JSON API keeps the English detail)."""
    if error.entry is not None:
        return _(
            "“%(entry)s” is not an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, ::1).",
            entry=error.entry,
        )
    return _("Each line must be an IPv4 or IPv6 address or network (e.g. 10.0.0.0/8, ::1).")


@bp.get("/ip-access")
def ip_access_section():
    state = ip_access_state(editing=bool(request.args.get("edit")))
    return section_answer(SLUG, TEMPLATE, STATE, state)


@bp.post("/ip-access")
def save_ip_access():
    values = {field: request.form.get(field, "") for field in FIELDS}
    try:
        change_access_rules(
            current_app.extensions["omniroute"],
            _without_blanks(form_rules(request.form)),
            request.remote_addr,
        )
    except RuleError as error:
        field = error.field.split("[", 1)[0]
        state = ip_access_state(editing=True, values=values, errors={field: rule_error_text(error)})
        return section_answer(SLUG, TEMPLATE, STATE, state, 400)
    except LockoutError as error:
        message = _(
            "Not saved: these dashboard rules would lock you out — your address %(address)s "
            "would be refused. Add it to the dashboard allow list or remove the rule denying it.",
            address=error.address or "?",
        )
        state = ip_access_state(editing=True, values=values, message=message)
        return section_answer(SLUG, TEMPLATE, STATE, state, 409)
    return section_answer(SLUG, TEMPLATE, STATE, ip_access_state(saved=True))
