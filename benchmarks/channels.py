"""Channels benchmark: fan-out latency across workers, and a streaming callback's rate.

    python benchmarks/channels.py [--subscribers 1000] [--seconds 10] [--rate 20]

Starts ``hypercorn -w 2 benchmarks.channels_app:app`` (Redis from
``BENCH_REDIS_URL``, default the local one), connects the subscribers over
websockets (they spread over both workers), publishes ``rate`` messages a
second through an HTTP route for ``seconds`` seconds, and prints the
delivered count and p50/p99 latency (publish to receipt, same clock).  Then
measures how many updates a second one streaming callback delivers to its
browser.  Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quart_flash.testing import HypercornProcess, subscribe_channels  # noqa: E402

COOKIE = "quart_flash_session"


async def subscribe(url: str, index: int) -> websockets.ClientConnection:
    conn = await websockets.connect(
        url, additional_headers={"Cookie": f"{COOKIE}=bench-{index}"}, max_queue=None
    )
    await subscribe_channels(conn, ["prices"])
    return conn


async def fan_out(base: str, subscribers: int, seconds: float, rate: float) -> dict[str, float]:
    ws_url = base.replace("http://", "ws://") + "/live/_flash/channels"
    conns = []
    for start in range(0, subscribers, 100):  # connect in batches of 100
        conns += await asyncio.gather(
            *(subscribe(ws_url, i) for i in range(start, min(start + 100, subscribers)))
        )
    await asyncio.sleep(1.0)
    latencies: list[float] = []
    received = 0

    async def reader(conn: websockets.ClientConnection) -> None:
        nonlocal received
        async for raw in conn:
            now = time.time()
            for update in json.loads(raw)["updates"]:
                latencies.append(now - float(update["props"]["children"]))
                received += 1

    readers = [asyncio.create_task(reader(c)) for c in conns]
    published = 0
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        deadline = time.monotonic() + seconds
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            await client.post("/publish")
            published += 1
            next_at += 1 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    await asyncio.sleep(2.0)  # let the last messages arrive
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)
    latencies.sort()
    expected = published * subscribers
    return {
        "published": published,
        "expected": expected,
        "delivered": received,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan"),
        "max_ms": latencies[-1] * 1000 if latencies else float("nan"),
    }


async def streaming_rate(base: str, updates: int) -> dict[str, float]:
    ws_url = base.replace("http://", "ws://") + "/live/_flash/channels"
    conn = await websockets.connect(
        ws_url, additional_headers={"Cookie": f"{COOKIE}=streamer"}, max_queue=None
    )
    await subscribe_channels(conn, [])
    body = {
        "output": "stream.children",
        "outputs": {"id": "stream", "property": "children"},
        "inputs": [{"id": "go", "property": "n_clicks", "value": updates}],
        "changedPropIds": ["go.n_clicks"],
    }
    seen = messages = 0
    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=60, cookies={COOKIE: "streamer"}) as client:
        post = asyncio.create_task(client.post("/live/_dash-update-component", json=body))
        while seen < updates:
            raw = await asyncio.wait_for(conn.recv(), 30)
            messages += 1
            seen += len(json.loads(raw)["updates"])
        await post
    elapsed = time.perf_counter() - start
    await conn.close()
    return {
        "updates": seen,
        "messages": messages,
        "seconds": elapsed,
        "updates_per_s": seen / elapsed,
        "messages_per_s": messages / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--stream-updates", type=int, default=5000)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))

    server = HypercornProcess(
        "benchmarks.channels_app:app",
        args=["--workers", "2"],
        cwd=str(ROOT),
        env={"BENCH_REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")},
    ).start("/live/")
    try:
        fan = asyncio.run(fan_out(server.url, args.subscribers, args.seconds, args.rate))
        stream = asyncio.run(streaming_rate(server.url, args.stream_updates))
    finally:
        server.stop()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"fan-out: {args.subscribers} subscribers, 2 workers, Redis, "
        f"{args.rate:g} publishes/s for {args.seconds:g} s"
    )
    print(
        f"  delivered {fan['delivered']:.0f} of {fan['expected']:.0f} "
        f"({fan['published']:.0f} publishes)"
    )
    print(
        f"  latency p50 {fan['p50_ms']:.1f} ms, p99 {fan['p99_ms']:.1f} ms, "
        f"max {fan['max_ms']:.1f} ms"
    )
    print(
        f"streaming callback: {stream['updates']:.0f} updates in {stream['seconds']:.2f} s = "
        f"{stream['updates_per_s']:.0f} updates/s in {stream['messages']:.0f} messages "
        f"({stream['messages_per_s']:.0f} messages/s)"
    )


if __name__ == "__main__":
    main()
