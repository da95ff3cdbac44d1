"""Server-sent events from an async generator: ``bp.sse(rule)`` or ``sse_response``.

Every item the generator yields goes out as one event the moment it is
yielded (no buffering, no compression); a comment line keeps idle
connections open through proxies; when the browser goes away the generator
is closed (its ``finally`` runs), and when the server starts a graceful
shutdown the stream ends so it does not hold the shutdown up (browsers'
``EventSource`` reconnects by itself).

What a generator may yield:

* ``str``: the event's data (several lines become several ``data:`` lines);
* :class:`ServerSentEvent`: data plus ``event``, ``id`` and ``retry``;
* anything else: JSON, with quart-flash's encoder, so Dash components and
  figures can be sent as they are.

Works with dash-extensions' ``EventSource`` (one prop per message) and
``SSE`` (send ``"[DONE]"`` to tell it the stream is complete).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Callable

from quart import Response

from . import shutdown
from .encoder import dumps

KEEP_ALIVE_SECONDS = 15.0
HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}


@dataclass(frozen=True)
class ServerSentEvent:
    """One event with its optional fields (see the HTML standard's SSE format)."""

    data: Any
    event: str | None = None
    id: str | None = None
    retry: int | None = None  # milliseconds before the browser reconnects

    def encode(self) -> bytes:
        text = self.data if isinstance(self.data, str) else dumps(self.data)
        lines = [f"event: {_one_line(self.event)}"] if self.event is not None else []
        if self.id is not None:
            lines.append(f"id: {_one_line(self.id)}")
        if self.retry is not None:
            lines.append(f"retry: {int(self.retry)}")
        lines.extend(f"data: {line}" for line in text.splitlines() or [""])
        return ("\n".join(lines) + "\n\n").encode()


def _one_line(value: str) -> str:
    """Field values must not break the framing."""
    return value.replace("\r", " ").replace("\n", " ")


def encode(item: Any) -> bytes:
    return (item if isinstance(item, ServerSentEvent) else ServerSentEvent(item)).encode()


async def _event_bytes(
    events: AsyncIterator[Any], keep_alive: float, stopping: asyncio.Event
) -> AsyncIterator[bytes]:
    """Events as bytes, a comment while idle, the end on shutdown or disconnect."""
    stop = asyncio.ensure_future(stopping.wait())
    following: asyncio.Future[Any] | None = None
    try:
        yield b": connected\n\n"  # headers and a first byte out at once
        while True:
            if following is None:
                following = asyncio.ensure_future(events.__anext__())
            done, _ = await asyncio.wait(
                {following, stop}, timeout=keep_alive, return_when=asyncio.FIRST_COMPLETED
            )
            if following in done:
                try:
                    item = following.result()
                except StopAsyncIteration:
                    return
                following = None
                yield encode(item)
            elif stop in done:
                return
            else:
                yield b": keep-alive\n\n"
    finally:
        # The browser left (Quart cancels us), the server is stopping, or the
        # generator ended: close the user's generator so its cleanup runs.
        stop.cancel()
        if following is not None:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()


def sse_response(events: AsyncIterator[Any], *, keep_alive: float = KEEP_ALIVE_SECONDS) -> Response:
    """A streaming ``text/event-stream`` response for any Quart view."""
    response = Response(_event_bytes(events, keep_alive, shutdown.began()), headers=HEADERS)
    response.timeout = None  # Quart's RESPONSE_TIMEOUT would cut a long stream
    return response


def sse_view(func: Callable[..., AsyncIterator[Any]], keep_alive: float) -> Callable[..., Any]:
    """Wrap an async generator function as a view answering its events."""

    async def view(**kwargs: Any) -> Response:
        return sse_response(func(**kwargs), keep_alive=keep_alive)

    view.__name__ = func.__name__
    view.__doc__ = func.__doc__
    return view
