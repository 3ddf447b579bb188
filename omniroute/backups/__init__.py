"""Database backups: export, import and the automatic backups kept in DATA_DIR/backups/.

- snapshot.py: a consistent `.sqlite` copy of the live database (SQLite's online backup API, or
  PostgreSQL's tables copied into a fresh file of our schema: one format for both backends);
- secret_free.py: the same copy with every credential and key hash removed (export-all);
- archive.py: the export-all `.tar.gz` (database, configuration, manifest) and its safe reading;
- validation.py: an uploaded `.sqlite` checked and migrated on a temporary copy;
- swap.py: the checked copy made the live database while the gateway keeps serving;
- folder.py: the backup folder (names, listing, keep-N pruning); schedule.py: the timer;
- operations.py: what the API and the dashboard call (list, create, restore, import, delete).
"""
