"""dash-extensions' WebSocket component talking to a plain Quart websocket route.

The websocket route is the user's own (``@app.websocket``); the Dash app is
a FlashBlueprint beside it on the same server.

    hypercorn examples/ws_component:app      # http://127.0.0.1:8000/dash/
"""

from __future__ import annotations

from dash_extensions import WebSocket
from quart import Quart, request, websocket

from quart_flash import FlashBlueprint, Input, Output, State, dcc, html

app = Quart(__name__)


@app.websocket("/ws/shout")
async def shout() -> None:
    """Answers every message in capitals: a stand-in for any websocket service."""
    await websocket.send("connected")
    while True:
        message = await websocket.receive()
        await websocket.send(message.upper())


dashboard = FlashBlueprint("dash", __name__, url_prefix="/dash", title="WebSocket component")


def layout() -> html.Div:
    # The component needs an absolute URL: build it from the request.
    scheme = "wss" if request.scheme == "https" else "ws"
    return html.Div(
        [
            WebSocket(id="ws", url=f"{scheme}://{request.host}{request.root_path}/ws/shout"),
            dcc.Input(id="text", value="hello"),
            html.Button("Send", id="send"),
            html.Div(id="reply"),
        ]
    )


dashboard.layout = layout


@dashboard.callback(
    Output("ws", "send"),
    Input("send", "n_clicks"),
    State("text", "value"),
    prevent_initial_call=True,
)
def send(_: int, text: str) -> str:
    return text


@dashboard.callback(Output("reply", "children"), Input("ws", "message"))
def show(message: dict | None) -> str:
    return f"server says: {message['data']}" if message else "waiting"


app.register_blueprint(dashboard)
