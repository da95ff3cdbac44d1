"""A channels app for multi-process tests: ``hypercorn -w 2`` with Redis pub/sub."""

from __future__ import annotations

import os

from quart import Quart, request
from redis import Redis

from quart_flash import FlashBlueprint, PublishError, html

REDIS_URL = os.environ.get("FLASH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

app = Quart(__name__)
app.config["QUART_FLASH_REDIS_URL"] = REDIS_URL
live = FlashBlueprint("live", __name__, url_prefix="/live")
live.layout = html.Div(id="ticker")
registry = Redis.from_url(REDIS_URL)


@live.channel_authorizer
async def record_worker(channel, websocket):
    """Lets tests see which worker process each connection landed on."""
    session = websocket.cookies.get("quart_flash_session", "")
    registry.set(f"flash-test:{websocket.args.get('run', '')}:{session}", os.getpid(), ex=60)
    return True


@app.post("/publish")
async def publish():
    body = await request.get_json()
    try:
        await live.publish(body["channel"], {"ticker": {"children": body["text"]}})
    except PublishError as exc:
        return {"published": False, "error": str(exc)}, 503
    return {"published": True}


app.register_blueprint(live)
