"""Channels: props pushed from the server to every browser that subscribed.

Each Quart app has one :class:`ChannelHub`, shared by its FlashBlueprints.
Browsers connect to their app's websocket (``<prefix>_flash/channels``) and
subscribe to the channels named by :func:`Channel` markers in the page; the
hub hands every message a broker delivers to the subscribed connections.

* ``await bp.publish("prices", {"ticker": {"children": "42"}})`` sets props
  in every subscribed browser; callbacks depending on them fire as if the
  user had changed them (the browser script calls
  ``dash_clientside.set_props``).
* Every connection is also subscribed to its browser session (a cookie the
  script sets), so ``bp.publish(..., session=session_id())`` reaches one
  browser: streaming callbacks use this for their partial updates.
* Each connection has a bounded queue: a browser that cannot keep up is
  disconnected (close code 4008) and reconnects; memory never grows without
  bound.

The websocket's messages are JSON.  The browser sends
``{"type": "subscribe", "channels": [...]}`` (the whole set each time); the
server answers ``{"type": "subscribed", "channels": [...]}`` once that set is
in force (every publish after it arrives; the script exposes it as
``quartFlash.subscribed()``), ``{"type": "props", "updates": [...]}`` for
pushes and ``{"type": "error", ...}`` for a message it does not understand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlparse

from dash import html
from dash._utils import stringify_id
from quart import Quart, request, websocket

from . import shutdown
from .brokers import Broker, MemoryBroker, RedisBroker
from .encoder import dumps

if TYPE_CHECKING:
    from .blueprint import FlashBlueprint

logger = logging.getLogger("quart_flash.channels")

#: The class of the layout markers the browser script looks for.
MARKER_CLASS = "quart-flash-channel"
#: The cookie naming a browser session; set by the browser script.
SESSION_COOKIE = "quart_flash_session"

CLOSE_GOING_AWAY = 1001
CLOSE_FORBIDDEN = 4003
CLOSE_TOO_SLOW = 4008

Updates = Mapping[str, Mapping[str, Any]] | Iterable[tuple[Any, Mapping[str, Any]]]
Authorizer = Callable[[str, Any], Awaitable[bool]]


def Channel(name: str) -> html.Div:  # noqa: N802 - reads like a component in a layout
    """A layout marker: a browser showing it subscribes to channel ``name``.

    Put it anywhere in a layout (or a page's layout, or a layout function
    that picks the name per user); the subscription lasts while the marker
    is on the page.
    """
    return html.Div(hidden=True, className=MARKER_CLASS, **{"data-channel": name})


def session_id() -> str | None:
    """The browser session of the current request or websocket (its cookie)."""
    from quart import has_request_context, has_websocket_context

    if has_request_context():
        return request.cookies.get(SESSION_COOKIE)
    if has_websocket_context():
        return websocket.cookies.get(SESSION_COOKIE)
    return None


def encode_updates(updates: Updates) -> list[dict[str, Any]]:
    """``{id: props}`` or ``[(id, props)]`` -> the wire list of ``{id, props}``."""
    pairs = updates.items() if isinstance(updates, Mapping) else updates
    return [{"id": stringify_id(cid), "props": dict(props)} for cid, props in pairs]


def props_message(updates: list[dict[str, Any]]) -> bytes:
    return dumps({"type": "props", "updates": updates}).encode()


def subscribed_message(channels: Iterable[str]) -> bytes:
    """The answer to a subscribe: from now on every publish to these arrives."""
    return json.dumps({"type": "subscribed", "channels": sorted(channels)}).encode()


ERROR_MESSAGE = json.dumps({"type": "error", "message": "unknown message"}).encode()


class Connection:
    """One browser's websocket: its channels and its bounded outgoing queue."""

    def __init__(self, limit: int) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(limit)
        self.channels: set[str] = set()
        self.overflowed = asyncio.Event()

    def offer(self, message: bytes) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed.set()


class ChannelHub:
    """The process's connections and the broker that feeds them."""

    def __init__(self, broker: Broker, queue_size: int = 256) -> None:
        self.broker = broker
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Connection]] = {}
        self._running = False

    async def start(self) -> None:
        if not self._running:
            await self.broker.start(self._deliver)
            self._running = True

    async def stop(self) -> None:
        if self._running:
            self._running = False
            await self.broker.stop()

    async def _deliver(self, key: str, message: bytes) -> None:
        for connection in tuple(self._subscribers.get(key, ())):
            connection.offer(message)

    async def publish(self, key: str, updates: list[dict[str, Any]]) -> None:
        await self.broker.publish(key, props_message(updates))

    def subscribe(self, connection: Connection, keys: set[str]) -> None:
        for key in connection.channels - keys:
            self._discard(key, connection)
        for key in keys - connection.channels:
            self._subscribers.setdefault(key, set()).add(connection)
        connection.channels = set(keys)

    def _discard(self, key: str, connection: Connection) -> None:
        subscribers = self._subscribers.get(key)
        if subscribers is not None:
            subscribers.discard(connection)
            if not subscribers:
                del self._subscribers[key]

    def forget(self, connection: Connection) -> None:
        for key in connection.channels:
            self._discard(key, connection)
        connection.channels = set()

    def subscriber_count(self, key: str) -> int:
        return len(self._subscribers.get(key, ()))


