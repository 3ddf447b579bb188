"""The routing tables in a configuration bundle: custom, hidden and synced models, combos,
model aliases, fallback chains and price overrides. Applying replaces each table with the
bundle's rows (combos are matched by name, so a combo keeps its id).

A provider model carries its sync state: `source` ("user", or "synced" for a model a sync
found), `syncedAt` (when a sync last listed it) and `retiredAt` (when a sync no longer did),
UTC timestamps such as "2026-01-31T12:00:00Z" or null. A bundle without them (an older
gateway's) imports its rows as the user's own, as before."""

from __future__ import annotations

import datetime as dt
import json

from ..clock import utcnow
from ..routing.combos import (
    COMBO_NAME,
    COMBO_STRATEGIES,
    Combo,
    ComboGraphError,
    ComboTarget,
    check_combo_graph,
)
from ..store.models import ComboRecord, FallbackChainRecord, ModelAlias, ModelPrice, ProviderModel
from ..store.provider_models import SYNCED_SOURCE, USER_SOURCE
from .bundle_errors import BundleError
from .bundle_fields import MAX_TEXT, flag, items_of, price, text, unique, whole

MAX_TARGETS = 50
MAX_PROMPT = 100_000
MODEL_SOURCES = (USER_SOURCE, SYNCED_SOURCE)
MAX_TIMESTAMP = 40


def read_tables() -> dict[str, list[dict]]:
    return {
        "providerModels": [
            {
                "provider": r.provider,
                "modelId": r.model_id,
                "modelName": r.model_name,
                "hidden": bool(r.hidden),
                "source": r.source,
                "syncedAt": _timestamp(r.synced_at),
                "retiredAt": _timestamp(r.retired_at),
            }
            for r in ProviderModel.select().order_by(ProviderModel.provider, ProviderModel.model_id)
        ],
        "combos": [
            {
                "name": r.name,
                "strategy": r.strategy,
                "targets": json.loads(r.targets),
                "systemPrompt": r.system_prompt,
            }
            for r in ComboRecord.select().order_by(ComboRecord.name)
        ],
        "modelAliases": [
            {"pattern": r.pattern, "target": r.target}
            for r in ModelAlias.select().order_by(ModelAlias.pattern)
        ],
        "fallbackChains": [
            {"model": r.model, "name": r.name, "models": json.loads(r.models)}
            for r in FallbackChainRecord.select().order_by(FallbackChainRecord.model)
        ],
        "prices": [
            {
                "provider": r.provider,
                "modelId": r.model_id,
                "input": r.input_price,
                "output": r.output_price,
                "cachedInput": r.cached_input_price,
                "cacheWrite": r.cache_write_price,
            }
            for r in ModelPrice.select().order_by(ModelPrice.provider, ModelPrice.model_id)
        ],
    }


def check_tables(bundle: dict) -> None:
    """BundleError names the first bad row of any table."""
    models = items_of(bundle, "providerModels")
    for index, item in enumerate(models):
        where = f"providerModels[{index}]"
        text(item, "provider", where, limit=64)
        text(item, "modelId", where)
        if not isinstance(item.get("modelName"), str) or len(item["modelName"]) > MAX_TEXT:
            raise BundleError(f"{where}.modelName", "must be a string")
        flag(item, "hidden", where)
        _check_sync_state(item, where)
    unique([(i["provider"], i["modelId"]) for i in models], "providerModels", "model")
    _check_combos(items_of(bundle, "combos"))
    aliases = items_of(bundle, "modelAliases")
    for index, item in enumerate(aliases):
        text(item, "pattern", f"modelAliases[{index}]")
        text(item, "target", f"modelAliases[{index}]")
    unique([i["pattern"] for i in aliases], "modelAliases", "pattern")
    chains = items_of(bundle, "fallbackChains")
    for index, item in enumerate(chains):
        where = f"fallbackChains[{index}]"
        text(item, "model", where)
        if not isinstance(item.get("name"), str) or len(item["name"]) > 100:
            raise BundleError(f"{where}.name", "must be a string of at most 100 characters")
        _model_list(item.get("models"), f"{where}.models")
    unique([i["model"] for i in chains], "fallbackChains", "model")
    prices = items_of(bundle, "prices")
    for index, item in enumerate(prices):
        where = f"prices[{index}]"
        text(item, "provider", where, limit=64)
        text(item, "modelId", where)
        for name in ("input", "output"):
            price(item, name, where)
        for name in ("cachedInput", "cacheWrite"):
            price(item, name, where, optional=True)
    unique([(i["provider"], i["modelId"]) for i in prices], "prices", "model")


