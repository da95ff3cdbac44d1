"""Server-sent events into Dash with dash-extensions: a ticker and a streamed text.

``@dashboard.sse(rule)`` turns an async generator into an event stream under
the app's prefix.  ``EventSource`` shows each message as it arrives (the
ticker); ``SSE`` concatenates a finite stream until ``[DONE]`` (the story,
as a chat model's answer would arrive).

    hypercorn examples.sse_stream:app     # then open http://127.0.0.1:8000/
"""

from __future__ import annotations

import asyncio
import time

from dash_extensions import SSE, EventSource
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, ServerSentEvent, html

TICK_SECONDS = 0.2
STORY = "Once upon a time a dashboard learned to stream, and nobody waited again."

app = Quart(__name__)
dashboard = FlashBlueprint("stream", __name__, url_prefix="/stream")


@dashboard.sse("/ticks")
async def ticks():
    """The wall clock's tick number, every 0.2 s, for as long as the page listens.

    Numbered by the clock rather than per connection: dash-extensions'
    ``EventSource`` (2.0) reopens its connection whenever Dash re-renders
    it, which it does after each message, so a per-connection counter would
    start again at 1 every time.
    """
    while True:
        now = time.time()
        await asyncio.sleep(TICK_SECONDS - now % TICK_SECONDS)
        tick = int(time.time() / TICK_SECONDS)
        yield ServerSentEvent(str(tick), id=str(tick))


@dashboard.sse("/story")
async def story():
    """A text word by word, then the end marker dash-extensions' SSE expects."""
    for word in STORY.split(" "):
        yield word + " "
        await asyncio.sleep(0.05)
    yield "[DONE]"


dashboard.layout = html.Div(
    [
        html.H1("Server-sent events"),
        EventSource(id="ticker-source", url="/stream/ticks"),
        html.Div(id="ticker"),
        SSE(id="story-source", url="/stream/story", concat=True),
        html.Div(id="story"),
    ]
)


@dashboard.callback(Output("ticker", "children"), Input("ticker-source", "message"))
async def show_tick(message):
    return f"tick {message}" if message else "waiting"


@dashboard.callback(
    Output("story", "children"), Input("story-source", "value"), Input("story-source", "done")
)
async def show_story(value, done):
    return (value or "") + (" (complete)" if done else "")


app.register_blueprint(dashboard)
