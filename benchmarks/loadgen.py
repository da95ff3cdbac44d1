"""Load generators: wrk for throughput, asyncio for concurrency and latency.

Every loop is bounded in count and time, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any

import httpx

_WRK_POST = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
"""


def wrk_rps(url: str, body: dict[str, Any] | None, seconds: float, connections: int = 32) -> float:
    """Requests/s over ``seconds`` (a POST of ``body``, or a GET)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:
            script.write(_WRK_POST.format(body=json.dumps(json.dumps(body))))
        script.flush()
        out = subprocess.run(
            [wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", script.name, url],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


async def _concurrent_posts(url: str, body: dict[str, Any], count: int) -> float:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await client.post(url, json=body)  # warm up
        started = time.perf_counter()
        responses = await asyncio.gather(*(client.post(url, json=body) for _ in range(count)))
        elapsed = time.perf_counter() - started
    bad = [r.status_code for r in responses if r.status_code != 200]
    if bad:
        raise RuntimeError(f"{url}: {len(bad)} failed: {bad[:5]}")
    return elapsed


def concurrent_wall(url: str, body: dict[str, Any], count: int, repeats: int = 3) -> float:
    """Seconds for ``count`` simultaneous requests to all complete (median of runs).

    The median keeps one slow run (the machine still draining the previous
    workload's sockets, say) from deciding the figure.
    """
    return statistics.median(
        asyncio.run(_concurrent_posts(url, body, count)) for _ in range(repeats)
    )


async def _latency_under_load(
    base: str, body: dict[str, Any], blockers: int, probes: int
) -> list[float]:
    limits = httpx.Limits(max_connections=blockers + 4)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await client.get("/ping")
        load = [
            asyncio.create_task(client.post("/_dash-update-component", json=body))
            for _ in range(blockers)
        ]
        await asyncio.sleep(0.05)
        latencies = []
        for _ in range(probes):
            started = time.perf_counter()
            await client.get("/ping")
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.005)
        await asyncio.gather(*load)
    return latencies


def ping_latency_under_load(
    base: str, body: dict[str, Any], blockers: int, probes: int = 50
) -> dict[str, float]:
    latencies = asyncio.run(_latency_under_load(base, body, blockers, probes))
    return {"p50_ms": statistics.median(latencies) * 1000, "max_ms": max(latencies) * 1000}
