"""The print dialog: options, live preview, export through the dialog, "print this view"."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("pytestqt")

from PySide6.QtWidgets import QPushButton

from ui.print_dialog import PrintDialog

COMMUNITY = "440604012001"


def text_of(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def wait_ready(qtbot, dialog: PrintDialog) -> None:
    """The data for the preview are gathered in a worker thread: wait for them."""
    qtbot.waitUntil(lambda: not dialog.preparing(), timeout=60000)


def test_dialog_exports_the_chosen_scope_and_paper(qtbot, demo, tmp_path):
    dialog = PrintDialog(demo, scope="district")
    qtbot.addWidget(dialog)
    assert dialog.scope_value() == "district"
    dialog.set_scope(COMMUNITY)
    dialog.paper.setCurrentText("A4")
    dialog.orientation.setCurrentIndex(1)
    dialog.refresh()
    wait_ready(qtbot, dialog)
    assert dialog.options() == {"scope": COMMUNITY, "atlas": None, "paper": "A4",
                                "landscape": True, "title": None}
    assert "升平社区" in dialog.message.text()
    dialog.grab().save(os.environ.get("PRINT_DIALOG_SHOT", str(tmp_path / "dialog.png")))
    out = tmp_path / "dialog.pdf"
    with qtbot.waitSignal(dialog.exported, timeout=60000) as got:
        dialog.export_to(out)
    result = got.args[0]
    assert result["files"] == [str(out)] and out.exists()
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "842 x 595 pts (A4)" in info  # A4 landscape
    text = text_of(out)
    assert "禅城区祖庙街道升平社区网格化管理责任区域图" in text
    assert not [c for c in result["layout"].job.scope_cells if c not in text]
    assert dialog.job() is not None and dialog.preview.pageCount() >= 1


def test_bad_scope_says_why_and_preview_stays_empty(qtbot, demo):
    dialog = PrintDialog(demo, scope="440604999")
    qtbot.addWidget(dialog)
    wait_ready(qtbot, dialog)
    assert "440604999" in dialog.message.text() and "不存在" in dialog.message.text()
    assert dialog.job() is None


def test_print_this_view_fits_the_extent_and_lists_the_cells_in_it(qtbot, demo, tmp_path):
    dialog = PrintDialog(demo)
    qtbot.addWidget(dialog)
    wait_ready(qtbot, dialog)
    job = dialog.job()
    everything = len(job.scope_cells)
    dialog.print_view((113.10, 23.02, 113.13, 23.04))
    wait_ready(qtbot, dialog)
    job = dialog.job()
    assert 0 < len(job.scope_cells) < everything
    assert {r.code for r in job.rows} == job.scope_cells
    out = tmp_path / "view.pdf"
    with qtbot.waitSignal(dialog.exported, timeout=60000) as got:
        dialog.export_to(out)
    layout = got.args[0]["layout"]
    view, frame = layout.pages[0].view, layout.pages[0].frame
    # the extent is inside the frame: the frame fits it
    x0, y0, x1, y1 = job.extent
    (px0, py1), (px1, py0) = view.to_page(x0, y0), view.to_page(x1, y1)
    assert frame[0] <= px0 < px1 <= frame[2] and frame[1] <= py0 < py1 <= frame[3]


def test_a_long_atlas_previews_its_first_pages_and_says_so(qtbot, demo):
    dialog = PrintDialog(demo)
    qtbot.addWidget(dialog)
    dialog.atlas.setCurrentIndex(2)  # 按社区分幅: 96 communities
    assert dialog.options()["atlas"] == "community"
    wait_ready(qtbot, dialog)
    dialog.preview.updatePreview()
    assert dialog.pages > 96
    assert dialog.preview.pageCount() == 30
    assert f"共 {dialog.pages} 页" in dialog.message.text()


def pdf_printer(out: Path):
    """What 打印… sends to a printer, caught as Qt's PDF printer output ("print to file")."""
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    return printer


