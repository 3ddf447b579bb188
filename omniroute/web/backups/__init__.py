"""Database export, import and backups: /api/db-backups (Settings → Advanced → System & Storage)."""
