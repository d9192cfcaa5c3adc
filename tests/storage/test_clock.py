"""Stamps people read (audit, conflict decisions, manifests) are Beijing time with its offset, on a
machine set to any zone."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from gridmgr.storage import now_iso


@pytest.fixture
def utc_machine():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_a_utc_server_stamps_beijing_time(utc_machine, project):
    stamp = now_iso()
    assert stamp.endswith("+08:00")
    at = datetime.fromisoformat(stamp)
    beijing_now = datetime.now(timezone(timedelta(hours=8)))
    assert abs((beijing_now - at).total_seconds()) < 5
    assert at.hour == beijing_now.hour  # not the UTC hour with a +08:00 label
    project.audit("test", {})
    assert project.audit_log()[-1]["at"].endswith("+08:00")
