"""Signing in to the dashboard: the login API and pages, the password page, live sessions."""
