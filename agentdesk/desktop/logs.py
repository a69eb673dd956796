"""Logging: one named logger per subsystem (agentdesk.desktop.phone, .desktop.audio, .desktop.ui.queues ...),
to standard error and to a rotating file in the user's data folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)-7s %(threadName)-8s %(name)s: %(message)s"


def setup_logging(level: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "agentdesk.log"
    root = logging.getLogger()
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # urllib3 logs whole URLs at DEBUG, and CRM look-up URLs carry caller numbers.
    logging.getLogger("urllib3").setLevel(logging.INFO)
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    console = logging.StreamHandler()
    for handler in (file_handler, console):
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    return path
