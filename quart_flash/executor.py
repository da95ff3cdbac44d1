"""The bounded pools that keep blocking work off the event loop.

Threads: plain ``def`` callbacks and layouts run here.

A sync callback that waits on a database must not stall the event loop, and
must not grow threads without bound either.  Each Quart app gets one pool,
shared by all of its FlashBlueprints, sized by ``QUART_FLASH_MAX_THREADS``
(default 64: callbacks mostly wait on I/O, so threads are cheap and a pool
sized for cores would queue them).  When every thread is busy, further calls
wait their turn.

Processes: CPU-heavy work holds the GIL, so threads do not help; an
``async def`` callback can send it to the app's process pool with
``await run_in_process(func, *args)`` (``QUART_FLASH_PROCESSES`` workers,
default one per core; ``func`` and its arguments must pickle).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from quart import Quart, current_app

T = TypeVar("T")

CONFIG_KEY = "QUART_FLASH_MAX_THREADS"
DEFAULT_MAX_THREADS = 64
_EXTENSION_KEY = "quart_flash.executor"
_PROCESS_KEY = "quart_flash.processes"


def _pool_for(app: Quart) -> ThreadPoolExecutor:
    pool = app.extensions.get(_EXTENSION_KEY)
    if pool is None:
        size = int(app.config.get(CONFIG_KEY, DEFAULT_MAX_THREADS))
        pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="quart-flash")
        app.extensions[_EXTENSION_KEY] = pool
    return pool


async def run_sync(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in the current app's pool with the context copied.

    Copying the context carries Quart's request and app contexts, Dash's
    callback context and ``dash.get_app()`` into the worker thread.
    """
    pool = _pool_for(current_app._get_current_object())  # type: ignore[attr-defined]
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, functools.partial(context.run, func, *args))


async def run_in_process(func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in the current app's process pool and await it."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    pool = app.extensions.get(_PROCESS_KEY)
    if pool is None:
        size = int(app.config.get("QUART_FLASH_PROCESSES", os.cpu_count() or 1))
        # spawn: forking a process that runs threads and an event loop is unsafe.
        context = multiprocessing.get_context("spawn")
        pool = app.extensions[_PROCESS_KEY] = ProcessPoolExecutor(size, mp_context=context)
    return await asyncio.get_running_loop().run_in_executor(pool, func, *args)


async def shutdown(app: Quart) -> None:
    """Drop queued calls, let running ones finish, release threads and processes.

    A thread cannot be stopped from outside, so a call already running (a
    background job, say) runs to its end before the process exits.
    """
    loop = asyncio.get_running_loop()
    for key in (_EXTENSION_KEY, _PROCESS_KEY):
        pool = app.extensions.pop(key, None)
        if pool is not None:
            await loop.run_in_executor(None, functools.partial(pool.shutdown, cancel_futures=True))
