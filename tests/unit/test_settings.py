"""Settings declared as data: defaults, bad values named (secret ones never shown), the README
documenting every setting, and the forms a storage key may take. The real `python app.py`
process: tests/integration/test_settings_and_startup.py."""

from __future__ import annotations

import os

import pytest

from omniroute import ROOT
from omniroute.settings import SETTINGS, SettingsError, load_settings, settings_table_markdown
from omniroute.store.secret_box import SecretBox, key_from_text


def test_defaults():
    values = load_settings({})
    assert values["PORT"] == 20128 and values["HOSTNAME"] == "127.0.0.1"
    assert values["DATA_DIR"] == os.path.expanduser("~/.omniroute")
    assert values["DATABASE_URL"] == "sqlite:///" + os.path.join(values["DATA_DIR"], "omniroute.db")
    assert values["REQUIRE_API_KEY"] is None and values["ENABLE_REQUEST_LOGS"] is False


@pytest.mark.parametrize(
    "name, raw",
    [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("THREADS", "0"),
        ("AUTH_COOKIE_SECURE", "maybe"),
        ("DATABASE_URL", "mysql://x"),
        ("BASE_URL", "localhost"),
        ("JWT_SECRET", "short"),
        ("UPSTREAM_READ_TIMEOUT", "-1"),
        ("REQUIRE_API_KEY", "perhaps"),
    ],
)
def test_bad_values_fail_naming_the_variable(name, raw):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: raw})


@pytest.mark.parametrize(
    "name, raw, secret_part",
    [
        ("JWT_SECRET", "short", "short"),
        ("API_KEY_SECRET", "tiny-secret", "tiny-secret"),
        ("STORAGE_ENCRYPTION_KEY", "abc123", "abc123"),
        ("DATABASE_URL", "mysql://admin:hunter2-pw@db/x", "hunter2-pw"),
    ],
)
def test_errors_about_secret_settings_never_show_the_value(name, raw, secret_part):
    with pytest.raises(SettingsError, match=name) as caught:
        load_settings({name: raw})
    assert secret_part not in str(caught.value)
    assert "not valid" in str(caught.value)


def test_in_flight_cap_must_leave_threads_for_the_dashboard():
    with pytest.raises(SettingsError, match="MAX_IN_FLIGHT"):
        load_settings({"THREADS": "10", "MAX_IN_FLIGHT": "10"})


def test_every_setting_is_documented_in_the_readme():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert settings_table_markdown() in readme
    for setting in SETTINGS:
        assert setting.help and f"`{setting.name}`" in readme


@pytest.mark.parametrize(
    "text",
    [
        "ab" * 32,  # hex
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # base64 of 32 bytes
        "a long passphrase for storage",
    ],
)
def test_storage_key_forms(text):
    key = key_from_text(text)
    assert len(key) == 32
    box = SecretBox(key)
    assert box.decrypt(box.encrypt("sk-abc")) == "sk-abc"
