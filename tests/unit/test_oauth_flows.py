"""Sign-ins in progress: state checked on every step, expiry after ten minutes on a clock the
tests move, one caller completing a sign-in at a time, and a bounded table."""

from __future__ import annotations

import threading

import pytest

from omniroute.oauth.flows import FlowError, SignInFlows


@pytest.fixture
def flows(clock) -> SignInFlows:
    return SignInFlows(clock=clock)


def begin(flows: SignInFlows, provider: str = "claude-code", **fields):
    fields.setdefault("verifier", "v" * 43)
    fields.setdefault("redirect_uri", "https://example.test/callback")
    return flows.begin(provider, "paste", **fields)


def code_of(call) -> str:
    with pytest.raises(FlowError) as error:
        call()
    return error.value.code


def test_a_started_sign_in_is_found_by_its_state(flows, clock):
    sign_in = begin(flows)
    assert len(sign_in.state) >= 43
    assert flows.pending(sign_in.state, "claude-code") == sign_in
    assert sign_in.created == clock.now
    status = flows.status(sign_in.state, "claude-code")
    assert (status.status, status.flow, status.expires_at) == ("pending", "paste", clock.now + 600)


def test_states_are_checked(flows):
    sign_in = begin(flows)
    assert code_of(lambda: flows.pending("made-up", "claude-code")) == "unknown_state"
    assert code_of(lambda: flows.pending("", "claude-code")) == "unknown_state"
    assert code_of(lambda: flows.pending(sign_in.state, "codex")) == "wrong_provider"
    assert code_of(lambda: flows.claim(sign_in.state, "codex")) == "wrong_provider"
    assert code_of(lambda: flows.status(sign_in.state, "codex")) == "wrong_provider"


def test_a_sign_in_expires_after_ten_minutes(flows, clock):
    sign_in = begin(flows)
    clock.advance(599)
    assert flows.pending(sign_in.state, "claude-code") == sign_in
    assert flows.remaining(sign_in) == 1
    clock.advance(1)
    assert code_of(lambda: flows.claim(sign_in.state, "claude-code")) == "expired"
    status = flows.status(sign_in.state, "claude-code")
    assert status.status == "failed"
    assert "expired" in status.reason


def test_an_expired_sign_in_reads_as_failed_without_being_touched(flows, clock):
    sign_in = begin(flows)
    clock.advance(601)
    assert flows.status(sign_in.state, "claude-code").status == "failed"


def test_a_claimed_sign_in_is_busy_until_released(flows):
    sign_in = begin(flows)
    flows.claim(sign_in.state, "claude-code")
    assert code_of(lambda: flows.claim(sign_in.state, "claude-code")) == "busy"
    flows.release(sign_in.state, device={"interval": 10})
    claimed = flows.claim(sign_in.state, "claude-code")
    assert claimed.device == {"interval": 10}


def test_finish_records_the_connection_and_ends_the_sign_in(flows):
    sign_in = begin(flows)
    flows.claim(sign_in.state, "claude-code")
    done = flows.finish(sign_in.state, 42)
    assert (done.status, done.connection_id) == ("done", 42)
    assert flows.status(sign_in.state, "claude-code") == done
    assert code_of(lambda: flows.claim(sign_in.state, "claude-code")) == "finished"


def test_fail_records_the_reason(flows):
    sign_in = begin(flows)
    failed = flows.fail(sign_in.state, "the provider refused the code: invalid_grant")
    assert (failed.status, failed.reason) == (
        "failed",
        "the provider refused the code: invalid_grant",
    )
    assert code_of(lambda: flows.pending(sign_in.state, "claude-code")) == "finished"


def test_finish_of_an_unknown_state_is_refused(flows):
    assert code_of(lambda: flows.finish("made-up", 1)) == "unknown_state"


def test_at_most_capacity_sign_ins_are_kept_oldest_dropped_first(clock):
    flows = SignInFlows(clock=clock, capacity=3)
    states = [begin(flows).state for _ in range(4)]
    assert code_of(lambda: flows.status(states[0], "claude-code")) == "unknown_state"
    for state in states[1:]:
        assert flows.status(state, "claude-code").status == "pending"


def test_long_ended_sign_ins_are_forgotten(flows, clock):
    old = begin(flows)
    clock.advance(1201)
    begin(flows)
    assert code_of(lambda: flows.status(old.state, "claude-code")) == "unknown_state"


def test_device_data_is_kept_with_the_sign_in(flows):
    sign_in = flows.begin("github-copilot", "device", device={"device_code": "dc", "interval": 5})
    assert flows.pending(sign_in.state, "github-copilot").device["device_code"] == "dc"


def test_only_one_of_many_concurrent_callers_claims_a_sign_in(flows):
    sign_in = begin(flows)
    start = threading.Barrier(16)
    outcomes: list[str] = []

    def claim():
        start.wait()
        try:
            flows.claim(sign_in.state, "claude-code")
            outcomes.append("claimed")
        except FlowError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["busy"] * 15 + ["claimed"]
