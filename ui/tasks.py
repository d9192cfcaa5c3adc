"""Running a gridmgr task (a generator of Progress) off the GUI thread, with a progress dialog.

The same generator the CLI drives with :func:`gridmgr.progress.run` runs here in a QThread;
Cancel sets a flag that ``run`` checks after every step, closing the generator so that its
transaction rolls back.  The task is *created* in the worker thread (``factory``), because an
SQLite connection may only be used by the thread that opened it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from gridmgr.errors import Cancelled, GridmgrError
from gridmgr.progress import Progress, Task, run
from ui.i18n import current_language
from ui.plain import error_box

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class _Worker(QObject):
    progressed = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()

    def __init__(self, factory: Callable[[], Task[Any]]) -> None:
        super().__init__()
        self.factory = factory
        self.stop = threading.Event()

    @Slot()
    def work(self) -> None:
        def report(p: Progress) -> None:
            self.progressed.emit(p.done, p.total, p.message)

        try:
            result = run(self.factory(), report, self.stop.is_set)
        except Cancelled:
            self.cancelled.emit()
        except GridmgrError as exc:
            self.failed.emit(exc.title, str(exc))
        except Exception as exc:  # a bug: show it rather than lose it in a thread
            self.failed.emit(QCoreApplication.translate("TaskRunner", "内部错误"),
                             f"{type(exc).__name__}: {exc}")
        else:
            self.done.emit(result)
        finally:
            # end the thread's event loop from here, so that a GUI thread blocked in
            # TaskRunner.wait() (closing the window) sees the thread finish
            QThread.currentThread().quit()


class TaskRunner(QObject):
    """Run ``factory()`` in a thread; ``finished(result)``, ``cancelled()`` or ``failed``."""

    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str, str)

    def __init__(self, factory: Callable[[], Task[Any]], title: str,
                 parent: QWidget | None = None, *, show_dialog: bool = True) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.worker = _Worker(factory)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.work)
        self.worker.done.connect(self._finish)
        self.worker.cancelled.connect(self._cancelled)
        self.worker.failed.connect(self._failed)
        self.dialog: QProgressDialog | None = None
        self.title = title
        if show_dialog:
            self.dialog = QProgressDialog(title, self.tr("取消"), 0, 0, parent)
            self.dialog.setWindowTitle(title)
            self.dialog.setMinimumDuration(300)
            # modal to its window: no second run, no closing the window under a running one
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            self.dialog.canceled.connect(self.cancel)
            self.worker.progressed.connect(self._show)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.stop.set()

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)

    def _show(self, done: int, total: int, message: str) -> None:
        if self.dialog is not None:
            self.dialog.setMaximum(max(total, 1))
            self.dialog.setValue(min(done, max(total, 1)))
            self.dialog.setLabelText(self._label(message))

    def _label(self, message: str) -> str:
        """The core's progress sentences are Chinese: in another language the dialog keeps the
        task's own (translated) title and lets the bar show how far it is."""
        if current_language() == "zh" or not CJK.search(message or ""):
            return message
        return self.title

    def _end(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
        self.thread.quit()
        self.thread.wait()

    def _finish(self, result: object) -> None:
        self._end()
        self.finished.emit(result)

    def _cancelled(self) -> None:
        self._end()
        self.cancelled.emit()

    def _failed(self, title: str, message: str) -> None:
        self._end()
        parent = self.parent()
        if isinstance(parent, QWidget):
            error_box(parent, title, message)
        self.failed.emit(title, message)
