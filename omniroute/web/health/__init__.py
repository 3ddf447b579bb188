"""Health: /api/health, /api/telemetry/summary and the /dashboard/health page."""
