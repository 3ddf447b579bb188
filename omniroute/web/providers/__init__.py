"""Providers: connections (/api/providers, /providers), catalog, nodes and local servers."""
