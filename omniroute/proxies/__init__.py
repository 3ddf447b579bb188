"""Outbound proxies at every level: the configuration (config.py), where it is kept (store.py),
which proxy one upstream call takes (resolve.py), the transport that applies it (upstream.py)
and the reachability probe (probe.py)."""
