"""Shared fixtures: an HTTP client bound to a live hypercorn server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest


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
