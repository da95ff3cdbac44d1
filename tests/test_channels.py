"""Channels over a real websocket: push, channel callbacks, streaming, auth, back-pressure."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets
from quart import Quart, request

from quart_flash import FlashBlueprint, Input, Output, dcc, html, set_props
from quart_flash.channels import SESSION_COOKIE, Channel

from .helpers import callback_body, prop, response_of


def ws_url(server, prefix: str) -> str:
    return server.url.replace("http://", "ws://") + f"{prefix}/_flash/channels"


async def subscriber(server, prefix, channels, session="s-1", **headers):
    conn = await websockets.connect(
        ws_url(server, prefix),
        additional_headers={"Cookie": f"{SESSION_COOKIE}={session}", **headers},
    )
    await conn.send(json.dumps({"type": "subscribe", "channels": channels}))
    await asyncio.sleep(0.1)  # let the server register the subscription
    return conn


async def next_props(conn, timeout=5.0):
    message = json.loads(await asyncio.wait_for(conn.recv(), timeout))
    assert message["type"] == "props"
    return {u["id"]: u["props"] for u in message["updates"]}


def chat_app() -> tuple[Quart, FlashBlueprint]:
    app = Quart(__name__)
    bp = FlashBlueprint("chat", __name__, url_prefix="/chat")
    bp.layout = html.Div([Channel("room"), dcc.Input(id="msg"), html.Div(id="log")])
    log: list[str] = []

    @bp.callback(
        Output("log", "children"), Input("msg", "value"), channel="room", prevent_initial_call=True
    )
    async def say(message):
        log.append(message)
        return " | ".join(log)

    @bp.callback(Output("out", "children"), Input("go", "n_clicks"), prevent_initial_call=True)
    async def countdown(n):
        for step in ("three", "two", "one"):
            yield step
            await asyncio.sleep(0.05)
        yield "lift-off"

    @bp.callback(
        Output("final", "children"),
        Input("go2", "n_clicks"),
        websocket=True,
        prevent_initial_call=True,
    )
    def with_set_props(n):
        for i in range(3):
            set_props("progress", {"children": f"{i + 1}/3"})
            time.sleep(0.05)
        return "done"

    @app.post("/announce")
    async def announce():
        text = (await request.get_json())["text"]
        await bp.publish("room", {"banner": {"children": text}})
        return {"sent": True}

    app.register_blueprint(bp)
    return app, bp


def test_publish_from_a_route_reaches_every_subscriber(flash_server):
    app, _ = chat_app()
    server = flash_server(app)

    async def scenario():
        a = await subscriber(server, "/chat", ["room"], session="a")
        b = await subscriber(server, "/chat", ["room"], session="b")
        other = await subscriber(server, "/chat", ["elsewhere"], session="c")
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.post("/announce", json={"text": "hello"})).json() == {"sent": True}
        assert await next_props(a) == {"banner": {"children": "hello"}}
        assert await next_props(b) == {"banner": {"children": "hello"}}
        with pytest.raises(asyncio.TimeoutError):
            await next_props(other, timeout=0.3)
        for conn in (a, b, other):
            await conn.close()

    asyncio.run(scenario())


def test_channel_callback_outputs_go_to_every_subscriber(flash_server):
    app, _ = chat_app()
    server = flash_server(app)

    async def scenario():
        a = await subscriber(server, "/chat", ["room"], session="a")
        b = await subscriber(server, "/chat", ["room"], session="b")
        body = callback_body(
            "log.children",
            {"id": "log", "property": "children"},
            [prop("msg", "value", "hi from a")],
        )
        async with httpx.AsyncClient(base_url=server.url) as client:
            resp = await client.post("/chat/_dash-update-component", json=body)
        assert response_of(resp) == {"log": {"children": "hi from a"}}
        assert await next_props(b) == {"log": {"children": "hi from a"}}
        assert await next_props(a) == {"log": {"children": "hi from a"}}
        await a.close()
        await b.close()

    asyncio.run(scenario())


def test_generator_callback_streams_to_the_callers_browser_in_order(flash_server):
    app, _ = chat_app()
    server = flash_server(app)

    async def scenario():
        mine = await subscriber(server, "/chat", [], session="me")
        theirs = await subscriber(server, "/chat", [], session="them")
        body = callback_body(
            "out.children", {"id": "out", "property": "children"}, [prop("go", "n_clicks", 1)]
        )
        async with httpx.AsyncClient(base_url=server.url, cookies={SESSION_COOKIE: "me"}) as client:
            resp = await client.post("/chat/_dash-update-component", json=body)
        assert response_of(resp) == {"out": {"children": "lift-off"}}
        seen = []
        while len(seen) < 4:
            seen.append((await next_props(mine))["out"]["children"])
        assert seen == ["three", "two", "one", "lift-off"]
        with pytest.raises(asyncio.TimeoutError):
            await next_props(theirs, timeout=0.3)
        await mine.close()
        await theirs.close()

    asyncio.run(scenario())


def test_set_props_streams_in_websocket_callbacks(flash_server):
    app, _ = chat_app()
    server = flash_server(app)

    async def scenario():
        mine = await subscriber(server, "/chat", [], session="me")
        body = callback_body(
            "final.children", {"id": "final", "property": "children"}, [prop("go2", "n_clicks", 1)]
        )
        async with httpx.AsyncClient(base_url=server.url, cookies={SESSION_COOKIE: "me"}) as client:
            resp = await client.post("/chat/_dash-update-component", json=body)
        assert response_of(resp) == {"final": {"children": "done"}}
        assert "sideUpdate" not in resp.json()  # they were streamed instead
        progress = []
        while len(progress) < 3:
            progress.append((await next_props(mine))["progress"]["children"])
        assert progress == ["1/3", "2/3", "3/3"]
        await mine.close()

    asyncio.run(scenario())
