"""Asking a QtWebEngine page for its state from a test (the map in the window, the bare map
widget, the offline HTML map): poll a script until its JSON result satisfies a predicate."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def wait_js(qtbot: Any, view: Any, script: str, pred: Callable[[Any], bool] = lambda v: True,
            timeout: int = 15_000) -> Any:
    """Poll ``script`` in ``view``'s page until ``pred(result)``; returns the result."""
    if hasattr(view, "is_loaded"):
        qtbot.waitUntil(lambda: view.is_loaded, timeout=timeout)  # scripts sent earlier get lost
    state: dict = {"busy": False}

    def got(result: Any) -> None:
        state["value"] = json.loads(result) if isinstance(result, str) else result
        state["busy"] = False

    def check() -> bool:
        if "value" in state and pred(state["value"]):
            return True
        if not state["busy"]:
            state["busy"] = True
            view.page().runJavaScript(f"JSON.stringify({script})", 0, got)
        return False

    try:
        qtbot.waitUntil(check, timeout=timeout)
    except qtbot.TimeoutError as exc:
        raise AssertionError(f"{script} → {state.get('value')!r}") from exc
    return state["value"]
