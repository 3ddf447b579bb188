"""Usage: /api/usage (summary, requests, export, request logs) and the /usage pages."""
