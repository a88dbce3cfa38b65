"""A real newsflow worker process with one fault injected, for the fault tests:

    python -m tests.integration.faulty_worker FAULT worker --service ingest ...

The broker, the faust worker and every other part are the real ones; only the fault is made:

* ``refuse_deadletters``: every record sent to the dead-letter topic is refused for size, as an
  Apache Kafka refuses records over a topic's ``max.message.bytes`` when that is below
  newsflow's limit. The embedded broker enforces no per-topic limit, so the refusal is raised
  where aiokafka raises it for the client's own limit: in ``AIOKafkaProducer.send``.
* ``crash_agent``: an error escapes the stage's loop (outside the per-message isolation, as a
  bug in the adapter would) when a batch holds a message containing ``CRASH-AGENT``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError

from newsflow import cli
from newsflow.stage import StageRunner


def refuse_deadletters() -> None:
    dead_letters = os.environ["NEWSFLOW_TOPICS__DEADLETTER"]
    real = AIOKafkaProducer.send

    async def send(self: AIOKafkaProducer, topic: str, *args: Any, **kwargs: Any) -> Any:
        if topic == dead_letters:
            raise MessageSizeTooLargeError(f"injected: {topic} refuses records of this size")
        return await real(self, topic, *args, **kwargs)

    AIOKafkaProducer.send = send  # type: ignore[method-assign]  # a spy or an injected fault in the method's place


def crash_agent() -> None:
    real = StageRunner.start_batch  # what every agent calls, pipelined or not

    async def start_batch(self: StageRunner, events: Any) -> Any:
        if any(b"CRASH-AGENT" in (e.value or b"") for e in events):
            raise RuntimeError("injected: a bug outside the per-message isolation")
        return await real(self, events)

    StageRunner.start_batch = start_batch  # type: ignore[method-assign]  # a spy or an injected fault in the method's place


FAULTS = {"refuse_deadletters": refuse_deadletters, "crash_agent": crash_agent}

if __name__ == "__main__":
    FAULTS[sys.argv[1]]()
    sys.argv = ["newsflow", *sys.argv[2:]]
    cli.main()
