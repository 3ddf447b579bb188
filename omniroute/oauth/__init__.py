"""Subscription sign-in: the providers a user signs in to (Claude Code, Codex, GitHub Copilot,
Kiro, …), their flows, the tokens they hand out and keep fresh, and the quota windows they
report. `declarations.py` holds every provider constant, one declaration per provider."""
