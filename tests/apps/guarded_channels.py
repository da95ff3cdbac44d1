"""An app whose authorizer refuses one channel, for the browser reconnect test."""

from __future__ import annotations

from quart import Quart, request

from quart_flash import Channel, FlashBlueprint, html

app = Quart(__name__)
bp = FlashBlueprint("guarded", __name__, url_prefix="/g")
bp.layout = html.Div([Channel("public"), Channel("secret"), html.Div(id="news")])


@bp.channel_authorizer
async def no_secrets(channel, websocket):
    return channel != "secret"


@app.post("/push")
async def push():
    await bp.publish("public", {"news": {"children": (await request.get_json())["text"]}})
    return {"ok": True}


app.register_blueprint(bp)
