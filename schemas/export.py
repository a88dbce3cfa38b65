"""Render the JSON Schema of every contract (``newsflow schemas export`` writes them)."""

from __future__ import annotations

import json

from newsflow.schemas import CONTRACTS


def render_all() -> dict[str, str]:
    out = {}
    for name, model in CONTRACTS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"urn:newsflow:schema:{name}"
        out[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out
