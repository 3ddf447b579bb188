"""Models: the catalog, provider models (/api/provider-models) and aliases (/api/models/alias)."""
