"""The home page (/): today's usage at a glance."""
