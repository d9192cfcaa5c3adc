"""Long work as a cancellable generator of progress.

A task is a generator that yields :class:`Progress` and returns its result.  The CLI drives it with
:func:`run` and prints a progress line; the desktop drives the same generator in a QThread and
cancels it by closing it.  Closing raises ``GeneratorExit`` at the ``yield``, so a task that writes
inside ``with store.atomic():`` rolls back and leaves the project as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    message: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


Task = Generator[Progress, None, T]


def run(task: "Task[T]", on_progress: Callable[[Progress], object] | None = None,
        should_cancel: Callable[[], bool] | None = None) -> T:
    """Drive ``task`` to the end and return its result.

    ``should_cancel`` is asked after every step; when it says yes the task is closed (its
    transaction rolls back) and :class:`~gridmgr.errors.Cancelled` is raised.
    """
    from .errors import Cancelled

    try:
        while True:
            step = next(task)
            if on_progress is not None:
                on_progress(step)
            if should_cancel is not None and should_cancel():
                task.close()
                raise Cancelled("已取消，项目未改变")
    except StopIteration as stop:
        return stop.value
