"""One case: its fields, photos, the timeline of every step, and the actions it allows now.

Nothing here decides anything: the buttons are :func:`gridmgr.cases.workflow.allowed_actions` of the
case's status, a button's form asks for what :data:`gridmgr.cases.workflow.RULES` says the action
needs, and :func:`gridmgr.cases.transition` applies it (or refuses with a message, shown with
its title).  A 返工 reason is the first thing on the page, in red, because the handler must read
it before anything else.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, QUrl, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gridmgr.cases import lifecycle as cases
from gridmgr.cases import workflow
from gridmgr.errors import GridmgrError
from gridmgr.project import open_project
from gridmgr.storage import Store
from maps.case_layer import OVERDUE_COLOUR, status_colour
from ui import outside
from ui.buttons import ok_cancel
from ui.i18n import action_hint, action_term, source_term, status_term, step_note
from ui.plain import error_box

BUTTONS_PER_ROW = 4
THUMB = 128  # px: the longer side of a photo thumbnail
TIME_FORMAT = "yyyy-MM-dd HH:mm"


# --------------------------------------------------------------------------- small helpers

def named(name: Any, code: Any) -> str:
    """“名称（编码）”, with the brackets of the interface language."""
    return QCoreApplication.translate("CaseDetail", "{name}（{code}）").format(name=name, code=code)


def officer_combo(officers: Sequence[dict[str, Any]], blank: str | None = None,
                  current: str | None = None) -> QComboBox:
    """An editable combo of officers (“姓名（工号）”, data = staff number) that completes on any
    part of the text; ``blank`` is a first item with no officer."""
    box = QComboBox()
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    if blank is not None:
        box.addItem(blank, None)
    for o in officers:
        box.addItem(named(o["name"], o["staff_no"]), o["staff_no"])
    completer = box.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    set_staff(box, current)
    return box


def set_staff(box: QComboBox, staff_no: str | None) -> None:
    i = box.findData(staff_no) if staff_no else -1
    box.setCurrentIndex(i if i >= 0 else 0)


def combo_staff(box: QComboBox) -> str | None:
    """The staff number a combo of :func:`officer_combo` names: the chosen item, or typed text
    (a staff number the core will check)."""
    text = box.currentText().strip()
    i = box.findText(text)
    if i >= 0:
        return box.itemData(i)
    return text or None


def to_qdatetime(text: str | None) -> QDateTime:
    """A stored time (Beijing, no zone) as a QDateTime; None is now in Beijing — what the
    cases store, whatever zone this computer is set to."""
    return QDateTime(datetime.fromisoformat(text or cases.now_local()))


def from_qdatetime(edit: QDateTimeEdit) -> str:
    return edit.dateTime().toPython().replace(second=0, microsecond=0).isoformat()


def datetime_edit(text: str | None) -> QDateTimeEdit:
    edit = QDateTimeEdit(to_qdatetime(text))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(TIME_FORMAT)
    return edit


def shown_time(text: str | None) -> str:
    return (text or "").replace("T", " ")[:16]


# --------------------------------------------------------------------------- the action form

class ActionDialog(QDialog):
    """The small form one action needs: who and when always; the note (required for 作废, 回退,
    延期, 返工, 挂账 and 督办); the approver and new deadline for 延期; the officer for 派遣."""

    def __init__(self, project: Path, case: dict[str, Any], action: str,
                 officers: Sequence[dict[str, Any]], *, operator: str | None = None,
                 default_handler: tuple[str | None, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.case, self.action = project, case, action
        self.rule = workflow.RULES[action]
        self.result_row: dict[str, Any] | None = None
        self._seen = outside.mark(self)  # another desk's step before this one is noticed
        self.error: tuple[str, str] | None = None  # (title, text) of the last refusal
        self.setWindowTitle(self.tr("{action} — 案件 {no}").format(action=action_term(action),
                                                                 no=case["case_no"]))
        form = QFormLayout(self)
        what = QLabel(action_hint(self.rule.what))
        what.setWordWrap(True)
        form.addRow(what)
        self.by = officer_combo(officers, self.tr("（不记录）"), operator)
        form.addRow(self.tr("操作人："), self.by)
        self.at = datetime_edit(None)
        form.addRow(self.tr("操作时间："), self.at)
        self.handler: QComboBox | None = None
        if action == "派遣":
            staff, text = default_handler or (None, self.tr("按属地自动确定"))
            self.handler = officer_combo(officers, self.tr("属地责任人：{who}").format(who=text))
            form.addRow(self.tr("派遣给："), self.handler)
        self.approver: QComboBox | None = None
        self.due: QDateTimeEdit | None = None
        if self.rule.approver:
            self.approver = officer_combo(officers, self.tr("（请选择）"))
            form.addRow(self.tr("批准人（必填）："), self.approver)
        if self.rule.new_due:
            current = case.get("dispose_due_at")
            now = datetime.fromisoformat(cases.now_local())
            base = max(datetime.fromisoformat(current), now) if current else now
            self.due = datetime_edit((base + timedelta(days=3)).replace(second=0).isoformat())
            form.addRow(self.tr("现截止时间："), QLabel(shown_time(current) or self.tr("（无）")))
            form.addRow(self.tr("新的截止时间："), self.due)
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(80)
        self.note.setPlaceholderText(self.tr("理由、说明") if self.rule.note
                                     else self.tr("说明（可不填）"))
        form.addRow(self.tr("说明（必填）：") if self.rule.note else self.tr("说明："), self.note)
        form.addRow(ok_cancel(self, action_term(action), self.apply))
        self.setMinimumWidth(420)

    def apply(self) -> None:
        """Apply the action through the core; a refusal is shown and the form stays open."""
        if outside.changed_since(self, self._seen):  # the window reloaded and said so
            self._seen = outside.mark(self)
            return
        handler = None
        if self.handler is not None and self.handler.currentIndex() != 0:
            handler = combo_staff(self.handler)
        try:
            with open_project(self.project) as store:
                self.result_row = cases.transition(
                    store, self.case["case_no"], self.action, by=combo_staff(self.by),
                    at=from_qdatetime(self.at), note=self.note.toPlainText().strip() or None,
                    due=from_qdatetime(self.due) if self.due is not None else None,
                    approver=combo_staff(self.approver) if self.approver is not None else None,
                    handler=handler)
        except GridmgrError as exc:
            self.error = (exc.title, str(exc))
            error_box(self, exc.title, str(exc))
            return
        self.accept()


# --------------------------------------------------------------------------- the case page

class _Page(QTextBrowser):
    """The case's fields, photos and timeline; photo thumbnails come from ``images``."""

    def __init__(self) -> None:
        super().__init__()
        self.images: dict[str, QImage] = {}

    def loadResource(self, kind: int, url: QUrl) -> Any:
        image = self.images.get(url.toString())
        return image if image is not None else super().loadResource(kind, url)


