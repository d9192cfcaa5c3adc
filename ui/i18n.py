"""The interface language: Simplified Chinese by default, English on request, via Qt translators.

Source strings in ui/ and maps/ are Chinese (``self.tr("导入")``,
``QCoreApplication.translate(ctx, "…")``); English comes from ``ui/i18n/gridmgr_en.qm``, compiled
from ``ui/i18n/gridmgr_en.ts`` by ``scripts/update_translations.sh``.  Chinese therefore needs no
translator of ours, only Qt's own ``qtbase_zh_CN`` for the buttons and dialogs Qt draws itself.

The language is chosen, first match wins, from: an explicit argument (``gridmgr gui --lang en``,
which the CLI passes on as ``GRIDMGR_LANG``), the environment variable ``GRIDMGR_LANG``, the
choice saved in QSettings by the language menu (:func:`remember_language`), then ``zh``.

Widgets take their texts when they are built: after :func:`set_language` at run time, windows
opened afterwards speak the new language; the ones already open keep theirs until a restart.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu

from gridmgr import messages
from gridmgr.cases import notes as case_notes

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
ENV_VAR = "GRIDMGR_LANG"
SETTINGS_KEY = "language"
# each language named in itself, for the language menu (never translated)
LANGUAGE_NAMES = {"zh": "简体中文", "en": "English"}
TRANSLATIONS_DIR = Path(__file__).resolve().with_name("i18n")
# Qt's file name for each language: ours is gridmgr_<x>.qm, Qt's own qtbase_<x>.qm
QT_LOCALE = {"zh": "zh_CN", "en": "en"}
_LOCALE = {"zh": "zh_CN", "en": "en_US"}  # numbers and dates in widgets (QDateEdit…)

_installed: list[QTranslator] = []  # kept referenced: a collected translator stops translating

# Words the core hands to the interface as data (levels, roles, code schemes): their English
# lives in the "Terms" context; tests/test_i18n.py checks that every core value is listed here.
TERMS = (
    QT_TRANSLATE_NOOP("Terms", "区"), QT_TRANSLATE_NOOP("Terms", "街道"),
    QT_TRANSLATE_NOOP("Terms", "社区"), QT_TRANSLATE_NOOP("Terms", "单元网格"),
    QT_TRANSLATE_NOOP("Terms", "网格员"), QT_TRANSLATE_NOOP("Terms", "执法队员"),
    QT_TRANSLATE_NOOP("Terms", "区级监管责任人"), QT_TRANSLATE_NOOP("Terms", "信息采集员"),
    QT_TRANSLATE_NOOP("Terms", "网格长"), QT_TRANSLATE_NOOP("Terms", "协管员"),
    QT_TRANSLATE_NOOP("Terms", "监督员"),
    QT_TRANSLATE_NOOP("Terms", "全国单元网格编码 CJ/T 213（14 位）"),
    QT_TRANSLATE_NOOP("Terms", "北京 DB11 单元网格编码（15 位）"),
    QT_TRANSLATE_NOOP("Terms", "本网格"), QT_TRANSLATE_NOOP("Terms", "社区兜底"),
    QT_TRANSLATE_NOOP("Terms", "街道兜底"), QT_TRANSLATE_NOOP("Terms", "区兜底"),
    # supervision classes (the map's legend)
    QT_TRANSLATE_NOOP("Terms", "国控"), QT_TRANSLATE_NOOP("Terms", "省控"),
    QT_TRANSLATE_NOOP("Terms", "市控"), QT_TRANSLATE_NOOP("Terms", "一般"),
    # environmental-behaviour ratings (gridmgr.registers.enterprises.RATINGS)
    QT_TRANSLATE_NOOP("Terms", "绿"), QT_TRANSLATE_NOOP("Terms", "蓝"),
    QT_TRANSLATE_NOOP("Terms", "黄"), QT_TRANSLATE_NOOP("Terms", "红"),
    QT_TRANSLATE_NOOP("Terms", "黑"),
)

# The grid systems every project starts with (gridmgr/storage/gpkg/schema.py GRID_SYSTEMS): their
# shipped names are vocabulary; a system a bureau added or renamed keeps the name it was given.
GRID_SYSTEM_NAMES = {"urban": QT_TRANSLATE_NOOP("GridSystem", "城管单元网格"),
                     "env": QT_TRANSLATE_NOOP("GridSystem", "环保网格")}

# Where a case came from (gridmgr.cases.lifecycle.SOURCES), stored in Chinese
CASE_SOURCES = (
    QT_TRANSLATE_NOOP("CaseSource", "市民投诉"), QT_TRANSLATE_NOOP("CaseSource", "12345热线"),
    QT_TRANSLATE_NOOP("CaseSource", "巡查上报"), QT_TRANSLATE_NOOP("CaseSource", "视频抓拍"),
    QT_TRANSLATE_NOOP("CaseSource", "巡检发现"), QT_TRANSLATE_NOOP("CaseSource", "信访"),
    QT_TRANSLATE_NOOP("CaseSource", "上级交办"),
)

# The step notes gridmgr writes itself (gridmgr.cases.notes.TEMPLATES), by key
STEP_NOTES = {"imported": QT_TRANSLATE_NOOP("StepNote", "导入：外部状态 {status}"),
              "dispatched": QT_TRANSLATE_NOOP("StepNote", "派遣给 {staff}"),
              "approved": QT_TRANSLATE_NOOP("StepNote", "{note}（批准人：{approver}）")}


def term(text: str) -> str:
    """A core word (level, role, code scheme) in the interface language; unknown ones pass."""
    return QCoreApplication.translate("Terms", text)


# A case's statuses and the actions of its workflow (gridmgr.cases.workflow) are data too; the same
# Chinese word can be both (受理: "Accepted" as a status, "Accept" on a button), hence two contexts.
CASE_STATUSES = (
    QT_TRANSLATE_NOOP("CaseStatus", "受理"), QT_TRANSLATE_NOOP("CaseStatus", "立案"),
    QT_TRANSLATE_NOOP("CaseStatus", "派遣"), QT_TRANSLATE_NOOP("CaseStatus", "处置"),
    QT_TRANSLATE_NOOP("CaseStatus", "反馈"), QT_TRANSLATE_NOOP("CaseStatus", "核查"),
    QT_TRANSLATE_NOOP("CaseStatus", "结案"), QT_TRANSLATE_NOOP("CaseStatus", "作废"),
    QT_TRANSLATE_NOOP("CaseStatus", "挂账"),
)
CASE_ACTIONS = (
    QT_TRANSLATE_NOOP("CaseAction", "受理"), QT_TRANSLATE_NOOP("CaseAction", "核实"),
    QT_TRANSLATE_NOOP("CaseAction", "立案"), QT_TRANSLATE_NOOP("CaseAction", "派遣"),
    QT_TRANSLATE_NOOP("CaseAction", "处置"), QT_TRANSLATE_NOOP("CaseAction", "反馈"),
    QT_TRANSLATE_NOOP("CaseAction", "核查通过"), QT_TRANSLATE_NOOP("CaseAction", "结案"),
    QT_TRANSLATE_NOOP("CaseAction", "作废"), QT_TRANSLATE_NOOP("CaseAction", "回退"),
    QT_TRANSLATE_NOOP("CaseAction", "延期"), QT_TRANSLATE_NOOP("CaseAction", "返工"),
    QT_TRANSLATE_NOOP("CaseAction", "挂账"), QT_TRANSLATE_NOOP("CaseAction", "督办"),
)

# what each action does (gridmgr.cases.workflow.RULES[…].what): the action form's heading, the tooltips
CASE_ACTION_HINTS = (
    QT_TRANSLATE_NOOP("CaseActionHint", "核实问题属实"),
    QT_TRANSLATE_NOOP("CaseActionHint", "符合立案条件，立案"),
    QT_TRANSLATE_NOOP("CaseActionHint", "派遣给责任人处置"),
    QT_TRANSLATE_NOOP("CaseActionHint", "责任人接收并开始处置"),
    QT_TRANSLATE_NOOP("CaseActionHint", "处置完毕，反馈结果"),
    QT_TRANSLATE_NOOP("CaseActionHint", "现场核查，问题已解决"),
    QT_TRANSLATE_NOOP("CaseActionHint", "结案"),
    QT_TRANSLATE_NOOP("CaseActionHint", "不予立案或作废（须写明理由）"),
    QT_TRANSLATE_NOOP("CaseActionHint", "非本单位职责，退回重新派遣（须写明理由）"),
    QT_TRANSLATE_NOOP("CaseActionHint", "延长处置时限（须写明理由、批准人和新的截止时间）"),
    QT_TRANSLATE_NOOP("CaseActionHint", "核查未通过，返回重新处置（须写明原因）"),
    QT_TRANSLATE_NOOP("CaseActionHint", "暂时无法解决，挂账（须书面说明）"),
    QT_TRANSLATE_NOOP("CaseActionHint", "挂牌督办（须写明督办要求）"),
)


def system_name(code: str, name: str | None) -> str:
    """A grid system's name as shown: the shipped ones in the interface language."""
    if name and GRID_SYSTEM_NAMES.get(code) == name:
        return QCoreApplication.translate("GridSystem", name)
    return name or code


