"""A chat room: a channel callback sends each message to every open browser.

    hypercorn examples/chat:app           # open http://127.0.0.1:8000/ in two browsers

With ``QUART_FLASH_REDIS_URL=redis://127.0.0.1:6379/0`` in the environment
the room spans every worker process (``hypercorn -w 4 examples/chat:app``).
"""

from __future__ import annotations

import os
import time

from quart_flash import Channel, Flash, Input, Output, State, dcc, html, no_update

app = Flash(__name__, title="Chat")
server = app.server
if os.environ.get("QUART_FLASH_REDIS_URL"):
    server.config["QUART_FLASH_REDIS_URL"] = os.environ["QUART_FLASH_REDIS_URL"]

MESSAGES: list[str] = []  # per process; use a database when serving with several workers

app.layout = html.Div(
    [
        Channel("lobby"),
        html.H1("Lobby"),
        dcc.Input(id="name", placeholder="your name"),
        dcc.Input(id="message", placeholder="say something", debounce=True),
        html.Button("Send", id="send"),
        html.Ul(id="log"),
        html.Div(id="status"),
    ]
)


@app.callback(
    Output("log", "children"),
    Input("send", "n_clicks"),
    State("name", "value"),
    State("message", "value"),
    channel="lobby",
    prevent_initial_call=True,
)
async def send(_: int, name: str | None, message: str | None):
    if not message:
        return no_update
    MESSAGES.append(f"{time.strftime('%H:%M:%S')} {name or 'anonymous'}: {message}")
    return [html.Li(line) for line in MESSAGES[-50:]]


@app.callback(Output("status", "children"), Input("log", "children"), prevent_initial_call=True)
def count(lines: list) -> str:
    """Fires in every browser when the channel pushes a new log."""
    return f"{len(lines)} message(s)"
