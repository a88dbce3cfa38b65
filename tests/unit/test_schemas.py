"""The contracts: JSON Schema files match the models, and bad payloads are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from typing import get_args

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

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


def _models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """``model`` and every model inside it (a field's type, or an item or member of one)."""
    yield model
    for info in model.model_fields.values():
        for kind in _types(info.annotation):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                yield from _models(kind)


def _types(annotation: object) -> Iterator[object]:
    yield annotation
    for arg in get_args(annotation):
        yield from _types(arg)


PUBLISHED = {model for contract in CONTRACTS.values() for model in _models(contract)}


def test_the_walk_finds_the_nested_models() -> None:
    assert {m.__name__ for m in PUBLISHED} == {
        "RawArticle", "NormalizedArticle", "Paragraph", "Caption", "EnrichedArticle",
        "Entity", "Mention", "Topic", "ModelInfo", "DeadLetter",
    }  # fmt: skip


@pytest.mark.parametrize(
    "model", sorted(PUBLISHED, key=lambda m: m.__name__), ids=lambda m: m.__name__
)
def test_every_published_field_and_model_is_described(model: type[BaseModel]) -> None:
    """Descriptions flow into the JSON Schema and the AsyncAPI document: none may be missing."""
    assert model.__doc__, f"{model.__name__} has no docstring (the schema's description)"
    missing = [name for name, info in model.model_fields.items() if not info.description]
    assert not missing, f"{model.__name__}: no description for {missing}"
    schema = model.model_json_schema(mode="serialization")
    assert all("description" in prop for prop in schema["properties"].values())


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
