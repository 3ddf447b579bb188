"""Query functions for the user's model prices (`model_prices`), over the catalog's defaults.

Read into an in-memory PricingTable snapshot (`load_price_overrides`), never per request.
"""

from __future__ import annotations

from ..clock import utcnow
from ..usage.pricing import PriceOverride
from .models import ModelPrice


def _override(row: ModelPrice) -> PriceOverride:
    return PriceOverride(
        row.provider,
        row.model_id,
        row.input_price,
        row.output_price,
        row.cached_input_price,
        row.cache_write_price,
    )


def load_price_overrides() -> tuple[PriceOverride, ...]:
    query = ModelPrice.select().order_by(ModelPrice.provider, ModelPrice.model_id)
    return tuple(_override(row) for row in query)


def put_price(price: PriceOverride) -> None:
    values = {
        ModelPrice.input_price: price.input,
        ModelPrice.output_price: price.output,
        ModelPrice.cached_input_price: price.cached_input,
        ModelPrice.cache_write_price: price.cache_write,
        ModelPrice.updated_at: utcnow(),
    }
    ModelPrice.insert(
        provider=price.provider,
        model_id=price.model_id,
        input_price=price.input,
        output_price=price.output,
        cached_input_price=price.cached_input,
        cache_write_price=price.cache_write,
        updated_at=utcnow(),
    ).on_conflict(
        conflict_target=[ModelPrice.provider, ModelPrice.model_id], update=values
    ).execute()


def delete_price(provider: str, model_id: str) -> bool:
    query = ModelPrice.delete().where(
        (ModelPrice.provider == provider) & (ModelPrice.model_id == model_id)
    )
    return bool(query.execute())