def _check_sync_state(item: dict, where: str) -> None:
    """`source`, `syncedAt` and `retiredAt`, each optional; only a synced model has times."""
    source = item.get("source", USER_SOURCE)
    if source not in MODEL_SOURCES:
        raise BundleError(f"{where}.source", f"must be one of {', '.join(MODEL_SOURCES)}")
    for name in ("syncedAt", "retiredAt"):
        moment = _moment(item.get(name), f"{where}.{name}")
        if moment is not None and source != SYNCED_SOURCE:
            raise BundleError(f"{where}.{name}", f'must be null unless source is "{SYNCED_SOURCE}"')


def _timestamp(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def _moment(value: object, where: str) -> dt.datetime | None:
    """A bundle's timestamp as the database holds it (UTC, no tzinfo); None for null."""
    if value is None:
        return None
    rule = 'must be null or a UTC timestamp such as "2026-01-31T12:00:00Z"'
    if not isinstance(value, str) or len(value) > MAX_TIMESTAMP:
        raise BundleError(where, rule)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BundleError(where, rule) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _model_list(value: object, where: str) -> None:
    if not isinstance(value, list) or not value or len(value) > MAX_TARGETS:
        raise BundleError(where, f"must be a list of 1 to {MAX_TARGETS} model names")
    for index, model in enumerate(value):
        if not isinstance(model, str) or not model or len(model) > MAX_TEXT:
            raise BundleError(f"{where}[{index}]", "must be a model name")


def _check_combos(items: list[dict]) -> None:
    combos = {}
    for index, item in enumerate(items):
        where = f"combos[{index}]"
        name = text(item, "name", where, limit=100)
        if not COMBO_NAME.fullmatch(name):
            raise BundleError(f"{where}.name", "is not a valid combo name")
        if item.get("strategy") not in COMBO_STRATEGIES:
            raise BundleError(f"{where}.strategy", f"must be one of {', '.join(COMBO_STRATEGIES)}")
        prompt = item.get("systemPrompt")
        if prompt is not None and (not isinstance(prompt, str) or len(prompt) > MAX_PROMPT):
            raise BundleError(f"{where}.systemPrompt", "must be null or a string")
        targets = item.get("targets")
        if not isinstance(targets, list) or not targets or len(targets) > MAX_TARGETS:
            raise BundleError(f"{where}.targets", f"must be a list of 1 to {MAX_TARGETS} targets")
        for number, target in enumerate(targets):
            if not isinstance(target, dict) or set(target) != {"model", "weight"}:
                raise BundleError(f"{where}.targets[{number}]", "must be {model, weight}")
            text(target, "model", f"{where}.targets[{number}]")
            whole(target, "weight", f"{where}.targets[{number}]", 0, 1000)
        combos[name] = Combo(name, tuple(ComboTarget(t["model"], t["weight"]) for t in targets))
    unique([item["name"] for item in items], "combos", "name")
    try:
        check_combo_graph(combos)
    except ComboGraphError as error:
        raise BundleError("combos", str(error)) from None


def write_tables(bundle: dict) -> None:
    now = utcnow()
    ProviderModel.delete().execute()
    for item in bundle["providerModels"]:
        ProviderModel.create(
            provider=item["provider"],
            model_id=item["modelId"],
            model_name=item["modelName"],
            hidden=item["hidden"],
            created_at=now,
            source=item.get("source", USER_SOURCE),
            synced_at=_moment(item.get("syncedAt"), "syncedAt"),
            retired_at=_moment(item.get("retiredAt"), "retiredAt"),
        )
    _write_combos(bundle["combos"])
    ModelAlias.delete().execute()
    for item in bundle["modelAliases"]:
        ModelAlias.create(pattern=item["pattern"], target=item["target"], created_at=now)
    FallbackChainRecord.delete().execute()
    for item in bundle["fallbackChains"]:
        FallbackChainRecord.create(
            model=item["model"],
            name=item["name"],
            models=json.dumps(item["models"]),
            created_at=now,
        )
    ModelPrice.delete().execute()
    for item in bundle["prices"]:
        ModelPrice.create(
            provider=item["provider"],
            model_id=item["modelId"],
            input_price=item["input"],
            output_price=item["output"],
            cached_input_price=item.get("cachedInput"),
            cache_write_price=item.get("cacheWrite"),
            updated_at=now,
        )


def _write_combos(items: list[dict]) -> None:
    local = {row.name: row for row in ComboRecord.select()}
    now = utcnow()
    for item in items:
        fields = {
            "strategy": item["strategy"],
            "targets": json.dumps(item["targets"]),
            "system_prompt": item.get("systemPrompt"),
            "updated_at": now,
        }
        if item["name"] in local:
            ComboRecord.update(**fields).where(ComboRecord.name == item["name"]).execute()
        else:
            ComboRecord.create(name=item["name"], created_at=now, **fields)
    names = [item["name"] for item in items]
    ComboRecord.delete().where(ComboRecord.name.not_in(names)).execute()
