"""Web layer: the management API (/api) and the dashboard pages (the client API is clientapi/).
`wiring.register_web` puts it on the Flask app; importing this package alone costs nothing."""
