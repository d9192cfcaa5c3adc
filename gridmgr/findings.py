"""Findings: what a checker or an import says about one row or feature.

Every checker (import, validation, later enterprise and case checks) returns findings of this one
shape so that the CLI prints them, ``--report`` writes them as JSON and one generic Qt table shows
them.  ``row`` counts as the user counts: spreadsheet row numbers (header = row 1) for tables,
1-based feature numbers for vector files, and the area code for areas already in a project.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .messages import message

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"  # worth knowing, nothing to fix: kept with the warnings, never an exit code


# Where ``--report -`` writes: the command's stdout.  The CLI sends the sentences meant for a
# person to stderr while a command runs with ``--report -`` (cli/entry.py), and points this at
# the real stdout, so that ``… --report - | jq`` reads one JSON document.
json_stdout: Any = None


def write_json(doc: Any, path: str | Path) -> None:
    """A report document as UTF-8 JSON in ``path``, or on stdout for ``-``."""
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    if str(path) == "-":
        out = json_stdout or sys.stdout
        out.write(text + "\n")
        out.flush()
    else:
        Path(path).write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Finding:
    """One problem: where (file, row), why (a short ``reason`` code) and a sentence for a person."""

    reason: str
    message: str
    row: int | str | None = None
    file: str | None = None
    severity: str = ERROR
    code: str | None = None  # area code, when the finding is about an area
    x: float | None = None  # a location to show it at, longitude (EPSG:4326/4490)
    y: float | None = None  # latitude
    area_m2: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, reason: str, *, severity: str = ERROR, **kw: Any) -> "Finding":
        """Build a finding whose message comes from the catalogue in :mod:`gridmgr.messages`."""
        fields = {k: kw.pop(k) for k in list(kw) if k in _FIELDS}
        return cls(reason=reason, message=message(reason, **fields, **kw), severity=severity,
                   extra=kw, **fields)

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if v is not None and v != {}}
        if self.area_m2 is not None:
            d["area_m2"] = round(self.area_m2, 2)
        return d

    def line(self) -> str:
        """One line for a terminal: ``file:row: [reason] message``."""
        where = ":".join(str(p) for p in (self.file, self.row) if p is not None)
        tag = {WARNING: "警告", NOTICE: "提示"}.get(self.severity, "错误")
        return f"{where + ': ' if where else ''}{tag} [{self.reason}] {self.message}"


_FIELDS = {"row", "file", "code", "x", "y", "area_m2"}


@dataclass
class Report:
    """What an import or check produced: counts plus refused rows and warnings.

    Written by ``--report R.json`` as ``{"accepted": n, "refused": [...], "warnings": [...]}``
    with extra keys (``file``, ``encoding``, ``dry_run`` …) where a command has more to say.
    """

    accepted: int = 0
    refused: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        (self.refused if finding.severity == ERROR else self.warnings).append(finding)

    @property
    def notices(self) -> list[Finding]:
        """The warnings that are notices (below a tolerance): shown, never an exit code."""
        return [f for f in self.warnings if f.severity == NOTICE]

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.add(f)

    @property
    def findings(self) -> list[Finding]:
        return [*self.refused, *self.warnings]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.info,
            "accepted": self.accepted,
            "refused": [f.to_dict() for f in self.refused],
            "warnings": [f.to_dict() for f in self.warnings],
        }

    def write(self, path: str | Path) -> None:
        """The report as JSON in ``path``; ``-`` writes it to stdout."""
        write_json(self.to_dict(), path)

    def refuse(self, file: str | None, row: int | str | None, reason: str, **kw: Any) -> None:
        """Refuse one row of ``file`` (its sentence from the catalogue)."""
        self.add(Finding.make(reason, file=file, row=row, **kw))

    def warn(self, file: str | None, row: int | str | None, reason: str, **kw: Any) -> None:
        """Warn about one row of ``file``: imported, but the user should know."""
        self.add(Finding.make(reason, severity=WARNING, file=file, row=row, **kw))
