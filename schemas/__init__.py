"""newsflow's message contracts: what upstream feeds send and what downstream consumers get.

Every message carries ``schema_version``. The JSON Schema files in ``schemas/json`` are generated
from these models (``newsflow schemas export``) and a test fails when they drift.
"""

from pydantic import BaseModel

from newsflow.schemas.deadletter import STAGES, DeadLetter, Stage
from newsflow.schemas.enriched import EnrichedArticle, Entity, EntityType, Mention, ModelInfo, Topic
from newsflow.schemas.normalized import Caption, NormalizedArticle, Paragraph
from newsflow.schemas.raw import ContentType, RawArticle

__all__ = [
    "STAGES",
    "Caption",
    "ContentType",
    "DeadLetter",
    "EnrichedArticle",
    "Entity",
    "EntityType",
    "Mention",
    "ModelInfo",
    "NormalizedArticle",
    "Paragraph",
    "RawArticle",
    "Stage",
    "Topic",
]

#: Model name -> class, in the order the schema files are written.
CONTRACTS: dict[str, type[BaseModel]] = {
    "RawArticle": RawArticle,
    "NormalizedArticle": NormalizedArticle,
    "EnrichedArticle": EnrichedArticle,
    "DeadLetter": DeadLetter,
}
