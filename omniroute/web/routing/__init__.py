"""Routing: fallback chains (/api/fallback/chains) and the /settings/routing pages."""
