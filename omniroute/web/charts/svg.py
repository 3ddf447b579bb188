"""The pieces every chart shares: the `<svg>` frame with its text alternative, coordinates
written short, and the default number format (the user's locale)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from ..formatting import number

NumberFormat = Callable[[float], str]


def plain_number(value: float) -> str:
    """A count or amount in the user's locale: 1,234 or 12.5."""
    return number(value, 2)


def coordinate(value: float) -> str:
    """An SVG coordinate, one decimal at most: 12, 3.5."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def frame(kind: str, width: float, height: float, label: str, body: str, state: str = "") -> Markup:
    """An `<svg role="img">` of the view box `width`×`height` holding `body` (already safe
    markup), named by `label` (escaped) both as its aria-label and its `<title>`; `state` is an
    extra class (e.g. a meter's `meter-warn`)."""
    text = escape(label)
    classes = " ".join(filter(None, ("chart-svg", kind, state)))
    return Markup(
        f'<svg class="{classes}" viewBox="0 0 {coordinate(width)} {coordinate(height)}"'
        f' role="img" aria-label="{text}" focusable="false" data-chart-kind="{kind}">'
        f"<title>{text}</title>{body}</svg>"
    )
