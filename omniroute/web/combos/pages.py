"""Dashboard Combos page: list, create, edit, reorder, test and delete combos, or start from one
of the user guide's templates.

Every form is a plain HTML POST that works without JavaScript (post/redirect/get): the editor's
move up / move down / remove / add target buttons post the form with an `action` and get it back
changed but unsaved; "Save" stores it. With htmx the same posts return only the fragment they
changed (the editor, the list, or a combo's test results).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from ...clock import utcnow
from ...providers import PROVIDERS
from ...routing.combos import Combo
from ...routing.table import RoutingTable
from ...store import combos as combo_store
from ...store.provider_models import usable_models
from ...store.request_counts import requests_per_model_asked
from ..dashboard.pages import is_fragment_request
from ..providers.connection_form import FieldError
from .api import ComboInUse, discard_combo, store_combo, test_combo

bp = Blueprint("combos", __name__, url_prefix="/combos")

# The user guide's three combos, one click away (the editor opens prefilled; the user saves).
COMBO_TEMPLATES = {
    # the guide's free layer (iFlow, Qwen Code) is gone: a local model is what stays free
    "maximize-claude": (
        ("cc/claude-opus-4-6", "glm/glm-4.7", "ollama-local/qwen2.5-coder"),
        _l("Use the Claude subscription fully, a cheap backup when its quota runs out, then free."),
    ),
    "free-forever": (
        (
            "ollama-local/qwen2.5-coder",
            "lmstudio-local/qwen2.5-coder-7b-instruct",
            "llamacpp-local/default",
        ),
        _l("Free models only: no cost at all."),
    ),
    "always-on": (
        (
            "cc/claude-opus-4-6",
            "cx/gpt-5.2-codex",
            "glm/glm-4.7",
            "minimax/MiniMax-M2.1",
            "ollama-local/qwen2.5-coder",
        ),
        _l("Five layers of fallback for coding around the clock."),
    ),
}
TEMPLATE_STRATEGY = "priority"

# id → (label, one-line explanation), as described in omniroute/routing/target_order.py
COMBO_STRATEGY_HELP = {
    "priority": (_l("Priority"), _l("as listed; the next target only when the one before fails")),
    "round-robin": (_l("Round robin"), _l("each request starts one target further along")),
    "random": (_l("Random"), _l("a fresh shuffle for every request")),
    "weighted": (_l("Weighted"), _l("shuffled in proportion to each target's weight")),
    "least-used": (
        _l("Least used"),
        _l("the target with the fewest recent requests through this combo first"),
    ),
    "cost-optimized": (
        _l("Cost optimized"),
        _l("the cheapest target by the pricing table first (unknown prices last)"),
    ),
}
# a FieldError's field → the editor control to focus
FIELD_CONTROLS = {
    "name": "combo-name",
    "strategy": "combo-strategy",
    "models": "new-target",
    "systemPrompt": "combo-prompt",
}
# the editor's choice of system prompt → how the API spells it (see prompt_of)
PROMPT_MODES = ("global", "none", "own")


@dataclass
class Draft:
    """The editor's content: what the user typed, kept as text until it is saved."""

    name: str = ""
    strategy: str = ""
    targets: list[tuple[str, str]] = field(default_factory=list)  # (model, weight as typed)
    new_model: str = ""
    combo_id: int | None = None
    prompt_mode: str = "global"
    prompt: str = ""

    def body(self) -> dict:
        """The API body of this draft (a weight that is not a number stays text, so the API's
        validation names it)."""
        return {
            "name": self.name,
            "strategy": self.strategy,
            "models": [{"model": m, "weight": _weight(w)} for m, w in self.targets],
            "systemPrompt": prompt_of(self.prompt_mode, self.prompt),
        }


def prompt_of(mode: str, text: str) -> str | None:
    """The API's systemPrompt for the editor's choice: None (the global one), "" or the text."""
    if mode == "own":
        return text
    return "" if mode == "none" else None


def _weight(text: str):
    text = text.strip()
    if not text:
        return 1
    try:
        return int(text)
    except ValueError:
        return text


def _default_strategy() -> str:
    return current_app.extensions["omniroute"].routes.snapshot().policy.combo_strategy


def draft_from_combo(combo: Combo) -> Draft:
    targets = [(t.model, str(t.weight)) for t in combo.targets]
    prompt = combo.system_prompt
    mode = "global" if prompt is None else ("own" if prompt else "none")
    return Draft(
        combo.name,
        combo.strategy,
        targets,
        combo_id=combo.id,
        prompt_mode=mode,
        prompt=prompt or "",
    )


def draft_from_form(combo_id: int | None) -> Draft:
    form = request.form
    weights = form.getlist("weight")
    targets = [
        (model.strip(), weights[i] if i < len(weights) else "1")
        for i, model in enumerate(form.getlist("model"))
        if model.strip()
    ]
    return Draft(
        form.get("name", "").strip(),
        form.get("strategy", ""),
        targets,
        form.get("new_model", "").strip(),
        combo_id,
        mode if (mode := form.get("prompt_mode", "global")) in PROMPT_MODES else "global",
        form.get("system_prompt", ""),
    )


