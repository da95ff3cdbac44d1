"""Server-sent events: framing, keep-alive, disconnects, and dash-extensions in a browser."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from quart import Quart

from quart_flash import FlashBlueprint, ServerSentEvent, html, sse_response
from quart_flash.sse import encode

from .helpers import example_in_a_browser

ROOT = Path(__file__).resolve().parents[1]


def test_event_framing():
    assert encode("hi") == b"data: hi\n\n"
    assert encode("two\nlines") == b"data: two\ndata: lines\n\n"
    assert encode({"n": 1}) == b'data: {"n":1}\n\n'
    assert encode(html.B("x")) == (
        b'data: {"props":{"children":"x"},"type":"B","namespace":"dash_html_components"}\n\n'
    )
    event = ServerSentEvent("d", event="tick\nforged: x", id="7", retry=500)
    assert encode(event) == b"event: tick forged: x\nid: 7\nretry: 500\ndata: d\n\n"
    assert encode("") == b"data: \n\n"


def _app(closed: list[str]) -> Quart:
    app = Quart(__name__)
    bp = FlashBlueprint("events", __name__, url_prefix="/ev")
    bp.layout = html.Div()

    @bp.sse("/numbers/<int:count>")
    async def numbers(count):
        for n in range(count):
            yield {"n": n}

    @bp.sse("/slow", keep_alive=0.1)
    async def slow():
        try:
            await asyncio.sleep(0.35)
            yield "late"
            await asyncio.sleep(3600)
            yield "never"
        finally:
            closed.append("slow")

    @app.get("/plain")
    async def plain():
        async def gen():
            yield "from a plain route"

        return sse_response(gen())

    app.register_blueprint(bp)
    return app


def test_stream_headers_keep_alive_and_disconnect(flash_server):
    closed: list[str] = []
    server = flash_server(_app(closed))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answer = client.get("/ev/numbers/3")
        assert answer.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert answer.headers["cache-control"] == "no-cache"
        assert "content-encoding" not in answer.headers
        assert answer.text == (': connected\n\ndata: {"n":0}\n\ndata: {"n":1}\n\ndata: {"n":2}\n\n')
        assert client.get("/plain").text.endswith("data: from a plain route\n\n")

        with client.stream("GET", "/ev/slow") as stream:
            chunks = []
            for chunk in stream.iter_text():
                chunks.append(chunk)
                if "data: late" in "".join(chunks):
                    break
        text = "".join(chunks)
        # Idle time before the event was filled with comments, not silence.
        assert text.count(": keep-alive\n\n") >= 2, text
    deadline = time.monotonic() + 5
    while closed != ["slow"]:  # the browser went away: the generator was closed
        assert time.monotonic() < deadline, "the generator was left running"
        time.sleep(0.05)


def test_events_are_sent_as_they_are_yielded(flash_server):
    """No added delay: each event reaches the client before the next is made."""
    app = Quart(__name__)

    @app.get("/paced")
    async def paced():
        async def gen():
            for n in range(3):
                yield str(n)
                await asyncio.sleep(0.5)

        return sse_response(gen())

    server = flash_server(app)
    arrivals = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        started = time.monotonic()
        with client.stream("GET", "/paced") as stream:
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    arrivals.append(time.monotonic() - started)
    assert len(arrivals) == 3
    # Each arrived before the generator slept for the next (0.5 s apart).
    assert arrivals[0] < 0.4 and arrivals[1] - arrivals[0] > 0.3, arrivals


@pytest.mark.browser
def test_dash_extensions_example_in_a_browser():
    with example_in_a_browser("examples.sse_stream:app", "/stream/") as browser:
        browser.visit("/stream/")
        browser.wait_for_contains_text("#story", "(complete)")
        assert browser.text("#story").startswith("Once upon a time")

        def tick() -> int:
            text = browser.text("#ticker")
            return int(text.split()[1]) if text.startswith("tick ") else 0

        browser.wait_for(tick, "the first tick")
        first = tick()
        browser.wait_for(lambda: tick() >= first + 3, "three more ticks")
