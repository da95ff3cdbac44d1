"""An app for the graceful-shutdown tests: slow callbacks, channels over Redis, SSE."""

from __future__ import annotations

import asyncio
import os
import time

from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, dcc, html

app = Quart(__name__)
app.config["QUART_FLASH_REDIS_URL"] = os.environ["FLASH_SHUTDOWN_REDIS_URL"]
slow = FlashBlueprint("slow", __name__, url_prefix="/slow")
slow.layout = html.Div([dcc.Input(id="in"), html.Div(id="async-out"), html.Div(id="sync-out")])
SECONDS = float(os.environ.get("FLASH_SHUTDOWN_CALLBACK_SECONDS", "1.5"))


@slow.callback(Output("async-out", "children"), Input("in", "value"))
async def slow_async(value):
    await asyncio.sleep(SECONDS)
    return f"async {value}"


@slow.callback(Output("sync-out", "children"), Input("in", "value"))
def slow_sync(value):
    time.sleep(SECONDS)
    return f"sync {value}"


@slow.sse("/events")
async def events():
    while True:
        yield "still here"
        await asyncio.sleep(0.2)


app.register_blueprint(slow)
