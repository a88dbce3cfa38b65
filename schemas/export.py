"""Render the published JSON Schema of every contract (``newsflow schemas export`` writes them).

The published schemas are open where the models are closed: every object allows additional
properties (``"additionalProperties": true``), while the models keep ``extra="forbid"`` for
what newsflow itself produces and reads back. A field added within ``schema_version`` 1 must
not break a consumer that validates with an older copy of these files, so that consumer is
told to ignore what it does not know (docs/compatibility.md). Maps (``metadata``,
``provenance``, ``metadata_sources``) keep their value schemas.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from newsflow.schemas import CONTRACTS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def open_objects(schema: Any) -> Any:
    """``schema`` with every model object (a schema with ``properties``) open to additional
    properties, recursively; a map's ``additionalProperties`` (its value schema) is kept."""
    if isinstance(schema, list):
        return [open_objects(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: open_objects(value) for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict) and schema.get("type") == "object":
        out["additionalProperties"] = True
    return out


def published_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A contract's JSON Schema as published: serialised form, objects open."""
    schema: dict[str, Any] = open_objects(model.model_json_schema(mode="serialization"))
    return schema


def component_schemas(ref_template: str) -> dict[str, Any]:
    """Every contract and the models inside them as published, one definition each, with
    ``$ref`` made by ``ref_template`` (``"#/components/schemas/{model}"`` for AsyncAPI)."""
    mode: JsonSchemaMode = "serialization"
    _, top = models_json_schema(
        [(model, mode) for model in CONTRACTS.values()], ref_template=ref_template
    )
    definitions: dict[str, Any] = open_objects(top["$defs"])
    return definitions


def render_all() -> dict[str, str]:
    out = {}
    for name, model in CONTRACTS.items():
        schema = published_schema(model)
        schema["$schema"] = DIALECT
        schema["$id"] = f"urn:newsflow:schema:{name}"
        out[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out
