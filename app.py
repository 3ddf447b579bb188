"""Entry point: `python app.py` serves OmniRoute with waitress on HOSTNAME:PORT."""

from __future__ import annotations

import sys

from omniroute import create_app
from omniroute.serving import serve
from omniroute.settings import SettingsError


def main() -> int:
    try:
        app = create_app()
    except SettingsError as error:
        print(f"OmniRoute cannot start: {error}", file=sys.stderr)
        return 2
    serve(app)
    return 0


if __name__ == "__main__":
    sys.exit(main())
