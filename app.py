"""Entry point: `python app.py` serves OmniRoute with waitress on HOSTNAME:PORT.

A setting that cannot work (a bad value, a storage key that does not open the stored secrets, a
HOSTNAME or PORT that cannot be listened on) stops start-up with one line and exit code 2.
Logging is configured first (LOG_LEVEL, LOG_FORMAT: lines to stderr, the last ones written at
exit), so everything the app logs while it starts is written too.

WEB_CONCURRENCY above 1 makes this process the supervisor (omniroute/workers/supervisor.py),
which runs this same file as each of its worker processes (handing it the listening socket)
and once with `--prepare` first (migrations and generated secrets, then exit).
"""

from __future__ import annotations

import gc
import sys

# No garbage collection while starting: nothing made then is garbage, and the collector's passes
# over the import's ~500k new objects are a tenth of start-up. What start-up made is then frozen
# (never scanned again, which also spares every later collection) before collection resumes.
gc.disable()

from omniroute.settings import SettingsError, load_settings  # noqa: E402
from omniroute.store.drivers import skip_postgres_driver  # noqa: E402


def main(argv: list[str]) -> int:
    app = None
    try:
        settings = load_settings()
        # before the rest is imported: peewee would load psycopg2 for nothing on SQLite
        skip_postgres_driver(settings["DATABASE_URL"])
        from omniroute import create_app
        from omniroute.cpu_pinning import pin_process, worker_slot
        from omniroute.logs.configure import configure_logging
        from omniroute.serving import build_server, serve
        from omniroute.startup_checks import check_storage_key
        from omniroute.workers.supervisor import PREPARE_ARGUMENT, supervise
        from omniroute.workers.worker import inherited_socket, serve_worker

        listening = inherited_socket()  # set when this process is one of the workers
        preparing = PREPARE_ARGUMENT in argv
        supervising = listening is None and not preparing and settings["WEB_CONCURRENCY"] > 1
        if not supervising and not preparing:
            pin_process(settings["CPU_PINNING"], worker_slot())  # before any thread starts
        configure_logging(settings)
        if supervising:
            gc.enable()
            return supervise(settings)
        app = create_app(settings)
        services = app.extensions["omniroute"]
        check_storage_key(services.box, services.database, services.settings)
        if preparing:
            services.close()
            return 0
        server = build_server(app, sockets=None if listening is None else [listening])
        gc.freeze()
    except SettingsError as error:
        print(f"OmniRoute cannot start: {error}", file=sys.stderr, flush=True)
        if app is not None:
            app.extensions["omniroute"].close()
        return 2
    finally:
        gc.enable()
    if listening is None:
        serve(app, server)
    else:
        serve_worker(app, server, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
