"""Labels for text that came from outside (callers, the PBX, a CRM): always
plain text. QLabel guesses rich text otherwise, and a caller name like
'<img src=...>' would be rendered."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", name: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


def format_duration(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def isolate(text: str) -> str:
    """Wrap a piece of text in Unicode direction isolates, so that numbers
    and names keep their own direction inside a right-to-left line."""
    return f"\u2068{text}\u2069" if text else ""


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally (Qt guesses rich text in tooltips)."""
    return f"<p>{html.escape(text)}</p>" if text else ""
