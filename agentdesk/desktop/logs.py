"""Logging: one named logger per subsystem (agentdesk.desktop.phone, .desktop.audio, .desktop.ui.queues ...),
to standard error and to a rotating file in the user's data folder, readable by the user alone."""

from __future__ import annotations

import io
import logging
import logging.handlers
from pathlib import Path

from .private_files import private_file, private_folder, private_opener

FORMAT = "%(asctime)s %(levelname)-7s %(threadName)-8s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Each log file, the fresh one after a rotation included, is created 0600."""

    def _open(self) -> io.TextIOWrapper:
        stream = open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,  # noqa: SIM115 (the handler owns it)
                      opener=private_opener)
        assert isinstance(stream, io.TextIOWrapper)  # a text mode was asked for
        return stream


def setup_logging(level: str, folder: Path) -> Path:
    path = private_file(private_folder(folder) / "agentdesk.log")
    root = logging.getLogger()
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # urllib3 logs whole URLs at DEBUG, and CRM look-up URLs carry caller numbers.
    logging.getLogger("urllib3").setLevel(logging.INFO)
    file_handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    console = logging.StreamHandler()
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    return path
