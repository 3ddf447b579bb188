"""Dashboard CLI tools page (/cli-tools): one card per tool with its status and its exact
configuration, filled with this gateway's URL, a key and a model picked in a GET form (works
without JavaScript); a key can be created on the spot (shown once, filling the snippets).

Apply (when CLI_TOOLS_APPLY allows and the server is loopback-only) is two POSTs: the first shows
the unified diff, the second carries the diff's digest and writes only if the files still give
that diff; Restore puts the last backup back.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...cli_tools.apply import NoBackup, apply_plan, latest_backup, plan_apply, restore_latest
from ...cli_tools.catalog import TOOLS, TOOLS_BY_ID, Tool
from ...cli_tools.detect import tool_status, tools_home
from ...cli_tools.formats import MergeError
from ..keys.api import create_key, key_name
from .choices import MODEL_PLACEHOLDER, Choice, apply_refusal, choose

bp = Blueprint("cli_tools", __name__, url_prefix="/cli-tools")


def _settings() -> dict:
    return current_app.extensions["omniroute"].settings


def _cards(choice: Choice, home: Path, refusal: str | None) -> list[dict]:
    data_dir = _settings()["DATA_DIR"]
    cards = []
    for tool in TOOLS:
        snippet = tool.build(choice.target)
        exports = "\n".join(f"export {name}={shlex.quote(v)}" for name, v in snippet.env.items())
        cards.append(
            {
                "tool": tool,
                "snippet": snippet,
                "exports": exports,
                "status": tool_status(tool, home, choice.target.base_url),
                "applicable": refusal is None and bool(snippet.applicable),
                "has_backup": refusal is None and latest_backup(data_dir, tool.id) is not None,
            }
        )
    return cards


def _render(choice: Choice, status: int = 200, **context):
    settings = _settings()
    refusal = apply_refusal(settings)
    cards = _cards(choice, tools_home(settings), refusal)
    page = render_template(
        "cli_tools/index.html", choice=choice, cards=cards, refusal=refusal, **context
    )
    return page, status


@bp.get("")
def index():
    args = request.args
    choice = choose(_settings(), args.get("key_id", ""), args.get("model", ""))
    return _render(choice, applied=args.get("applied"), restored=args.get("restored"))


@bp.post("/keys")
def create():
    form = request.form
    name = key_name(form.get("name", ""))
    if name is None:
        choice = choose(_settings(), "", form.get("model", ""))
        error = _("Give the key a name (1 to 200 characters).")
        return _render(choice, 400, key_error=error, key_name=form.get("name", ""))
    record, key = create_key(name)
    choice = choose(_settings(), str(record.id), form.get("model", ""), new_key=key)
    return _render(choice, new_key=key, new_key_name=record.name)


def _tool_or_404(tool_id: str) -> Tool:
    tool = TOOLS_BY_ID.get(tool_id)
    if tool is None or not tool.can_apply:
        abort(404)
    return tool


MERGE_ERROR_TEXT = {
    "invalid": _l("%(path)s is not valid %(format)s: fix or move the file, then apply again."),
    "not_object": _l("%(path)s does not hold a %(format)s object at its top."),
    "layout": _l("%(path)s is laid out in a way that cannot be edited safely."),
}


def merge_error_text(error: MergeError) -> str:
    """Why a file cannot take our keys, in the reader's language."""
    text = MERGE_ERROR_TEXT.get(error.kind)
    return str(text) % {"path": error.path, "format": error.format} if text else str(error)


def _refused(tool: Tool, message: str, status: int):
    return render_template("cli_tools/apply.html", tool=tool, error=message), status


@bp.post("/<tool_id>/apply")
def apply(tool_id: str):
    tool = _tool_or_404(tool_id)
    settings = _settings()
    refusal = apply_refusal(settings)
    if refusal:
        return _refused(tool, refusal, 403)
    form = request.form
    api_key = form.get("api_key", "").strip()
    if not api_key or len(api_key) > 500 or any(c.isspace() for c in api_key):
        return _refused(tool, _("Paste the API key to write into the files (no spaces)."), 400)
    choice = choose(settings, "", form.get("model", ""), new_key=api_key)
    if choice.model == MODEL_PLACEHOLDER:
        return _refused(tool, _("Pick a model or combo first."), 400)
    try:
        plan = plan_apply(tool, choice.target, tools_home(settings))
    except MergeError as error:
        return _refused(tool, merge_error_text(error), 409)
    confirm = form.get("confirm", "")
    if confirm and confirm == plan.digest:
        apply_plan(plan, settings["DATA_DIR"])
        return redirect(url_for(".index", model=choice.model, applied=tool.id))
    stale = bool(confirm)
    status = 409 if stale else 200
    page = render_template(
        "cli_tools/apply.html", tool=tool, plan=plan, choice=choice, api_key=api_key, stale=stale
    )
    return page, status


@bp.post("/<tool_id>/restore")
def restore(tool_id: str):
    tool = _tool_or_404(tool_id)
    settings = _settings()
    refusal = apply_refusal(settings)
    if refusal:
        return _refused(tool, refusal, 403)
    try:
        restore_latest(settings["DATA_DIR"], tool.id)
    except NoBackup:
        return _refused(tool, _("There is no backup of %(tool)s's files.", tool=tool.name), 404)
    return redirect(url_for(".index", restored=tool.id))
