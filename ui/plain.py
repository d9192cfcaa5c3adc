"""Labels and message boxes that show data as text, never as markup.

QLabel and QMessageBox guess rich text when a string looks like HTML (Qt.AutoText), so a name,
address or file name such as ``<img src=…>`` or ``<b>`` in an error message would be rendered.
Everything that shows what a user or a file typed goes through these.
"""

from __future__ import annotations

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "") -> QLabel:
    """A QLabel that always shows its text literally."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def as_shown(text: str) -> str:
    """``text`` as a Qt.AutoText widget must receive it to show it literally: unchanged unless
    Qt would take it for markup, then escaped (line breaks kept)."""
    return Qt.convertFromPlainText(text) if Qt.mightBeRichText(text) else text


def error_box(parent: QWidget | None, title: str, text: str) -> None:
    """A modal error whose text (often naming a file, a row and its content) shows as text."""
    QMessageBox.critical(parent, title, as_shown(text))
