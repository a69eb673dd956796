"""What installers/pjsua2's builds share (build.py for pjproject, srtp.py for
libsrtp2): source tarballs kept next to these scripts and checked against
their sha256 files, compiler settings, and commands whose output goes to
the build's log."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent

# -fPIC: everything ends up inside one Python extension module. NDEBUG: with
# pjlib's assertions on, a call wrapper that outlived the library aborted the
# process at its end instead of being ignored.
OPTIMIZE = "-O2 -fPIC -DNDEBUG"


class BuildError(Exception):
    pass


def say(text: str) -> None:
    print(f"    pjsua2: {text}", file=sys.stderr, flush=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def jobs() -> str:
    return str(os.cpu_count() or 1)


@dataclass(frozen=True)
class Source:
    """A source tarball next to these scripts, as its checksum file names it
    ("<sha256>  <tarball name>", as sha256sum writes it)."""

    what: str  # e.g. "pjproject", for messages
    tarball: Path
    digest: str

    @classmethod
    def named_in(cls, what: str, checksum: str) -> Source:
        digest, name = (HERE / checksum).read_text(encoding="ascii").split()
        return cls(what, HERE / name.lstrip("*"), digest)

    def unpack(self, into: Path) -> Path:
        """Checks the tarball, unpacks it into `into` (a new folder) and
        returns its one top folder."""
        if not self.tarball.is_file():
            raise BuildError(f"The {self.what} source {self.tarball} is missing.")
        if file_sha256(self.tarball) != self.digest:
            raise BuildError(f"{self.tarball} is not the {self.what} source this build expects (its sha256 differs).")
        with tarfile.open(self.tarball) as archive:
            # Checked above, so trusted; Python before 3.11.4 (Debian 12's) has no extraction filters.
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(into, **safe)  # type: ignore[arg-type]
        (top,) = into.iterdir()
        return top


def compile_env(names: dict[Path, str], cflags: str = "", **more: str) -> dict[str, str]:
    """The environment a configure script and its makefiles read. `names`:
    each temporary folder and the name it has in the binaries instead (a
    reproducible build)."""
    maps = " ".join(f"-ffile-prefix-map={folder}={name}" for folder, name in names.items())
    flags = " ".join(part for part in (OPTIMIZE, maps, cflags) if part)
    return {**os.environ, "CFLAGS": flags, "CXXFLAGS": flags, "LC_ALL": "C", **more}


def run(command: list[str], cwd: Path, env: dict[str, str], log: TextIO, what: str) -> None:
    print(f"$ {' '.join(command)}", file=log, flush=True)
    say(what)
    done = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                          stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise BuildError(f"{what} failed (exit {done.returncode}).")
