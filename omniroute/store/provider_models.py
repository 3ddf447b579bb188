"""Query functions for per-provider model rows: models the user added ("custom models"),
catalog models the user hid, and models a sync found in the provider's own list (source
"synced", store/synced_models.py). One row per (provider, model_id); `hidden` hides any kind,
and a synced model the provider no longer lists is `retired`: kept and shown, never offered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import IntegrityError

from ..providers.spec import ModelSpec, ProviderSpec
from .models import ProviderModel

USER_SOURCE, SYNCED_SOURCE = "user", "synced"  # who made a row: the user, or a sync


@dataclass(frozen=True)
class ModelRow:
    id: int
    provider: str
    model_id: str
    model_name: str
    hidden: bool
    created_at: dt.datetime
    source: str = USER_SOURCE
    synced_at: dt.datetime | None = None
    retired_at: dt.datetime | None = None


class DuplicateModel(ValueError):
    """The provider already has a row for this model id."""


def _row(row: ProviderModel) -> ModelRow:
    return ModelRow(
        row.id,
        row.provider,
        row.model_id,
        row.model_name,
        bool(row.hidden),
        row.created_at,
        row.source,
        row.synced_at,
        row.retired_at,
    )


def list_provider_models(provider: str | None = None) -> list[ModelRow]:
    query = ProviderModel.select().order_by(ProviderModel.provider, ProviderModel.id)
    if provider is not None:
        query = query.where(ProviderModel.provider == provider)
    return [_row(row) for row in query]


def get_provider_model(provider: str, model_id: str) -> ModelRow | None:
    row = ProviderModel.get_or_none(
        (ProviderModel.provider == provider) & (ProviderModel.model_id == model_id)
    )
    return None if row is None else _row(row)


def add_provider_model(
    provider: str, model_id: str, model_name: str = "", hidden: bool = False
) -> ModelRow:
    """Insert a row; raises DuplicateModel when (provider, model_id) exists."""
    database = ProviderModel._meta.database
    try:
        with database.atomic():
            row = ProviderModel.create(
                provider=provider, model_id=model_id, model_name=model_name, hidden=hidden
            )
    except IntegrityError:
        raise DuplicateModel(model_id) from None
    return _row(row)


def set_hidden(provider: str, model_id: str, hidden: bool) -> ModelRow | None:
    """Hide or show an existing row; None when there is none."""
    updated = (
        ProviderModel.update(hidden=hidden)
        .where((ProviderModel.provider == provider) & (ProviderModel.model_id == model_id))
        .execute()
    )
    return get_provider_model(provider, model_id) if updated else None


def delete_provider_model(provider: str, model_id: str) -> bool:
    return bool(
        ProviderModel.delete()
        .where((ProviderModel.provider == provider) & (ProviderModel.model_id == model_id))
        .execute()
    )


@dataclass(frozen=True)
class ListedModel:
    """One of a provider's models as the user sees it: a catalog model or a custom one
    (`synced`: found in the provider's list; `retired`: no longer there)."""

    spec: ModelSpec
    custom: bool
    hidden: bool
    synced: bool = False
    retired: bool = False

    @property
    def offered(self) -> bool:
        """Whether /v1/models lists it and routing offers it."""
        return not (self.hidden or self.retired)


def merge_with_catalog(provider: ProviderSpec, rows: list[ModelRow]) -> list[ListedModel]:
    """The provider's catalog models, then its custom and synced models, each marked hidden
    (and retired) or not."""
    by_id = {row.model_id: row for row in rows if row.provider == provider.id}
    listed = [
        ListedModel(model, False, bool(by_id.get(model.id) and by_id[model.id].hidden))
        for model in provider.models
    ]
    catalog_ids = {model.id for model in provider.models}
    listed += [
        ListedModel(
            ModelSpec(row.model_id, row.model_name or row.model_id),
            True,
            row.hidden,
            synced=row.source == SYNCED_SOURCE,
            retired=row.retired_at is not None,
        )
        for row in by_id.values()
        if row.model_id not in catalog_ids
    ]
    return listed


def usable_models(provider: ProviderSpec) -> list[ModelSpec]:
    """What /v1/models lists for a connected provider: catalog + custom + synced, minus the
    hidden and the retired."""
    listed = merge_with_catalog(provider, list_provider_models(provider.id))
    return [item.spec for item in listed if item.offered]
