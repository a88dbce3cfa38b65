"""A subscriber: read enriched articles and print each one's title, top topic and people.

python examples/consume.py [BOOTSTRAP] [TOPIC] [MAX]
(defaults: localhost:9092, articles.enriched, no limit)
"""

import asyncio
import sys

from aiokafka import AIOKafkaConsumer

from newsflow.schemas import EnrichedArticle  # the message contract, validated on read


async def main(bootstrap: str, topic: str, most: int) -> None:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="example-reader",
                                auto_offset_reset="earliest")  # fmt: skip
    await consumer.start()
    try:
        seen = 0
        async for record in consumer:
            article = EnrichedArticle.model_validate_json(record.value)
            people = [e.name for e in article.entities if e.type == "PERSON"][:3]
            top = article.topics[0].label if article.topics else "-"
            print(f"{article.title} | {top} | {', '.join(people)}", flush=True)
            seen += 1
            if most and seen >= most:
                break
    finally:
        await consumer.stop()


if __name__ == "__main__":
    bootstrap, topic, most = [*sys.argv[1:], None, None, None][:3]
    asyncio.run(main(bootstrap or "localhost:9092", topic or "articles.enriched", int(most or 0)))
