"""Area code schemes: the project's rule for how codes are built, a project setting.

The base is the 12-digit statistical division code (6-digit county + 3-digit street/town +
3-digit community/village).  A unit grid cell appends a sequence: 2 digits in the national unit
grid code (CJ/T 213, GB/T 30428.1; 14 digits), 3 digits in Beijing's DB11 variant (15 digits).
Imported codes that break the scheme are reported, never rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError


@dataclass(frozen=True)
class CodeScheme:
    key: str
    title: str
    cell_seq_width: int

    def length(self, level: str) -> int:
        return {"district": 6, "street": 9, "community": 12,
                "cell": 12 + self.cell_seq_width}[level]

    def problem(self, code: str, level: str) -> str | None:
        """Why ``code`` breaks this scheme at ``level``, or None when it fits."""
        want = self.length(level)
        if not code.isdigit() or not code.isascii():
            return "应全部为数字"
        if len(code) != want:
            return f"应为 {want} 位，实际 {len(code)} 位"
        return None


SCHEMES = {
    "national": CodeScheme("national", "全国单元网格编码 CJ/T 213（14 位）", 2),
    "db11": CodeScheme("db11", "北京 DB11 单元网格编码（15 位）", 3),
}


def scheme(key: str) -> CodeScheme:
    try:
        return SCHEMES[key]
    except KeyError:
        raise UsageError(f"未知的编码规则 {key!r}；可选：{', '.join(SCHEMES)}") from None


def extends_parent(code: str, parent_code: str | None) -> bool:
    return bool(parent_code) and code.startswith(parent_code) and len(code) > len(parent_code)
