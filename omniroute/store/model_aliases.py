"""Query functions for model aliases (`model_aliases`): pattern → target model.

The router never reads this table per request: `load_aliases()` feeds the in-memory routing
table snapshot, which the management API invalidates after every change.
"""

from __future__ import annotations

from ..clock import utcnow
from ..routing.aliases import Alias
from .models import ModelAlias


def list_aliases() -> list[Alias]:
    query = ModelAlias.select().order_by(ModelAlias.pattern)
    return [Alias(row.pattern, row.target) for row in query]


def load_aliases() -> tuple[Alias, ...]:
    return tuple(list_aliases())


def put_alias(pattern: str, target: str) -> Alias:
    """Create the alias, or replace the target of the existing one with this pattern."""
    ModelAlias.insert(pattern=pattern, target=target, created_at=utcnow()).on_conflict(
        conflict_target=[ModelAlias.pattern], update={ModelAlias.target: target}
    ).execute()
    return Alias(pattern, target)


def delete_alias(pattern: str) -> bool:
    return bool(ModelAlias.delete().where(ModelAlias.pattern == pattern).execute())
