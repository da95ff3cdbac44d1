"""Channels over a real websocket: push, channel callbacks, streaming, auth, back-pressure."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
import websockets
from quart import Quart, request

from quart_flash import FlashBlueprint, Input, Output, dcc, html, set_props
from quart_flash.channels import SESSION_COOKIE, Channel
from quart_flash.testing import subscribe_channels

from .helpers import callback_body, prop, response_of


def ws_url(server, prefix: str) -> str:
    return server.url.replace("http://", "ws://") + f"{prefix}/_flash/channels"


async def subscriber(server, prefix, channels, session="s-1", confirm=True, **headers):
    """A channels websocket; by default back once the server confirmed ``channels``."""
    conn = await websockets.connect(
        ws_url(server, prefix),
        additional_headers={"Cookie": f"{SESSION_COOKIE}={session}", **headers},
    )
    if confirm:
        await subscribe_channels(conn, channels)
    else:
        await conn.send(json.dumps({"type": "subscribe", "channels": channels}))
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


def guarded_app(queue_size: int = 256) -> tuple[Quart, FlashBlueprint]:
    app = Quart(__name__)
    app.config["QUART_FLASH_QUEUE_SIZE"] = queue_size
    bp = FlashBlueprint(
        "guarded", __name__, url_prefix="/g", channel_origins=["https://trusted.example"]
    )
    bp.layout = html.Div()

    @bp.channel_authorizer
    async def only_members(channel, websocket):
        return not channel.startswith("private-") or websocket.cookies.get("member") == "yes"

    @app.post("/flood")
    async def flood():
        for i in range(int(request.args["n"])):
            await bp.publish("news", {"ticker": {"children": "x" * 1000 + str(i)}})
        return {"ok": True}

    app.register_blueprint(bp)
    return app, bp


def test_authorizer_refuses_with_a_clear_close_reason(flash_server):
    app, _ = guarded_app()
    server = flash_server(app)

    async def scenario():
        member = await subscriber(
            server, "/g", ["private-board"], Cookie=f"member=yes; {SESSION_COOKIE}=m"
        )
        await subscribe_channels(member, ["private-board", "news"])
        stranger = await subscriber(server, "/g", ["private-board"], session="x", confirm=False)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(stranger.recv(), 5)
        assert closed.value.rcvd.code == 4003
        assert closed.value.rcvd.reason == "subscription refused: private-board"
        assert member.state is websockets.State.OPEN
        await member.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "origin, allowed",
    [
        (None, True),
        ("https://trusted.example", True),
        ("https://evil.example", False),
    ],
)
def test_origin_check(flash_server, origin, allowed):
    app, _ = guarded_app()
    server = flash_server(app)

    async def scenario():
        headers = {"Origin": origin} if origin else {}
        conn = await websockets.connect(ws_url(server, "/g"), additional_headers=headers)
        if allowed:
            await subscribe_channels(conn, [])
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(conn.recv(), 0.3)
            await conn.close()
        else:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(conn.recv(), 5)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
                4003,
                "origin not allowed",
            )

    asyncio.run(scenario())


def test_same_origin_is_allowed(flash_server):
    app, _ = guarded_app()
    server = flash_server(app)
    host = server.url.removeprefix("http://")

    async def scenario():
        conn = await websockets.connect(
            ws_url(server, "/g"), additional_headers={"Origin": f"http://{host}"}
        )
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(conn.recv(), 0.3)
        await conn.close()

    asyncio.run(scenario())


def test_unknown_messages_get_an_error_and_the_socket_stays(flash_server):
    app, _ = guarded_app()
    server = flash_server(app)

    async def scenario():
        conn = await websockets.connect(ws_url(server, "/g"))
        for junk in (
            "not json",
            json.dumps({"type": "dance"}),
            json.dumps({"type": "subscribe", "channels": [1]}),
        ):
            await conn.send(junk)
            assert json.loads(await asyncio.wait_for(conn.recv(), 5))["type"] == "error"
        await subscribe_channels(conn, ["news"])
        async with httpx.AsyncClient(base_url=server.url) as client:
            await client.post("/flood?n=1")
        assert "ticker" in await next_props(conn)
        await conn.close()

    asyncio.run(scenario())


def test_a_browser_that_does_not_read_is_disconnected(flash_server):
    app, _ = guarded_app(queue_size=8)
    server = flash_server(app)

    async def scenario():
        # A tiny receive buffer and no reading: the server's queue fills up.
        lazy = await websockets.connect(ws_url(server, "/g"), max_queue=1)
        await subscribe_channels(lazy, ["news"])
        lazy.transport.pause_reading()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            assert (await client.post("/flood?n=2000")).json() == {"ok": True}
        lazy.transport.resume_reading()
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(lazy.recv(), 10)
        assert closed.value.rcvd.code == 4008

    asyncio.run(scenario())


def test_publish_threadsafe_from_a_def_callback(flash_server):
    app = Quart(__name__)
    bp = FlashBlueprint("threads", __name__, url_prefix="/t", suppress_callback_exceptions=True)
    bp.layout = html.Div()

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def notify(value):
        bp.publish_threadsafe("alerts", {"alert": {"children": f"{value}!"}})
        return value

    app.register_blueprint(bp)
    server = flash_server(app)

    async def scenario():
        conn = await subscriber(server, "/t", ["alerts"])
        async with httpx.AsyncClient(base_url=server.url) as client:
            await client.post(
                "/t/_dash-update-component",
                json=callback_body(
                    "out.children",
                    {"id": "out", "property": "children"},
                    [prop("in", "value", "v")],
                ),
            )
        assert await next_props(conn) == {"alert": {"children": "v!"}}
        await conn.close()

    asyncio.run(scenario())


def test_publish_from_a_startup_background_task(flash_server):
    app = Quart(__name__)
    bp = FlashBlueprint("clock", __name__, url_prefix="/clock")
    bp.layout = html.Div([Channel("ticks"), html.Div(id="tick")])

    # Quart gives background tasks 5 s to end at shutdown before it cancels
    # them; the test ends the ticker itself rather than sit that out.
    done = threading.Event()

    async def ticker():
        n = 0
        while not done.is_set():
            await bp.publish("ticks", {"tick": {"children": n}})
            await asyncio.sleep(0.1)
            n += 1

    @app.before_serving
    async def start_ticker():
        app.add_background_task(ticker)

    app.register_blueprint(bp)
    server = flash_server(app)

    async def scenario():
        conn = await subscriber(server, "/clock", ["ticks"])
        first = (await next_props(conn))["tick"]["children"]
        second = (await next_props(conn))["tick"]["children"]
        assert second == first + 1
        await conn.close()

    try:
        asyncio.run(scenario())
    finally:
        done.set()


def test_apps_never_share_channels_or_sessions(flash_server):
    """Apps on one server are isolated even when their names are chosen to collide."""
    app = Quart(__name__)
    shop = FlashBlueprint("shop", __name__, url_prefix="/shop")
    evil = FlashBlueprint("shop/c/evil", __name__, url_prefix="/evil")
    for bp in (shop, evil):
        bp.layout = html.Div([Channel("x"), html.Div(id="out")])
        app.register_blueprint(bp)

    @app.post("/publish/<int:which>")
    async def publish(which):
        body = await request.get_json()
        bp = (shop, evil)[which]
        await bp.publish(
            body.get("channel"), {"out": {"children": body["text"]}}, session=body.get("session")
        )
        return {"ok": True}

    server = flash_server(app)

    async def scenario():
        # The same session cookie on both, and channel names that would spell
        # each other's keys if the app name did not delimit them.
        in_shop = await subscriber(server, "/shop", ["evil/c/x"], session="same")
        in_evil = await subscriber(server, "/evil", ["x"], session="same")
        async with httpx.AsyncClient(base_url=server.url) as client:

            async def send(which, text, **target):
                response = await client.post(f"/publish/{which}", json={"text": text, **target})
                assert response.status_code == 200

            await send(1, "evil x", channel="x")
            assert await next_props(in_evil) == {"out": {"children": "evil x"}}
            await send(0, "shop session", session="same")
            assert await next_props(in_shop) == {"out": {"children": "shop session"}}
            await send(0, "shop evil/c/x", channel="evil/c/x")
            assert await next_props(in_shop) == {"out": {"children": "shop evil/c/x"}}
            await send(1, "evil session", session="same")
            assert await next_props(in_evil) == {"out": {"children": "evil session"}}
        # Each socket got exactly its own app's two pushes and nothing else.
        for conn in (in_shop, in_evil):
            with pytest.raises(asyncio.TimeoutError):
                await next_props(conn, timeout=0.3)
            await conn.close()

    asyncio.run(scenario())
