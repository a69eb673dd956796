"""What an agent actually sees of a widget tree: every label, button,
window title, list and table cell and tooltip, as Qt renders it (a label or
tooltip Qt takes for rich text is read the way it is drawn)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLabel, QMessageBox, QWidget


def rendered(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """`text` as drawn by a widget with `text_format` (tooltips: AutoText)."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text))
    if not rich:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    texts = []
    root = parent or QModelIndex()
    for row in range(model.rowCount(root)):
        column = 0
        while (index := model.index(row, column, root)).isValid():  # a list model hides columnCount
            column += 1
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str) and value:
                    texts.append(value if role == Qt.ItemDataRole.DisplayRole else rendered(value))
    return texts


def on_screen(root: QWidget) -> list[str]:
    """Every text of `root` and its children, as rendered."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.isWindow() and widget.windowTitle():
            texts.append(widget.windowTitle())
        if widget.toolTip():
            texts.append(rendered(widget.toolTip()))
        if isinstance(widget, QLabel | QMessageBox):
            texts.append(rendered(widget.text(), widget.textFormat()))
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text().replace("&&", "&"))
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += _model_texts(widget.model())
    return [text for text in texts if text]
