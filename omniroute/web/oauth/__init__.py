"""Subscription sign-in: /api/oauth/<provider>/… (start, callback, status, import) and the
Subscriptions cards of the /providers page."""
