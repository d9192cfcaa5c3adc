"""The project's columns as QGIS shows them: a Chinese name per column (GDAL's alternative name,
QGIS's alias) and the closed value lists (GeoPackage enums: QGIS offers them as dropdowns).

Handed to storage as ``ProjectDefaults.value_lists`` by :mod:`gridmgr.project`; storage writes
them into ``gpkg_data_columns`` / ``gpkg_data_column_constraints`` (schema 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..levels import LEVEL_TABLES, LEVEL_ZH
from ..registers.enterprises import RATINGS, SUPERVISION_CLASSES
from ..registers.officers import ROLES
from ..statuses import STATUSES
from .layers import HEADERS_ZH

_AREA = {"code": "编码", "name": "名称", "parent_code": "上级编码", "system": "网格体系",
         "valid_from": "生效日期", "valid_to": "失效日期", "area_m2": "面积(平方米)",
         "source": "来源", "created_at": "创建时间", "uuid": "UUID"}
TITLES: dict[str, dict[str, str]] = {
    **{t: dict(_AREA) for t in LEVEL_TABLES.values()},
    "enterprises": {c: HEADERS_ZH[c] for c in (
        "name", "credit_code", "industry", "supervision_class", "rating", "inspection_frequency",
        "contact", "phone", "address", "last_inspection", "cell_code", "community_code",
        "street_code")} | {"ext_id": "企业编号", "frequency_days": "检查间隔(天)", "uuid": "UUID",
                           "source": "来源", "created_at": "创建时间", "updated_at": "更新时间"},
    "officers": {"staff_no": "工号", "name": "姓名", "mobile": "手机", "role": "角色",
                 "unit": "所属单位", "created_at": "创建时间", "updated_at": "更新时间"},
    "responsibilities": {"staff_no": "工号", "role": "角色", "slot": "职责", "system": "网格体系",
                         "level": "层级", "area_code": "区域编码", "valid_from": "起始日期",
                         "valid_to": "截止日期", "note": "备注", "created_at": "创建时间"},
    "cases": {"case_no": "案件编号", "source": "来源", "category_code": "小类编码",
              "description": "问题描述", "address": "地址", "reported_at": "上报时间",
              "reporter": "上报人", "status": "状态", "system": "网格体系",
              "cell_code": "网格编码", "community_code": "社区编码", "street_code": "街道编码",
              "handler_staff_no": "处置人工号", "registered_at": "立案时间",
              "dispatched_at": "派遣时间", "dispose_due_at": "处置截止", "due_at": "本阶段截止",
              "closed_at": "结案时间", "supervised": "督办", "rework_count": "返工次数",
              "extension_count": "延期次数", "updated_at": "更新时间"},
    "case_transitions": {"case_uuid": "案件UUID", "seq": "序号", "action": "操作",
                         "from_status": "原状态", "to_status": "新状态", "by_staff_no": "工号",
                         "by_name": "姓名", "at": "时间", "note": "说明", "due_at": "截止时间"},
    "inspections": {"enterprise_uuid": "企业UUID", "cell_code": "网格编码",
                    "by_staff_no": "检查人工号", "at": "检查时间", "result": "检查结果",
                    "findings": "发现的问题", "opens_case": "立案上报", "case_category": "案件小类",
                    "case_uuid": "案件UUID"},
    "team_roles": {"name": "角色", "slot": "职责", "multiple": "可多人", "required": "必须有",
                   "sort_order": "排序", "description": "说明"},
    "rectification_notices": {"notice_no": "通知书编号", "colour": "颜色", "issued_at": "签发时间",
                              "deadline": "整改期限"},
}
SLOTS = {"primary": "责任人（网格员/执法队员）", "supervisor": "区级监管责任人",
         "collector": "信息采集员", "member": "团队成员"}
SYSTEMS = {"urban": "城管单元网格", "env": "环保网格"}


def project_value_lists(inspection_results: Sequence[str]) -> dict[str, Any]:
    """The enums and the column names for :class:`~gridmgr.storage.ProjectDefaults`."""
    enums: dict[str, list[tuple[str, str]]] = {
        "case_status": [(s, s) for s in STATUSES],
        # the shipped roles; a project's own role table replaces them (refresh_role_list)
        "officer_role": [(r, r) for r in ROLES],
        "responsibility_slot": list(SLOTS.items()),
        "area_level": [(lv, LEVEL_ZH[lv]) for lv in LEVEL_TABLES],
        "grid_system": list(SYSTEMS.items()),
        "supervision_class": [(c, c) for c in SUPERVISION_CLASSES],
        "environment_rating": [(r, r) for r in RATINGS],
        "inspection_result": [(r, r) for r in inspection_results],
        "notice_colour": [(c, f"{c}色") for c in ("蓝", "黄", "红")],
    }
    bound = {("cases", "status"): "case_status", ("case_transitions", "from_status"):
             "case_status", ("case_transitions", "to_status"): "case_status",
             ("officers", "role"): "officer_role", ("responsibilities", "role"): "officer_role",
             ("responsibilities", "slot"): "responsibility_slot",
             ("team_roles", "slot"): "responsibility_slot",
             ("responsibilities", "level"): "area_level",
             ("responsibilities", "system"): "grid_system", ("cases", "system"): "grid_system",
             ("enterprises", "supervision_class"): "supervision_class",
             ("enterprises", "rating"): "environment_rating",
             ("inspections", "result"): "inspection_result",
             ("rectification_notices", "colour"): "notice_colour"}
    bound |= {(t, "system"): "grid_system" for t in LEVEL_TABLES.values()}
    columns = [(t, c, title, bound.get((t, c))) for t, cols in TITLES.items()
               for c, title in cols.items()]
    return {"enums": enums, "columns": columns}
