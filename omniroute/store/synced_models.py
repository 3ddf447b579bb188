"""Merge a provider's own model list (a sync's result) into its model rows.

- an id the provider lists that the catalog and the rows lack becomes a row of source
  "synced", stamped with when it was listed;
- a synced row listed again is stamped again, and comes back if it was retired;
- a synced row the provider no longer lists is retired (kept, shown as retired, never offered):
  only when the list is `complete`, i.e. every account of the provider answered, so an account
  that failed or sees fewer models never retires what the others see;
- the catalog's models and the user's own rows are never changed, and `hidden` is never
  touched: a model the user hid stays hidden whatever the provider lists.
All in one transaction; two syncs of one provider at once each insert what they find, the
second ignoring the rows the first inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import chunked

from ..clock import utcnow
from ..providers.model_lists import ListedId
from ..providers.spec import ProviderSpec
from .models import ProviderModel
from .provider_models import SYNCED_SOURCE

BATCH = 100  # rows or ids per statement (SQLite caps a statement's parameters)


@dataclass(frozen=True)
class SyncOutcome:
    """What a sync changed: ids newly offered (new, or back from retirement), ids retired, and
    how many models the provider listed."""

    added: list[str]
    retired: list[str]
    total: int


def merge_listed(
    provider: ProviderSpec,
    listed: Sequence[ListedId],
    *,
    complete: bool = True,
    now: dt.datetime | None = None,
) -> SyncOutcome:
    """Merge `listed` into `provider`'s rows (see the module docstring)."""
    now = now or utcnow()
    catalog_ids = {model.id for model in provider.models}
    listed_ids = {item.id for item in listed}
    with ProviderModel._meta.database.atomic():
        rows = {
            row.model_id: row
            for row in ProviderModel.select().where(ProviderModel.provider == provider.id)
        }
        new = [item for item in listed if item.id not in catalog_ids and item.id not in rows]
        _insert(provider.id, new, now)
        synced = {mid: row for mid, row in rows.items() if row.source == SYNCED_SOURCE}
        returned = [mid for mid, row in synced.items() if mid in listed_ids and row.retired_at]
        _stamp(provider.id, [mid for mid in synced if mid in listed_ids], now)
        gone = [
            mid
            for mid, row in synced.items()
            if complete and mid not in listed_ids and row.retired_at is None
        ]
        _retire(provider.id, gone, now)
    return SyncOutcome([item.id for item in new] + returned, gone, len(listed))


def _insert(provider: str, items: Sequence[ListedId], now: dt.datetime) -> None:
    for batch in chunked(items, BATCH):
        ProviderModel.insert_many(
            [
                {
                    "provider": provider,
                    "model_id": item.id,
                    "model_name": item.name or item.id,
                    "hidden": False,
                    "created_at": now,
                    "source": SYNCED_SOURCE,
                    "synced_at": now,
                }
                for item in batch
            ]
        ).on_conflict_ignore().execute()


def _stamp(provider: str, model_ids: list[str], now: dt.datetime) -> None:
    for batch in chunked(model_ids, BATCH):
        ProviderModel.update(synced_at=now, retired_at=None).where(
            (ProviderModel.provider == provider) & ProviderModel.model_id.in_(batch)
        ).execute()


def _retire(provider: str, model_ids: list[str], now: dt.datetime) -> None:
    for batch in chunked(model_ids, BATCH):
        ProviderModel.update(retired_at=now).where(
            (ProviderModel.provider == provider) & ProviderModel.model_id.in_(batch)
        ).execute()
