"""End-to-end tests: the real CLI clients and SDKs, the dashboard in chromium, PostgreSQL, a
process killed mid-write and the soak."""
