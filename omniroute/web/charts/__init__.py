"""Server-rendered SVG charts for the dashboard: a sparkline, an activity heatmap, a donut of
shares and a budget meter. Each function returns safe markup (an `<svg role="img">` whose
aria-label states the numbers in words, in the user's language, with a `<title>`), draws with
CSS classes coloured by the theme's custom properties (static/css/charts.css), and needs no
script. Empty data draws an empty frame with a label that says so."""

from __future__ import annotations

from .donut import Share, donut, shares_of
from .heatmap import activity_heatmap
from .meter import budget_meter
from .sparkline import sparkline

__all__ = ["Share", "activity_heatmap", "budget_meter", "donut", "shares_of", "sparkline"]
