"""Gateway settings: /api/settings."""
