"""CPU_PINNING: the setting's values and the CPU each serving process is given
(omniroute/cpu_pinning.py); the real processes are pinned in tests/integration/test_cpu_pinning.py
and tests/e2e/test_workers.py."""

from __future__ import annotations

import pytest

from omniroute.cpu_pinning import chosen_cpu
from omniroute.setting_parsers import parse_cpu_pinning
from omniroute.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("auto", "auto"),
        (" AUTO ", "auto"),
        ("off", "off"),
        ("2", (2,)),
        ("0,2", (0, 2)),
        ("0-3", (0, 1, 2, 3)),
        ("3, 0-1, 3", (3, 0, 1)),  # in the order given, each CPU once
    ],
)
def test_the_setting_reads_auto_off_and_linux_cpu_lists(raw, value):
    assert parse_cpu_pinning(raw) == value


@pytest.mark.parametrize("raw", ["x", "-1", "3-1", "1,", "1.5", "on"])
def test_anything_else_stops_start_up_naming_the_setting(raw):
    with pytest.raises(SettingsError, match="CPU_PINNING") as error:
        load_settings({"CPU_PINNING": raw})
    assert "expected auto, off, or CPU numbers" in str(error.value)


def test_auto_spreads_processes_from_the_last_cpu():
    usable = [0, 1, 2, 3]
    assert [chosen_cpu("auto", slot, usable) for slot in range(6)] == [3, 2, 1, 0, 3, 2]


def test_auto_pins_nothing_on_one_cpu_and_off_pins_nothing():
    assert chosen_cpu("auto", 0, [5]) is None
    assert chosen_cpu("off", 0, [0, 1]) is None
    assert chosen_cpu("auto", 0, []) is None  # the system cannot say (not Linux)


def test_listed_cpus_are_taken_in_turn():
    assert [chosen_cpu((2, 0), slot, [0, 1, 2]) for slot in range(4)] == [2, 0, 2, 0]


def test_a_listed_cpu_the_process_may_not_use_stops_start_up():
    with pytest.raises(SettingsError, match=r"CPU_PINNING=1,7: CPU 7 is not one this process"):
        chosen_cpu((1, 7), 1, [0, 1])
