"""The enriched article: what the enrich stage publishes to ``articles.enriched``."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from newsflow.schemas.normalized import NormalizedArticle

EntityType = Literal[
    "PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"
]
FieldRef = Literal["title", "standfirst"] | int


class Mention(BaseModel):
    """Where an entity is named: ``field`` is "title", "standfirst" or a body paragraph index,
    and ``text == <that field>[start:end]`` always holds. ``start``/``end`` count Unicode code
    points (Python's ``str``); ``start_utf16``/``end_utf16`` count UTF-16 code units, the
    offsets of JavaScript, Java and C# strings. The two differ after a character outside the
    Basic Multilingual Plane (an emoji counts 1 code point, 2 UTF-16 units)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: FieldRef = Field(
        description='The text the offsets point into: "title", "standfirst", or the index'
        " (0-based) of a paragraph in body."
    )
    start: int = Field(ge=0, description="Offset in the field, in Unicode code points.")
    end: int = Field(ge=0, description="End offset (exclusive), in Unicode code points.")
    start_utf16: int | None = Field(
        default=None, ge=0, description="``start`` in UTF-16 code units (JavaScript, Java)."
    )
    end_utf16: int | None = Field(
        default=None, ge=0, description="``end`` in UTF-16 code units (JavaScript, Java)."
    )
    text: str = Field(
        min_length=1,
        description="The mention as written: the field's text from start to end (code points),"
        " and from start_utf16 to end_utf16 (UTF-16 code units) when those are given.",
    )
    type: EntityType | None = Field(
        default=None,
        description="The mention's own type where it differs from its entity's: a nationality "
        'adjective counted as a mention of its country ("Russian" of Russia) is NORP.',
    )


class Entity(BaseModel):
    """One real-world thing the article names (a person, an organisation, a place...), with
    every place it is named."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="One canonical name per real-world thing in the article.")
    type: EntityType = Field(
        description="What the entity is, in OntoNotes labels: PERSON, ORG (organisation), GPE"
        " (country, city, state), LOC (other place: region, sea, mountain), NORP (nationality,"
        " religious or political group), FAC (building, airport, road, bridge), EVENT, PRODUCT,"
        " LAW, WORK_OF_ART."
    )
    mentions: list[Mention] = Field(
        description="Where the entity is named, in reading order (title, standfirst, then "
        "paragraphs; by offset within each): the first max_mentions of them "
        "(NEWSFLOW_LIMITS__MAX_MENTIONS, default 100); count counts them all."
    )
    count: int = Field(
        ge=1,
        description="How many times the article names the entity, every mention counted "
        "(mentions lists at most max_mentions of them); salience uses them all.",
    )
    salience: float = Field(
        ge=0.0,
        le=1.0,
        description="How central the entity is to this article, 0 to 1: from where it is named"
        " (headline, standfirst, first paragraph), how often and in how many fields; places,"
        " buildings and nationalities count for less. Ranks entities within one article; not"
        " a probability, and not comparable across articles.",
    )
    country: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 code of a place that is a country or a well-known "
        'place in one, or of a nationality\'s country ("Swedish" -> SE); null otherwise.',
    )
    geonames_id: int | None = Field(
        default=None,
        description="GeoNames id (geonames.org/<id>) of a place the shipped gazetteer knows: a "
        "country, a US state or a city of 15,000+ people; null otherwise (a region, a place it "
        "does not know, a nationality).",
    )
    latitude: float | None = Field(
        default=None, ge=-90, le=90,
        description="Latitude (WGS84) of a city the gazetteer knows; null for countries, "
        "states and everything else.",
    )  # fmt: skip
    longitude: float | None = Field(
        default=None, ge=-180, le=180,
        description="Longitude (WGS84) of a city the gazetteer knows; null otherwise.",
    )  # fmt: skip


class Topic(BaseModel):
    """An IPTC Media Topic the article is about: a top-level subject, or a narrower subject
    under one the article also has (war under conflict, war and peace)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^\d{8}$", description="IPTC Media Topic code (medtop:<code>).")
    label: str = Field(
        description="The topic's IPTC English name, e.g. 'economy, business and finance'."
    )
    score: float = Field(
        ge=0.0,
        le=1.0,
        description="Confidence, 0 to 1: the topic classifier's probability for the topics it"
        " picks; for those only the IPTC keyword lexicon finds, a keyword score kept below the"
        " top topic's; a narrower topic never scores above its top-level one.",
    )


class ModelInfo(BaseModel):
    """One of the enrich stage's models, and whether it ran on this article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        description="The model, e.g. 'newsflow/ner' (entities), 'newsflow/entity-rules',"
        " 'newsflow/topic-coarse' (topics), 'newsflow/iptc-lexicon'."
    )
    version: str = Field(
        description="The model's version as its files give it (e.g. '1.1.0'): a new version may"
        " give different entities or topics for the same text."
    )
    applied: bool = Field(
        default=True,
        description="Whether the model ran on this article. False for a model not meant for "
        "it, e.g. the English models on an article in another language (its entities or "
        "topics are then left empty rather than guessed).",
    )
    reason: str | None = Field(
        default=None,
        description="Why the model was not applied (required when applied is false), e.g. "
        '"language de: the English models are not applied".',
    )

    @model_validator(mode="after")
    def _not_applied_says_why(self) -> Self:
        if not self.applied and not self.reason:
            raise ValueError(f"model {self.name} is not applied but no reason is given")
        return self


class EnrichedArticle(NormalizedArticle):
    """The normalised article, every field as ingest published it, plus what the enrich stage
    found in it: entities, topics, and the models that found them."""

    entities: list[Entity] = Field(
        default_factory=list,
        description="Sorted by salience; at most max_entities (NEWSFLOW_LIMITS__MAX_ENTITIES).",
    )
    topics: list[Topic] = Field(default_factory=list, description="Sorted by score.")
    models: list[ModelInfo] = Field(
        description="The enrich stage's models and versions; those that made the above have "
        "applied true, those not run on this article applied false and a reason (the English "
        "models on an article not in English: entities and topics are then empty)."
    )

    @model_validator(mode="after")
    def _mentions_round_trip(self) -> Self:
        for entity in self.entities:
            for m in entity.mentions:
                if m.field == "title":
                    source: str | None = self.title
                elif m.field == "standfirst":
                    source = self.standfirst
                else:
                    source = self.body[m.field].text if 0 <= m.field < len(self.body) else None
                if source is None or source[m.start : m.end] != m.text:
                    raise ValueError(
                        f"mention {m.text!r} does not match {m.field}[{m.start}:{m.end}]"
                    )
        return self
