"""Shared fixtures: an HTTP client bound to a live hypercorn server, a private Redis."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from redis import Redis

from quart_flash.testing import listening_socket


@pytest.fixture
def serve(flash_server: Callable[..., Any]) -> Iterator[Callable[..., httpx.Client]]:
    """``serve(app)`` -> an httpx client whose base URL is the live server."""
    clients: list[httpx.Client] = []

    def start(app: Any, **config: Any) -> httpx.Client:
        server = flash_server(app, **config)
        client = httpx.Client(base_url=server.url, timeout=30)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()


@pytest.fixture
def own_redis():
    """A redis-server of our own on a free port, which the test may kill."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (Debian package redis-server)"
    sock = listening_socket()
    port = sock.getsockname()[1]
    sock.close()

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen[bytes] | None = None

        def start(self) -> None:
            self.process = subprocess.Popen(
                [
                    binary,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            with Redis.from_url(self.url) as client:  # closed: tests count clients
                while True:
                    try:
                        client.ping()
                        return
                    except Exception:  # noqa: BLE001 - not up yet
                        assert time.monotonic() < deadline, "redis-server did not start"
                        time.sleep(0.05)

        def kill(self) -> None:
            assert self.process is not None
            self.process.kill()
            self.process.wait()

    server = Server()
    server.start()
    yield server
    server.kill()
