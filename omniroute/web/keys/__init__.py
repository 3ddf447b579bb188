"""Client API keys: /api/keys and the /keys pages."""
