"""The contracts: JSON Schema files match the models, and bad payloads are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources

import jsonschema
import pytest
from pydantic import ValidationError

from newsflow.schemas import CONTRACTS, DeadLetter, EnrichedArticle, RawArticle
from newsflow.schemas.export import render_all
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.ingest.normalise import normalise_payload

SAMPLE = b"Harbour reopens after storm\n\nShips return to Tema port on Monday\n\nGhana's Tema port reopened on Monday, officials in Accra said."


def test_checked_in_json_schemas_match_the_models() -> None:
    folder = resources.files("newsflow.schemas.json")
    for name, text in render_all().items():
        on_disk = folder.joinpath(f"{name}.schema.json").read_text("utf-8")
        assert on_disk == text, f"{name}.schema.json is stale: run `make schemas`"
    assert set(render_all()) == set(CONTRACTS)


def test_outputs_validate_against_the_published_schemas() -> None:
    article = Enricher().enrich(normalise_payload(SAMPLE))
    for name, obj in (
        ("NormalizedArticle", normalise_payload(SAMPLE)),
        ("EnrichedArticle", article),
    ):
        schema = json.loads(render_all()[name])
        jsonschema.validate(json.loads(obj.model_dump_json()), schema)


def test_every_contract_is_versioned() -> None:
    for model in CONTRACTS.values():
        assert "schema_version" in model.model_fields


def test_unknown_schema_version_is_refused() -> None:
    with pytest.raises(ValidationError):
        RawArticle.model_validate({"schema_version": 2, "source": "x", "content": "y"})


def test_mention_must_match_its_field() -> None:
    good = Enricher().enrich(normalise_payload(SAMPLE))
    data = json.loads(good.model_dump_json())
    assert data["entities"], "the sample should have entities"
    data["entities"][0]["mentions"][0]["end"] += 1
    with pytest.raises(ValidationError, match="does not match"):
        EnrichedArticle.model_validate(data)


def test_dead_letter_keeps_bytes_exactly() -> None:
    original = bytes(range(256))
    dl = DeadLetter(
        stage="ingest", error_code="not_utf8", reason="r", original=original, source_topic="t",
        source_partition=1, source_offset=2, failed_at=datetime.now(UTC),
    )  # fmt: skip
    assert DeadLetter.model_validate_json(dl.model_dump_json()).original == original
