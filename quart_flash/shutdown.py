"""Graceful shutdown: learn as soon as the server starts to stop.

On SIGTERM hypercorn stops accepting connections, waits up to its
``graceful_timeout`` for the open ones to end, then cancels them; the ASGI
lifespan shutdown (Quart's ``after_serving``) only comes after that wait.
HTTP requests in flight end by themselves, so callbacks finish.  Websockets
and event streams never do: every shutdown would sit out the whole timeout
and then cut them with 1011 (internal error).  So each app watches for the
start of the shutdown itself, and its long-lived connections end at once
with a going-away close the browser reconnects from (to another worker, or
to the restarted server).

The start of a shutdown is seen in two places, whichever the server uses:

* A hypercorn worker process (``hypercorn app:app``, ``-w N``): the parent
  turns SIGTERM/SIGINT into a multiprocessing event that its workers poll
  every 0.1 s.  The worker was started with that event as an argument, and
  multiprocessing keeps the arguments on the worker's ``Process`` object;
  this module polls the same event.  This leans on how hypercorn starts its
  workers (checked by the tests against a real ``hypercorn -w 2``); if that
  changes, the lifespan shutdown still sets the event, only later.
* A server in this process that handles SIGTERM/SIGINT with a Python-level
  handler (``hypercorn --workers 0``, ``quart run``, ``app.run()``,
  uvicorn): a handler chained in front of it sets the event, then calls it.
  Default and ignored dispositions are left alone, so a process keeps
  dying on the signals it died on before.

In a hypercorn worker, SIGTERM itself sets that shared event rather than
killing the worker on the spot: its parent sends SIGTERM to the remaining
workers as soon as the first one has exited, and service managers such as
systemd signal every process of the service.  Either would cut callbacks
short; instead the worker finishes its graceful shutdown (within the
graceful timeout; SIGKILL still ends it at once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import threading
from types import FrameType
from typing import Any, Callable

from quart import Quart, current_app

logger = logging.getLogger("quart_flash")

_EXTENSION_KEY = "quart_flash.shutdown"
_SIGNALS = (signal.SIGTERM, signal.SIGINT)
POLL_INTERVAL = 0.1  # hypercorn's own polling period for its workers


class ShutdownWatch:
    """One per Quart app: ``began`` is set when the server starts to stop."""

    def __init__(self) -> None:
        self.began = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._poller: asyncio.Task[None] | None = None
        self._chained: dict[int, Any] = {}

    def start(self) -> None:
        event = _hypercorn_worker_event()
        if event is not None:
            self._poller = asyncio.create_task(self._poll(event), name="quart-flash-shutdown")
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set signal handlers
        if event is not None:
            # Through the loop, not signal.signal(): a Python-level handler
            # runs between any two bytecodes of the main thread, and if those
            # are inside event.is_set() (hypercorn and _poll call it every
            # 0.1 s), its set() waits forever for the lock is_set() holds.
            self._loop.add_signal_handler(signal.SIGTERM, event.set)
        else:
            for signum in _SIGNALS:
                previous = signal.getsignal(signum)
                if callable(previous):
                    signal.signal(signum, self._chain(previous))
                    self._chained[signum] = previous

    def _chain(self, previous: Callable[[int, FrameType | None], Any]) -> Callable[..., Any]:
        def handler(signum: int, frame: FrameType | None) -> Any:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                self._loop.call_soon_threadsafe(self.trigger)
            return previous(signum, frame)

        return handler

    async def _poll(self, event: Any) -> None:
        while not event.is_set():
            await asyncio.sleep(POLL_INTERVAL)
        self.trigger()

    def trigger(self) -> None:
        if not self.began.is_set():
            logger.info("server shutting down: closing websockets and event streams")
            self.began.set()

    async def stop(self) -> None:
        """Stop watching and give the signal handlers back."""
        self.trigger()
        for signum, previous in self._chained.items():
            signal.signal(signum, previous)
        self._chained.clear()
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None


def _hypercorn_worker_event() -> Any:
    """The shutdown event hypercorn handed to this worker process, if it is one."""
    kwargs = getattr(multiprocessing.current_process(), "_kwargs", None)
    event = kwargs.get("shutdown_event") if isinstance(kwargs, dict) else None
    return event if callable(getattr(event, "is_set", None)) else None


def start_watch(app: Quart) -> ShutdownWatch:
    """Start watching for ``app`` (once, however many blueprints ask)."""
    watch = app.extensions.get(_EXTENSION_KEY)
    if watch is None:
        watch = app.extensions[_EXTENSION_KEY] = ShutdownWatch()
        watch.start()
    return watch  # type: ignore[no-any-return]


def began() -> asyncio.Event:
    """Set once the server running the current app starts to stop.

    Long-lived handlers (websockets, event streams) wait on it beside their
    work and end when it is set.  Outside a serving app (a test client
    without lifespan) it is an event nobody sets.
    """
    watch = current_app.extensions.get(_EXTENSION_KEY)
    return watch.began if watch is not None else asyncio.Event()


async def stop_watch(app: Quart) -> None:
    watch = app.extensions.pop(_EXTENSION_KEY, None)
    if watch is not None:
        await watch.stop()