def test_the_printer_path_paints_every_page_on_a_qprinter(qtbot, demo, tmp_path):
    dialog = PrintDialog(demo, scope="440604012")
    qtbot.addWidget(dialog)
    out = tmp_path / "printer.pdf"
    printer = pdf_printer(out)
    dialog._setup_printer(printer)
    steps: list[tuple[int, int]] = []
    with qtbot.waitSignal(dialog.printed, timeout=120000) as got:
        runner = dialog.print_to(printer)  # before the preview is ready: the task gathers
        # the painting steps (第 n/N 页), not the gathering's (its total may equal the pages')
        runner.worker.progressed.connect(
            lambda done, total, m: steps.append((done, total)) if m.startswith("第") else None)
    result = got.args[0]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    pages = len(result["layout"].pages)
    assert result["pages"] == pages == dialog.pages and pages > 1
    assert f"Pages:           {pages}" in info and "(A3)" in info
    painted = [d for d, t in steps if t == pages]  # one step per page, up to the last
    assert painted and painted == list(range(painted[0], pages + 1)) and painted[0] <= 1
    text = text_of(out)
    assert "禅城区祖庙街道网格化管理责任区域图" in text
    assert not [c for c in text if 0x2E80 <= ord(c) < 0x2FE0]
    assert not [c for c in result["layout"].job.scope_cells if c not in text]


def test_cancel_stops_printing_before_the_last_page(qtbot, demo, tmp_path):
    dialog = PrintDialog(demo, scope="district")
    qtbot.addWidget(dialog)
    dialog.atlas.setCurrentIndex(2)  # 按社区分幅: over 100 pages
    dialog.paper.setCurrentText("A4")
    wait_ready(qtbot, dialog)
    out = tmp_path / "atlas.pdf"
    printer = pdf_printer(out)
    dialog._setup_printer(printer)
    steps: list[tuple[int, int]] = []
    printed: list = []
    dialog.printed.connect(printed.append)
    runner = dialog.print_to(printer)
    assert runner.dialog is not None  # the progress dialog with 取消
    runner.worker.progressed.connect(lambda done, total, _m: steps.append((done, total)))
    qtbot.waitUntil(lambda: any(d >= 3 for d, _ in steps), timeout=120000)
    with qtbot.waitSignal(runner.cancelled, timeout=120000):
        runner.dialog.findChild(QPushButton).click()  # 取消
    total = steps[0][1]
    painted = max(d for d, _ in steps)
    assert total > 100 and 3 <= painted < total
    assert not printed and not out.exists()  # a cancelled print to file leaves no file
    assert "已送打印" not in dialog.message.text()


def test_options_are_prepared_off_the_gui_thread_and_a_stale_run_is_dropped(
        qtbot, demo, monkeypatch):
    import threading

    from gridmgr.outputs import sheets as print_data

    threads: list[str] = []
    real = print_data.gather

    def gather(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(print_data, "gather", gather)
    dialog = PrintDialog(demo, scope="district")
    qtbot.addWidget(dialog)
    # the constructor returned while the district is being gathered
    assert dialog.preparing() and dialog.job() is None
    assert dialog.message.text() == "正在准备预览…"
    first = dialog._preparing[1]
    dialog.set_scope(COMMUNITY)  # changed before the district was ready
    dialog.refresh()
    second = dialog._preparing[1]
    assert first.worker.stop.is_set() and second is not first
    dialog.set_scope("district")  # and back and forth: each change cancels the run before
    dialog.refresh()
    dialog.set_scope(COMMUNITY)
    dialog.refresh()
    assert second.worker.stop.is_set() and dialog._preparing[1] is not second
    got: list = []
    dialog.prepared.connect(got.append)
    wait_ready(qtbot, dialog)
    job = dialog.job()
    assert job is not None and got == [job]  # the stale results never show
    assert job.scope == COMMUNITY
    assert "升平社区" in dialog.message.text()
    assert threads and threading.main_thread().name not in threads
    assert dialog.preview.pageCount() >= 1
