"""Recognising the columns of files users bring: Chinese and English headers, and ``--map``.

Each target field has aliases per hierarchy level, because the same header means different things
at different levels: in a community file ``社区编码`` is the area's own code, in a cell file it is
the parent's.  ``所属街道编`` … are ``所属街道编码`` … cut to the 10 bytes a GBK Shapefile
allows.  Headers are compared case-insensitively, ignoring spaces, underscores and dashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..errors import UsageError

_COMMON = {
    "code": ["code", "编码", "代码", "区划代码", "行政区划代码", "统计用区划代码"],
    "name": ["name", "名称", "mc"],
    "parent": ["parent", "parent_code", "parentcode", "上级编码", "父级编码", "上级代码", "上级"],
}

_BY_LEVEL: dict[str, dict[str, list[str]]] = {
    "district": {
        "code": ["区县编码", "区编码", "区县代码", "district_code", "xzqdm"],
        "name": ["区县名称", "区名称", "区县", "district", "xzqmc"],
        "parent": ["所属城市", "所属地市编码", "city_code"],
    },
    "street": {
        "code": ["街道编码", "街道代码", "镇街编码", "镇街代码", "乡镇编码", "乡镇代码", "jdbm",
                 "street_code"],
        "name": ["街道名称", "街道", "镇街名称", "镇街", "乡镇名称", "乡镇", "jdmc", "street_name",
                 "street"],
        "parent": ["所属区县编码", "所属区县编", "所属区县", "区县编码", "district_code"],
    },
    "community": {
        "code": ["社区编码", "社区代码", "村居编码", "村居代码", "村编码", "sqbm", "community_code"],
        "name": ["社区名称", "社区", "村居名称", "村居", "村名称", "sqmc", "community_name",
                 "community"],
        "parent": ["所属街道编码", "所属街道编", "所属街道代码", "所属街道", "所属街道名称",
                   "所属街道名", "街道编码", "街道代码", "镇街编码", "所属镇街", "街道名称", "街道",
                   "镇街", "乡镇", "jdbm", "ssjd", "street_code", "street"],
    },
    "cell": {
        "code": ["网格编码", "网格代码", "单元网格编码", "单元网格代码", "网格号", "wgbm", "bgcode",
                 "grid_code", "gridcode", "cell_code", "cellcode"],
        "name": ["网格名称", "单元网格名称", "网格名", "wgmc", "grid_name", "cell_name"],
        "parent": ["所属社区编码", "所属社区编", "所属社区代码", "所属社区", "所属社区名称",
                   "所属社区名", "社区编码", "社区代码", "村居编码", "社区名称", "社区", "村居名称",
                   "村居", "sqbm", "sssq", "community_code", "community"],
    },
}

GRID_FIELDS = ("code", "name", "parent")

# Columns of a lower level's file that name the areas above it (a cell layer with 社区 and 街道
# columns): code or name, told apart by content (see grid/derive.py).
ANCESTOR_ALIASES: dict[str, list[str]] = {
    "community": ["所属社区编码", "所属社区编", "所属社区代码", "社区编码", "社区代码", "村居编码",
                  "sqbm", "community_code", "所属社区", "所属社区名称", "所属社区名", "社区名称",
                  "社区", "村居名称", "村居", "sqmc", "sssq", "community_name", "community"],
    "street": ["所属街道编码", "所属街道编", "所属街道代码", "街道编码", "街道代码", "镇街编码",
               "jdbm", "street_code", "所属街道", "所属街道名称", "所属街道名", "街道名称", "街道",
               "所属镇街", "镇街名称", "镇街", "乡镇名称", "乡镇", "jdmc", "ssjd", "street_name",
               "street"],
}


def ancestor_columns(headers: Iterable[str], level: str,
                     explicit: Mapping[str, str | None] | None = None) -> dict[str, list[str]]:
    """{ancestor level: the file's columns about it, in alias order} for a file of ``level``
    (for a cell file: its 社区 and 街道 columns); the area's own code and name columns and
    ``--map``'ed ones are left out."""
    from ..levels import LEVELS

    own = recognise(headers, level, explicit)
    skip = {own.get("code"), own.get("name")}
    headers = [h for h in headers if h != "geometry" and h not in skip]
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    out: dict[str, list[str]] = {}
    below = LEVELS[:LEVELS.index(level)]
    for anc, names in ANCESTOR_ALIASES.items():
        if anc not in below:
            continue
        found: list[str] = []
        for alias in names:
            h = by_norm.get(_norm(alias))
            if h is not None and h not in found:
                found.append(h)
        if found:
            out[anc] = found
    # a column claimed by the nearer level (社区编码 in a cell file) is not the street's
    if "community" in out and "street" in out:
        out["street"] = [h for h in out["street"] if h not in out["community"]]
    return out


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(header)).lower()


