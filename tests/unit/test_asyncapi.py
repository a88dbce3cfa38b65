"""The AsyncAPI 3 document (schemas/json/asyncapi.json): valid against the official AsyncAPI
3.0.0 JSON Schema, current, and true to the settings, the models and the headers newsflow
writes."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from newsflow import asyncapi
from newsflow.cli import app
from newsflow.publish import ORIGIN_HEADER, TRACEPARENT_HEADER, Publisher
from newsflow.schemas import CONTRACTS
from newsflow.schemas.export import published_schema
from newsflow.services.enrich.enrich import Enricher
from newsflow.services.enrich.handler import SCHEMA as ENRICHED
from newsflow.services.ingest.handler import SCHEMA as NORMALIZED
from newsflow.services.ingest.normalise import normalise_payload
from newsflow.services.routing import DEAD_LETTER, Routed
from newsflow.settings import Settings, Topics

ROOT = Path(__file__).resolve().parents[2]
#: The official schema, vendored (tests/unit/data/README.md says from where).
SPEC = Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json"
SPEC_SHA256 = "1786a007ac00344a8f529e5a6fc5db786b0be6757e0b94a8b95a8a6a52b7fe9a"
SAMPLE = b"Harbour reopens after storm\n\nShips return to Tema port on Monday\n\nGhana's Tema port reopened on Monday, officials in Accra said."


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    raw = SPEC.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SPEC_SHA256, "the vendored spec was changed"
    spec = json.loads(raw)
    assert spec["$schema"] == "http://json-schema.org/draft-07/schema"
    assert spec["properties"]["asyncapi"]["const"] == "3.0.0"
    return jsonschema.Draft7Validator(spec)


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    text = resources.files("newsflow.schemas.json").joinpath(asyncapi.FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in validator.iter_errors(document)]  # fmt: skip


def test_the_document_is_valid_asyncapi_3(
    validator: jsonschema.Draft7Validator, doc: dict[str, Any]
) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert _errors(validator, doc) == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("operations", "ingestReads", "action"), "publish"),  # AsyncAPI 2's word
        (("channels", "raw", "topic"), "articles.raw"),  # no such field
        (("components", "schemas", "Topic", "type"), "record"),  # not a JSON Schema type
        (("components", "messages", "DeadLetter", "bindings", "kafka", "key"), 5),
        (("servers", "sasl_ssl", "security"), [{"type": "scramSha999"}]),
        (("channels", "enriched", "bindings", "kafka", "partitions"), 0),
    ],
)
def test_the_validation_catches_a_broken_document(
    validator: jsonschema.Draft7Validator, doc: dict[str, Any], where: tuple[str, ...], value: Any
) -> None:
    """The official schema's references resolve inside it: a mistake deep in the document,
    in a binding or a payload schema, is found."""
    broken = copy.deepcopy(doc)
    node = broken
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    assert _errors(validator, broken)


def test_the_checked_in_document_is_current(doc: dict[str, Any]) -> None:
    on_disk = resources.files("newsflow.schemas.json").joinpath(asyncapi.FILE).read_text("utf-8")
    assert on_disk == asyncapi.render(), "asyncapi.json is stale: run `make schemas`"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_reference_resolves_inside_the_document(doc: dict[str, Any]) -> None:
    refs = set(_refs(doc))
    assert refs and all(ref.startswith("#/") for ref in refs)
    for ref in refs:
        node: Any = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node, dict), ref


def test_channels_are_the_topics_with_their_default_names(doc: dict[str, Any]) -> None:
    topics = Topics()
    contract = {name for name in Topics.model_fields if name != "replayed"}  # the replay log
    assert set(doc["channels"]) == contract
    for name, channel in doc["channels"].items():
        assert channel["address"] == getattr(topics, name)
        assert f"NEWSFLOW_TOPICS__{name.upper()}" in channel["description"]
        kafka = channel["bindings"]["kafka"]
        assert kafka["partitions"] == Settings.model_fields["partitions"].default
    models = {n: next(iter(c["messages"])) for n, c in doc["channels"].items()}
    assert models == {"raw": "RawArticle", "normalized": "NormalizedArticle",
                      "enriched": "EnrichedArticle", "deadletter": "DeadLetter"}  # fmt: skip
    groups = {op["bindings"]["kafka"]["groupId"]["const"]
              for op in doc["operations"].values() if op["action"] == "receive"}  # fmt: skip
    assert groups == {"newsflow-ingest", "newsflow-enrich"}


def _as_defs(node: Any) -> Any:
    """An AsyncAPI component schema with its references as the JSON Schema files spell them."""
    if isinstance(node, dict):
        return {k: (v.replace(asyncapi.SCHEMAS, "#/$defs/") if k == "$ref" else _as_defs(v))
                for k, v in node.items()}  # fmt: skip
    if isinstance(node, list):
        return [_as_defs(item) for item in node]
    return node


@pytest.mark.parametrize("name", list(CONTRACTS))
def test_payloads_are_the_published_json_schemas(doc: dict[str, Any], name: str) -> None:
    """Each message's payload is its model's published schema (open to added fields), and
    every model inside it is the same definition as in that model's JSON Schema file."""
    components = doc["components"]["schemas"]
    message = doc["components"]["messages"][name]
    assert message["payload"] == {"$ref": f"#/components/schemas/{name}"}
    published = published_schema(CONTRACTS[name])
    nested = published.pop("$defs", {})
    assert _as_defs(components[name]) == published
    for inner, schema in nested.items():
        assert _as_defs(components[inner]) == schema
    assert all(s["additionalProperties"] is True
               for s in components.values() if "properties" in s)  # fmt: skip


