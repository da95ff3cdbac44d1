"""Graceful shutdown under a real hypercorn: SIGTERM while callbacks and websockets are open.

What must hold (issue 5): callbacks in flight finish, channel websockets get
a going-away close at once (not after the graceful timeout), event streams
end, the Redis
connections close, and the process group exits cleanly with nothing left.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Callable

import httpx
import pytest
import websockets
from redis import Redis

from quart_flash.testing import HypercornProcess

from .apps import sigterm_worker
from .helpers import callback_body, prop

ROOT = Path(__file__).resolve().parents[1]
GRACEFUL_TIMEOUT = 30  # far beyond the callbacks: waiting it out would show
STARTED_KEY = "started-callbacks"  # the app counts its running callbacks here


def _body(output: str) -> dict[str, object]:
    return callback_body(
        f"{output}.children",
        {"id": output, "property": "children"},
        [prop("in", "value", "x")],
        changed=["in.value"],
    )


class RedisWatch:
    """One connection of the test's own to the server's Redis, which tells
    the server's connections apart from itself (``CLIENT LIST`` by id)."""

    def __init__(self, url: str) -> None:
        self.redis = Redis.from_url(url, single_connection_client=True)
        self.own_id = int(self.redis.client_id())

    def others(self) -> list[dict[str, str]]:
        return [c for c in self.redis.client_list() if int(c["id"]) != self.own_id]

    def subscribers(self) -> int:
        """Connections holding a pattern subscription: one per serving process."""
        return sum(1 for client in self.others() if int(client["psub"]) > 0)

    def started(self) -> int:
        """Callbacks that have started in the server (shutdown_app counts them)."""
        return int(self.redis.get(STARTED_KEY) or 0)

    def until(self, condition: Callable[[], bool], what: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, what
            time.sleep(0.02)


async def _started(watch: RedisWatch, count: int) -> None:
    """Until ``count`` callbacks have started in the server."""
    deadline = time.monotonic() + 20
    while watch.started() < count:
        assert time.monotonic() < deadline, "the callbacks did not start"
        await asyncio.sleep(0.02)


async def _shutdown_during_work(
    server: HypercornProcess, kill_group: bool, watch: RedisWatch
) -> dict[str, object]:
    url = server.url + "/slow"
    sockets = [
        await websockets.connect(url.replace("http", "ws") + "/_flash/channels") for _ in range(4)
    ]
    async with httpx.AsyncClient(timeout=60) as client:
        streaming = asyncio.Event()

        async def stream_ends() -> float:
            async with client.stream("GET", url + "/events") as stream:
                async for _ in stream.aiter_lines():
                    streaming.set()
            return time.monotonic() - signalled

        events = asyncio.create_task(stream_ends())
        calls = [
            asyncio.create_task(client.post(url + "/_dash-update-component", json=_body(out)))
            for out in ("async-out", "sync-out") * 2
        ]
        # Everything is under way in the server, not merely sent (a request
        # still in the listen backlog at SIGTERM is never accepted).
        await asyncio.wait_for(streaming.wait(), 20)
        await _started(watch, len(calls))
        assert not any(call.done() for call in calls)
        signalled = time.monotonic()
        assert server.process is not None
        if kill_group:  # what systemd does: every process of the service
            os.killpg(server.process.pid, signal.SIGTERM)
        else:  # what docker stop and Kubernetes do: the main process only
            server.process.send_signal(signal.SIGTERM)

        async def closed(ws: websockets.ClientConnection) -> tuple[int | None, str, float]:
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            return ws.close_code, ws.close_reason, time.monotonic() - signalled

        closes = await asyncio.gather(*(closed(ws) for ws in sockets))
        answers = await asyncio.gather(*calls)
        stream_ended = await events
    return {"closes": closes, "answers": answers, "signalled": signalled, "sse": stream_ended}


def _wait_for_empty_group(pgid: int) -> None:
    """Workers and multiprocessing's helper process leave soon after the parent."""
    deadline = time.monotonic() + 5
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "processes of the server were left running"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("workers", "kill_group"),
    [("2", False), ("2", True), ("0", False)],
    ids=["workers-parent-signalled", "workers-group-signalled", "in-process"],
)
def test_sigterm_finishes_callbacks_closes_websockets_and_exits(own_redis, workers, kill_group):
    watch = RedisWatch(own_redis.url)
    server = HypercornProcess(
        "tests.apps.shutdown_app:app",
        args=["--workers", workers, "--graceful-timeout", str(GRACEFUL_TIMEOUT)],
        cwd=str(ROOT),
        env={"FLASH_SHUTDOWN_REDIS_URL": own_redis.url, "FLASH_SHUTDOWN_STARTED_KEY": STARTED_KEY},
    ).start("/slow/")
    try:
        # Every serving process has its channel subscription up (a worker may
        # answer before its subscriber has connected, or before the other is up).
        processes = max(int(workers), 1)
        watch.until(lambda: watch.subscribers() == processes, "the channel subscribers", 20)
        outcome = asyncio.run(_shutdown_during_work(server, kill_group, watch))
        assert server.process is not None
        server.process.wait(timeout=GRACEFUL_TIMEOUT / 2)
        exited = time.monotonic() - outcome["signalled"]  # type: ignore[operator]
        _wait_for_empty_group(server.process.pid)
        output = server.stop()
    finally:
        server.stop()

    for code, reason, after in outcome["closes"]:  # type: ignore[attr-defined]
        assert (code, reason) == (1001, "server shutting down")
        assert after < 5, f"the websocket waited {after:.1f} s for its close"
    assert outcome["sse"] < 5, "the event stream held the shutdown up"  # type: ignore[operator]
    texts = [answer.json()["response"] for answer in outcome["answers"]]  # type: ignore[attr-defined]
    assert (
        texts
        == [
            {"async-out": {"children": "async x"}},
            {"sync-out": {"children": "sync x"}},
        ]
        * 2
    )
    assert server.process.returncode == 0, output
    # It did not sit out the graceful timeout for its websockets.
    assert exited < GRACEFUL_TIMEOUT / 2, output
    assert "Traceback" not in output and "was destroyed" not in output, output
    watch.until(lambda: not watch.others(), "Redis connections were left open", 5)


def test_sigterm_storm_never_deadlocks_a_worker():
    """SIGTERM may arrive while the worker's main thread is inside the shutdown
    event's ``is_set()``, holding its lock. A handler that called ``set()``
    right there (a plain ``signal.signal`` handler runs between any two
    bytecodes) would wait forever for that lock, and the worker would hang
    with its callbacks unanswered. Hundreds of signals make that moment
    certain to come up."""
    context = multiprocessing.get_context("spawn")
    shutdown_event, ready = context.Event(), context.Event()
    worker = context.Process(
        target=sigterm_worker.main,
        kwargs={"shutdown_event": shutdown_event, "ready": ready, "seconds": 2.0},
    )
    worker.start()
    try:
        assert ready.wait(30), "the worker did not start"
        for _ in range(500):
            os.kill(worker.pid, signal.SIGTERM)  # type: ignore[arg-type]
            time.sleep(0.002)
        worker.join(15)
        assert worker.exitcode == 0, f"the worker hung or failed (exit code {worker.exitcode})"
        assert shutdown_event.is_set()
    finally:
        if worker.exitcode is None:
            worker.kill()
            worker.join()
