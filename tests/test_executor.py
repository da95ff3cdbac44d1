"""executor.ThreadPool: bounded, context-carrying, cancellable, one per loop it serves."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any

import pytest

from quart_flash.executor import ThreadPool


def test_pool_runs_calls_in_threads_with_the_context() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var")

    async def scenario() -> list[Any]:
        pool = ThreadPool(4)
        var.set("request")
        context = contextvars.copy_context()
        try:
            return await asyncio.gather(
                *(
                    pool.submit(lambda: context.run(lambda: (var.get(), threading.get_ident())))
                    for _ in range(20)
                )
            )
        finally:
            pool.shutdown()

    results = asyncio.run(scenario())
    assert {value for value, _ in results} == {"request"}
    assert threading.get_ident() not in {ident for _, ident in results}


def test_pool_is_bounded_and_blocking_calls_run_side_by_side() -> None:
    """Calls meet at a barrier: they pass only if that many run at once."""
    lock = threading.Lock()
    running = {"now": 0, "max": 0}

    def scenario(size: int, calls: int, together: int) -> int:
        barrier = threading.Barrier(together, timeout=20)
        running.update(now=0, max=0)

        def block() -> None:
            with lock:
                running["now"] += 1
                running["max"] = max(running["max"], running["now"])
            barrier.wait()  # BrokenBarrierError if fewer run side by side
            with lock:
                running["now"] -= 1

        async def run() -> None:
            pool = ThreadPool(size)
            try:
                await asyncio.gather(*(pool.submit(block) for _ in range(calls)))
            finally:
                pool.shutdown()

        asyncio.run(run())
        return running["max"]

    assert scenario(size=3, calls=9, together=3) == 3  # never more than the bound
    assert scenario(size=64, calls=40, together=40) == 40  # each blocking call its thread


def test_pool_short_calls_reuse_few_threads() -> None:
    async def scenario() -> int:
        pool = ThreadPool(64)
        try:
            for _ in range(50):
                await asyncio.gather(*(pool.submit(lambda: None) for _ in range(8)))
            return len(pool._threads)
        finally:
            pool.shutdown()

    assert asyncio.run(scenario()) < 64


def test_pool_errors_cancellation_and_shutdown() -> None:
    release = threading.Event()

    def fail() -> None:
        raise ValueError("boom")

    def stop() -> None:
        raise StopIteration

    async def scenario() -> None:
        pool = ThreadPool(1)
        with pytest.raises(ValueError, match="boom"):
            await pool.submit(fail)
        with pytest.raises(RuntimeError, match="StopIteration"):
            await pool.submit(stop)
        ran: list[int] = []
        busy = pool.submit(release.wait)
        queued = pool.submit(lambda: ran.append(1))
        cancelled = pool.submit(lambda: ran.append(2))
        cancelled.cancel()
        release.set()
        await busy
        await queued
        await asyncio.sleep(0.05)
        assert ran == [1]  # the cancelled call never ran
        release.clear()
        blocked = pool.submit(release.wait)
        dropped = pool.submit(lambda: ran.append(3))
        await asyncio.sleep(0.05)  # the one thread is now in ``blocked``
        loop = asyncio.get_running_loop()
        stopping = loop.run_in_executor(None, pool.shutdown)
        await asyncio.sleep(0.05)
        release.set()
        await stopping
        assert await blocked is True  # a running call finishes
        with pytest.raises(asyncio.CancelledError):
            await dropped  # a queued one is dropped
        assert ran == [1]
        with pytest.raises(RuntimeError):
            pool.submit(lambda: None)
        assert not any(t.is_alive() for t in pool._threads)

    asyncio.run(scenario())


def test_pool_answers_each_loop_it_is_used_from() -> None:
    pool = ThreadPool(2)

    async def call() -> int:
        return await asyncio.wait_for(pool.submit(lambda: 42), 5)

    try:
        for _ in range(3):  # a new loop each time, as in tests
            assert asyncio.run(call()) == 42
    finally:
        pool.shutdown()
