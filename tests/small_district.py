"""The small project whose every number is counted by hand: 1 street of 600 × 200 m, 2
communities, 3 cells of 100 × 200 m in each, 7 officers, 6 enterprises placed in known cells.
Shared by the register, team and field-package tests (the ``small`` fixture in conftest)."""

from __future__ import annotations

import csv
from pathlib import Path

from gridmgr.grid.importer import import_grid
from gridmgr.progress import run
from gridmgr.registers import creditcode
from gridmgr.registers.enterprises import import_enterprises
from gridmgr.registers.officers import import_officers
from gridmgr.storage import Store

DATA = Path(__file__).resolve().parents[1] / "data"
DEMO = Path(__file__).resolve().parents[1] / "gridmgr" / "data" / "demo"  # the demo district
X0, Y0 = 398_000.0, 2_548_000.0  # as in conftest: gk_square measures from here

# 1 street of 600 × 200 m; 2 communities of 300 × 200 m; 3 cells of 100 × 200 m in each
STREET = "440604010"
C1, C2 = "440604010001", "440604010002"
COMMUNITIES = [(C1, "升平社区", 0), (C2, "兴华社区", 300)]
CELLS = [(f"{comm}{i + 1:02d}", comm, x + 100 * i) for comm, _, x in COMMUNITIES for i in range(3)]
C1_CELLS = [c for c, p, _ in CELLS if p == C1]
C2_CELLS = [c for c, p, _ in CELLS if p == C2]
ALL_CELLS = C1_CELLS + C2_CELLS
CELL_M2 = 100 * 200
GRID_FROM = "2024-01-01"

OFFICER_HEADERS = ["姓名", "工号", "手机", "角色", "所属单位"]
OFFICERS = [
    ["张伟", "T001", "13800000001", "网格员", "祖庙街道城管办"],
    ["李娜", "T002", "13800000002", "网格员", "祖庙街道城管办"],
    ["王强", "T003", "13800000003", "执法人员", "祖庙街道执法队"],  # alias of 执法队员
    ["赵敏", "T004", "13800000004", "区级监管责任人", "禅城区城市管理和综合执法局"],
    ["刘洋", "T005", "13800000005", "区级监管责任人", "佛山市生态环境局禅城分局"],
    ["陈静", "T006", "13800000006", "信息采集员", "禅城区城市管理和综合执法局"],
    ["杨帆", "T007", "13800000007", "信息采集员", "禅城区城市管理和综合执法局"],
]
NAME = {r[1]: r[0] for r in OFFICERS}

# enterprises: (name, class, x, y from (X0, Y0)) → the cell they lie in, by construction
ENTERPRISES = [
    ("佛山市禅城区甲电镀有限公司", "国控", 50, 100, C1_CELLS[0]),
    ("佛山市禅城区乙化工有限公司", "省控", 150, 100, C1_CELLS[1]),
    ("佛山市禅城区丙陶瓷厂", "市控", 250, 100, C1_CELLS[2]),
    ("佛山市禅城区丁餐馆", "一般", 30, 30, C1_CELLS[0]),
    ("佛山市禅城区戊印染厂", "一般", 350, 100, C2_CELLS[0]),
    ("佛山市禅城区己医药制造有限公司", "国控", 550, 150, C2_CELLS[2]),
]


def make_code(n: int) -> str:
    first17 = f"91440604{n:09d}"
    return first17 + creditcode.check_character(first17)


def write_csv(path: Path, headers: list[str], rows: list[list[object]],
              encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return path


def build(project: Store, tmp_path: Path, write_vector, gk_square) -> Store:
    """The small project: grid valid from 2024-01-01, 7 officers, 6 enterprises."""
    files = [
        (write_vector("streets.gpkg", {"街道编码": [STREET], "街道名称": ["祖庙街道"]},
                      [gk_square(0, 0, 600, 200)]), "street"),
        (write_vector("communities.gpkg",
                      {"社区编码": [c for c, _, _ in COMMUNITIES],
                       "社区名称": [n for _, n, _ in COMMUNITIES],
                       "所属街道编码": [STREET] * 2},
                      [gk_square(x, 0, 300, 200) for _, _, x in COMMUNITIES]), "community"),
        (write_vector("cells.gpkg", {"网格编码": [c for c, _, _ in CELLS],
                                     "所属社区编码": [p for _, p, _ in CELLS]},
                      [gk_square(x, 0, 100, 200) for _, _, x in CELLS]), "cell"),
    ]
    for path, level in files:
        report = run(import_grid(project, path, level=level, valid_from=GRID_FROM))
        assert not report.refused, report.refused
    report = run(import_officers(project, write_csv(tmp_path / "officers.csv", OFFICER_HEADERS,
                                                     OFFICERS)))
    assert not report.refused and report.info["inserted"] == len(OFFICERS)
    ents = write_csv(tmp_path / "ents.csv", ["企业名称", "统一社会信用代码", "监管类别", "X", "Y"],
                     [[n, make_code(i + 1), k, X0 + x, Y0 + y]
                      for i, (n, k, x, y, _) in enumerate(ENTERPRISES)])
    report = run(import_enterprises(project, ents, coords="EPSG:4547"))
    assert not report.refused and report.info["inserted"] == len(ENTERPRISES)
    # the enterprises are where they were put
    stored = project.enterprises()
    assert list(stored["cell_code"]) == [e[4] for e in ENTERPRISES]
    return project