class CaseDetail(QWidget):
    """The page of one case; ``changed(case_no)`` after a step was recorded."""

    changed = Signal(str)
    locate = Signal(str)  # “在地图上查看”

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Path | None = None
        self.store: Store | None = None
        self.operator: str | None = None  # the staff number acting at this desk
        self.case_no: str | None = None
        self.info: dict[str, Any] | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.dialog: ActionDialog | None = None

        self.rework = QLabel()
        self.rework.setObjectName("rework")
        self.rework.setWordWrap(True)
        self.rework.setTextFormat(Qt.TextFormat.PlainText)
        self.rework.setStyleSheet(
            f"QLabel#rework {{ background: #fef2f2; color: #991b1b; border: 2px solid "
            f"{OVERDUE_COLOUR}; border-radius: 4px; padding: 8px; font-size: 15px; "
            "font-weight: bold; }")
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.actions_row = QGridLayout()  # BUTTONS_PER_ROW a row: a narrow dock wraps them
        self.actions_hint = QLabel()
        # fields, photos and timeline: one rich-text page that wraps and scrolls by itself
        self.body = _Page()
        self.body.setOpenLinks(False)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.steps: list[dict[str, Any]] = []  # the timeline shown
        self.thumbnails: list[QImage] = []  # the photos shown

        head = QVBoxLayout()
        head.addWidget(self.rework)
        head.addWidget(self.title)
        head.addLayout(self.actions_row)
        head.addWidget(self.actions_hint)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self._rule())
        lay.addWidget(self.body, 1)
        self.clear()

    @staticmethod
    def _rule() -> QFrame:
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        return line

    def set_project(self, project: Path | None, store: Store | None) -> None:
        """The project (written through its own connection) and a read-only store to read."""
        self.project, self.store = project, store
        self.clear()

    def clear(self) -> None:
        self.case_no, self.info = None, None
        self.rework.hide()
        self.title.setText(self.tr("在左侧列表中选择一个案件。"))
        self._set_buttons([])
        self.actions_hint.setText("")
        self.steps, self.thumbnails = [], []
        self.body.images = {}
        self.body.clear()

    # -- showing
    def show_case(self, case_no: str) -> bool:
        """Show a case (False, and a cleared page, when the project has no such case)."""
        if self.store is None:
            return False
        try:
            info = cases.timeline(self.store, case_no)
        except GridmgrError:
            self.clear()
            return False
        self.case_no, self.info = case_no, info
        case = info["case"]
        overdue = self.store.case_overdue(case_no, cases.now_local())
        self._show_rework(info)
        colour = status_colour(case["status"])
        badge = (f'<span style="background:{colour}; color:white; padding:2px 6px;">'
                 f'&nbsp;{html.escape(status_term(case["status"]))}&nbsp;</span>')
        late = (f' <span style="color:{OVERDUE_COLOUR}; font-weight:bold;">'
                + self.tr("已超期（截止 {due}）").format(due=shown_time(case["due_at"]))
                + "</span>") if overdue else ""
        sup = (' <span style="color:#b91c1c;">' + self.tr("【挂牌督办】") + "</span>"
               if case["supervised"] else "")
        word = self.tr("案件")
        self.title.setText(f'<span style="font-size:16px; font-weight:bold;">'
                           f'{word} {html.escape(case["case_no"])}</span> {badge}{late}{sup}')
        allowed = info["allowed"]
        self._set_buttons(allowed)
        self.actions_hint.setText(
            self.tr("可办理：{a}").format(a=self.tr("、").join(map(action_term, allowed)))
            if allowed
            else self.tr("案件已{s}，不能再办理。").format(s=status_term(case["status"])))
        self._show_body(info, self.store.photos(case["uuid"]))
        return True

    def _show_rework(self, info: dict[str, Any]) -> None:
        reason = info["rework_reason"]
        if not reason:
            self.rework.hide()
            return
        steps = [s for s in info["steps"] if s["action"] == "返工"]
        last = steps[-1]
        who = last["by_name"] or last["by_staff_no"] or ""
        head = self.tr("返工原因（第 {n} 次返工，{at}{who}）：").format(
            n=len(steps), at=shown_time(last["at"]), who=f"，{who}" if who else "")
        self.rework.setText(f"{head}\n{reason}")
        self.rework.show()

    def _set_buttons(self, actions: list[str]) -> None:
        for b in self.buttons.values():
            self.actions_row.removeWidget(b)
            b.hide()  # gone now, not only once the event loop deletes it
            b.deleteLater()
        self.buttons = {}
        shown: list[tuple[str, QPushButton]] = []
        for action in actions:
            b = QPushButton(action_term(action))
            b.setObjectName(f"action_{action}")
            b.setToolTip(action_hint(workflow.RULES[action].what))
            b.clicked.connect(lambda _=False, a=action: self.open_action(a))
            shown.append((action, b))
        if self.case_no:
            where = QPushButton(self.tr("在地图上查看"))
            where.clicked.connect(lambda: self.locate.emit(self.case_no or ""))
            shown.append(("_locate", where))
        for i, (key, b) in enumerate(shown):
            self.actions_row.addWidget(b, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
            self.buttons[key] = b

    def _show_body(self, info: dict[str, Any], photos: list[dict[str, Any]]) -> None:
        self.body.images = {}
        html_parts = [self._fields_html(info), self._photos_html(photos),
                      self._steps_html(info["steps"])]
        self.body.setHtml("".join(html_parts))

    def _fields_html(self, info: dict[str, Any]) -> str:
        assert self.store is not None
        case, cat, ent = info["case"], info["category"] or {}, info["enterprise"] or {}
        system = case["system"] or "urban"

        def area(level: str, code: str | None) -> str:
            if not code:
                return self.tr("（无）")
            brief = self.store.area_brief(level, system, code) if self.store else None
            return named(brief["name"], code) if brief and brief["name"] else code

        handler = "" if not case["handler_staff_no"] else self._officer(case["handler_staff_no"])
        category = (f"{cat.get('kind') or ''} › {cat.get('major_name') or ''} › "
                    + named(cat.get("name") or "", cat.get("code")) if cat
                    else case["category_code"] or self.tr("（未分类）"))
        rows = [
            (self.tr("来源"), source_term(case["source"])),
            (self.tr("类别"), category),
            (self.tr("问题描述"), case["description"]),
            (self.tr("地址"), case["address"]),
            (self.tr("关联企业"), named(ent["name"], ent.get("credit_code") or "")
             if ent else self.tr("（无）")),
            (self.tr("上报时间"), shown_time(case["reported_at"])),
            (self.tr("上报人"), case["reporter"]),
            (self.tr("街道"), area("street", case["street_code"])),
            (self.tr("社区"), area("community", case["community_code"])),
            (self.tr("单元网格"), area("cell", case["cell_code"])),
            (self.tr("处置人"), handler or self.tr("（未派遣）")),
            (self.tr("立案时间"), shown_time(case["registered_at"])),
            (self.tr("派遣时间"), shown_time(case["dispatched_at"])),
            (self.tr("处置截止"), shown_time(case["dispose_due_at"])),
            (self.tr("当前环节截止"), shown_time(case["due_at"])),
            (self.tr("结案时间"), shown_time(case["closed_at"])),
            (self.tr("返工 / 延期"), self.tr("{r} 次 / {e} 次").format(
                r=case["rework_count"], e=case["extension_count"])),
        ]
        if cat.get("close_condition"):
            rows.append((self.tr("结案条件"), cat["close_condition"]))
        if case["ext_no"]:
            rows.append((self.tr("外部编号"), named(case["ext_no"], case["ext_status"] or "")))
        colon = self.tr("{label}：")  # not inside the f-string: lupdate would not see it
        cells = "".join(
            f'<tr><td style="color:#475569; white-space:nowrap; padding-right:8px;" '
            f'align="right">{html.escape(colon.format(label=label))}</td><td>'
            f'{html.escape("" if value is None else str(value))}</td></tr>'
            for label, value in rows)
        return f'<table cellspacing="2">{cells}</table>'

    def _officer(self, staff_no: str) -> str:
        o = self.store.officer_by_staff_no(staff_no) if self.store else None
        if not o:
            return staff_no
        if o.get("mobile"):
            return self.tr("{name}（{staff}，{phone}）").format(name=o["name"], staff=staff_no,
                                                              phone=o["mobile"])
        return named(o["name"], staff_no)

    def _photos_html(self, photos: list[dict[str, Any]]) -> str:
        """Thumbnails of the photos kept in the project, as images of the page's document."""
        self.thumbnails = []
        if not photos:
            return ""
        title = self.tr("照片")
        out = [f"<h4>{title}</h4><p>"]
        for i, p in enumerate(photos):
            image = QImage()
            name = html.escape(p["name"] or "")
            if image.loadFromData(bytes(p["data"])):
                thumb = image if max(image.width(), image.height()) <= THUMB else image.scaled(
                    THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation)
                url = f"photo:{i}"
                self.body.images[url] = thumb
                self.thumbnails.append(thumb)
                out.append(f'<img src="{url}" width="{thumb.width()}" '
                           f'height="{thumb.height()}" title="{name}"> &nbsp;')
            else:
                out.append(html.escape(self.tr("{name}（无法显示）").format(name=p["name"])))
        return "".join(out) + "</p>"

    def _steps_html(self, steps: list[dict[str, Any]]) -> str:
        """The timeline: when, what (and the status it led to), who, the note and the deadline
        the step set; 返工 in red."""
        self.steps = steps
        # headings never wrap or break inside a word; the note takes what is left
        head = "".join(f'<th align="left" style="white-space:nowrap;"{w}>{html.escape(h)}</th>'
                       for h, w in ((self.tr("时间"), ""), (self.tr("操作"), ""),
                                    (self.tr("操作人"), ""), (self.tr("说明"), ' width="45%"')))
        rows = []
        for s in steps:
            what = html.escape(action_term(s["action"]))
            if s["to_status"] and s["to_status"] != s["action"]:
                what += f"<br>→ {html.escape(status_term(s['to_status']))}"
            who = s["by_name"] or ""
            if s["by_staff_no"]:
                who = named(who, s["by_staff_no"]) if who else s["by_staff_no"]
            note = html.escape(step_note(s["note"]))
            if s["due_at"]:
                note += ("<br>" if note else "") + html.escape(self.tr("截止 {t}").format(
                    t=shown_time(s["due_at"])))
            colour = ' style="color:#991b1b;"' if s["action"] == "返工" else ""
            when = html.escape(shown_time(s["at"])).replace(" ", "<br>", 1)  # date, then time
            rows.append(f'<tr{colour}><td style="white-space:nowrap;">{when}</td>'
                        f'<td style="white-space:nowrap;">{what}</td>'
                        f"<td>{html.escape(who)}</td><td>{note}</td></tr>")
        title = self.tr("办理经过")
        return (f"<h4>{title}</h4>"
                '<table border="1" cellspacing="0" cellpadding="3" width="100%" '
                'style="border-collapse: collapse; border-color: #cbd5e1;">'
                f"<tr style=\"background:#f1f5f9;\">{head}</tr>{''.join(rows)}</table>")

    # -- acting
    def open_action(self, action: str) -> ActionDialog | None:
        """The form of one allowed action (non-modal; ``changed`` once it is applied)."""
        if self.info is None or self.project is None or self.store is None:
            return None
        case = self.info["case"]
        officers = self.store.officers().to_dict("records")
        default = None
        if action == "派遣":
            staff, level = cases.Dispatcher(self.store, case["system"] or "urban").for_category(
                self.store, case["category_code"], case["cell_code"], case["community_code"],
                case["street_code"], case["reported_at"])
            default = (staff, self._officer(staff) if staff else self.tr("（无，须指定）"))
        self.dialog = ActionDialog(self.project, case, action, officers,
                                   operator=self.operator, default_handler=default, parent=self)
        self.dialog.accepted.connect(self._applied)
        self.dialog.open()
        return self.dialog

    def _applied(self) -> None:
        if self.case_no:
            self.show_case(self.case_no)
            self.changed.emit(self.case_no)
