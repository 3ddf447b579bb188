"""Numbers and times on pages follow the reader's locale (omniroute/web/formatting.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from omniroute.clock import utcnow
from omniroute.web.formatting import (
    as_typed,
    clock,
    day,
    duration,
    hour_minute,
    money,
    month_day,
    ms,
    number,
    percent,
    price,
    size,
    stamp,
    thousands,
    until,
    usd,
)

MOMENT = dt.datetime(2026, 12, 7, 14, 5, 9)


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    Babel(app)
    return app


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "1,234.5"), ("de", "1.234,5"), ("fr", "1\u202f234,5"), ("hi", "1,234.5")],
)
def test_numbers_are_grouped_the_locale_s_way(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert number(1234.5, 1) == expected


def test_digits_are_at_most_what_is_asked_and_none_is_zero(app):
    with app.test_request_context(), force_locale("en"):
        assert number(2.0, 2) == "2"
        assert number(0.456, 2) == "0.46"
        assert number(None) == "0"
        assert ms(1250.4) == "1,250 ms"


def test_times_and_dates_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert day(MOMENT) == "Dec 7, 2026"
            assert "2:05:09" in clock(MOMENT)
            assert "Dec 7, 2026" in stamp(MOMENT)
        with force_locale("de"):
            assert day(MOMENT) == "07.12.2026"
            assert clock(MOMENT) == "14:05:09"
        with force_locale("ja"):
            assert day(MOMENT) == "2026/12/07"
        assert stamp(None) == clock(None) == day(None) == "—"


def test_iso_texts_are_moments_too(app):
    """The live monitor's events carry ISO texts with microseconds: shown as a locale time."""
    with app.test_request_context():
        with force_locale("en"):
            assert clock("2026-12-07T14:05:09.123456") == clock(MOMENT) == "2:05:09\u202fPM"
            assert stamp("2026-12-07T14:05:09Z") == stamp(MOMENT)
            assert clock("2026-12-07T15:05:09+01:00") == clock(MOMENT)  # converted to UTC
            assert clock("not a time") == "—"
        with force_locale("de"):
            assert clock("2026-12-07T14:05:09.123456") == "14:05:09"


@pytest.mark.parametrize(
    ("locale", "amount", "expected"),
    [
        ("en", 12.346, "$12.35"),
        ("en", 0.0123, "$0.0123"),
        ("en", 0.000042, "$0.000042"),
        ("en", 0, "$0.00"),
        ("de", 1234.5, "1.234,50\u00a0$"),
        ("de", 0.0123, "0,0123\u00a0$"),
    ],
)
def test_usd_keeps_cents_or_the_digits_a_small_amount_needs(app, locale, amount, expected):
    with app.test_request_context(), force_locale(locale):
        assert usd(amount) == expected


def test_money_rounds_below_a_cent_to_two_significant_digits(app):
    with app.test_request_context():
        with force_locale("en"):
            assert money(12.3) == "$12.30"
            assert money(0.0012345) == "$0.0012"
            assert money(None) == "$0.00"
        with force_locale("fr"):
            assert money(1234.5) == "1\u202f234,50\u00a0$US"


def test_counts_percentages_and_prices_follow_the_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert thousands(1234567) == "1,234,567"
            assert percent(0.4217) == "42%"
            assert percent(0.4217, 1) == "42.2%"
            assert percent(None) == "0%"
            assert price(0.075) == "0.075"
            assert price(3.0) == "3"
        with force_locale("de"):
            assert thousands(1234567) == "1.234.567"
            assert percent(0.4217, 1) == "42,2\u00a0%"
            assert price(0.075) == "0,075"


def test_sizes_and_durations_format_their_numbers_per_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert size(812) == "812 B"
            assert size(185 * 1024) == "185 KB"
            assert size(int(12.4 * 1024 * 1024)) == "12.4 MB"
            assert size(None) == "—"
            assert duration(0.4) == "0.4 s"
            assert duration(185) == "3 min 5 s"
            assert duration(2 * 3600 + 240) == "2 h 4 min"
            assert duration(None) == "—"
        with force_locale("de"):
            assert size(int(12.4 * 1024 * 1024)) == "12,4 MB"
            assert size(2500) == "2,4 KB"
            assert duration(0.4) == "0,4 s"


def test_until_counts_down_to_an_iso_time(app):
    with app.test_request_context(), force_locale("en"):
        soon = (utcnow() + dt.timedelta(hours=5, minutes=10, seconds=30)).isoformat() + "Z"
        assert until(soon) == "5 h 10 min"
        assert until("2000-01-01T00:00:00Z") == "0 min"


def test_form_values_are_never_localised():
    assert as_typed(30.0) == "30" and as_typed(0.5) == "0.5" and as_typed(7) == "7"


def test_every_filter_is_offered_to_templates(app):
    from omniroute.web.formatting import install_formatting

    install_formatting(app)
    with app.test_request_context(), force_locale("de"):
        rendered = app.jinja_env.from_string(
            "{{ 1234.5|number(1) }} {{ 0.5|percent }} {{ 2048|size }} {{ 3|money }} "
            "{{ 1250|ms }} {{ 12|duration }}"
        ).render()
    assert rendered == "1.234,5 50\u00a0% 2 KB 3,00\u00a0$ 1.250 ms 12 s"


def test_chart_labels_are_short_and_per_locale(app):
    with app.test_request_context():
        with force_locale("en"):
            assert month_day(MOMENT) == "Dec 7" and hour_minute(MOMENT) == "14:05"
        with force_locale("de"):
            assert month_day(MOMENT) == "7. Dez."
        with force_locale("ja"):
            assert month_day(MOMENT) == "12月7日"
