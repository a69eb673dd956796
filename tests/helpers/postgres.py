"""A private PostgreSQL cluster for the tests, from Debian's `postgresql`
package: initdb and pg_ctl from /usr/lib/postgresql/*/bin, a data folder in a
temporary folder, listening only on a Unix socket in that folder and on
127.0.0.1 at 55432 + AGENTDESK_TEST_PORT_OFFSET.

PostgreSQL refuses to run as root, so under root the cluster runs as the
`postgres` system user the package creates. Missing binaries raise
PostgresMissingError, whose message names the package: the tests fail, never skip.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.helpers.pbx import PORT_OFFSET

PORT = 55432 + PORT_OFFSET
SUPERUSER = "agentdesk"
# Over TCP the cluster asks for this password (scram-sha-256), so tests see
# real authentication; over the socket it trusts the superuser.
PASSWORD = "pg-test-Secret-4711"
SERVICE_USER = "postgres"
INSTALL_HINT = "install the Debian package 'postgresql' (apt-get install postgresql; installers/dev.sh setup does it)"


class PostgresMissingError(RuntimeError):
    """PostgreSQL's server programs are not installed."""


def server_bin(packages: Path = Path("/usr/lib/postgresql")) -> Path:
    """The bin folder of the newest PostgreSQL installed by Debian's packages."""
    found = [path.parent for path in packages.glob("*/bin/initdb")]
    found = [folder for folder in found if (folder / "pg_ctl").exists()]
    if not found:
        raise PostgresMissingError(f"PostgreSQL's initdb/pg_ctl are not in {packages}/*/bin: {INSTALL_HINT}")
    return max(found, key=lambda folder: [int(part) for part in re.findall(r"\d+", folder.parent.name)] or [0])


class PostgresCluster:
    """One running cluster; `url` is its default database, `new_database()`
    makes an empty one per test. stop() ends the server and removes all."""

    def __init__(self, port: int = PORT) -> None:
        self.bin = server_bin()
        self.port = port
        self._owner = self._service_user() if os.geteuid() == 0 else None
        # Under root the server user must reach the folder: /tmp, whatever
        # TMPDIR says (it may be inside root's home).
        self.folder = Path(tempfile.mkdtemp(prefix="agentdesk-pg-", dir="/tmp" if self._owner else None))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._names = itertools.count(1)
        self.url = ""

    @staticmethod
    def _service_user() -> pwd.struct_passwd:
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise PostgresMissingError(
                f"running as root needs the '{SERVICE_USER}' system user: {INSTALL_HINT}"
            ) from None

    def start(self) -> None:
        try:
            self._init()
            self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log), "-o", self._server_options())
            self.url = self.new_database("agentdesk")
        except BaseException:
            self.stop()
            raise

    def _init(self) -> None:
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if self._owner is not None:
            for path in (self.folder, password_file):
                os.chown(path, self._owner.pw_uid, self._owner.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, f"--pwfile={password_file}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-locale", "--encoding=UTF8", "--no-sync",
        )  # fmt: skip

    def _server_options(self) -> str:
        return (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder}"
            " -c fsync=off -c full_page_writes=off"
        )

    def socket_url(self, database: str) -> str:
        """A URL through the Unix socket folder (libpq's host= in the query)."""
        return f"postgresql:///{database}?host={self.folder}&port={self.port}&user={SUPERUSER}"

    def tcp_url(self, database: str, password: str = PASSWORD) -> str:
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str | None = None) -> str:
        """Create an empty database; its TCP URL (with the password)."""
        name = name or f"test_{next(self._names)}"
        self._run("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", SUPERUSER, name)
        return self.tcp_url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        self._run("pg_ctl", "-D", str(self.data), *args, check=check)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        owner = self._owner
        result = subprocess.run(
            [str(self.bin / program), *args],
            cwd=self.folder,
            env={**os.environ, "LC_ALL": "C", "HOME": str(self.folder)},
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            server_log = self.log.read_text(errors="replace") if self.log.exists() else "(no server log)"
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}\n{server_log}")
        return result
