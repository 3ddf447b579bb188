"""Resilience settings: /api/resilience and the /settings/resilience page."""
