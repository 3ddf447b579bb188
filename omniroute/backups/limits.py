"""How large an uploaded backup may be."""

from __future__ import annotations

IMPORT_LIMIT_BYTES = 100 * 1024 * 1024
