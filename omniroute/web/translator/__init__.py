"""The translator: /api/translator and the /translator pages."""
