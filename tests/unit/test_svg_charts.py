"""The dashboard's SVG charts (omniroute/web/charts): well-formed XML with a text alternative
that states the numbers, one point or cell per value, empty and flat data drawn without a
division by zero, and every label escaped."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from flask_babel import Babel

from omniroute.web.charts import activity_heatmap, budget_meter, donut, shares_of, sparkline
from omniroute.web.charts.heatmap import quantile_levels

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def parse(markup) -> ET.Element:
    """The chart as XML (it must parse), with its role and a label equal to its <title>."""
    root = ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))
    assert root.get("role") == "img" and root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == root.get("aria-label")
    return root


def path_points(root: ET.Element) -> list[tuple[str, float, float]]:
    d = root.find(f"{SVG}path").get("d")
    return [(cmd, float(x), float(y)) for cmd, x, y in re.findall(r"([ML])([\d.]+) ([\d.]+)", d)]


def test_a_sparkline_draws_each_hour_and_marks_the_peak_and_the_last():
    values = [float(n % 5) for n in range(24)]
    root = parse(sparkline(values, "Requests"))
    points = path_points(root)
    assert len(points) == 24 and points[0][0] == "M"
    assert all(cmd == "L" for cmd, _x, _y in points[1:])
    assert [p[1] for p in points] == sorted(p[1] for p in points)  # oldest on the left
    label = root.get("aria-label")
    assert label == "Requests over the last 24 hours: lowest 0, highest 4, latest 3."
    marks = {c.get("class"): c for c in root.iter(f"{SVG}circle")}
    assert set(marks) == {"spark-peak", "spark-last"}
    assert float(marks["spark-last"].get("cx")) == points[-1][1]
    assert float(marks["spark-peak"].get("cy")) == min(p[2] for p in points)  # highest: top


def test_a_sparkline_leaves_gaps_for_hours_without_a_value():
    root = parse(sparkline([1.0, None, None, 3.0, 2.0], "Latency", lambda v: f"{v:g} ms"))
    assert [cmd for cmd, _x, _y in path_points(root)] == ["M", "M", "L"]
    assert "lowest 1 ms, highest 3 ms, latest 2 ms" in root.get("aria-label")


@pytest.mark.parametrize("values", [[], [None, None], [0.0] * 24, [5.0]])
def test_empty_flat_and_single_sparklines_draw_without_dividing_by_zero(values):
    root = parse(sparkline(values, "Errors"))
    if not any(v is not None for v in values):
        assert root.get("aria-label") == "Errors: no data yet."
        assert root.find(f"{SVG}path") is None
    else:
        ys = {y for _cmd, _x, y in path_points(root)}
        assert len(ys) == 1  # a flat line in the middle


def test_labels_are_escaped_everywhere():
    evil = '<script>alert("x")</script> & "quotes"'
    charts = [
        sparkline([1, 2], evil),
        activity_heatmap([(dt.date(2026, 1, 5), 3)], evil),
        donut(shares_of([(evil, 2.0), ("b", 1.0)]), evil),
        budget_meter(1, 2, 80, evil),
    ]
    for chart in charts:
        text = str(chart)
        assert "<script>" not in text and "&lt;script&gt;" in text
        root = parse(chart)
        assert evil in root.get("aria-label")


def test_the_heatmap_has_a_cell_per_day_in_week_columns():
    start = dt.date(2026, 9, 14)  # a Monday
    days = [(start + dt.timedelta(days=n), n % 10) for n in range(84)]
    root = parse(activity_heatmap(days, "Requests"))
    cells = list(root.iter(f"{SVG}rect"))
    assert len(cells) == 84
    assert {c.get("x") for c in cells[:7]} == {"0"}  # the first week is the first column
    assert [c.get("y") for c in cells[:7]] == sorted({c.get("y") for c in cells}, key=float)
    assert cells[0].find(f"{SVG}title").text == "Sep 14, 2026: 0"
    assert cells[0].get("class") == "heat-0" and cells[9].get("class") == "heat-4"
    label = root.get("aria-label")
    assert label.startswith("Requests over 84 days: 366 in total on 75 active days;")
    assert "the busiest was Sep 23, 2026 with 9." in label


def test_an_idle_or_empty_heatmap_says_so():
    idle = [(dt.date(2026, 1, 1) + dt.timedelta(days=n), 0) for n in range(7)]
    assert parse(activity_heatmap(idle, "Requests")).get("aria-label") == (
        "Requests over 7 days: none."
    )
    assert parse(activity_heatmap([], "Requests")).get("aria-label") == "Requests: no data yet."


def test_quantile_levels_rank_busy_days_in_four_shades():
    assert quantile_levels([0, 0]) == [0, 0]
    assert quantile_levels([0, 1, 2, 3, 4, 100]) == [0, 1, 1, 2, 3, 4]
    assert quantile_levels([7, 7, 7]) == [1, 1, 1]  # all alike: one shade, no division


def test_a_donut_slices_the_shares_and_lumps_the_smallest_as_other():
    parts = [(f"p{n}", float(n)) for n in range(1, 9)] + [("zero", 0.0)]
    shares = shares_of(parts)
    assert [s.label for s in shares] == ["p8", "p7", "p6", "p5", "p4", "Other"]
    assert shares[-1].value == 1 + 2 + 3
    assert sum(s.fraction for s in shares) == pytest.approx(1.0)
    root = parse(donut(shares, "Cost", lambda v: f"${v:g}"))
    slices = [c for c in root.iter(f"{SVG}circle") if c.get("class", "").startswith("series-")]
    assert len(slices) == 6
    lengths = [float(c.get("stroke-dasharray").split()[0]) for c in slices]
    assert sum(lengths) == pytest.approx(100.0)
    assert root.get("aria-label").startswith("Cost: p8 $8 (22%); p7 $7 (19%);")


def test_an_empty_donut_draws_its_track_only():
    assert shares_of([("a", 0.0)]) == []
    root = parse(donut([], "Cost"))
    assert root.get("aria-label") == "Cost: nothing yet."
    assert [c.get("class") for c in root.iter(f"{SVG}circle")] == ["donut-track"]


@pytest.mark.parametrize(
    ("spent", "limit", "state", "width"),
    [(1, 10, "ok", "20"), (8, 10, "warn", "160"), (15, 10, "over", "200"), (0, 0, "over", "200")],
)
def test_a_budget_meter_fills_to_the_share_spent(spent, limit, state, width):
    root = parse(budget_meter(spent, limit, 80, "team", lambda v: f"${v:g}"))
    assert f"meter-{state}" in root.get("class").split()
    fill = next(r for r in root.iter(f"{SVG}rect") if "meter-fill" in r.get("class"))
    assert fill.get("width") == width
    assert root.find(f"{SVG}line").get("x1") == "160"  # the warning mark at 80 %
    assert root.get("aria-label").startswith(f"team: ${spent:g} of ${limit:g} spent")
