"""PKCE verifiers and challenges (RFC 7636) and sign-in states."""

from __future__ import annotations

import pytest

from omniroute.oauth.pkce import UNRESERVED, new_state, new_verifier, s256_challenge


def test_the_rfc_7636_example_challenge():
    # RFC 7636, appendix B
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("length", [43, 64, 128])
def test_a_verifier_has_the_asked_length_of_unreserved_characters(length):
    verifier = new_verifier(length)
    assert len(verifier) == length
    assert set(verifier) <= UNRESERVED


@pytest.mark.parametrize("length", [42, 129])
def test_a_verifier_outside_43_to_128_characters_is_refused(length):
    with pytest.raises(ValueError, match="43–128"):
        new_verifier(length)


@pytest.mark.parametrize("verifier", ["short", "x" * 129, "a" * 42 + " ", "é" * 43])
def test_a_challenge_of_a_non_verifier_is_refused(verifier):
    with pytest.raises(ValueError, match="not a PKCE verifier"):
        s256_challenge(verifier)


def test_verifiers_and_states_are_random_and_unguessable():
    assert len({new_verifier() for _ in range(50)}) == 50
    states = {new_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(state) >= 43 for state in states)  # 256 bits in base64url


def test_the_challenge_is_unpadded_base64url():
    challenge = s256_challenge(new_verifier())
    assert len(challenge) == 43
    assert "=" not in challenge and "+" not in challenge and "/" not in challenge