_HUB_KEY = "quart_flash.hub"


def make_broker(app: Quart) -> Broker:
    """The broker the app's config asks for: ``QUART_FLASH_BROKER`` (an
    instance), ``QUART_FLASH_REDIS_URL``, or else in-process."""
    broker = app.config.get("QUART_FLASH_BROKER")
    if broker is not None:
        return broker  # type: ignore[no-any-return]
    url = app.config.get("QUART_FLASH_REDIS_URL")
    return RedisBroker(url) if url else MemoryBroker()


def hub_for(app: Quart) -> ChannelHub:
    hub = app.extensions.get(_HUB_KEY)
    if hub is None:
        hub = ChannelHub(make_broker(app), int(app.config.get("QUART_FLASH_QUEUE_SIZE", 256)))
        app.extensions[_HUB_KEY] = hub
    return hub  # type: ignore[no-any-return]


async def start_hub(app: Quart) -> None:
    await hub_for(app).start()


async def stop_hub(app: Quart) -> None:
    hub = app.extensions.pop(_HUB_KEY, None)
    if hub is not None:
        await hub.stop()


def origin_allowed(allowed: Iterable[str]) -> bool:
    """Browsers send Origin with every websocket: it must be this host or listed.

    Clients that send none are not browsers, so cross-site requests (what
    the check is for) cannot be made through them.
    """
    origin = websocket.headers.get("Origin")
    if origin is None or origin in allowed:
        return True
    return urlparse(origin).netloc == websocket.headers.get("Host")


class SessionStream:
    """``ctx.websocket`` for a streaming callback: props go out as they are set.

    Dash's ``set_props`` streams through any ``dash_websocket`` object in the
    callback context; this one publishes to the caller's browser session,
    in order, batching whatever accumulated while the previous batch was
    being sent (so no delay is added).  Safe to call from worker threads.
    """

    def __init__(self, blueprint: FlashBlueprint, session: str) -> None:
        self._blueprint = blueprint
        self._session = session
        self._loop = asyncio.get_running_loop()
        self._pending: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._sender = asyncio.create_task(self._send())

    @property
    def is_shutdown(self) -> bool:
        return False

    def set_prop_sync(self, component_id: str, prop: str, value: Any) -> None:
        update = {"id": component_id, "props": {prop: value}}
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._pending.put_nowait(update)
        else:
            self._loop.call_soon_threadsafe(self._pending.put_nowait, update)

    def send_updates(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            for prop, value in update["props"].items():
                self.set_prop_sync(update["id"], prop, value)

    async def _send(self) -> None:
        while True:
            batch = [await self._pending.get()]
            while not self._pending.empty():
                batch.append(self._pending.get_nowait())
            try:
                await self._blueprint.publish_updates(batch, session=self._session)
            except Exception:  # noqa: BLE001 - logged by the broker; keep streaming
                pass
            finally:
                for _ in batch:
                    self._pending.task_done()

    async def close(self) -> None:
        """Wait until everything set so far has been sent."""
        await self._pending.join()
        self._sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._sender


async def serve_connection(
    blueprint: FlashBlueprint, hub: ChannelHub, authorize: Authorizer | None
) -> None:
    """The body of the ``_flash/channels`` websocket view."""
    if not origin_allowed(blueprint.channel_origins):
        await websocket.accept()
        await websocket.close(CLOSE_FORBIDDEN, "origin not allowed")
        return
    await websocket.accept()
    stopping = shutdown.began()
    if stopping.is_set():
        await websocket.close(CLOSE_GOING_AWAY, "server shutting down")
        return
    connection = Connection(hub.queue_size)
    session = websocket.cookies.get(SESSION_COOKIE)
    session_keys = {blueprint.session_key(session)} if session else set()
    hub.subscribe(connection, session_keys)
    approved: set[str] = set()

    async def send_loop() -> None:
        while True:
            await websocket.send((await connection.queue.get()).decode())

    async def receive_loop() -> None:
        while True:
            raw = await websocket.receive()
            try:
                message = json.loads(raw)
                channels = message["channels"] if message.get("type") == "subscribe" else None
            except (ValueError, TypeError, KeyError):
                channels = None
            if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
                connection.offer(ERROR_MESSAGE)
                continue
            for channel in set(channels) - approved:
                if authorize is not None and not await authorize(channel, websocket):
                    # A clear reason; the script drops the channel and reconnects.
                    await websocket.close(CLOSE_FORBIDDEN, f"subscription refused: {channel}")
                    return
                approved.add(channel)
            hub.subscribe(connection, {blueprint.channel_key(c) for c in channels} | session_keys)
            await hub.broker.ready()
            # Through the queue, after any push already waiting: one writer per socket.
            connection.offer(subscribed_message(set(channels)))

    tasks = [
        asyncio.create_task(send_loop()),
        asyncio.create_task(receive_loop()),
        asyncio.create_task(connection.overflowed.wait()),
        asyncio.create_task(stopping.wait()),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        if tasks[2] in done:
            await websocket.close(CLOSE_TOO_SLOW, "too slow: messages were dropped")
        elif tasks[3] in done:
            # The browser reconnects, to another worker or the restarted server.
            await websocket.close(CLOSE_GOING_AWAY, "server shutting down")
    finally:
        hub.forget(connection)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
