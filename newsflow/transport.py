"""faust's aiokafka transport with the consumer's fetch wait taken from settings.

faust-streaming 0.15 builds its worker consumer with ``fetch_max_wait_ms=1500`` hard-coded. A
Kafka broker answers a waiting fetch as soon as data arrives, so there the wait only bounds
idle polls; a broker that holds every fetch for the full wait (Tansu, the embedded broker)
adds it to each hop: one produce->consume hop measured 0.72 s median at 1,500 ms, 0.22 s at
500 ms and 0.02 s at 100 ms. ``NEWSFLOW_FETCH_MAX_WAIT`` sets it (default 0.1 s) for every
broker alike; the cost is at most ten empty fetches a second per idle consumer."""

from __future__ import annotations

from typing import Any

import aiokafka
from faust.transport.drivers import aiokafka as driver

from newsflow.flow import ByteWindow


def transport_for(
    fetch_max_wait: float, fetch_max_bytes: int, window: ByteWindow | None = None
) -> type[driver.Transport]:
    """A faust Transport class whose worker consumers wait at most ``fetch_max_wait`` s, take
    at most ``fetch_max_bytes`` per fetch (aiokafka's default, 50 MB, is not one faust
    exposes; a single larger message still comes), and take no records while the stage holds
    ``window.limit`` bytes of them (newsflow/flow.py)."""
    wait_ms = max(1, int(fetch_max_wait * 1000))

    class ConsumerThread(driver.AIOKafkaConsumerThread):
        def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
            consumer = super()._create_worker_consumer(transport)
            # Read by AIOKafkaConsumer.start() when it builds its Fetcher (aiokafka 0.14).
            consumer._fetch_max_wait_ms = wait_ms
            consumer._fetch_max_bytes = fetch_max_bytes
            return consumer

        async def getmany(self, active_partitions: Any, timeout: float) -> Any:
            if window is None:
                return await super().getmany(active_partitions, timeout)
            if not await window.wait_for_room(timeout):
                return {}
            records = await super().getmany(active_partitions, timeout)
            window.take(records)
            return records

    class Consumer(driver.Consumer):
        def _new_consumer_thread(self) -> ConsumerThread:
            return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    class Transport(driver.Transport):
        pass

    Transport.Consumer = Consumer
    return Transport
