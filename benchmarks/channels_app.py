"""The app the channels benchmark serves (hypercorn -w 2, Redis pub/sub)."""

from __future__ import annotations

import asyncio
import os
import time

from quart import Quart

from quart_flash import Channel, FlashBlueprint, Input, Output, html

app = Quart(__name__)
app.config["QUART_FLASH_REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
app.config["QUART_FLASH_QUEUE_SIZE"] = 1024
live = FlashBlueprint("live", __name__, url_prefix="/live")
live.layout = html.Div([Channel("prices"), html.Div(id="ticker"), html.Div(id="stream")])


@app.post("/publish")
async def publish():
    """Publishes the sender's timestamp so receivers can measure latency."""
    await live.publish("prices", {"ticker": {"children": repr(time.time())}})
    return {"ok": True}


@live.callback(Output("stream", "children"), Input("go", "n_clicks"))
async def stream(n):
    for i in range(int(n or 0)):
        yield i
        await asyncio.sleep(0)


app.register_blueprint(live)
