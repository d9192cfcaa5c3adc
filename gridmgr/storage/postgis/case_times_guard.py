"""Schema 13 on the server: a step written by anything but gridmgr drops its case's
``case_times`` row (the file's :data:`~gridmgr.storage.gpkg.case_times.STALE_TRIGGERS`).

QGIS, psql or a script may insert, change or delete steps on a shared project; the reduced log
of that case would then be stale and the indicators would trust it.  A row trigger deletes the
row instead, so the indicators replay that case from its steps.  gridmgr's own writer keeps the
table itself (:meth:`~gridmgr.storage.gpkg.case_times.CaseTimesMixin.update_case_times`), so it
marks its transaction with the setting :data:`KEPT` and the trigger's ``WHEN`` skips those rows —
a case import of 100k cases does not pay 400k deletes.  The setting is a hint, not a guard: a
client that sets it by hand only makes its own figures stale, never another desk's data wrong.
"""

from __future__ import annotations

from typing import Any

from ..gpkg.case_times import STEP_COLUMNS

KEPT = "gridmgr.case_times"  # set to 'kept' (transaction-local) by gridmgr's writer of steps

_FUNCTION = """CREATE OR REPLACE FUNCTION gridmgr_case_times_stale() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM case_times WHERE case_uuid = OLD.case_uuid;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM case_times WHERE case_uuid = NEW.case_uuid;
  END IF;
  RETURN NULL;
END $fn$"""


def install(db: Any) -> None:
    """Create (or re-create) the trigger on ``case_transitions`` (idempotent; inside the
    caller's transaction; the connection's search_path is the project's schema)."""
    db.execute(_FUNCTION)
    db.execute("DROP TRIGGER IF EXISTS gridmgr_case_times_stale ON case_transitions")
    db.execute("CREATE TRIGGER gridmgr_case_times_stale AFTER INSERT OR DELETE OR UPDATE OF "
               f"{', '.join(STEP_COLUMNS)} ON case_transitions FOR EACH ROW "
               f"WHEN (current_setting('{KEPT}', true) IS DISTINCT FROM 'kept') "
               "EXECUTE FUNCTION gridmgr_case_times_stale()")


def mark_kept(db: Any, kept: bool) -> None:
    """Tell the trigger that this transaction's steps are gridmgr's, which keeps
    ``case_times`` itself (``kept``), or no longer (after the write)."""
    db.execute("SELECT set_config(?, ?, true)", [KEPT, "kept" if kept else ""])
