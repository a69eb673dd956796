"""Every ELF file under a folder, and whether each one's libraries resolve.

    python3 elfcheck.py FOLDER     lists every library `ldd` cannot find
                                   (exit 1 if there is one), else says how
                                   many files it checked

Standard library only: the package build runs it on the staged tree, and
the install test runs it inside a clean root with the distribution's own
python3, where nothing else is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def elf_files(folder: Path) -> Iterator[Path]:
    for directory, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            with path.open("rb") as handle:
                if handle.read(4) == ELF_MAGIC:
                    yield path


def unresolved(path: Path) -> list[str]:
    """The libraries `ldd` reports as "not found" for this file."""
    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
    return [line.split("=>")[0].strip() for line in result.stdout.splitlines() if "not found" in line]


def problems(folder: Path) -> tuple[int, dict[str, list[str]]]:
    """How many ELF files there are, and for each that needs a library it
    cannot find (relative to `folder`), those libraries."""
    checked, found = 0, {}
    for path in elf_files(folder):
        checked += 1
        missing = unresolved(path)
        if missing:
            found[str(path.relative_to(folder))] = missing
    return checked, found


def main() -> int:
    checked, found = problems(Path(sys.argv[1]))
    for name, missing in sorted(found.items()):
        print(f"{name}: {', '.join(missing)} not found")
    if not found:
        print(f"{checked} ELF files, every library found")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
