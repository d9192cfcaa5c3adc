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
    "z_dropped": ("要素带 Z 值（三维坐标），已去掉 Z，只保留平面坐标", "the feature had Z "
                  "values (3D); Z was dropped, the plane coordinates kept"),
    "invisible_chars": ("字段 {field} 含不可见字符（空字符、零宽字符或文字方向控制符），已去除",
                        "field {field} had invisible characters (NUL, zero-width or "
                        "direction controls), removed"),
    "fullwidth_digits": ("字段 {field} 含全角数字，已转为半角", "field {field} had full-width digits, normalised"),
    # coordinate systems guessed on import (registers/coordguess.py)
    "coords_assumed": ("未指定 --coords，按 {coords} 导入；{others} 放入辖区的点一样多，无法区分"
                       "（{counts}）——高德/腾讯坐标请用 --coords gcj02，百度用 bd09",
                       "no --coords: read as {coords}; {others} put as many points inside the "
                       "district, so they cannot be told apart ({counts}) — Amap/Tencent "
                       "coordinates need --coords gcj02, Baidu bd09"),
    "coords_checked": ("未指定 --coords，试算各坐标系后按 {coords} 导入（{counts}）",
                       "no --coords: tried each system, read as {coords} ({counts})"),
    # hierarchy derived from a cell layer (grid/derive.py)
    "hierarchy_derived": ("项目中原无{level_zh}：由文件派生了 {count} 个{level_zh}（编码取自编码前缀或"
                          "{level_zh}列，名称取自名称列，边界由下级合并）",
                          "the project had no {level}: {count} derived from the file (codes from "
                          "code prefixes or columns, names from name columns, boundaries "
                          "dissolved from the features)"),
    "derived_name_conflict": ("派生的{level_zh} {code} 在文件中有多个名称：{names}；采用“{name}”",
                              "derived {level} {code} has several names in the file: {names}; "
                              "using '{name}'"),
    "derived_code_made_up": ("{level_zh}“{name}”在文件中没有编码，已编为 {code}（可在 QGIS 中修改后"
                             "重新导入）", "{level} '{name}' has no code in the file; numbered "
                             "{code}"),
    "no_parent_derivable": ("编码和所属列都推不出所属的上级区域", "neither the code nor a parent "
                            "column says which area the feature belongs to"),
    "streets_without_district": ("项目中没有区边界：街道归入项目的区划代码 {admin}，未检查是否越出区界"
                                 "（可先导入区：grid import --level district）",
                                 "the project has no district boundary: streets are placed under "
                                 "the project's code {admin}, unchecked against a border"),
    # grid repair
    "geometry_repaired": ("{level_zh} {code} 几何无效（{detail}），已修复：面积 {before} → {after} 平方米，"
                          "{parts} 个部分", "{level} {code}: invalid ({detail}), repaired: "
                          "{before} → {after} m², {parts} part(s)"),
    "repair_failed": ("{level_zh} {code} 几何无效（{detail}），自动修复后不剩任何面：未改动，请在 QGIS 中重画",
                      "{level} {code}: invalid ({detail}); repair leaves no polygon: left "
                      "as it was, redraw it in QGIS"),
    # registers
    "missing_coordinates": ("{name}：缺少经纬度，无法确定所在网格", "{name}: no coordinates, so no cell"),
    "bad_coordinate_text": ("{name}：坐标无法识别（{x0}, {y0}）", "{name}: unreadable coordinates ({x0}, {y0})"),
    "invalid_credit_code": ("{name}：统一社会信用代码 {code} 无效：{detail}",
                            "{name}: unified social credit code {code} is invalid: {detail}"),
    "invalid_credit_code_kept": ("{name}：统一社会信用代码 {code} 无效：{detail}；按原样导入并标记"
                                 "（check 会继续列出；--strict 拒收）",
                                 "{name}: unified social credit code {code} is invalid: {detail}; imported as "
                                 "given and flagged (listed by check; --strict refuses)"),
    "enterprise_bad_credit_code": ("企业 {name} 的统一社会信用代码 {code} 无效：{detail}",
                                   "enterprise {name}: unified social credit code {code} is invalid: {detail}"),
    "duplicate_credit_code": ("统一社会信用代码 {code} 在文件中重复，名称和地址也相同（首次出现在第 "
                              "{first_row} 行）", "credit code {code} repeats in the file with the "
                              "same name and address (first at row {first_row})"),
    "shared_credit_code": ("{name}：统一社会信用代码 {code} 与第 {first_row} 行相同、地址或名称不同，"
                           "按分支机构导入并标记（check 会列出；--strict 拒收）",
                           "{name}: credit code {code} as on row {first_row} at another address "
                           "or name: imported as a branch site and flagged (listed by check; "
                           "--strict refuses)"),
    "shared_credit_code_refused": ("{name}：统一社会信用代码 {code} 与第 {first_row} 行相同"
                                   "（分支机构？）；--strict 下拒收",
                                   "{name}: credit code {code} as on row {first_row} (a branch "
                                   "site?); refused under --strict"),
    "enterprise_shared_credit_code": ("统一社会信用代码 {code} 由 {count} 家企业共用（分支机构）：{names}",
                                      "credit code {code} is shared by {count} enterprises "
                                      "(branch sites): {names}"),
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
    "unknown_dispatch_role": ("小类 {code} 的派遣角色“{value}”不在角色表中；可用：{allowed}",
                              "category {code}: dispatch role '{value}' is not in the role table; "
                              "one of {allowed}"),
    "cell_without_role": ("{level_zh} {code} {name} 没有{role}（角色表要求每个网格都有）",
                          "{level} {code} {name} has no {role} (the role table requires one)"),
    "assignment_name_differs": ("工号 {code} 在人员名单中是“{name}”，文件写的是“{value}”；按工号分配",
                                "staff number {code} is '{name}' in the staff list, the file says "
                                "'{value}'; assigned by staff number"),
    "earlier_cases_not_reassigned": (
        "{area} 在 {before} 之前已有 {total} 个案件（其中 {open} 个未结）：案件派给上报当日的责任人，"
        "不会派给 {code}（{role}）；如果实际更早就任，请在起始日期列写明日期（命令行用 --from "
        "YYYY-MM-DD）",
        "{area} has {total} cases reported before {before} ({open} open): cases go to whoever "
        "was responsible on their day, not to {code} ({role}); if they started earlier, give the "
        "start date (--from YYYY-MM-DD on the command line)"),
    "key_enterprise_without_supervisor": ("{klass}企业 {name} 所在网格 {cell} 没有区级监管责任人",
                                          "{klass} enterprise {name} is in cell {cell}, which has no "
                                          "supervisor"),
    # cases (gridmgr/cases/importer.py, gridmgr/cases/categories.py)
    "missing_case_no": ("缺少案件编号", "the case number is empty"),
    "duplicate_case_no": ("案件编号 {code} 在文件中重复（首次出现在第 {first_row} 行）",
                          "case number {code} repeats in the file (first at row {first_row})"),
    "bad_time": ("案件 {code}：{field}“{value}”无法识别（应如 2026-03-01 09:30）",
                 "case {code}: {field} '{value}' is not a time (e.g. 2026-03-01 09:30)"),
    "missing_time": ("案件 {code}：缺少{field}", "case {code}: {field} is empty"),
    "time_order": ("案件 {code}：{second} {b} 早于{first} {a}",
                   "case {code}: {second} {b} is before {first} {a}"),
    "negative_limit": ("{code}：{stage}时限为负数（{value}）", "{code}: negative {stage} limit ({value})"),
    "bad_limit": ("案件 {code}：时限“{value}”无法识别（应如 4工作时、2工作日）",
                  "case {code}: limit '{value}' not understood (e.g. 4工作时, 2工作日)"),
    "unknown_status": ("案件 {code}：状态“{value}”无法对应到流程状态；可用 --status {value}=结案 等指明",
                       "case {code}: status '{value}' has no workflow status; map it with "
                       "--status {value}=结案 …"),
    "unknown_category": ("类别“{value}”不在案件分类表中（小类编码或小类名称）：{count} 行未导入"
                         "（第 {rows_text} 行）{suggestion}；可用 --map-category {value}=小类编码 "
                         "对应到已有小类，或 --add-categories 加入分类表",
                         "category '{value}' is not in the category table: {count} rows not "
                         "imported (rows {rows_text}){suggestion}; map it with --map-category "
                         "{value}=CODE or add it with --add-categories"),
    "zero_limit": ("{code}：{stage}时限为 0（{value}）：不可能的时限",
                   "{code}: {stage} limit is zero ({value}): impossible"),
    "limit_units": ("时限单位：{detail}", "time-limit units: {detail}"),
    "category_bare_units": ("分类表时限单位：{detail}", "category table units: {detail}"),
    "time_not_exported": ("文件没有{field}列（案件系统未导出）：{count} 个案件的{field}按{source}记录",
                          "the file has no {field} column (not exported by the case system): "
                          "{count} cases get their {field} from {source}"),
    "closed_without_time": ("案件 {code}：状态为“{value}”（结案）但没有结案时间",
                            "case {code}: status '{value}' (closed) but no closing time"),
    "case_outside_district": ("案件 {code}：位置（{x0}, {y0}）不在辖区内；请检查坐标和 --coords",
                              "case {code}: location ({x0}, {y0}) is outside the district; check "
                              "the coordinates and --coords"),
    "unknown_handler": ("案件 {code}：处置人工号 {value} 不在人员名单中，按原样记录",
                        "case {code}: handler {value} is not in the staff list; kept"),
    "unknown_enterprise": ("案件 {code}：找不到企业“{value}”，不关联企业",
                           "case {code}: enterprise '{value}' not found; not linked"),
    "category_incomplete": ("缺少小类编码或小类名称", "the category code or name is empty"),
    "duplicate_category": ("小类编码 {code} 重复（首次出现在第 {first_row} 行）",
                           "category code {code} repeats (first at row {first_row})"),
    "category_kind": ("{code}：类型“{value}”应为 部件 或 事件", "{code}: kind '{value}' is not 部件/事件"),
    "bad_limit_unit": ("{code}：{stage}时限单位“{value}”应为 工作时、工作日、自然小时 或 自然日",
                       "{code}: {stage} limit unit '{value}' is not 工作时/工作日/自然小时/自然日"),
    "bad_limit_text": ("{code}：{stage}时限“{value}”不是数字（应如 4 或 0.5，单位写在时限单位列）",
                       "{code}: {stage} limit '{value}' is not a number (e.g. 4 or 0.5)"),
    "category_in_use": ("小类 {code} 不在文件中，但项目中有 {count} 个案件属于它：不能删去（请在文件中"
                        "保留这一行）",
                        "category {code} is missing from the file but {count} cases use it: "
                        "it cannot be removed (keep its row)"),
    "future_time": ("案件 {code}：{field} {value} 晚于现在（{now}）：请检查时间",
                    "case {code}: {field} {value} is in the future (now {now})"),
    "status_time_conflict": ("案件 {code}：状态“{value}”（{status}）却有{field} {at}：{why}",
                             "case {code}: status '{value}' ({status}) contradicts {field} {at}: "
                             "{why}"),
    "limit_too_long": ("案件 {code}：无法计算截止时间：{detail}",
                       "case {code}: no deadline can be computed: {detail}"),
    "time_filled": ("案件 {code}：没有{field}，按{source} {value} 记录",
                    "case {code}: no {field}; recorded as {source} {value}"),
    "reimport_behind": ("案件 {code}：文件中的状态“{value}”（{status}）不在项目中已记录的“{current}”之后："
                        "保留项目中的办理记录，流程未改动",
                        "case {code}: the file's status '{value}' ({status}) is not beyond the "
                        "recorded '{current}': the recorded history is kept"),
    "reimport_kept": ("案件 {code}：文件中的{field} {value} 与项目中已记录的 {current} 不同：保留项目中的",
                      "case {code}: the file's {field} {value} differs from the recorded "
                      "{current}: the recorded value is kept"),
    "reimport_step_order": ("案件 {code}：文件中的{action}时间 {value} 早于项目中最后一步（{last_action} "
                            "{at}）：步骤不能倒序记录，流程未改动",
                            "case {code}: the file's {action} at {value} is before the last "
                            "recorded step ({last_action} {at}): the history is kept"),
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
    # field packages coming back (row = the feature's fid in the returned data.gpkg)
    "field_bad_value": ("{field}的值“{value}”不在值列表中（可选：{allowed}）",
                        "{field}: '{value}' is not in the value list ({allowed})"),
    "field_missing_value": ("{field}未填写", "{field} is empty"),
    "field_bad_time": ("{field}“{value}”无法识别（应如 2026-03-01 09:30）",
                       "{field} '{value}' is not a date/time (e.g. 2026-03-01 09:30)"),
    "field_future_time": ("{field} {value} 晚于现在（{now}）：请检查设备的日期和时间",
                          "{field} {value} is in the future (now {now}): check the device clock"),
    "field_outside_district": ("位置（{x0}, {y0}）不在辖区内", "location ({x0}, {y0}) is outside the district"),
    "field_no_location": ("没有位置，也没有关联企业", "no location and no enterprise"),
    "field_unknown_enterprise": ("企业 UUID {value} 不在本项目中", "enterprise uuid {value} is not in the project"),
    "field_unknown_record": ("UUID {value} 不是这个外业包发出的记录", "uuid {value} was not sent in this package"),
    "field_unknown_case": ("案件 UUID {value} 不是这个外业包发出的未结案件",
                           "case uuid {value} is not an open case this package sent"),
    "field_new_enterprise": ("外业新增的企业“{name}”不会直接入库：请在桌面登记（或作为检查记录上报）",
                             "enterprise '{name}' added in the field is not imported: register it at the desk"),
    "field_deleted": ("{name} 在外业数据中被删除：项目中保留未动",
                      "{name} was deleted in the field: kept in the project"),
    "field_unknown_staff": ("工号 {value} 不在人员名单中：不能记在名单外的人名下",
                            "staff number {value} is not in the staff list: refused"),
    "field_wal_missing": ("data.gpkg 处于 WAL 模式，但没有带回 data.gpkg-wal：如果拷贝时外业软件还开着它，"
                          "或漏拷了 data.gpkg-wal，最后保存的编辑不在其中（读到的最后一条记录：{last}）；"
                          "请关闭外业软件后连同 data.gpkg-wal 一起拷回，再导入一次（已导入的不会重复）",
                          "data.gpkg is in WAL mode but no data.gpkg-wal came back: edits saved "
                          "after the last one read ({last}) may be missing; copy data.gpkg-wal "
                          "too and import again"),
    "field_wal_read": ("data.gpkg-wal 中尚未写回 data.gpkg 的 {pages} 页编辑已一并读入"
                       "（读到的最后一条记录：{last}）{newer}",
                       "{pages} pages of edits in data.gpkg-wal were read too (last record "
                       "{last}){newer}"),
    "field_photo_missing": ("照片 {value} 没有随外业包带回（DCIM 文件夹中没有这个文件）：记录已导入，照片未导入；"
                            "请把外业软件的 DCIM 文件夹一起拷回，再导入一次",
                            "photo {value} did not come back with the package (not in DCIM): the "
                            "record is imported without it; copy the DCIM folder too and import again"),
    "field_photo_refused": ("照片 {value} 未导入：{detail}", "photo {value} not imported: {detail}"),
    "field_other_staff": ("工号 {value} 不是这个外业包的人员（{staff}）：外业包不能替别人记录",
                          "staff number {value} is not this package's officer ({staff})"),
    "field_outside_scope": ("位置（{x0}, {y0}）不在这个外业包的网格内",
                            "location ({x0}, {y0}) is outside this package's cells"),
    "field_enterprise_not_sent": ("企业“{value}”不是这个外业包发出的企业",
                                  "enterprise '{value}' was not sent in this package"),
    "field_finding_without_text": ("勾选了立案上报，但没有填写发现的问题", "opens a case but the finding is empty"),
    "field_reason_required": ("回退须在情况说明中写明原因", "a 回退 needs its reason in the note"),
    "field_case_refused": ("发现的问题不能立案：{detail}；整个外业包未导入，处理后可再次导入",
                           "the finding cannot open a case: {detail}; the package was not "
                           "imported; fix this and import it again"),
    "field_step_refused": ("案件 {case_no} 不能{action}：{detail}", "case {case_no}: {action} refused: {detail}"),
    "field_result_contradiction": ("检查结果为“{value}”却勾选了立案上报：已按发现问题立案",
                                   "result '{value}' but opens a case: the case is opened"),
    "field_conflict": ("{name}：桌面和外业都改过（{fields}），两个版本都已保留，待决定（冲突 {id}）",
                       "{name}: changed at the desk and in the field ({fields}); both kept, "
                       "to decide (conflict {id})"),
    # a crash's half-done action undone when the project was opened (storage/gpkg/connection.py)
    "interrupted_undone": ("上次的操作（pid {pid}：{command}，开始于 {since}）被中断，已撤销；"
                           "项目保持该操作之前的状态",
                           "the last action (pid {pid}: {command}, started {since}) was "
                           "interrupted and undone; the project is as it was before it"),
    "interrupted_undone_unknown": ("上次被中断的操作已撤销；项目保持该操作之前的状态",
                                   "an interrupted action was undone; the project is as it "
                                   "was before it"),
    "field_enterprise_gone": ("企业 {value} 已不在项目中：外业的修改未应用",
                              "enterprise {value} is no longer in the project"),
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
    "hierarchy_derived": ("已派生上级", "levels derived"),
    "geometry_repaired": ("几何已修复", "geometry repaired"),
    "repair_failed": ("无法修复", "repair failed"),
    "derived_name_conflict": ("派生名称不一", "derived names differ"),
    "derived_code_made_up": ("派生编码", "code made up"),
    "no_parent_derivable": ("推不出上级", "no parent derivable"),
    "streets_without_district": ("无区边界", "no district boundary"),
    "invalid_geometry_input": ("几何无效", "invalid geometry"),
    "invalid_geometry": ("几何无效", "invalid geometry"), "overlap": ("重叠", "overlap"),
    "gap": ("缝隙", "gap"), "hole": ("空洞", "hole"), "outside_parent": ("越出上级", "outside parent"),
    "duplicate_code": ("编码重复", "duplicate code"), "orphan": ("上级不存在", "orphan"),
    "missing_parent": ("缺上级", "no parent"), "sequence_overflow": ("顺序码溢出", "sequence overflow"),
    "sliver_merged": ("碎片已合并", "slivers merged"), "stray_spaces": ("多余空格", "stray spaces"),
    "invisible_chars": ("不可见字符", "invisible characters"),
    "z_dropped": ("已去掉 Z 值", "Z dropped"),
    "fullwidth_digits": ("全角字符", "full-width"), "crs_override": ("改用坐标系", "CRS override"),
    "bad_coordinates": ("坐标不对", "bad coordinates"),
    "missing_coordinates": ("缺坐标", "no coordinates"),
    "bad_coordinate_text": ("坐标无法识别", "unreadable coordinates"),
    "invalid_credit_code": ("信用代码无效", "invalid credit code"),
    "duplicate_credit_code": ("信用代码重复", "credit code repeated"),
    "shared_credit_code": ("信用代码共用（分支机构）", "shared credit code (branch site)"),
    "shared_credit_code_refused": ("信用代码共用", "shared credit code"),
    "enterprise_shared_credit_code": ("信用代码共用", "shared credit code"),
    "invalid_credit_code_kept": ("信用代码无效（已导入）", "invalid credit code (kept)"),
    "enterprise_bad_credit_code": ("信用代码无效", "invalid credit code"),
    "duplicate_ext_id": ("企业编号重复", "id repeated"), "key_conflict": ("代码与编号冲突", "key conflict"),
    "no_key": ("无代码无编号", "no key"), "credit_code_normalised": ("信用代码已规范", "code normalised"),
    "swapped_coordinates": ("经纬度颠倒", "lon/lat swapped"), "unknown_value": ("未知取值", "unknown value"),
    "unknown_frequency": ("频次无法识别", "unknown frequency"), "bad_phone": ("电话可疑", "phone"),
    "bad_date": ("日期无法识别", "bad date"), "older_inspection": ("检查日期较旧", "older inspection"),
    "no_district": ("无辖区边界", "no district"),
    "coords_assumed": ("坐标系无法区分", "coordinate system unclear"),
    "coords_checked": ("坐标系已试算", "coordinate system checked"),
    "outside_district": ("不在辖区内", "outside district"),
    "no_cells": ("尚无网格", "no cells"), "no_cell": ("不在网格内", "in no cell"),
    "bad_mobile": ("手机号无效", "bad mobile"), "mobile_normalised": ("手机号已规范", "mobile normalised"),
    "missing_staff_no": ("缺工号", "no staff number"), "duplicate_staff_no": ("工号重复", "staff no repeated"),
    "unknown_role": ("未知角色", "unknown role"), "role_alias": ("角色已规范", "role normalised"),
    "assignment_refused": ("未能分配", "not assigned"),
    "cell_without_primary": ("无责任人", "no primary"),
    "cell_without_role": ("缺团队角色", "team role missing"),
    "unknown_dispatch_role": ("派遣角色未知", "unknown dispatch role"),
    "assignment_name_differs": ("姓名与工号不符", "name differs"),
    "earlier_cases_not_reassigned": ("已有案件不改派", "earlier cases stay"),
    "cell_without_supervisor": ("无监管责任人", "no supervisor"),
    "officer_without_area": ("人员未分配", "officer idle"),
    "key_enterprise_without_supervisor": ("重点企业无监管", "key enterprise unsupervised"),
    "responsibilities_closed": ("责任随网格结束", "responsibilities ended"),
    "field_bad_value": ("不在值列表", "not in value list"), "field_missing_value": ("未填写", "empty"),
    "field_bad_time": ("时间无法识别", "bad time"), "field_future_time": ("时间晚于现在", "future time"),
    "field_outside_district": ("不在辖区内", "outside district"),
    "field_no_location": ("无位置", "no location"), "field_unknown_enterprise": ("未知企业", "unknown enterprise"),
    "field_unknown_record": ("未知记录", "unknown record"), "field_unknown_case": ("未知案件", "unknown case"),
    "field_new_enterprise": ("外业新增企业", "new enterprise"), "field_deleted": ("外业删除", "deleted in field"),
    "field_unknown_staff": ("未知工号", "unknown staff"),
    "field_other_staff": ("非本包人员", "other officer"),
    "field_wal_missing": ("缺少 -wal 文件", "-wal missing"),
    "field_wal_read": ("已读入 -wal", "-wal read"),
    "field_photo_missing": ("照片未带回", "photo missing"),
    "field_photo_refused": ("照片未导入", "photo refused"),
    "field_outside_scope": ("不在外业包范围", "outside package"),
    "field_enterprise_not_sent": ("企业不在外业包", "enterprise not sent"),
    "field_finding_without_text": ("立案无问题描述", "empty finding"),
    "field_reason_required": ("回退缺原因", "no reason"), "field_case_refused": ("不能立案", "case refused"),
    "field_step_refused": ("案件操作被拒", "step refused"),
    "field_result_contradiction": ("结果与立案矛盾", "result vs case"), "field_conflict": ("冲突", "conflict"),
    "field_enterprise_gone": ("企业已不在", "enterprise gone"),
    "missing_case_no": ("缺案件编号", "no case number"),
    "duplicate_case_no": ("案件编号重复", "case number repeated"),
    "bad_time": ("时间无法识别", "bad time"), "missing_time": ("缺时间", "no time"),
    "time_order": ("时间先后不对", "times out of order"),
    "negative_limit": ("时限为负", "negative limit"), "bad_limit": ("时限无法识别", "bad limit"),
    "unknown_status": ("未知状态", "unknown status"),
    "unknown_category": ("未知类别", "unknown category"),
    "zero_limit": ("时限为 0", "zero limit"), "limit_units": ("时限单位", "limit units"),
    "category_bare_units": ("时限单位", "limit units"),
    "time_not_exported": ("时间列未导出", "time not exported"),
    "closed_without_time": ("结案无时间", "closed, no time"),
    "case_outside_district": ("不在辖区内", "outside district"),
    "unknown_handler": ("未知处置人", "unknown handler"),
    "unknown_enterprise": ("未知企业", "unknown enterprise"),
    "category_incomplete": ("分类不完整", "incomplete category"),
    "duplicate_category": ("分类编码重复", "category repeated"),
    "category_kind": ("类型不对", "bad kind"), "bad_limit_unit": ("时限单位不对", "bad unit"),
    "bad_limit_text": ("时限不是数字", "limit not a number"),
    "category_in_use": ("分类仍有案件", "category in use"),
    "future_time": ("时间晚于现在", "future time"),
    "status_time_conflict": ("状态与时间矛盾", "status vs time"),
    "limit_too_long": ("时限无法计算", "limit too long"),
    "time_filled": ("时间已补", "time filled in"),
    "reimport_behind": ("文件状态落后", "file behind"),
    "reimport_kept": ("保留已记录的值", "recorded value kept"),
    "reimport_step_order": ("步骤时间早于记录", "step before history"),
}
LAYER_TITLES = {"districts": ("区", "districts"), "streets": ("街道", "streets"),
                "communities": ("社区", "communities"), "cells": ("单元网格", "cells"),
                "enterprises": ("企业", "enterprises"), "officers": ("人员", "officers"),
                "inspections": ("检查记录", "inspections"),
                "case_progress": ("案件进展", "case progress")}


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