def normalise_header(header: str) -> str:
    """A header as :func:`match_headers` compares it (spaces, ``_`` and ``-`` dropped, lower)."""
    return _norm(header)


def parse_map(items: Iterable[str] | None, fields: Iterable[str]) -> dict[str, str]:
    """``['源列=field', …]`` → {field: source column}; UsageError on malformed items."""
    allowed = set(fields)
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--map 应写成 源列=字段，例如 WGBM=code；收到 {item!r}")
        src, dst = (s.strip() for s in item.rsplit("=", 1))
        if dst not in allowed:
            raise UsageError(f"--map {item!r}：未知字段 {dst!r}；可用字段：{', '.join(sorted(allowed))}")
        out[dst] = src
    return out


def match_headers(headers: Iterable[str], aliases: Mapping[str, list[str]],
                  explicit: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """{field: source header}: explicit ``--map`` entries first (they must name existing
    headers; ``None`` means "do not import this field"), then for each field the first alias
    present and not taken by another field."""
    headers = [h for h in headers if h != "geometry"]
    by_norm = {_norm(h): h for h in headers}
    out: dict[str, str] = {}
    taken: set[str] = set()
    excluded = {f for f, src in (explicit or {}).items() if src is None}
    for field, src in (explicit or {}).items():
        if src is None:
            continue
        if src not in headers:
            raise UsageError(f"--map 中的列 {src!r} 不在文件中；文件的列：{', '.join(headers)}")
        out[field] = src
        taken.add(src)
    for field, names in aliases.items():
        if field in out or field in excluded:
            continue
        for alias in names:
            h = by_norm.get(_norm(alias))
            if h is not None and h not in taken:
                out[field] = h
                taken.add(h)
                break
    return out


def recognise(headers: Iterable[str], level: str,
              explicit: Mapping[str, str | None] | None = None
              ) -> dict[str, str]:
    """{field: source header} for the grid fields (code, name, parent) at ``level``."""
    aliases = {f: _BY_LEVEL[level][f] + _COMMON[f] for f in GRID_FIELDS}
    return match_headers(headers, aliases, explicit)


ENTERPRISE_ALIASES: dict[str, list[str]] = {
    "name": ["企业名称", "单位名称", "企业（单位）名称", "名称", "企业", "name", "company"],
    "credit_code": ["统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "uscc",
                    "credit_code"],
    "ext_id": ["企业编号", "档案编号", "企业ID", "编号", "id", "ext_id"],
    "industry": ["所属行业", "行业", "行业类别", "行业类型", "industry"],
    "supervision_class": ["监管类别", "监管级别", "重点监管类别", "控制级别", "supervision_class"],
    "rating": ["环境行为等级", "环境信用等级", "环境信用评价等级", "信用等级", "评级", "rating"],
    "inspection_frequency": ["检查频次", "巡查频次", "检查频率", "频次", "inspection_frequency",
                             "frequency"],
    "contact": ["联系人", "负责人", "环保负责人", "法定代表人", "contact"],
    "phone": ["联系电话", "电话", "手机", "手机号码", "联系方式", "phone", "mobile", "tel"],
    "address": ["地址", "经营地址", "生产经营地址", "详细地址", "注册地址", "address"],
    "lon": ["经度", "lon", "lng", "long", "longitude"],
    "lat": ["纬度", "lat", "latitude"],
    "x": ["x", "x坐标", "横坐标", "东坐标"],
    "y": ["y", "y坐标", "纵坐标", "北坐标"],
    "last_inspection": ["最近检查日期", "最后检查日期", "上次检查日期", "最近检查时间",
                        "last_inspection"],
}
ENTERPRISE_FIELDS = tuple(ENTERPRISE_ALIASES)

OFFICER_ALIASES: dict[str, list[str]] = {
    "name": ["姓名", "名字", "name"],
    "staff_no": ["工号", "员工编号", "人员编号", "执法证号", "编号", "staff_no", "id"],
    "mobile": ["手机", "手机号", "手机号码", "联系电话", "电话", "mobile", "phone"],
    "role": ["角色", "岗位", "职务", "role"],
    "unit": ["所属单位", "单位", "部门", "工作单位", "unit"],
}
OFFICER_FIELDS = tuple(OFFICER_ALIASES)

ASSIGNMENT_ALIASES: dict[str, list[str]] = {
    "staff_no": ["工号", "staff_no"],
    "role": ["角色", "role"],
    "area": ["区域编码", "网格编码", "单元网格编码", "社区编码", "编码", "area", "area_code"],
    "from": ["起始日期", "开始日期", "生效日期", "任职日期", "from", "valid_from"],
    "name": ["姓名", "name"],
}
