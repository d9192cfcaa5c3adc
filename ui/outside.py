"""Before a dialog writes: has another process or desk changed the project since it opened?

The window follows outside changes with a timer (``MainWindow._check_outside_change``), but a
dialog opened before such a change still shows what it read then, and its write would go over
the other change unseen.  So a dialog takes a mark when it opens and asks again right before
it writes; when the project moved in between, the window reloads, the user is told, and the
dialog does not write this time (the next confirmation does, on what is now shown).  The write
itself stays safe either way: it re-reads inside its transaction.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget


def _main_window(widget: QWidget) -> Any:
    """The main window the widget belongs to (None for a widget on its own, as in a test)."""
    w: QWidget | None = widget
    while w is not None:
        if hasattr(w, "outside_mark"):
            return w
        w = w.parentWidget()
    return None


def mark(widget: QWidget) -> int | None:
    """What the window has seen of outside changes, asked now (None: no window)."""
    win = _main_window(widget)
    return None if win is None else win.outside_mark()


def changed_since(widget: QWidget, seen: int | None) -> bool:
    """True — the window reloaded and the user was told on ``widget`` — when another process or
    desk committed to the project since ``seen`` (from :func:`mark`)."""
    win = _main_window(widget)
    return False if win is None or seen is None else win.outside_changed_since(seen, widget)
