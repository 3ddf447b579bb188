"""Start a throwaway PostgreSQL server on 127.0.0.1 for the tests (Debian's postgresql package).

initdb into a temporary directory (as the `postgres` user when the tests run as root, since
PostgreSQL refuses to run as root), start it with pg_ctl on a free port, hand out a URL, and
stop it and remove the directory afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile


def postgres_bin_dir() -> str | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(candidates[-1]) if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.bin_dir = postgres_bin_dir()
        self.port = _free_port()
        self.directory = tempfile.mkdtemp(prefix="omniroute-pg-")
        self.data = os.path.join(self.directory, "data")
        self.log = os.path.join(self.directory, "server.log")

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            os.path.join(self.bin_dir, "initdb"),
            "-D",
            self.data,
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self._run(
            os.path.join(self.bin_dir, "pg_ctl"),
            "-D",
            self.data,
            "-l",
            self.log,
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.directory} -F",
            "start",
        )
        return self

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(
                os.path.join(self.bin_dir, "pg_ctl"), "-D", self.data, "-m", "immediate", "stop"
            )
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
