"""The dashboard password's hash: production hashes with scrypt at werkzeug's full cost, the tests
with the cheapest scrypt (tests/gateway_harness.py), and since each stored hash names its own
parameters, a login verifies a hash made at either cost."""

from __future__ import annotations

from werkzeug.security import check_password_hash

from omniroute import admin_password, create_app
from tests.gateway_harness import ADMIN_PASSWORD, CHEAP_HASH_METHOD, PRODUCTION_HASH_METHOD


def test_production_hashes_with_full_cost_scrypt(monkeypatch):
    assert PRODUCTION_HASH_METHOD == "scrypt"  # werkzeug's default: n=2**15, r=8, p=1
    monkeypatch.setattr(admin_password, "HASH_METHOD", PRODUCTION_HASH_METHOD)
    stored = admin_password.hash_password("a-password-9")
    assert stored.startswith("scrypt:32768:8:1$")
    assert check_password_hash(stored, "a-password-9")
    assert not check_password_hash(stored, "a-password-8")


def test_the_cheap_hash_names_its_parameters():
    assert admin_password.HASH_METHOD == CHEAP_HASH_METHOD
    stored = admin_password.hash_password("a-password-9")
    assert stored.startswith(CHEAP_HASH_METHOD + "$")
    assert check_password_hash(stored, "a-password-9")
    assert not check_password_hash(stored, "a-password-8")


def _log_in(client, password: str) -> int:
    return client.post("/api/auth/login", json={"password": password}).status_code


def test_a_login_verifies_a_cheap_hash_and_a_full_cost_one(tmp_path, monkeypatch):
    app = create_app({"DATA_DIR": str(tmp_path), "INITIAL_PASSWORD": ADMIN_PASSWORD}, environ={})
    try:
        database = app.extensions["omniroute"].database
        with app.app_context(), database.connection_context():
            stored = admin_password.get_app_setting(admin_password.PASSWORD_KEY)
            assert stored.startswith(CHEAP_HASH_METHOD + "$")
        assert _log_in(app.test_client(), "not-the-password") == 401
        assert _log_in(app.test_client(), ADMIN_PASSWORD) == 200

        monkeypatch.setattr(admin_password, "HASH_METHOD", PRODUCTION_HASH_METHOD)
        with app.app_context(), database.connection_context():
            admin_password.set_admin_password("a-new-password-9")
            stored = admin_password.get_app_setting(admin_password.PASSWORD_KEY)
            assert stored.startswith("scrypt:32768:8:1$")
        monkeypatch.setattr(admin_password, "HASH_METHOD", CHEAP_HASH_METHOD)
        assert _log_in(app.test_client(), ADMIN_PASSWORD) == 401
        assert _log_in(app.test_client(), "a-new-password-9") == 200
    finally:
        app.extensions["omniroute"].close()
