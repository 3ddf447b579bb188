"""State shared by every worker process and machine through Redis (REDIS_URL), behind the same
interfaces as the in-process versions: client.py (connection, timeouts, start-up check),
scripts.py (the Lua scripts), one module per kind of state, install.py (wiring)."""
