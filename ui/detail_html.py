"""The detail panel's text for an area, an enterprise or an officer (rich text for a QLabel).

Display only: every fact comes from :mod:`gridmgr.outputs.details` / :func:`gridmgr.registers.responsibility.
cell_details`.  Links (``cell:…``, ``area:…``, ``officer:…``, ``enterprise:…``) let the panel
select in the rest of the window.  Texts go through Qt's translation (see tr() below).
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication

from gridmgr.levels import LEVEL_ZH
from gridmgr.registers.responsibility import FROM_ZH


def tr(text: str) -> str:
    # lupdate files a tr() call outside a class under the empty context; the core's words
    # passed in as values (levels, 兜底 sources) are in "Terms" (ui/i18n.py)
    out = QCoreApplication.translate("", text)
    return out if out != text else QCoreApplication.translate("Terms", text)


# U+2003 (em space) indents and separates in both languages: U+3000, the ideographic space,
# is a full-width character that has no place in an English line
GAP = "\u2003"


def _colon(label: str, value: str) -> str:
    """“标题：值” / "Title: value" (``value`` is HTML already)."""
    return tr("{label}：{value}").format(label=label, value=value)


def _brackets(text: str) -> str:
    """“（…）” / " (…)"."""
    return tr("（{text}）").format(text=text)


def _link(kind: str, key: str | None, text: str | None) -> str:
    if not key:
        return escape(text or "—")
    return f"<a href='{kind}:{escape(key)}'>{escape(text or key)}</a>"


def _person(title: str, name: str | None, mobile: str | None, staff: str | None,
            source: str | None) -> str:
    if not name and not staff:
        missing = tr("未落实")
        return "<br>" + _colon(title, f"<span style='color:#b91c1c'>{missing}</span>")
    src = FROM_ZH.get(source or "", "")
    via = _brackets(tr(src)) if src and src != "本网格" else ""
    return "<br>" + _colon(title, f"{_link('officer', staff, name or staff)} "
                                  f"{escape(mobile or '')}{via}")


def _enterprise_lines(listed: list[dict[str, Any]], total: int, key: int) -> str:
    html = "<br>" + tr("企业 {n} 家，其中重点 {k} 家").format(n=total, k=key)
    for e in listed[:6]:
        html += (f"<br>{GAP}· "
                 f"{_link('enterprise', e.get('credit_code') or e.get('uuid'), e['name'])}"
                 + _brackets(escape(tr(e.get("supervision_class") or "—"))))
    if total > 6:
        html += f"<br>{GAP}… " + tr("另有 {n} 家").format(n=total - 6)
    return html


def _title(p: dict[str, Any]) -> str:
    """A team member's title: the role (网格员, 执法队员 …); a slot nobody holds says so."""
    if p.get("role"):
        return tr(p["role"])
    return {"primary": tr("责任人"), "supervisor": tr("区级监管责任人")}.get(p["slot"], "")


def area_html(code: str, info: dict[str, Any], parent_name: str | None,
              area: dict[str, Any] | None = None) -> str:
    """A cell, community or street (``area``: :func:`gridmgr.outputs.details.area_detail`)."""
    level = info.get("level", "")
    size = info.get("area")
    code_word, parent_word = tr("编码"), tr("上级")
    parent = _link("area", info.get("parent"), parent_name or info.get("parent") or "—")
    html = (f"<b>{escape(info.get('name') or code)}</b><br>{tr(LEVEL_ZH.get(level, ''))}"
            f"{GAP}{code_word} {escape(code)}<br>{_colon(parent_word, parent)}<br>"
            + (tr("面积：{ha} 公顷").format(ha=f"{size / 10000:.2f}") if size else ""))
    if area:
        for p in area["people"]:
            html += _person(_title(p), p["name"], p["mobile"], p["staff_no"], p["from"])
        if area["child_level"]:
            html += "<br>" + tr("下辖{level} {n} 个").format(
                level=tr(LEVEL_ZH.get(area["child_level"], "")), n=area["children"])
        html += _enterprise_lines(area["enterprise_list"], area["enterprises"],
                                  area["key_enterprises"])
    return html


def enterprise_html(e: dict[str, Any], cell_name: str | None,
                    people: list[dict[str, Any]] | None) -> str:
    """``people``: the cell's responsible people (:func:`gridmgr.outputs.details.area_detail`)."""
    vocabulary = {k: tr(e[k]) if e.get(k) else None for k in ("supervision_class", "rating")}
    rows = [(tr("统一社会信用代码"), e.get("credit_code")),
            (tr("监管类别"), vocabulary["supervision_class"]),
            (tr("环境信用评价"), vocabulary["rating"]), (tr("行业"), e.get("industry")),
            (tr("地址"), e.get("address")), (tr("联系人"), e.get("contact")),
            (tr("电话"), e.get("phone")), (tr("检查频次"), e.get("inspection_frequency")),
            (tr("上次检查"), e.get("last_inspection"))]
    html = f"<b>{escape(e.get('name') or '')}</b><br>" + tr("企业")
    for title, value in rows:
        if value:
            html += "<br>" + _colon(title, escape(str(value)))
    code = e.get("cell_code")
    html += "<br>" + _colon(tr("所在网格"), _link("cell", code, cell_name or code)
                            + (_brackets(escape(code)) if code and cell_name else ""))
    for p in people or []:
        html += _person(_title(p), p["name"], p["mobile"], p["staff_no"], p["from"])
    return html


def officer_html(o: dict[str, Any], names: dict[str, str]) -> str:
    """``o``: :func:`gridmgr.outputs.details.officer_detail`; ``names``: cell code → name."""
    words = {"officer": tr("人员"), "staff": tr("工号"), "mobile": tr("手机"), "role": tr("角色"),
             "unit": tr("单位")}
    html = (f"<b>{escape(o['name'] or '')}</b><br>{words['officer']}{GAP}{words['staff']} "
            f"{escape(o['staff_no'])}"
            f"<br>{_colon(words['mobile'], escape(o.get('mobile') or '—'))}"
            f"<br>{_colon(words['role'], escape(tr(o.get('role') or '—')))}"
            f"<br>{_colon(words['unit'], escape(o.get('unit') or '—'))}")
    groups = [(tr("负责网格（{role}）").format(role=tr(role)), cells)
              for role, cells in (o.get("roles") or {}).items()]
    if not groups:
        groups = [(tr("负责网格（责任人）"), o["cells"]["primary"]),
                  (tr("监管网格（区级监管责任人）"), o["cells"]["supervisor"])]
    for title, cells in groups:
        html += "<br>" + _colon(title, tr("{n} 个").format(n=len(cells)))
        for c in cells[:8]:
            html += f"<br>{GAP}· {_link('cell', c, names.get(c) or c)} {escape(c)}"
        if len(cells) > 8:
            html += f"<br>{GAP}… " + tr("另有 {n} 个").format(n=len(cells) - 8)
    return html
