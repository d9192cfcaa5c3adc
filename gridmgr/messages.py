"""Sentences for findings and errors, in Simplified Chinese (default) and English.

Reason codes are stable identifiers that tests and reports key on; the sentence is for a person.
The language comes from ``GRIDMGR_LANG`` (``zh`` or ``en``) or :func:`set_language`; the desktop
sets it from its own language choice.  A reason with no entry still gets a readable sentence.
"""

from __future__ import annotations

import os
from typing import Any

from .levels import LEVEL_ZH

_lang: str | None = None

# reason: (中文, English).  Placeholders are str.format fields; unknown fields are left out.
CATALOGUE: dict[str, tuple[str, str]] = {
    # reading files
    "crs_override": ("文件自带坐标系 {file_crs}，按 --crs 改用 {crs}",
                     "the file says {file_crs}; using {crs} as --crs asks"),
    "bad_coordinates": ("坐标（{x0}, {y0}）按 {crs} 理解不在项目坐标系的适用范围内：可能坐标系不对"
                        "（如把高斯-克吕格米坐标当成经纬度）或经纬度颠倒；请用 --crs 指明",
                        "coordinates ({x0}, {y0}) read as {crs} fall outside the project CRS's "
                        "area of use: wrong CRS (Gauss-Krüger metres taken as degrees?) or "
                        "longitude/latitude swapped; give --crs"),
    "no_geometry": ("要素没有几何图形", "the feature has no geometry"),
    "not_polygon": ("几何类型为 {geom_type}，应为面（Polygon/MultiPolygon）",
                    "geometry is {geom_type}, a polygon was expected"),
    "missing_code": ("缺少编码", "the code is empty"),
    "missing_name": ("缺少名称", "the name is empty"),
    "duplicate_code_in_file": ("编码 {code} 在文件中重复（首次出现在第 {first_row} 行）",
                               "code {code} repeats in the file (first at row {first_row})"),
    "duplicate_code_in_project": ("编码 {code} 已存在于项目中（{level_zh}）；重划网格请用 --supersede",
                                  "code {code} already exists in the project ({level}); "
                                  "use --supersede for a redrawn grid"),
    "code_scheme": ("编码 {code} 不符合编码规则 {scheme}：{detail}",
                    "code {code} breaks the code scheme {scheme}: {detail}"),
    "code_not_extending_parent": ("编码 {code} 不以上级编码 {parent} 开头",
                                  "code {code} does not extend its parent's code {parent}"),
    "parent_not_found": ("找不到上级 {parent}", "parent {parent} not found"),
    "no_parent": ("要素不在任何上级区域内", "the feature lies in no parent area"),
    "parent_by_location": ("未给出上级，按空间位置归入 {parent}",
                           "no parent given; placed in {parent} by location"),
    "invalid_geometry_input": ("几何图形无效：{detail}（已导入，请用 grid validate 检查）",
                               "invalid geometry: {detail} (imported; see grid validate)"),
    "stray_spaces": ("字段 {field} 含多余空格，已去除", "field {field} had stray spaces, removed"),
    "fullwidth_digits": ("字段 {field} 含全角数字，已转为半角", "field {field} had full-width digits, normalised"),
    # registers
    "missing_coordinates": ("{name}：缺少经纬度，无法确定所在网格", "{name}: no coordinates, so no cell"),
    "bad_coordinate_text": ("{name}：坐标无法识别（{x0}, {y0}）", "{name}: unreadable coordinates ({x0}, {y0})"),
    "invalid_credit_code": ("{name}：统一社会信用代码 {code} 无效：{detail}",
                            "{name}: unified social credit code {code} is invalid: {detail}"),
    "duplicate_credit_code": ("统一社会信用代码 {code} 在文件中重复（首次出现在第 {first_row} 行）",
                              "credit code {code} repeats in the file (first at row {first_row})"),
    "duplicate_ext_id": ("企业编号 {code} 在文件中重复（首次出现在第 {first_row} 行）",
                         "enterprise id {code} repeats in the file (first at row {first_row})"),
    "credit_code_normalised": ("{field} 已规范为大写半角", "{field} normalised to upper-case half-width"),
    "swapped_coordinates": ("{name}：经纬度填反了，已按 经度 {lon}、纬度 {lat} 导入",
                            "{name}: longitude and latitude were swapped; imported as {lon}, {lat}"),
    "unknown_value": ("{field} 的值“{value}”不在 {allowed} 之中，按原样保存",
                      "{field}: '{value}' is not one of {allowed}; kept as given"),
    "unknown_frequency": ("检查频次“{value}”无法识别（应如“每月1次”），不计算检查逾期",
                          "inspection frequency '{value}' not understood (e.g. 每月1次); "
                          "no overdue computed"),
    "bad_phone": ("电话号码“{value}”看起来不对（手机 11 位，座机如 0757-82345678）",
                  "phone number '{value}' looks wrong"),
    "bad_date": ("{field} 的日期“{value}”无法识别（应如 2025-03-01），未导入该日期",
                 "{field}: date '{value}' not understood (e.g. 2025-03-01); left empty"),
    "no_district": ("项目中没有区或街道边界，无法检查企业是否在辖区内",
                    "the project has no district or street boundary; locations not checked"),
    "outside_district": ("{name}：位置（{x0}, {y0}）不在辖区内；请检查坐标和 --coords",
                         "{name}: location ({x0}, {y0}) is outside the district; check the "
                         "coordinates and --coords"),
    "no_cells": ("项目中还没有单元网格，企业暂不归入网格", "the project has no cells yet; no cell assigned"),
    "no_cell": ("{name}：不在任何单元网格内", "{name}: in no unit grid cell"),
    "bad_mobile": ("手机号码“{value}”无效（应为 11 位，以 1 开头）",
                   "mobile number '{value}' is invalid (11 digits starting with 1)"),
    "missing_staff_no": ("缺少工号", "the staff number is empty"),
    "duplicate_staff_no": ("工号 {code} 在文件中重复（首次出现在第 {first_row} 行）",
                           "staff number {code} repeats in the file (first at row {first_row})"),
    "unknown_role": ("角色“{value}”无法识别；可用：{allowed}", "role '{value}' unknown; one of {allowed}"),
    "key_conflict": ("{name}：信用代码 {code} 与企业编号 {ext} 分别对应项目中不同的企业（编号属于 {other}），"
                     "未导入；请核对", "{name}: credit code {code} and id {ext} belong to different "
                     "enterprises in the project ({other} holds the id); not imported"),
    "no_key": ("{name}：没有统一社会信用代码或企业编号，按名称和地址与已有企业匹配",
               "{name}: no credit code or id; matched to existing enterprises by name and address"),
    "older_inspection": ("{name}：文件中的最近检查日期 {new} 早于项目中的 {old}，保留 {old}",
                         "{name}: the file's last inspection {new} is older than the project's "
                         "{old}; kept {old}"),
    "mobile_normalised": ("手机号码“{value}”已去掉区号/分隔符，记为 {mobile}",
                          "mobile '{value}' recorded as {mobile} (prefix/separators removed)"),
    "role_alias": ("角色“{value}”按“{role}”记录", "role '{value}' recorded as '{role}'"),
    "responsibilities_closed": ("{count} 条单元网格责任随旧网格一并结束，请为新网格重新指定责任人",
                                "{count} cell responsibilities ended with the old cells; assign "
                                "the new cells"),
    "assignment_refused": ("未能分配：{detail}", "assignment refused: {detail}"),
    "cell_without_primary": ("{level_zh} {code} {name} 没有责任人（本级和上级都没有）",
                             "{level} {code} {name} has no primary responsible, even by fallback"),
    "cell_without_supervisor": ("{level_zh} {code} {name} 没有区级监管责任人",
                                "{level} {code} {name} has no district-level supervisor"),
    "officer_without_area": ("{name}（{code}）目前不负责任何区域", "{name} ({code}) is responsible for nothing"),
    "key_enterprise_without_supervisor": ("{klass}企业 {name} 所在网格 {cell} 没有区级监管责任人",
                                          "{klass} enterprise {name} is in cell {cell}, which has no "
                                          "supervisor"),
    # validation
    "invalid_geometry": ("{level_zh} {code} 几何图形无效：{detail}", "{level} {code}: invalid geometry: {detail}"),
    "overlap": ("{level_zh} {code} 与 {other} 重叠 {area:.1f} 平方米",
                "{level} {code} overlaps {other} by {area:.1f} m²"),
    "gap": ("{parent_desc} 内有 {area:.1f} 平方米未被下级覆盖（缝隙）",
            "{area:.1f} m² of {parent_desc} is covered by no child (gap)"),
    "hole": ("{level_zh}图层内有 {area:.1f} 平方米空洞（不属于任何{level_zh}）",
             "{area:.1f} m² enclosed by the {level} layer belongs to no {level} (hole)"),
    "outside_parent": ("{level_zh} {code} 有 {area:.1f} 平方米超出上级 {parent}",
                       "{level} {code} has {area:.1f} m² outside its parent {parent}"),
    "duplicate_code": ("编码 {code} 重复 {count} 次", "code {code} is used {count} times"),
    "orphan": ("{level_zh} {code} 的上级 {parent} 不存在", "{level} {code}: parent {parent} does not exist"),
    "missing_parent": ("{level_zh} {code} 没有上级", "{level} {code} has no parent"),
    # generation
    "sequence_overflow": ("{parent} 内需生成 {count} 个单元网格，超出 {width} 位顺序码的上限 {limit}",
                          "{parent} needs {count} cells, more than a {width}-digit sequence allows ({limit})"),
    "sliver_merged": ("{parent} 内 {count} 个碎片已并入相邻网格", "{count} slivers in {parent} merged into neighbours"),
}