def apply_action(draft: Draft, action: str) -> str | None:
    """Add, move or remove a target as the clicked button asks; the control to focus next."""
    if action == "add":
        if draft.new_model:
            draft.targets.append((draft.new_model, "1"))
            draft.new_model = ""
        return "new-target"
    verb, _, position = action.partition(":")
    if not position.isdecimal() or int(position) >= len(draft.targets):
        return None
    index = int(position)
    if verb == "remove":
        del draft.targets[index]
        return "new-target"
    other = index - 1 if verb == "up" else index + 1 if verb == "down" else -1
    if not 0 <= other < len(draft.targets):
        return None
    targets = draft.targets
    targets[index], targets[other] = targets[other], targets[index]
    at_edge = other == 0 if verb == "up" else other == len(targets) - 1
    direction = ("down" if verb == "up" else "up") if at_edge else verb
    return f"target-{other}-{direction}"


def model_suggestions(exclude: str = "") -> list[str]:
    """Model ids for the "add target" list: connected providers' models, then combo names."""
    table: RoutingTable = current_app.extensions["omniroute"].routes.snapshot()
    specs = [r.spec for r in table.usable_routes() if PROVIDERS.get(r.spec.id) is r.spec]
    models = [f"{spec.prefix}/{model.id}" for spec in specs for model in usable_models(spec)]
    return models + [name for name in sorted(table.combos) if name != exclude]


def _editor_context(draft: Draft, **context) -> dict:
    action = (
        url_for(".create")
        if draft.combo_id is None
        else url_for(".update", combo_id=draft.combo_id)
    )
    return {
        "draft": draft,
        "action_url": action,
        "strategies": COMBO_STRATEGY_HELP,
        "suggestions": model_suggestions(draft.name),
        "errors": {},
        **context,
    }


def _list_context() -> dict:
    """The combos, their strategies' help and their request counts (one grouped query)."""
    combos = combo_store.list_combos()
    return {
        "combos": combos,
        "strategy_help": COMBO_STRATEGY_HELP,
        "request_counts": requests_per_model_asked((c.name for c in combos), utcnow()),
    }


def _page(status: int = 200, draft: Draft | None = None, **context):
    draft = draft or Draft(strategy=_default_strategy())
    return render_template(
        "combos/index.html",
        combo_templates=COMBO_TEMPLATES,
        **_list_context(),
        **_editor_context(draft, **context),
    ), status


def _editor(draft: Draft, status: int = 200, **context):
    """The editor: as a fragment for htmx (always 200, so htmx swaps it), else in the page."""
    if is_fragment_request():
        return render_template("partials/combos/editor.html", **_editor_context(draft, **context))
    return _page(status, draft, **context)


def _list(status: int = 200, **context):
    if is_fragment_request():
        html = render_template(
            "partials/combos/list.html",
            **_list_context(),
            **context,
        )
        return html, 200
    return _page(status, **context)


def _combo_or_404(combo_id: int) -> Combo:
    combo = combo_store.get_combo(combo_id)
    if combo is None:
        abort(404)
    return combo


@bp.get("")
def index():
    if is_fragment_request():
        return _list()
    return _page(saved=request.args.get("saved"))


@bp.get("/new")
def new():
    name = request.args.get("template", "")
    if name in COMBO_TEMPLATES:
        targets = [(model, "1") for model in COMBO_TEMPLATES[name][0]]
        return _editor(Draft(name, TEMPLATE_STRATEGY, targets), focus="combo-save")
    return _editor(Draft(strategy=_default_strategy()), focus="combo-name")


@bp.get("/<int:combo_id>/edit")
def edit(combo_id: int):
    return _editor(draft_from_combo(_combo_or_404(combo_id)), focus="combo-name")


@bp.post("")
def create():
    return _submit(None)


@bp.post("/<int:combo_id>")
def update(combo_id: int):
    _combo_or_404(combo_id)
    return _submit(combo_id)


def _submit(combo_id: int | None):
    draft = draft_from_form(combo_id)
    action = request.form.get("action") or "save"
    if action != "save":
        return _editor(draft, focus=apply_action(draft, action))
    if draft.new_model:  # typed into "add target" but saved straight away: keep it
        apply_action(draft, "add")
    try:
        saved = store_combo(draft.body(), combo_id)
    except FieldError as error:
        return _editor(
            draft, 400, errors={error.field: error.message}, focus=FIELD_CONTROLS.get(error.field)
        )
    if saved is None:
        abort(404)
    if not is_fragment_request():
        return redirect(url_for(".index", saved=saved.name))
    fresh = _editor(Draft(strategy=_default_strategy()), saved=saved.name)
    return fresh, 200, {"HX-Trigger": "combos-changed"}


@bp.post("/<int:combo_id>/delete")
def delete(combo_id: int):
    try:
        if not discard_combo(combo_id):
            abort(404)
    except ComboInUse as error:
        message = _l(
            "“%(name)s” is used by %(users)s: remove it there first.",
            name=error.combo.name,
            users=", ".join(error.users),
        )
        return _list(409, delete_error={"id": combo_id, "message": message})
    return _list() if is_fragment_request() else redirect(url_for(".index"))


@bp.post("/<int:combo_id>/test")
def test(combo_id: int):
    combo = _combo_or_404(combo_id)
    results = test_combo(combo)
    if is_fragment_request():
        return render_template("partials/combos/test_results.html", combo=combo, results=results)
    return _page(tested={"id": combo_id, "results": results})
