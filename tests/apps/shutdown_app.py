"""An app for the graceful-shutdown tests: slow callbacks, channels over Redis, SSE."""

from __future__ import annotations

import asyncio
import os
import time

from quart import Quart
from redis import Redis
from redis import asyncio as aioredis

from quart_flash import FlashBlueprint, Input, Output, dcc, html

app = Quart(__name__)
app.config["QUART_FLASH_REDIS_URL"] = os.environ["FLASH_SHUTDOWN_REDIS_URL"]
slow = FlashBlueprint("slow", __name__, url_prefix="/slow")
slow.layout = html.Div([dcc.Input(id="in"), html.Div(id="async-out"), html.Div(id="sync-out")])
SECONDS = float(os.environ.get("FLASH_SHUTDOWN_CALLBACK_SECONDS", "1.5"))
# Each callback counts itself here as it starts, so the test signals the
# server only once every callback is known to be running in it.
STARTED_KEY = os.environ["FLASH_SHUTDOWN_STARTED_KEY"]
started_async = aioredis.from_url(os.environ["FLASH_SHUTDOWN_REDIS_URL"])
started_sync = Redis.from_url(os.environ["FLASH_SHUTDOWN_REDIS_URL"])


@slow.callback(Output("async-out", "children"), Input("in", "value"))
async def slow_async(value):
    await started_async.incr(STARTED_KEY)
    await asyncio.sleep(SECONDS)
    return f"async {value}"


@slow.callback(Output("sync-out", "children"), Input("in", "value"))
def slow_sync(value):
    started_sync.incr(STARTED_KEY)
    time.sleep(SECONDS)
    return f"sync {value}"


@slow.sse("/events")
async def events():
    while True:
        yield "still here"
        await asyncio.sleep(0.2)


app.register_blueprint(slow)
