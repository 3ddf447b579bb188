"""Management API for the model catalog and custom models (filled in next)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_models", __name__)
