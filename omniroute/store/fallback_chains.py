"""Query functions for global fallback chains (`fallback_chains`): model → fallback models.

Read into the in-memory routing table snapshot (`load_chains`), never per request.
"""

from __future__ import annotations

import json

from ..clock import utcnow
from ..routing.chains import FallbackChain
from .models import FallbackChainRecord


def _chain(row: FallbackChainRecord) -> FallbackChain:
    return FallbackChain(row.model, tuple(json.loads(row.models)), row.name)


def list_chains() -> list[FallbackChain]:
    query = FallbackChainRecord.select().order_by(FallbackChainRecord.model)
    return [_chain(row) for row in query]


def load_chains() -> tuple[FallbackChain, ...]:
    return tuple(list_chains())


def put_chain(chain: FallbackChain) -> FallbackChain:
    """Create the chain for its model, or replace the existing one."""
    models = json.dumps(list(chain.models))
    FallbackChainRecord.insert(
        model=chain.model, name=chain.name, models=models, created_at=utcnow()
    ).on_conflict(
        conflict_target=[FallbackChainRecord.model],
        update={FallbackChainRecord.models: models, FallbackChainRecord.name: chain.name},
    ).execute()
    return chain


def delete_chain(model: str) -> bool:
    query = FallbackChainRecord.delete().where(FallbackChainRecord.model == model)
    return bool(query.execute())
