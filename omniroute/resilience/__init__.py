"""Resilience: lockouts now; breakers, cooldowns and rate limits build on the same interface."""
