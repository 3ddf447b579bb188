"""Client API for embeddings and images, and the dedicated provider routes (filled in next)."""

from __future__ import annotations

from .client_api import client_blueprint

bp = client_blueprint("media_api")
