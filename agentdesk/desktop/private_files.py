"""The desktop's files are the agent's alone: folders 0700, files 0600.

The log, the call history and the wrap-up drafts hold customers' numbers,
names and the agent's notes; on a shared PC another account must not read
them. Files are created with the private mode from the start (never made
private after a moment of being readable), and a folder or file left
readable by an earlier version is tightened when it is opened again. On
Windows the modes are ignored; the profile folders are private there.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """`path` as a folder only its owner can enter; missing parents are
    created private too (existing parents are left as they are)."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=FOLDER_MODE, exist_ok=True)
    os.chmod(path, FOLDER_MODE)
    return path


def private_opener(path: str | os.PathLike[str], flags: int) -> int:
    """For open(..., opener=private_opener): a new file is created 0600."""
    return os.open(path, flags, FILE_MODE)


def private_file(path: Path) -> Path:
    """`path` as an existing file only its owner can read, in a private folder."""
    private_folder(path.parent)
    os.close(private_opener(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    os.chmod(path, FILE_MODE)
    return path
