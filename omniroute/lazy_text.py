"""Text translated when it is shown, for the labels and reasons defined outside the dashboard
(wire formats, providers, the translator). Like flask_babel's lazy_gettext, but flask_babel and
Babel are imported the first time such a text is shown, which only a dashboard page does, so a
process that only serves the client API never loads them. `pybabel extract -k _l` finds these
calls as it finds flask_babel's."""

from __future__ import annotations

from collections import UserString
from typing import Any


class LazyText(UserString):
    """A msgid that acts as its translation in the current request's language wherever a str
    would be used (printing, comparing, formatting, concatenating, templates)."""

    def __init__(self, msgid: str, **variables: Any):  # no super().__init__: `data` is computed
        self.msgid = msgid
        self.variables = variables

    @property
    def data(self) -> str:  # type: ignore[override]  # UserString's attribute, computed here
        from flask_babel import gettext

        return gettext(self.msgid, **self.variables)

    def __html__(self) -> str:  # trusted text, as flask_babel's lazy strings are
        return self.data


def lazy_gettext(msgid: str, **variables: Any) -> LazyText:
    return LazyText(msgid, **variables)
