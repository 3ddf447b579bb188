"""Dashboard Settings → Security, AI and Advanced (Routing and Resilience have their own areas;
the five tabs are in templates/partials/settings/tabs.html).

- Security: the password form (posted to /settings/password, auth/pages.py), sessions, whether
  the model lists need an API key, IP access control and provider blocking.
- AI: the thinking-budget policy, the global system prompt, session affinity, the response
  cache and idempotency, the providers' prompt-cache statistics per provider and model.
- Advanced: outbound proxies, the upstream timeouts and request logging (environment settings,
  shown read-only with their variable names: they are read when the gateway starts), System &
  Storage.

Each editable section is read-only until its Edit button: with htmx the section swaps to its
form and back (Save / Cancel); without JavaScript `?edit=<section>` renders the tab with that
form and a save posts and redirects (post/redirect/get). A bad value re-renders the form with
the message next to the field and the input kept, and nothing is saved. Saving goes through the
same functions as `PATCH /api/settings`.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...store.prompt_cache import prompt_cache_stats
from ..dashboard.pages import is_fragment_request
from ..providers.connection_form import FieldError
from .options import (
    EFFORT_LEVELS,
    FIELD_SPECS,
    READ_ONLY_FIELDS,
    check_option_changes,
    options_as_api,
    save_option_changes,
)

bp = Blueprint("settings", __name__, url_prefix="/settings")

TAB_TEMPLATES = {
    "security": "settings/security.html",
    "ai": "settings/ai.html",
    "advanced": "settings/advanced.html",
}
# section slug → (tab, partial, the API fields its form edits)
SECTIONS = {
    "models-key": ("security", "partials/settings/models_key.html", ("modelsRequireKey",)),
    "thinking": (
        "ai",
        "partials/settings/ai_thinking.html",
        ("thinkingPolicy", "thinkingBudgetCap", "thinkingBudgetFixed", "effortBudgets"),
    ),
    "system-prompt": (
        "ai",
        "partials/settings/ai_system_prompt.html",
        ("globalSystemPrompt", "globalSystemPromptPosition"),
    ),
    "replay": (
        "ai",
        "partials/settings/ai_replay.html",
        (
            "responseCache",
            "responseCacheStreams",
            "responseCacheTtlSeconds",
            "responseCacheMaxEntries",
            "responseCacheMaxBytes",
            "idempotencyWindowSeconds",
        ),
    ),
    "affinity": (
        "ai",
        "partials/settings/ai_affinity.html",
        (
            "sessionAffinity",
            "sessionAffinityHeader",
            "sessionAffinityMaxEntries",
            "sessionAffinityTtlSeconds",
        ),
    ),
}
SAVED_MESSAGES = {
    "models-key": _l("API key requirement saved."),
    "thinking": _l("Thinking policy saved."),
    "system-prompt": _l("System prompt saved."),
    "affinity": _l("Session affinity saved."),
    "replay": _l("Response cache and idempotency saved."),
}
THINKING_LABELS = {
    "passthrough": (
        _l("As the client asks"),
        _l("Each request thinks as much as its client asks (or the model's default)."),
    ),
    "cap": (
        _l("Capped budget"),
        _l("A thinking budget or effort above the cap is lowered to it."),
    ),
    "fixed": (
        _l("Fixed budget"),
        _l("Every request thinks with the fixed budget, whatever it asked."),
    ),
    "effort_map": (
        _l("Budget per effort"),
        _l("A request asking for an effort level thinks with that level's budget below."),
    ),
    "off": (_l("Off"), _l("Every request asks the model not to think.")),
}
PROMPT_POSITION_LABELS = {
    "before": _l("Before what the client sends"),
    "after": _l("After what the client sends"),
}
READ_ONLY_LABELS = {
    "upstreamConnectTimeout": _l("Connect timeout (seconds)"),
    "upstreamReadTimeout": _l("Timeout for the answer to start (seconds)"),
    "upstreamIdleTimeout": _l("Longest silence within an answer (seconds)"),
    "requestLogs": _l("Keep request and response bodies"),
    "requestLogHours": _l("Hours bodies are kept"),
}


def _context(tab: str, **context) -> dict:
    return {
        "tab": tab,
        "prompt_cache": prompt_cache_stats() if tab == "ai" else None,
        "options": options_as_api(),
        "thinking_labels": THINKING_LABELS,
        "position_labels": PROMPT_POSITION_LABELS,
        "effort_levels": EFFORT_LEVELS,
        "read_only_labels": READ_ONLY_LABELS,
        "read_only_variables": READ_ONLY_FIELDS,
        "keys_required": current_app.extensions["omniroute"].client_auth.required,
        "edit": None,
        "saved": None,
        "saved_message": SAVED_MESSAGES.get(context.get("saved") or ""),
        "errors": {},
        "values": {},
        "focus": None,
        **context,
    }


def render_tab(tab: str, status: int = 200, **context):
    """The whole tab page (`status`: 400 after a refused form)."""
    return render_template(TAB_TEMPLATES[tab], **_context(tab, **context)), status


def _section_or_404(tab: str, section: str) -> str:
    if SECTIONS.get(section, ("",))[0] != tab:
        abort(404)
    return section


def _section(tab: str, section: str, status: int = 200, **context):
    """The section for htmx (200, so htmx swaps it), else the whole tab with `status`."""
    if is_fragment_request():
        return render_template(SECTIONS[section][1], **_context(tab, **context))
    return render_tab(tab, status, **context)


def form_changes(section: str, form) -> tuple[dict, dict]:
    """The PATCH body of one section's form (checked), and the errors by field; a field the
    form does not carry is left as it is."""
    changes: dict = {}
    errors: dict = {}
    for name in SECTIONS[section][2]:
        kind = FIELD_SPECS[name][1]
        if not in_form(form, name, kind):
            continue  # a form without the field leaves it as it is
        value = form_value(form, name, kind)
        try:
            changes.update(check_option_changes({name: value}))
        except FieldError as error:
            errors[error.field] = error.message
    return changes, errors


def form_value(form, name: str, kind: str):
    """A form field as the API takes it (text the checks refuse stays text, so they name it)."""
    if kind == "bool":
        return form.get(name) == "on"
    if kind == "budgets":
        return {level: form_value(form, f"{name}.{level}", "int") for level in EFFORT_LEVELS}
    text = form.get(name, "")
    if kind == "int" and text.strip().isascii() and text.strip().isdecimal():
        return int(text) if len(text.strip()) <= 9 else text
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def in_form(form, name: str, kind: str) -> bool:
    """Whether the form carries the field (an unticked checkbox is sent as nothing: off)."""
    if kind == "bool":
        return True
    if kind == "budgets":
        return any(f"{name}.{level}" in form for level in EFFORT_LEVELS)
    return name in form


def form_values(form, section: str) -> dict:
    """What the section's form holds, to show again after a refusal."""
    return {name: form_value(form, name, FIELD_SPECS[name][1]) for name in SECTIONS[section][2]}


