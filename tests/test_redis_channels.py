"""Channels across processes with a real Redis: several workers, Redis restarts."""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import websockets
from quart import Quart, request
from redis import Redis

from quart_flash import FlashBlueprint, PublishError, RedisBroker, html
from quart_flash.channels import SESSION_COOKIE
from quart_flash.testing import HypercornProcess, subscribe_channels

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("FLASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def connect(url: str, session: str, channels: list[str], run: str = ""):
    conn = await websockets.connect(
        f"{url.replace('http://', 'ws://')}/live/_flash/channels?run={run}",
        additional_headers={"Cookie": f"{SESSION_COOKIE}={session}"},
    )
    await subscribe_channels(conn, channels)
    return conn


async def received_text(conn, timeout: float = 5.0) -> str:
    message = json.loads(await asyncio.wait_for(conn.recv(), timeout))
    return message["updates"][0]["props"]["children"]


def test_every_worker_delivers_every_publish():
    run = uuid.uuid4().hex
    server = HypercornProcess(
        "tests.apps.channels_dashboard:app",
        args=["--workers", "2"],
        cwd=str(ROOT),
        env={"FLASH_TEST_REDIS_URL": REDIS_URL},
    ).start(ready_path="/live/")
    registry = Redis.from_url(REDIS_URL)

    async def scenario():
        conns = []
        held: Counter[bytes] = Counter()  # browsers per worker PID
        # Until each worker holds two browsers. Which one accepts a connection
        # is the kernel's choice and can favour one worker for a long run, so
        # the wait is bounded by time, and surplus browsers are closed.
        deadline = time.monotonic() + 30
        tries = 0
        while len(held) < 2 or min(held.values()) < 2:
            assert time.monotonic() < deadline, f"browsers per worker after {tries}: {held}"
            session = f"browser-{tries}"
            tries += 1
            conn = await connect(server.url, session, ["prices"], run)
            pid = registry.get(f"flash-test:{run}:{session}")  # set as it subscribed
            assert pid is not None
            if held[pid] == 2:
                await conn.close()
            else:
                held[pid] += 1
                conns.append(conn)
            await asyncio.sleep(0.05)
        # One subscriber connection per process, however many browsers (no
        # other process subscribes to patterns on the test's Redis meanwhile).
        subscribers = [c for c in registry.client_list() if int(c["psub"]) > 0]
        assert len(subscribers) == 2
        async with httpx.AsyncClient(base_url=server.url) as client:
            for n in range(6):
                resp = await client.post("/publish", json={"channel": "prices", "text": f"p{n}"})
                assert resp.json()["published"] is True
                texts = [await received_text(conn) for conn in conns]
                assert texts == [f"p{n}"] * len(conns)
        for conn in conns:
            await conn.close()

    try:
        asyncio.run(scenario())
    finally:
        server.stop()


def test_redis_restart_delivery_resumes_and_publish_fails_fast(flash_server, own_redis):
    app = Quart(__name__)
    app.config["QUART_FLASH_BROKER"] = RedisBroker(own_redis.url)
    live = FlashBlueprint("live", __name__, url_prefix="/live")
    live.layout = html.Div(id="ticker")

    @app.post("/publish")
    async def publish():
        text = (await request.get_json())["text"]
        started = time.monotonic()
        try:
            await live.publish("prices", {"ticker": {"children": text}})
        except PublishError:
            return {"published": False, "seconds": time.monotonic() - started}, 503
        return {"published": True}

    app.register_blueprint(live)
    server = flash_server(app)

    async def scenario():
        conn = await connect(server.url, "s", ["prices"])
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            assert (await client.post("/publish", json={"text": "before"})).status_code == 200
            assert await received_text(conn) == "before"

            own_redis.kill()
            down = await client.post("/publish", json={"text": "lost"})
            assert down.status_code == 503 and down.json()["seconds"] < 1.5
            # Pages and callbacks keep working without Redis.
            assert (await client.get("/live/_dash-layout")).status_code == 200

            own_redis.start()
            restarted = time.monotonic()
            while True:
                resp = await client.post("/publish", json={"text": "after"})
                if resp.status_code == 200:
                    try:
                        assert await received_text(conn, timeout=0.2) == "after"
                        break
                    except asyncio.TimeoutError:
                        pass  # the subscriber has not resubscribed yet
                assert time.monotonic() - restarted < 2.0, "delivery did not resume within 2 s"
                await asyncio.sleep(0.05)
        await conn.close()

    asyncio.run(scenario())
