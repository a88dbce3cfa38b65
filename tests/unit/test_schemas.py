"""The contracts: JSON Schema files match the models, and bad payloads are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any, get_args

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


def _on_disk(name: str) -> dict[str, Any]:
    text = resources.files("newsflow.schemas.json").joinpath(f"{name}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema with properties (a model) inside ``schema``."""
    if isinstance(schema, list):
        for item in schema:
            yield from _objects(item)
    elif isinstance(schema, dict):
        if schema.get("type") == "object" and isinstance(schema.get("properties"), dict):
            yield schema
        for value in schema.values():
            yield from _objects(value)


def _closed(schema: Any) -> Any:
    """``schema`` as the models are: every model object closed, the rest unchanged."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _closed(v) for k, v in schema.items() if k not in ("$schema", "$id")}
    if schema.get("type") == "object" and isinstance(schema.get("properties"), dict):
        out.pop("additionalProperties", None)
    return out


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_published_schemas_let_consumers_ignore_added_fields(name: str) -> None:
    """Every object in the exported files allows additional properties, so a consumer that
    validates with them does not break when a field is added within schema_version 1."""
    schema = _on_disk(name)
    objects = list(_objects(schema))
    assert len(objects) == 1 + len(schema.get("$defs", {}))
    assert all(o["additionalProperties"] is True for o in objects)


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_published_schemas_match_the_models_but_for_added_fields(name: str) -> None:
    """Open, and otherwise the models' own schema: no field, type or constraint differs."""
    model = CONTRACTS[name].model_json_schema(mode="serialization")
    assert _closed(_on_disk(name)) == _closed(model)


def test_maps_keep_their_value_schemas() -> None:
    props = _on_disk("NormalizedArticle")["properties"]
    assert props["provenance"]["additionalProperties"] == {
        "enum": ["feed", "extracted"], "type": "string"
    }  # fmt: skip
    assert props["metadata_sources"]["additionalProperties"] == {"type": "string"}


MAPS = {"provenance", "metadata_sources"}  # maps, not models: their keys are data


def _add_everywhere(data: Any) -> Any:
    """``data`` with a field no version has yet added to every model object in it."""
    if isinstance(data, list):
        return [_add_everywhere(item) for item in data]
    if isinstance(data, dict):
        inner = {k: v if k in MAPS else _add_everywhere(v) for k, v in data.items()}
        return {**inner, "added_later": {"x": 1}}
    return data


def test_an_added_field_passes_the_published_schema_not_the_model() -> None:
    """What docs/compatibility.md promises: a consumer validating with the published schema
    ignores a field added later; newsflow's own models still refuse it (extra="forbid")."""
    enriched = Enricher().enrich(normalise_payload(SAMPLE))
    letter = DeadLetter(
        stage="enrich", error_code="invalid_article", reason="r", original=b"{}",
        source_topic="articles.normalized", source_partition=0, source_offset=1,
        failed_at=datetime(2025, 6, 10, tzinfo=UTC),
    )  # fmt: skip
    for name, obj in (("EnrichedArticle", enriched), ("DeadLetter", letter)):
        data = _add_everywhere(json.loads(obj.model_dump_json()))
        jsonschema.validate(data, _on_disk(name))
        with pytest.raises(ValidationError, match="added_later"):
            type(obj).model_validate(data)
    data = _add_everywhere(json.loads(enriched.model_dump_json()))
    del data["added_later"]
    with pytest.raises(ValidationError, match=r"body\.0\.added_later"):  # nested ones too
        EnrichedArticle.model_validate(data)


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