def source_term(source: str | None) -> str:
    """A case's source (stored in Chinese; a source from an imported file passes as it is)."""
    return QCoreApplication.translate("CaseSource", source) if source else ""


def step_note(note: str | None) -> str:
    """A step's note: the ones gridmgr wrote in the interface language, a person's as typed."""
    found = case_notes.parse(note)
    if found is None:
        return note or ""
    key, fields = found
    return QCoreApplication.translate("StepNote", STEP_NOTES[key]).format(**fields)


def action_hint(text: str) -> str:
    """A workflow rule's explanation (``RULES[action].what``) in the interface language."""
    return QCoreApplication.translate("CaseActionHint", text)


def status_term(status: str) -> str:
    """A case status (stored in Chinese) as the interface shows it."""
    return QCoreApplication.translate("CaseStatus", status)


def action_term(action: str) -> str:
    """A workflow action (stored in Chinese) as its button and the case history show it."""
    return QCoreApplication.translate("CaseAction", action)


def normalise(lang: str | None) -> str | None:
    """``"en"``, ``"en_US"``, ``"English"`` → ``"en"``; ``"zh"``, ``"zh_CN"`` → ``"zh"``;
    anything else (or nothing) → None, so that the next source of a choice is asked."""
    text = (lang or "").strip().lower()
    if text.startswith("en"):
        return "en"
    if text.startswith("zh") or text in ("cn", "chinese", "中文", "简体中文"):
        return "zh"
    return None


