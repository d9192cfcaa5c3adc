"""The window's code → {level, name, parent, area} look-up, over the areas the map was given.

A dict of 100k small dicts took longer to build than the map took to paint; this mapping keeps
one ``{code: row}`` index per level and makes the small dict when a code is asked for.  It reads
like the dict it replaces: the finest level wins for a code repeated across levels, iteration
follows streets, then communities, then cells (each code once, where it first appears).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

LEVELS = ("street", "community", "cell")


class AreaInfo(Mapping):
    def __init__(self, frames: Mapping[str, Any]) -> None:
        """``frames``: level → ``Store.map_areas`` (codes, names, parents, areas)."""
        self._levels: list[tuple[str, Any, dict[str, int], list[float]]] = []
        for level in LEVELS:
            areas = frames[level]
            self._levels.append((level, areas, dict(zip(areas.codes, range(len(areas.codes)))),
                                 list(areas.areas.tolist())))
        self._len: int | None = None

    def _find(self, code: str) -> tuple[str, Any, int, list[float]] | None:
        for level, areas, index, m2 in reversed(self._levels):  # the finest level wins
            i = index.get(code)
            if i is not None:
                return level, areas, i, m2
        return None

    def __getitem__(self, code: str) -> dict[str, Any]:
        found = self._find(code)
        if found is None:
            raise KeyError(code)
        level, areas, i, m2 = found
        return {"level": level, "name": areas.names[i], "parent": areas.parents[i],
                "area": m2[i]}

    def __contains__(self, code: object) -> bool:
        return any(code in index for _, _, index, _ in self._levels)

    def __iter__(self) -> Iterator[str]:
        for k, (_, _, index, _) in enumerate(self._levels):
            earlier = [lv[2] for lv in self._levels[:k]]
            for code in index:
                if not any(code in e for e in earlier):
                    yield code

    def __len__(self) -> int:
        if self._len is None:
            self._len = sum(1 for _ in self)
        return self._len

    def __bool__(self) -> bool:
        return any(index for _, _, index, _ in self._levels)

    def codes_of(self, level: str) -> list[str]:
        """The codes whose level is ``level``, in the mapping's order (what
        ``[c for c, i in info.items() if i["level"] == level]`` gives, without the dicts)."""
        mine = next((index for lv, _, index, _ in self._levels if lv == level), None)
        if mine is None:
            return []
        if len(self) == sum(len(index) for _, _, index, _ in self._levels):  # no code repeated
            return list(mine)
        return [c for c in self if self._find(c)[0] == level]  # type: ignore[index]