def _tab_page(tab: str):
    edit = request.args.get("edit")
    saved = request.args.get("saved")
    mine = {name for name, (owner, _p, _f) in SECTIONS.items() if owner == tab}
    return render_tab(
        tab,
        edit=edit if edit in mine else None,
        focus="first" if edit in mine else None,
        saved=saved if saved in mine else None,
    )[0]


@bp.get("/security")
def security():
    return _tab_page("security")


@bp.get("/ai")
def ai():
    return _tab_page("ai")


@bp.get("/advanced")
def advanced():
    return _tab_page("advanced")


@bp.get("/<any(security, ai):tab>/<section>")
def section(tab: str, section: str):
    """One section, read-only or (?edit=1) as a form; a plain browser gets the whole tab."""
    _section_or_404(tab, section)
    editing = request.args.get("edit") == "1"
    if not is_fragment_request():
        return redirect(url_for(f".{tab}", edit=section if editing else None))
    if editing:
        return _section(tab, section, edit=section, focus="first")
    return _section(tab, section, focus="edit")


@bp.post("/<any(security, ai):tab>/<section>")
def save(tab: str, section: str):
    _section_or_404(tab, section)
    changes, errors = form_changes(section, request.form)
    if errors:
        values = form_values(request.form, section)
        return _section(tab, section, 400, edit=section, errors=errors, values=values)
    save_option_changes(changes)
    if is_fragment_request():
        return _section(tab, section, saved=section, focus="edit")
    return redirect(url_for(f".{tab}", saved=section))
