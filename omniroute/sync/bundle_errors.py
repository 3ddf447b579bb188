"""BundleError: a configuration bundle that cannot be applied, naming the field at fault."""

from __future__ import annotations


class BundleError(ValueError):
    """`field` is the bundle path at fault (`combos[2].name`), `message` says what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
