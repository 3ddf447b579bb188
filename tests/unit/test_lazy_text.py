"""Lazy texts (omniroute/lazy_text.py) act as their translation in the request's language."""

from __future__ import annotations

from markupsafe import Markup, escape

from omniroute import create_app
from omniroute.lazy_text import lazy_gettext as _l
from omniroute.web.deferred import built_dashboard


def test_a_lazy_text_is_translated_when_shown_in_the_request_language(tmp_path):
    app = built_dashboard(create_app({"DATA_DIR": str(tmp_path)}))
    label = _l("Providers")  # made outside any request, as module-level labels are
    try:
        with app.test_request_context(headers={"Accept-Language": "de"}):
            assert str(label) == "Anbieter" and label == "Anbieter"
            assert f"{label}!" == "Anbieter!" and label + "?" == "Anbieter?"
            assert len(label) == 8 and label.upper() == "ANBIETER"
            assert hash(label) == hash("Anbieter") and sorted([label, "Zebra", "Aal"])[1] == label
            assert escape(label) == Markup("Anbieter")
        with app.test_request_context(headers={"Accept-Language": "fr"}):
            assert str(label) == "Fournisseurs"
        with app.test_request_context():
            assert str(label) == "Providers"
    finally:
        app.extensions["omniroute"].close()


def test_a_lazy_text_keeps_its_variables():
    assert _l("%(n)s models", n=3).variables == {"n": 3} and _l("x").msgid == "x"
