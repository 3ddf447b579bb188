"""Sync between instances: the non-secret configuration as one versioned bundle
(config_bundle.py), published at GET /api/sync/bundle and pulled by another instance set with
CLOUD_URL + SYNC_TOKEN (puller.py), which applies it while keeping its own credentials."""
