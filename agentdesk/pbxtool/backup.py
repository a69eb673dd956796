"""`pbx/run backup FILE` and `pbx/run restore FILE`: everything a PBX
server would lose with its disk, in one archive.

In the archive (a gzip'd tar, written mode 600: it holds every secret):
- manifest.json: the format, the AgentDesk version, when, and the store kind;
- pbx/: the site's own settings (directory.csv and the .ini files of the
  PBX folder); Asterisk's templates ship with AgentDesk and are not copied;
- state/: the SIP and voicemail secrets, the service secrets, the TLS
  authority and certificates (desktops keep trusting the restored PBX),
  the voicemail spool and Asterisk's database (AstDB: survey results not
  yet imported), copied through SQLite's online backup;
- store/: the desk service's database (agents' queues and pauses, callback
  tasks, wrap-ups, surveys, quality...): desk.sqlite3 by SQLite's online
  backup, consistent while the service writes; or desk.pgdump by pg_dump
  (custom format) for PostgreSQL.

What `pbx/run start` generates (Asterisk's config, desk-service.json, the
network and engine choices) is not kept: it is made again from the above.
Restore wants the PBX stopped, and a state folder without secrets unless
--force says to replace them.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from agentdesk import __version__

from . import deskservice, runner
from .layout import PBX_DIR, Layout, PbxError

FORMAT = 1
SITE_FILES = ("directory.csv", "queues.ini", "callbacks.ini", "monitor.ini", "prompts.ini")
STATE_FILES = ("secrets.json", "service-secrets.json")
STATE_FOLDERS = ("tls", "spool/voicemail")
ASTDB = "lib/astdb.sqlite3"
SQLITE_STORE = "store/desk.sqlite3"
POSTGRES_STORE = "store/desk.pgdump"
_QUERY_KEYS = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD",
               "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT"}


def database_url(layout: Layout) -> str:
    """The desk service's database, as its generated config names it (the
    default SQLite file when the service never started)."""
    try:
        config = json.loads(layout.desk_config_file.read_text(encoding="utf-8"))
        return str(config["database"])
    except (OSError, ValueError, KeyError):
        return os.environ.get("AGENTDESK_DESK_DATABASE", f"sqlite:///{layout.desk_dir / 'desk.sqlite3'}")


def backup(layout: Layout, target: Path) -> str:
    """Writes the archive to `target` (never over an existing file); returns a summary."""
    if not layout.secrets_file.exists():
        raise PbxError(f"nothing to back up in {layout.state}: this PBX has never started")
    url = database_url(layout)
    with tempfile.TemporaryDirectory(prefix="agentdesk-backup-") as folder:
        staging = Path(folder)
        kind = _dump_store(url, staging)
        manifest = {"format": FORMAT, "agentdesk": __version__, "created": time.time(), "store": kind}
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise PbxError(f"{target} exists already; give a new file name") from None
        except OSError as error:
            raise PbxError(f"cannot write {target}: {error.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _fill(archive, layout, staging, manifest)
        except BaseException:
            target.unlink(missing_ok=True)  # no half-written backup left under the name asked for
            raise
    return f"Backed up the PBX's settings, secrets, certificates and its {kind} store to {target} (mode 600)."


def _fill(archive: tarfile.TarFile, layout: Layout, staging: Path, manifest: dict[str, object]) -> None:
    data = json.dumps(manifest, indent=2).encode()
    entry = tarfile.TarInfo("manifest.json")
    entry.size, entry.mtime = len(data), int(time.time())
    archive.addfile(entry, io.BytesIO(data))
    for name in SITE_FILES:
        if (PBX_DIR / name).exists():
            archive.add(PBX_DIR / name, f"pbx/{name}")
    for name in (*STATE_FILES, *STATE_FOLDERS):
        if (layout.state / name).exists():
            archive.add(layout.state / name, f"state/{name}")
    if (layout.state / ASTDB).exists():
        _sqlite_copy(layout.state / ASTDB, staging / "astdb.sqlite3")
        archive.add(staging / "astdb.sqlite3", f"state/{ASTDB}")
    for item in sorted((staging / "store").iterdir()):
        archive.add(item, f"store/{item.name}")


def restore(layout: Layout, source: Path, force: bool) -> str:
    if runner.running_pid(layout) is not None or deskservice.running_pid(layout) is not None:
        raise PbxError("the PBX is running; stop it first: pbx/run stop")
    if layout.secrets_file.exists() and not force:
        raise PbxError(f"{layout.state} holds a PBX's secrets already; restore over it with --force")
    with tempfile.TemporaryDirectory(prefix="agentdesk-restore-") as folder:
        staging = Path(folder)
        manifest = _unpack(source, staging)
        url = database_url(layout)
        layout.state.mkdir(mode=0o700, parents=True, exist_ok=True)
        _load_store(manifest["store"], staging / "store", url, layout)
        for name in SITE_FILES:
            if (staging / "pbx" / name).exists():
                shutil.copy2(staging / "pbx" / name, PBX_DIR / name)
        for name in (*STATE_FILES, ASTDB):
            if (staging / "state" / name).exists():
                (layout.state / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(staging / "state" / name, layout.state / name)
        for name in STATE_FOLDERS:
            if (staging / "state" / name).exists():
                shutil.rmtree(layout.state / name, ignore_errors=True)
                shutil.copytree(staging / "state" / name, layout.state / name)
    created = manifest.get("created")
    made = time.strftime("%Y-%m-%d %H:%M", time.localtime(created if isinstance(created, (int, float)) else 0))
    return (f"Restored the backup of {made} (AgentDesk {manifest['agentdesk']}) into {layout.home}; "
            "start the PBX: pbx/run start")


def _unpack(source: Path, staging: Path) -> dict[str, object]:
    try:
        with tarfile.open(source, mode="r:gz") as archive:
            _check_members(archive, source)
            archive.extractall(staging)
    except FileNotFoundError:
        raise PbxError(f"there is no backup {source}") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise PbxError(f"{source} is not an AgentDesk PBX backup ({error})") from None
    try:
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PbxError(f"{source} is not an AgentDesk PBX backup (no manifest)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("store") not in (
            "SQLite", "PostgreSQL"):
        raise PbxError(f"{source} is a backup format this AgentDesk does not know ({manifest!r:.200})")
    return manifest


def _check_members(archive: tarfile.TarFile, source: Path) -> None:
    """Only plain files and folders below the archive's top: a crafted
    archive cannot write outside the staging folder or plant links."""
    for member in archive.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise PbxError(f"{source} is not an AgentDesk PBX backup (it holds {member.name!r})")


def _dump_store(url: str, staging: Path) -> str:
    (staging / "store").mkdir()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            _sqlite_copy(path, staging / SQLITE_STORE)
        return "SQLite"
    if url.startswith(("postgresql://", "postgres://")):
        _postgres("pg_dump", url, ["--format=custom", "--no-owner", f"--file={staging / POSTGRES_STORE}"])
        return "PostgreSQL"
    raise PbxError(f"the desk service's database is neither SQLite nor PostgreSQL: {urlsplit(url).scheme}")


def _load_store(kind: object, folder: Path, url: str, layout: Layout) -> None:
    if kind == "SQLite":
        if not url.startswith("sqlite:///"):
            raise PbxError("the backup holds an SQLite store, but this PBX's desk service uses PostgreSQL")
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in path.parent.glob(path.name + "*"):  # the database with its -wal and -shm
            old.unlink()
        if (folder / "desk.sqlite3").exists():
            _sqlite_copy(folder / "desk.sqlite3", path)
        return
    if not url.startswith(("postgresql://", "postgres://")):
        raise PbxError("the backup holds a PostgreSQL store; set AGENTDESK_DESK_DATABASE to the database to fill")
    database = unquote(urlsplit(url).path.lstrip("/"))  # a name, no secret: pg_restore wants it named
    _postgres("pg_restore", url, ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                                  f"--dbname={database}", str(folder / "desk.pgdump")])


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (its online backup)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        origin.backup(copy)
    except sqlite3.Error as error:
        raise PbxError(f"cannot copy the database {source}: {error}") from None
    finally:
        copy.close()
        origin.close()
    target.chmod(0o600)


def _postgres(tool: str, url: str, arguments: list[str]) -> None:
    """Runs pg_dump or pg_restore on the database of `url`, its password
    passed in the environment, never on the command line."""
    if shutil.which(tool) is None:
        raise PbxError(f"{tool} is missing: install the postgresql-client package")
    parts = urlsplit(url)
    environment = {**os.environ, "PGDATABASE": unquote(parts.path.lstrip("/"))}
    for variable, value in (("PGHOST", parts.hostname), ("PGPORT", parts.port), ("PGUSER", parts.username),
                            ("PGPASSWORD", parts.password)):
        if value:
            environment[variable] = unquote(str(value))
    for key, value in parse_qsl(parts.query):  # libpq's own keys, e.g. host= a Unix socket folder
        if key in _QUERY_KEYS:
            environment[_QUERY_KEYS[key]] = value
    done = subprocess.run([tool, *arguments], env=environment, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise PbxError(f"{tool} failed: {done.stderr.strip()[-500:]}")