def set_language(lang: str) -> None:
    global _lang
    _lang = "en" if lang.lower().startswith("en") else "zh"


def language() -> str:
    return _lang or ("en" if os.environ.get("GRIDMGR_LANG", "zh").lower().startswith("en") else "zh")




class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def message(reason: str, **kw: Any) -> str:
    """The sentence for ``reason`` in the current language, filled from ``kw``."""
    if "level" in kw and "level_zh" not in kw:
        kw["level_zh"] = LEVEL_ZH.get(str(kw["level"]), str(kw["level"]))
    zh, en = CATALOGUE.get(reason, (reason, reason))
    template = en if language() == "en" else zh
    try:
        return template.format_map(_Lenient(kw))
    except (ValueError, TypeError):
        return template


# Short names of finding kinds, for the column of a findings table.
TITLES: dict[str, tuple[str, str]] = {
    "no_geometry": ("无几何", "no geometry"), "not_polygon": ("非面要素", "not a polygon"),
    "missing_code": ("缺编码", "no code"), "missing_name": ("缺名称", "no name"),
    "duplicate_code_in_file": ("文件内编码重复", "code repeated"),
    "duplicate_code_in_project": ("编码已存在", "code exists"),
    "code_scheme": ("编码不合规则", "code scheme"),
    "code_not_extending_parent": ("编码与上级不符", "code vs parent"),
    "parent_not_found": ("找不到上级", "parent not found"), "no_parent": ("无上级", "no parent"),
    "parent_by_location": ("按位置定上级", "parent by location"),
    "invalid_geometry_input": ("几何无效", "invalid geometry"),
    "invalid_geometry": ("几何无效", "invalid geometry"), "overlap": ("重叠", "overlap"),
    "gap": ("缝隙", "gap"), "hole": ("空洞", "hole"), "outside_parent": ("越出上级", "outside parent"),
    "duplicate_code": ("编码重复", "duplicate code"), "orphan": ("上级不存在", "orphan"),
    "missing_parent": ("缺上级", "no parent"), "sequence_overflow": ("顺序码溢出", "sequence overflow"),
    "sliver_merged": ("碎片已合并", "slivers merged"), "stray_spaces": ("多余空格", "stray spaces"),
    "fullwidth_digits": ("全角字符", "full-width"), "crs_override": ("改用坐标系", "CRS override"),
    "bad_coordinates": ("坐标不对", "bad coordinates"),
    "missing_coordinates": ("缺坐标", "no coordinates"),
    "bad_coordinate_text": ("坐标无法识别", "unreadable coordinates"),
    "invalid_credit_code": ("信用代码无效", "invalid credit code"),
    "duplicate_credit_code": ("信用代码重复", "credit code repeated"),
    "duplicate_ext_id": ("企业编号重复", "id repeated"), "key_conflict": ("代码与编号冲突", "key conflict"),
    "no_key": ("无代码无编号", "no key"), "credit_code_normalised": ("信用代码已规范", "code normalised"),
    "swapped_coordinates": ("经纬度颠倒", "lon/lat swapped"), "unknown_value": ("未知取值", "unknown value"),
    "unknown_frequency": ("频次无法识别", "unknown frequency"), "bad_phone": ("电话可疑", "phone"),
    "bad_date": ("日期无法识别", "bad date"), "older_inspection": ("检查日期较旧", "older inspection"),
    "no_district": ("无辖区边界", "no district"), "outside_district": ("不在辖区内", "outside district"),
    "no_cells": ("尚无网格", "no cells"), "no_cell": ("不在网格内", "in no cell"),
    "bad_mobile": ("手机号无效", "bad mobile"), "mobile_normalised": ("手机号已规范", "mobile normalised"),
    "missing_staff_no": ("缺工号", "no staff number"), "duplicate_staff_no": ("工号重复", "staff no repeated"),
    "unknown_role": ("未知角色", "unknown role"), "role_alias": ("角色已规范", "role normalised"),
    "assignment_refused": ("未能分配", "not assigned"),
    "cell_without_primary": ("无责任人", "no primary"),
    "cell_without_supervisor": ("无监管责任人", "no supervisor"),
    "officer_without_area": ("人员未分配", "officer idle"),
    "key_enterprise_without_supervisor": ("重点企业无监管", "key enterprise unsupervised"),
    "responsibilities_closed": ("责任随网格结束", "responsibilities ended"),
}
LAYER_TITLES = {"districts": ("区", "districts"), "streets": ("街道", "streets"),
                "communities": ("社区", "communities"), "cells": ("单元网格", "cells"),
                "enterprises": ("企业", "enterprises"), "officers": ("人员", "officers")}


def title(reason: str) -> str:
    """A finding kind's short name in the current language (the code itself if unnamed)."""
    zh, en = TITLES.get(reason, (reason, reason))
    return en if language() == "en" else zh


def layer_title(name: str | None) -> str:
    """A layer's name for people (a file name passes through)."""
    if not name:
        return ""
    zh, en = LAYER_TITLES.get(name, (name, name))
    return en if language() == "en" else zh
