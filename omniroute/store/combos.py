"""Query functions for combos (`combos`): name, strategy, targets (JSON) and own system prompt.

The router never reads this table per request: `load_combos()` feeds the in-memory routing
table snapshot, which the management API invalidates after every change.
"""

from __future__ import annotations

import json

from ..clock import utcnow
from ..routing.combos import Combo, ComboTarget
from .models import ComboRecord


def _combo(row: ComboRecord) -> Combo:
    targets = tuple(
        ComboTarget(t["model"], int(t.get("weight", 1))) for t in json.loads(row.targets)
    )
    return Combo(row.name, targets, row.strategy, row.id, row.system_prompt)


def _targets_json(combo: Combo) -> str:
    return json.dumps([{"model": t.model, "weight": t.weight} for t in combo.targets])


def list_combos() -> list[Combo]:
    return [_combo(row) for row in ComboRecord.select().order_by(ComboRecord.name)]


def load_combos() -> tuple[Combo, ...]:
    return tuple(list_combos())


def get_combo(combo_id: int) -> Combo | None:
    row = ComboRecord.get_or_none(ComboRecord.id == combo_id)
    return None if row is None else _combo(row)


def find_combo(name: str) -> Combo | None:
    row = ComboRecord.get_or_none(ComboRecord.name == name)
    return None if row is None else _combo(row)


def create_combo(combo: Combo) -> Combo:
    now = utcnow()
    row = ComboRecord.create(
        name=combo.name,
        strategy=combo.strategy,
        targets=_targets_json(combo),
        system_prompt=combo.system_prompt,
        created_at=now,
        updated_at=now,
    )
    return _combo(row)


def update_combo(combo_id: int, combo: Combo) -> Combo | None:
    updated = (
        ComboRecord.update(
            name=combo.name,
            strategy=combo.strategy,
            targets=_targets_json(combo),
            system_prompt=combo.system_prompt,
            updated_at=utcnow(),
        )
        .where(ComboRecord.id == combo_id)
        .execute()
    )
    return get_combo(combo_id) if updated else None


def delete_combo(combo_id: int) -> bool:
    return bool(ComboRecord.delete().where(ComboRecord.id == combo_id).execute())
