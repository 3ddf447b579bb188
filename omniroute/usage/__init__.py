"""Usage accounting: requests, tokens and latency, written off the hot path."""
