"""Text that came from outside (callers, the PBX, the desk service, a CRM)
on screen: always plain, and without the invisible characters that would
let it disguise itself.

QLabel, QMessageBox and tooltips guess rich text when they are not told
otherwise, so a caller name like '<img src=...>' would be rendered; and a
name carrying a right-to-left override (U+202E) shows reversed, making a
number or a file name read as something else. `clean_text` is the one
place that strips such characters; every widget that shows outside text
puts it through `clean_text` (directly or through `isolate`,
`plain_tooltip`, `plain_label`) and shows it as plain text.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

# Bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069),
# line and paragraph separators, and the C0/C1 control characters.
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u2028\u2029\x00-\x1f\x7f-\x9f]")
_HIDDEN_KEEPING_LINES = re.compile("[\u202a-\u202e\u2066-\u2069\x00-\x09\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str, lines: bool = False) -> str:
    """`text` without bidi control and control characters. With `lines`
    (notes, addresses), line breaks stay; else they become spaces."""
    if lines:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
        return _HIDDEN_KEEPING_LINES.sub("", text.replace("\t", " "))
    return _HIDDEN.sub("", re.sub("[\t\n\r\u2028\u2029]+", " ", text))


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
    """Outside text, cleaned and wrapped in Unicode direction isolates, so
    that numbers and names keep their own direction inside a right-to-left
    line (and cannot change the direction of what follows). A name takes
    the direction of its first letter; text without letters (a phone
    number, '+98 21 5555 0102') is left to right: a first-strong isolate
    would give it the line's direction and show its groups in reverse."""
    cleaned = clean_text(text)
    if not cleaned:
        return ""
    opening = "\u2068" if any(ch.isalpha() for ch in cleaned) else "\u2066"
    return f"{opening}{cleaned}\u2069"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` literally (Qt guesses rich text in tooltips)."""
    cleaned = clean_text(text, lines=True)
    return "<p>" + html.escape(cleaned).replace("\n", "<br>") + "</p>" if cleaned.strip() else ""


def plain_question(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/No question (No by default) whose text is shown literally: it may
    quote a customer's name."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
