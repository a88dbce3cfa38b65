"""The AsyncAPI 3.0 document of newsflow's topics, which ``newsflow schemas export`` writes as
``schemas/json/asyncapi.json`` beside the JSON Schema files (and checks with ``--check``).

Generated, never edited by hand: the channels, their default topic names and variables, the
partitions and replicas of the topics newsflow creates, the consumer groups, the servers and
their security from the settings (``Topics``, ``Settings``, ``Security``; their defaults, not
this environment's); the payloads from the models' published JSON Schemas (objects open to
added fields, docs/compatibility.md); the keys and headers newsflow writes (README.md,
"Message contracts"). ``topics.replayed``, the replay log, is newsflow's own: not in it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from newsflow.schemas import DeadLetter, EnrichedArticle, NormalizedArticle, RawArticle
from newsflow.schemas.export import component_schemas
from newsflow.services.routing import schema_header
from newsflow.settings import DEFAULT_BOOTSTRAP, Security, Settings, Topics, variable

ASYNCAPI_VERSION = "3.0.0"
FILE = "asyncapi.json"
SCHEMAS = "#/components/schemas/"
#: The API's version: its major is the contracts' schema_version (docs/compatibility.md).
API_VERSION = "1.0.0"
KAFKA_BINDING = "0.5.0"

#: Header names as newsflow.publish writes them (not imported: that module loads faust; a
#: test checks they agree).
ORIGIN_HEADER = "newsflow-raw-timestamp"
TRACEPARENT_HEADER = "traceparent"

_TRACEPARENT = {
    "type": "string",
    "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
    "description": "W3C Trace Context: the traceparent a feed sent with the raw article, carried "
    "unchanged onto every record made from it (normalised, enriched, dead letter), so the "
    "feed's trace follows its article. A malformed one is not carried.",
    "examples": ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
}
_ORIGIN = {
    "type": "string",
    "pattern": r"^[0-9]+(\.[0-9]+)?$",
    "description": "When the raw article entered Kafka (epoch seconds, the raw record's "
    "timestamp), carried from ingest to enrich for the end-to-end latency metric; present when "
    "known. Believed only on topics newsflow's ingest stage writes.",
    "examples": ["1749542400.123"],
}
_ARTICLE_KEY = {
    "type": "string",
    "pattern": "^[0-9a-f]{32}$",
    "description": "The article's article_id (UTF-8): every record of one article goes to the "
    "same partition.",
}
_REPLAYED = (
    "`newsflow replay` sends {stage}'s dead letters back here: their original bytes and key, "
    "no headers."
)


def _headers(model: type[BaseModel], *, written: bool, always: bool = True) -> dict[str, Any]:
    """The headers of a record of ``model``: a feed's trace context, and when ``written``
    those newsflow writes (the content type and the contract's name and version, required
    when every record has them: ``always``)."""
    properties: dict[str, Any] = {}
    if written:
        properties["content-type"] = {"type": "string", "const": "application/json"}
        properties["schema"] = {
            "type": "string",
            "const": schema_header(model),
            "description": "The contract's name and schema_version.",
        }
        properties[ORIGIN_HEADER] = _ORIGIN
    properties[TRACEPARENT_HEADER] = _TRACEPARENT
    headers: dict[str, Any] = {
        "type": "object",
        "description": "Kafka record headers, UTF-8 values. Ignore headers you do not know.",
        "properties": properties,
        "additionalProperties": True,
    }
    if written and always:
        headers["required"] = ["content-type", "schema"]
    return headers


@dataclass(frozen=True)
class _Channel:
    """A topic of the contract: its short name (a field of ``Topics``) and what it carries."""

    name: str
    title: str
    model: type[BaseModel]
    key: dict[str, Any]
    headers: dict[str, Any]
    description: str


CHANNELS = (
    _Channel(
        "raw",
        "Raw articles",
        RawArticle,
        {
            "description": "Any key the feed chooses, or none: newsflow does not read it; a "
            "dead letter carries it on (original_key)."
        },
        _headers(RawArticle, written=False),
        "Raw articles as feeds publish them: a JSON envelope (RawArticle), or the bare text or "
        "HTML of a page (taken as its content, the type sniffed, the topic's name as its "
        "source). Unknown top-level fields are ignored. " + _REPLAYED.format(stage="ingest"),
    ),
    _Channel(
        "normalized",
        "Normalised articles",
        NormalizedArticle,
        _ARTICLE_KEY,
        _headers(NormalizedArticle, written=True, always=False),  # none on a replay
        "One normalised article per raw article that could be read (a near-duplicate too, "
        "marked duplicate_of). " + _REPLAYED.format(stage="enrich"),
    ),
    _Channel(
        "enriched",
        "Enriched articles",
        EnrichedArticle,
        _ARTICLE_KEY,
        _headers(EnrichedArticle, written=True),
        "Each normalised article with the entities and topics found in it and the models "
        "that found them: what most subscribers read.",
    ),
    _Channel(
        "deadletter",
        "Dead letters",
        DeadLetter,
        {
            "description": "The failed input's own key: whatever key a raw article had, the "
            "article_id of a normalised one."
        },
        _headers(DeadLetter, written=True),
        "Every message a stage could not turn into an article, whole (or its first 16 KiB, "
        "with its size and SHA-256), with a stable error_code and the reason. Read with "
        "`newsflow deadletters`, sent again with `newsflow replay`.",
    ),
)


def _channel(channel: _Channel, topics: Topics) -> dict[str, Any]:
    fields = Settings.model_fields
    address = getattr(topics, channel.name)
    name = channel.model.__name__
    return {
        "address": address,
        "title": channel.title,
        "description": f"{channel.description} Topic name: "
        f"{variable(('topics', channel.name))} (default {address}).",
        "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        "bindings": {
            "kafka": {
                # what newsflow creates a missing topic with (NEWSFLOW_CREATE_TOPICS)
                "partitions": fields["partitions"].default,
                "replicas": fields["replication_factor"].default,
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def _message(channel: _Channel) -> dict[str, Any]:
    name = channel.model.__name__
    summary = (channel.model.__doc__ or name).split("\n\n")[0]
    return {
        "name": name,
        "title": schema_header(channel.model),
        "summary": " ".join(summary.split()),
        "contentType": "application/json",
        "headers": channel.headers,
        "payload": {"$ref": f"{SCHEMAS}{name}"},
        "bindings": {"kafka": {"key": channel.key, "bindingVersion": KAFKA_BINDING}},
    }


def _operations() -> dict[str, Any]:
    """What each stage reads and writes (the application described is newsflow)."""
    app_id = Settings.model_fields["app_id"].default

    def op(action: str, channel: str, model: type[BaseModel], summary: str) -> dict[str, Any]:
        return {
            "action": action,
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": summary,
            "messages": [{"$ref": f"#/channels/{channel}/messages/{model.__name__}"}],
        }

    def group(stage: str) -> dict[str, Any]:
        return {
            "kafka": {
                "groupId": {
                    "type": "string",
                    "const": f"{app_id}-{stage}",
                    "description": f"<{variable(('app_id',))}>-{stage}",
                },
                "bindingVersion": KAFKA_BINDING,
            }
        }

    return {
        "ingestReads": {
            **op("receive", "raw", RawArticle, "The ingest stage reads raw articles."),
            "bindings": group("ingest"),
        },
        "ingestWrites": op(
            "send", "normalized", NormalizedArticle, "The ingest stage writes normalised articles."
        ),
        "enrichReads": {
            **op("receive", "normalized", NormalizedArticle, "The enrich stage reads them."),
            "bindings": group("enrich"),
        },
        "enrichWrites": op(
            "send", "enriched", EnrichedArticle, "The enrich stage writes enriched articles."
        ),
        "deadLetters": op(
            "send",
            "deadletter",
            DeadLetter,
            "Either stage writes a dead letter for a message it cannot turn into an article.",
        ),
    }


_SASL_SCHEMES = {"PLAIN": "plain", "SCRAM-SHA-256": "scramSha256", "SCRAM-SHA-512": "scramSha512"}


def _security_schemes() -> dict[str, Any]:
    """The SASL mechanisms ``Security`` offers, and TLS client certificates."""
    field = Security.model_fields["sasl_mechanism"]
    mechanism = variable(("security", "sasl_mechanism"))
    user, password = (
        variable(("security", "sasl_username")),
        variable(("security", "sasl_password")),
    )
    schemes: dict[str, Any] = {
        _SASL_SCHEMES[m]: {
            "type": _SASL_SCHEMES[m],
            "description": f"SASL {m}: {mechanism}={m}"
            + (" (the default)" if m == field.default else "")
            + f", with {user} and {password}.",
        }
        for m in get_args(field.annotation)
    }
    schemes["X509"] = {
        "type": "X509",
        "description": "A TLS client certificate, where the cluster asks for one: "
        f"{variable(('security', 'ssl_certfile'))} and {variable(('security', 'ssl_keyfile'))}.",
    }
    return schemes


def _servers() -> dict[str, Any]:
    """One server per ``Security.protocol``: the default plain-text one on the default
    bootstrap address, the others on the cluster's."""
    field = Security.model_fields["protocol"]
    bootstrap, protocol = variable(("bootstrap_servers",)), variable(("security", "protocol"))
    cafile = variable(("security", "ssl_cafile"))
    sasl = [{"$ref": f"#/components/securitySchemes/{s}"} for s in _SASL_SCHEMES.values()]
    cluster = {
        "bootstrap": {
            "description": f"The cluster's bootstrap servers, as {bootstrap} gives them.",
            "examples": ["kafka-bootstrap.kafka.svc:9093"],
        }
    }
    servers: dict[str, Any] = {}
    for name in get_args(field.annotation):
        tls = name.endswith("SSL")
        server: dict[str, Any] = {
            "host": DEFAULT_BOOTSTRAP if name == field.default else "{bootstrap}",
            "protocol": "kafka-secure" if tls else "kafka",
            "description": f"{protocol}={name}"
            + (" (the default)" if name == field.default else "")
            + (f"; TLS, the broker verified against {cafile} when set" if tls else "")
            + ("; SASL, one of the mechanisms below" if name.startswith("SASL") else "")
            + ".",
        }
        if name == field.default:
            server["description"] += (
                f" {DEFAULT_BOOTSTRAP} is the default {bootstrap} (a comma-separated HOST:PORT "
                "list), where `newsflow broker` and `newsflow up` serve an embedded broker."
            )
        else:
            server["variables"] = cluster
        if name.startswith("SASL"):
            server["security"] = sasl
        elif tls:
            server["security"] = [{"$ref": "#/components/securitySchemes/X509"}]
        servers[name.lower()] = server
    return servers


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document, from the settings' defaults (not the environment's)."""
    topics = Topics()
    app_id = Settings.model_fields["app_id"].default
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:newsflow",
        "info": {
            "title": "newsflow",
            "version": API_VERSION,
            "description": "Raw news articles in; normalised and enriched articles out, and a "
            "dead letter for every message that cannot become one. Topic names are defaults, "
            "each set by its own variable (see each channel). Payloads are the models' "
            "published JSON Schemas: every object allows fields added later, which a consumer "
            "must ignore; what may change within schema_version 1 and what bumps it is in "
            "docs/compatibility.md. Keys and headers: README.md, Message contracts. Consumer "
            f"groups: {app_id}-ingest and {app_id}-enrich ({variable(('app_id',))}).",
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": _servers(),
        "channels": {c.name: _channel(c, topics) for c in CHANNELS},
        "operations": _operations(),
        "components": {
            "schemas": component_schemas(SCHEMAS + "{model}"),
            "messages": {c.model.__name__: _message(c) for c in CHANNELS},
            "securitySchemes": _security_schemes(),
        },
    }


def render() -> str:
    """The document as the file holds it."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
