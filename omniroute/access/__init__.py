"""Who may reach the gateway: IP access rules for /v1 and for the dashboard + /api (rules.py,
gate.py), and providers switched off globally (blocking.py)."""
