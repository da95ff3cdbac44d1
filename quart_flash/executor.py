"""The bounded thread pool that runs plain ``def`` callbacks and layouts.

A sync callback that waits on a database must not stall the event loop, and
must not grow threads without bound either.  Each Quart app gets one pool,
shared by all of its FlashBlueprints, sized by ``QUART_FLASH_MAX_THREADS``
(default 64: callbacks mostly wait on I/O, so threads are cheap and a pool
sized for cores would queue them).  When every thread is busy, further calls
wait their turn.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from quart import Quart, current_app

T = TypeVar("T")

CONFIG_KEY = "QUART_FLASH_MAX_THREADS"
DEFAULT_MAX_THREADS = 64
_EXTENSION_KEY = "quart_flash.executor"


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


async def shutdown(app: Quart) -> None:
    """Let running calls finish, then release the threads."""
    pool = app.extensions.pop(_EXTENSION_KEY, None)
    if pool is not None:
        await asyncio.get_running_loop().run_in_executor(None, pool.shutdown)
