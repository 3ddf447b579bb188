"""Answers given again without calling a provider: the response cache (deterministic requests
served from memory, in any wire format) and request idempotency (a repeated request id gets the
first answer; concurrent duplicates wait for it). `gate.ReplayGate` is what the pipeline calls.
"""