def _settings() -> QSettings:
    return QSettings("gridmgr", "gridmgr")


def saved_language() -> str | None:
    """The language the user chose in the menu last time, if any."""
    value = _settings().value(SETTINGS_KEY)
    return normalise(str(value)) if value else None


def remember_language(lang: str) -> None:
    """Save the menu's choice for the next start (an explicit --lang or GRIDMGR_LANG wins)."""
    chosen = normalise(lang)
    if chosen is None:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    _settings().setValue(SETTINGS_KEY, chosen)


def chosen_language(explicit: str | None = None) -> str:
    """The language to start in: ``explicit`` > ``GRIDMGR_LANG`` > saved choice > zh."""
    return (normalise(explicit) or normalise(os.environ.get(ENV_VAR)) or saved_language()
            or DEFAULT)


def current_language() -> str:
    """The language :func:`set_language` installed last (zh before any call)."""
    return messages.language()


def remove_translators(app: QCoreApplication) -> None:
    """Take out the translators :func:`set_language` installed (Chinese sources show again)."""
    while _installed:
        app.removeTranslator(_installed.pop())


def set_language(app: QCoreApplication, lang: str) -> str:
    """Install the translators of ``lang`` ("zh" or "en") on ``app``, replacing earlier ones:
    Qt's own ``qtbase_<lang>`` and, for English, ``gridmgr_en.qm``.  Core sentences (findings,
    finding kinds) follow through :func:`gridmgr.messages.set_language`.  Returns the language."""
    chosen = normalise(lang)
    if chosen is None:
        raise ValueError(f"unknown language {lang!r}; one of {', '.join(LANGUAGES)}")
    remove_translators(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_own = QTranslator(app)
    if qt_own.load(f"qtbase_{QT_LOCALE[chosen]}", qt_dir):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    if chosen != "zh":  # the sources are Chinese: only other languages need our file
        ours = QTranslator(app)
        if not ours.load(f"gridmgr_{chosen}", str(TRANSLATIONS_DIR)):
            raise FileNotFoundError(TRANSLATIONS_DIR / f"gridmgr_{chosen}.qm")
        app.installTranslator(ours)
        _installed.append(ours)
    QLocale.setDefault(QLocale(_LOCALE[chosen]))
    messages.set_language(chosen)
    return chosen


def add_language_menu(menu: QMenu, app: QCoreApplication) -> QMenu:
    """A 语言/Language submenu of ``menu``: choosing installs the language at once (windows opened
    from then on use it), saves it for the next start, and says that open windows follow after
    a restart."""
    sub = menu.addMenu(QCoreApplication.translate("LanguageMenu", "语言 Language"))
    group = QActionGroup(sub)
    for lang, name in LANGUAGE_NAMES.items():
        action = sub.addAction(name)
        action.setCheckable(True)
        action.setChecked(lang == current_language())
        action.setData(lang)
        group.addAction(action)
        action.triggered.connect(lambda _=False, lang=lang: _choose(app, lang, sub))
    sub.addSeparator()
    note = sub.addAction(QCoreApplication.translate("LanguageMenu", "重新启动后，已打开的窗口也随之改变"))
    note.setEnabled(False)
    return sub


def _choose(app: QCoreApplication, lang: str, sub: QMenu) -> None:
    remember_language(lang)
    set_language(app, lang)
    for action in sub.actions():
        if action.data():
            action.setChecked(action.data() == lang)


def install(app: QCoreApplication, explicit: str | None = None) -> str:
    """At start-up: install the language :func:`chosen_language` picks; returns it."""
    return set_language(app, chosen_language(explicit))
