"""Combos: /api/combos and the /combos pages."""
