"""Dash hooks: dash.hooks apply to every app, bp.hooks to one app only."""

from __future__ import annotations

import subprocess
import sys

from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, ctx, dcc, html

from .helpers import callback_body, prop, response_of


def make(name: str) -> FlashBlueprint:
    bp = FlashBlueprint(name, __name__, url_prefix=f"/{name}", suppress_callback_exceptions=True)
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")], id="main")

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def echo(value):
        if value == "fail":
            raise ValueError("failed on purpose")
        return f"{value}|{ctx.custom_data}"

    return bp


def test_app_hooks_change_only_their_app(serve):
    app = Quart(__name__)
    hooked, plain = make("hooked"), make("plain")
    seen_setup, seen_errors = [], []

    @hooked.hooks.setup()
    def setup(dash_app):
        seen_setup.append(dash_app)

    @hooked.hooks.layout()
    def banner(layout):
        return html.Div([html.Header("banner", id="banner"), layout])

    @hooked.hooks.index()
    def stamp(page):
        return page.replace("</body>", "<!-- hooked --></body>")

    @hooked.hooks.route("ping", methods=["GET"])
    async def ping():
        return {"pong": True}

    @hooked.hooks.custom_data("tenant")
    def tenant(_ctx):
        return "acme"

    @hooked.hooks.error()
    def on_error(err):
        seen_errors.append(str(err))
        return "recovered"

    @hooked.hooks.callback(Output("banner", "title"), Input("in", "value"))
    def hook_callback(value):
        return f"title {value}"

    hooked.hooks.stylesheet(
        [{"external_url": "https://cdn.example/hooked.css", "external_only": True}]
    )
    hooked.hooks.script([{"external_url": "https://cdn.example/hooked.js", "external_only": True}])

    app.register_blueprint(hooked)
    app.register_blueprint(plain)
    client = serve(app)

    assert seen_setup == [hooked.dash_app]
    assert (
        client.get("/hooked/_dash-layout").json()["props"]["children"][0]["props"]["id"] == "banner"
    )
    assert client.get("/plain/_dash-layout").json()["props"]["id"] == "main"

    hooked_page, plain_page = client.get("/hooked/").text, client.get("/plain/").text
    assert "<!-- hooked -->" in hooked_page and "<!-- hooked -->" not in plain_page
    assert "https://cdn.example/hooked.css" in hooked_page and "hooked.css" not in plain_page
    assert "https://cdn.example/hooked.js" in hooked_page and "hooked.js" not in plain_page

    assert client.get("/hooked/ping").json() == {"pong": True}
    assert client.get("/plain/ping").text.startswith("<!DOCTYPE html>")  # the catch-all

    def call(prefix, value):
        return client.post(
            f"{prefix}/_dash-update-component",
            json=callback_body(
                "out.children", {"id": "out", "property": "children"}, [prop("in", "value", value)]
            ),
        )

    assert response_of(call("/hooked", "x")) == {"out": {"children": "x|{'tenant': 'acme'}"}}
    assert response_of(call("/plain", "x")) == {"out": {"children": "x|{}"}}
    assert response_of(call("/hooked", "fail")) == {"out": {"children": "recovered"}}
    assert call("/plain", "fail").status_code == 500
    assert seen_errors == ["failed on purpose"]

    hooked_deps = {d["output"] for d in client.get("/hooked/_dash-dependencies").json()}
    plain_deps = {d["output"] for d in client.get("/plain/_dash-dependencies").json()}
    assert "banner.title" in hooked_deps and "banner.title" not in plain_deps


GLOBAL_HOOKS_SCRIPT = """
import asyncio
from dash import hooks, html
from quart import Quart
from quart_flash import FlashBlueprint

@hooks.layout()
def wrap(layout):
    return html.Div([html.Span("global"), layout])

@hooks.route("version")
def version():
    return {"version": 1}

app = Quart(__name__)
for name in ("one", "two"):
    bp = FlashBlueprint(name, "__main__")
    bp.layout = html.Div(name)
    app.register_blueprint(bp, url_prefix="/" + name)

async def main():
    client = app.test_client()
    for name in ("one", "two"):
        layout = await (await client.get(f"/{name}/_dash-layout")).get_json()
        version = await (await client.get(f"/{name}/version")).get_json()
        print(layout["props"]["children"][0]["props"]["children"], version["version"])

asyncio.run(main())
"""


def test_global_dash_hooks_apply_to_every_app():
    """In a fresh process: process-wide hooks would leak into other tests."""
    out = subprocess.run(
        [sys.executable, "-c", GLOBAL_HOOKS_SCRIPT], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[:2] == ["global 1", "global 1"]
