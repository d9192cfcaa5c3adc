"""The step notes gridmgr writes itself (a case imported from another system, a dispatch with no
note, an approved extension), one template each.  They are stored in Chinese like every note;
:func:`parse` recognises them so that the window can say them in its own language, while a
note an officer typed is data and is shown as it is."""

from __future__ import annotations

import re

IMPORTED = "导入：外部状态 {status}"  # the step was read from a hotline export's status
DISPATCHED = "派遣给 {staff}"  # 派遣 with no note of its own: to whom
APPROVED = "{note}（批准人：{approver}）"  # 延期: the reason, then who approved it

TEMPLATES = {"imported": IMPORTED, "dispatched": DISPATCHED, "approved": APPROVED}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)  # literal, name, literal, name, …
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)"
                    for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


_PATTERNS = {key: _pattern(t) for key, t in TEMPLATES.items()}


def parse(note: str | None) -> tuple[str, dict[str, str]] | None:
    """``("imported", {"status": "已办结"})`` for a note gridmgr wrote, None for any other."""
    for key, pattern in _PATTERNS.items():
        found = pattern.match(note or "")
        if found:
            return key, found.groupdict()
    return None
