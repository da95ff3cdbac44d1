"""Message brokers for channels: in-process, or Redis pub/sub across processes.

A broker moves one message (bytes) published on a channel to every process
serving the app, where the channel hub hands it to the browsers subscribed
there.  Delivery is **at-most-once**: a message published while a process is
disconnected from Redis, or to a browser that is reconnecting, is not
replayed.  Messages carry property values, so the next one for the same
props simply replaces it ("latest state wins").
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from typing import Any, Awaitable, Callable

logger = logging.getLogger("quart_flash.brokers")

#: Called with ``(channel, message)`` for every message the process receives.
Deliver = Callable[[str, bytes], Awaitable[None]]


class PublishError(RuntimeError):
    """The broker could not take the message (for example Redis is down)."""


class Broker(ABC):
    """What the channel hub needs from a transport."""

    @abstractmethod
    async def start(self, deliver: Deliver) -> None:
        """Begin receiving: call ``deliver`` for every message on any channel."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving and close connections."""

    @abstractmethod
    async def publish(self, channel: str, message: bytes) -> None:
        """Send ``message`` to every process; raise PublishError quickly if impossible."""

    async def ready(self) -> None:
        """Return once messages published from now on reach this process.

        The hub confirms a browser's subscription only after this, so the
        confirmation means no later publish is missed.  A broker that
        delivers as soon as it has started needs no more than this default.
        """
        return None


class MemoryBroker(Broker):
    """One process: a publish is delivered straight to this process's hub."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def stop(self) -> None:
        self._deliver = None

    async def publish(self, channel: str, message: bytes) -> None:
        if self._deliver is None:
            raise PublishError("the broker is not running (is the app serving?)")
        await self._deliver(channel, message)


class RedisBroker(Broker):
    """Redis pub/sub: every worker process and host gets every message.

    One subscriber connection per process (a pattern subscription on the key
    prefix), reconnected with back-off when Redis goes away; publishing uses
    a small pool with short timeouts, so a publish while Redis is down fails
    within ``publish_timeout`` seconds instead of hanging a request.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Any = None,
        prefix: str = "quart_flash:",
        publish_timeout: float = 1.0,
        max_backoff: float = 1.0,
    ) -> None:
        if client is None:
            if url is None:
                raise ValueError("RedisBroker needs a redis:// URL or a redis.asyncio client")
            from redis import asyncio as aioredis

            client = aioredis.from_url(  # type: ignore[no-untyped-call]
                url,
                socket_connect_timeout=publish_timeout,
                socket_timeout=None,
                health_check_interval=10,
            )
        self.client = client
        self.prefix = prefix
        self.publish_timeout = publish_timeout
        self.max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self, deliver: Deliver) -> None:
        self._task = asyncio.create_task(self._listen(deliver), name="quart-flash-redis")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.client.aclose()

    async def ready(self) -> None:
        await self.connected.wait()  # the pattern subscription is in place

    async def publish(self, channel: str, message: bytes) -> None:
        try:
            await asyncio.wait_for(
                self.client.publish(self.prefix + channel, message), self.publish_timeout
            )
        except Exception as exc:  # noqa: BLE001 - any failure means "not sent"
            logger.error("publishing to %r failed: %r", channel, exc)
            raise PublishError(f"could not publish to {channel!r}: {exc!r}") from exc

    async def _listen(self, deliver: Deliver) -> None:
        backoff = 0.05
        skip = len(self.prefix)
        while True:
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.prefix + "*")
                self.connected.set()
                if backoff > 0.05:
                    logger.info("reconnected to Redis")
                backoff = 0.05
                async for item in pubsub.listen():
                    if item.get("type") == "pmessage":
                        channel = item["channel"]
                        if isinstance(channel, bytes):
                            channel = channel.decode()
                        await deliver(channel[skip:], item["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reconnect on anything
                if self.connected.is_set():
                    logger.error("lost the Redis subscription: %r; reconnecting", exc)
                self.connected.clear()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:  # noqa: BLE001 - the connection is gone anyway
                    pass