def test_an_enriched_article_validates_against_its_payload(doc: dict[str, Any]) -> None:
    article = json.loads(Enricher().enrich(normalise_payload(SAMPLE)).model_dump_json())
    schema = {"components": doc["components"], "$ref": "#/components/schemas/EnrichedArticle"}
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(article)
    article["title"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(article)


def test_header_names_are_the_ones_newsflow_writes() -> None:
    assert (asyncapi.ORIGIN_HEADER, asyncapi.TRACEPARENT_HEADER) == (
        ORIGIN_HEADER, TRACEPARENT_HEADER,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("message", "schema"),
    [("NormalizedArticle", NORMALIZED), ("EnrichedArticle", ENRICHED), ("DeadLetter", DEAD_LETTER)],
)
def test_the_headers_of_a_record_validate(doc: dict[str, Any], message: str, schema: str) -> None:
    """What the publisher really sends, with every optional header, matches the document."""
    routed = Routed("enriched", b"k", b"{}", schema, origin_timestamp=1749542400.123,
                    traceparent=b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")  # fmt: skip
    headers = {name: value.decode() for name, value in Publisher._headers(routed)}
    spec = doc["components"]["messages"][message]["headers"]
    jsonschema.validate(headers, spec)
    assert set(headers) == set(spec["properties"])
    assert spec["properties"]["schema"]["const"] == schema
    bare = {k: v for k, v in headers.items() if k in ("content-type", "schema")}
    jsonschema.validate(bare, spec)  # the raw timestamp and the trace are optional


def test_every_header_the_readme_documents_is_in_the_document(doc: dict[str, Any]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme.split("Headers newsflow writes", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))
    assert documented == {"content-type", "schema", ORIGIN_HEADER, TRACEPARENT_HEADER}
    described = set().union(*(m["headers"]["properties"]
                              for m in doc["components"]["messages"].values()))  # fmt: skip
    assert described == documented


def test_the_keys_are_documented(doc: dict[str, Any]) -> None:
    keys = {n: m["bindings"]["kafka"]["key"] for n, m in doc["components"]["messages"].items()}
    article_id = re.compile(keys["EnrichedArticle"]["pattern"])
    assert keys["NormalizedArticle"] == keys["EnrichedArticle"]
    assert article_id.match(normalise_payload(SAMPLE).article_id)
    assert all(key.get("description") for key in keys.values())


def test_export_writes_the_document(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schemas", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / asyncapi.FILE).read_text("utf-8") == asyncapi.render()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [asyncapi.FILE, *(f"{name}.schema.json" for name in CONTRACTS)]
    )
    (tmp_path / asyncapi.FILE).write_text("{}", "utf-8")
    result = CliRunner().invoke(app, ["schemas", "export", "--out", str(tmp_path), "--check"])
    assert result.exit_code == 1
    assert "asyncapi.json" in result.stderr
