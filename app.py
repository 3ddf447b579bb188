"""Entry point: `python app.py` serves OmniRoute with waitress on HOSTNAME:PORT.

A setting that cannot work (a bad value, a storage key that does not open the stored secrets, a
HOSTNAME or PORT that cannot be listened on) stops start-up with one line and exit code 2.
Logging is configured first (LOG_LEVEL, LOG_FORMAT: lines to stderr, the last ones written at
exit), so everything the app logs while it starts is written too.
"""

from __future__ import annotations

import sys

from omniroute import create_app
from omniroute.logs.configure import configure_logging
from omniroute.serving import build_server, serve
from omniroute.settings import SettingsError, load_settings
from omniroute.startup_checks import check_storage_key


def main() -> int:
    app = None
    try:
        settings = load_settings()
        configure_logging(settings)
        app = create_app(settings)
        services = app.extensions["omniroute"]
        check_storage_key(services.box, services.database, services.settings)
        server = build_server(app)
    except SettingsError as error:
        print(f"OmniRoute cannot start: {error}", file=sys.stderr)
        if app is not None:
            app.extensions["omniroute"].close()
        return 2
    serve(app, server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
