"""The evaluations' progress bar: every item, in order, bar or no bar."""

from __future__ import annotations

import io

import pytest

from newsflow import progress as module


@pytest.mark.parametrize("tty", [True, False])
def test_progress_yields_every_item_in_order(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    fake = io.StringIO()
    monkeypatch.setattr(module.sys, "stderr", fake)
    monkeypatch.setattr(fake, "isatty", lambda: tty, raising=False)
    assert list(module.progress(list(range(250)), "pages")) == list(range(250))
