"""The files the enrich stage loads (models, lexicon, gazetteer), shipped in the package."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

#: services/enrich/data/ in a checkout; newsflow/services/enrich/data/ in an installed wheel.
FOLDER: Traversable = resources.files(__package__ or "newsflow.services.enrich").joinpath("data")


def read_text(name: str) -> str:
    return FOLDER.joinpath(name).read_text("utf-8")
