"""Load generators: wrk for throughput, asyncio for concurrency and latency.

Every loop is bounded in count and time, and only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any
from urllib.parse import urlsplit

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


class _Connection:
    """One keep-alive HTTP/1.1 connection speaking just enough of the protocol.

    httpx costs the client more CPU per request than a fast server spends
    answering it, and on a 2-core machine the load generator shares the cores
    with the server: the wall time would measure the client.  Connections
    are opened before the clock starts.
    """

    def __init__(self, host: str, port: int) -> None:
        self.address = (host, port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> _Connection:
        self.reader, self.writer = await asyncio.open_connection(*self.address)
        return self

    async def send(self, request: bytes) -> int:
        """Send a prepared request; read the whole answer; its status code.

        A server may close a keep-alive connection that sat idle (gunicorn
        after 2 s): then the request goes again on a new one.
        """
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            if getattr(exc, "partial", b""):
                raise
            await self.close()
            await self.open()
            return await self.send(request)
        status = int(head.split(b" ", 2)[1])
        length = re.search(rb"(?i)content-length:\s*(\d+)", head)
        if length is None:
            raise RuntimeError(f"no Content-Length in {head!r}")
        await self.reader.readexactly(int(length.group(1)))
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()


def _request(url: str, body: dict[str, Any] | None = None) -> tuple[str, int, bytes]:
    """(host, port, the bytes of a POST of ``body`` as JSON, or of a GET)."""
    parts = urlsplit(url)
    head = f"{'GET' if body is None else 'POST'} {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
    return parts.hostname or "127.0.0.1", parts.port or 80, (head + "\r\n").encode() + payload


async def _concurrent_posts(url: str, body: dict[str, Any], count: int) -> float:
    host, port, request = _request(url, body)
    connections = await asyncio.gather(*(_Connection(host, port).open() for _ in range(count)))
    try:
        await asyncio.gather(*(c.send(request) for c in connections))  # a round to warm up
        started = time.perf_counter()
        statuses = await asyncio.gather(*(c.send(request) for c in connections))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
    bad = [status for status in statuses if status != 200]
    if bad:
        raise RuntimeError(f"{url}: {len(bad)} failed: {bad[:5]}")
    return elapsed


def concurrent_wall(url: str, body: dict[str, Any], count: int) -> float:
    """Seconds for ``count`` simultaneous requests to all complete.

    The run's rounds give the median, so one slow run (the machine still
    draining the previous workload's sockets, say) does not decide it.
    """
    return asyncio.run(_concurrent_posts(url, body, count))


async def _latency_under_load(
    base: str, body: dict[str, Any], blockers: int, probes: int
) -> list[float]:
    host, port, ping = _request(base + "/ping")
    _, _, blocking = _request(base + "/_dash-update-component", body)
    prober, *loaded = await asyncio.gather(
        *(_Connection(host, port).open() for _ in range(blockers + 1))
    )
    try:
        await prober.send(ping)
        load = [asyncio.create_task(c.send(blocking)) for c in loaded]
        await asyncio.sleep(0.05)
        latencies = []
        for _ in range(probes):
            started = time.perf_counter()
            await prober.send(ping)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.005)
        await asyncio.gather(*load)
    finally:
        await asyncio.gather(*(c.close() for c in [prober, *loaded]), return_exceptions=True)
    return latencies


def ping_latency_under_load(
    base: str, body: dict[str, Any], blockers: int, probes: int = 50
) -> dict[str, float]:
    """GET /ping every 5 ms on its own keep-alive connection while ``blockers``
    requests of ``body`` run, each on its own."""
    latencies = asyncio.run(_latency_under_load(base, body, blockers, probes))
    return {"p50_ms": statistics.median(latencies) * 1000, "max_ms": max(latencies) * 1000}
