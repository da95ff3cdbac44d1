"""Flash, the dash.Dash drop-in: one import changed, every way of serving it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx
import pytest
from quart import Quart

from quart_flash import Flash, Input, Output, dcc, get_app, html
from quart_flash.testing import HypercornProcess

from .helpers import response_of, simple_call

ROOT = Path(__file__).resolve().parents[1]


def converter(**kwargs: object) -> Flash:
    app = Flash(__name__, **kwargs)  # type: ignore[arg-type]
    app.layout = html.Div([dcc.Input(id="in", value=1), html.Div(id="out")])

    @app.callback(Output("out", "children"), Input("in", "value"))
    def double(v):
        return f"{v * 2} at {get_app().config.requests_pathname_prefix}"

    return app


def test_flash_is_an_asgi_app_with_a_quart_server(serve):
    app = converter(title="Converter")
    assert isinstance(app.server, Quart)
    client = serve(app)
    assert "<title>Converter</title>" in client.get("/").text
    assert response_of(simple_call(client, "", "out", "in", 4)) == {"out": {"children": "8 at /"}}


def test_dash_attributes_read_and_write_through(serve):
    app = converter()
    app.title = "Renamed"
    app.config.suppress_callback_exceptions = True
    app.index_string = app.index_string.replace("{%app_entry%}", "<p>custom</p>{%app_entry%}")
    assert app.config.suppress_callback_exceptions is True
    assert app.get_relative_path("/page") == "/page"
    assert app.strip_relative_path("/page/") == "page"
    assert app.get_asset_url("x.css") == "/assets/x.css"
    client = serve(app)
    page = client.get("/").text
    assert "<title>Renamed</title>" in page and "<p>custom</p>" in page


def test_url_base_pathname_mounts_under_a_prefix(serve):
    app = converter(url_base_pathname="/calc/")
    client = serve(app)
    assert response_of(simple_call(client, "/calc", "out", "in", 2)) == {
        "out": {"children": "4 at /calc/"}
    }
    assert app.get_relative_path("/x") == "/calc/x"


def test_flash_on_a_users_quart_app_and_init_app(serve):
    server = Quart(__name__)

    @server.route("/api")
    async def api():
        return {"ok": True}

    converter(server=server, url_base_pathname="/one/")
    later = Flash(__name__, server=False, routes_pathname_prefix="/two/")
    later.layout = html.Div("two", id="two")
    later.init_app(server)
    assert {"dash", "dash_2"} <= set(server.blueprints)
    client = serve(server)
    assert (
        response_of(simple_call(client, "/one", "out", "in", 3))["out"]["children"] == "6 at /one/"
    )
    assert client.get("/two/_dash-layout").json()["props"]["children"] == "two"
    assert client.get("/api").json() == {"ok": True}


def test_interpolate_index_override_on_a_subclass(serve):
    class Branded(Flash):
        pass

    app = Branded(__name__)
    app.layout = html.Div()
    app.blueprint.interpolate_index = lambda **kw: (  # type: ignore[method-assign]
        "<html><body><h1>brand</h1>{app_entry}{config}{scripts}{renderer}</body></html>".format(
            **kw
        )
    )
    client = serve(app)
    assert "<h1>brand</h1>" in client.get("/").text


@pytest.mark.parametrize(
    "target", ["examples/drop_in:app", "examples/drop_in:app.server", "examples/drop_in:server"]
)
def test_hypercorn_serves_the_flash_object_or_its_server(target):
    server = HypercornProcess(target, cwd=str(ROOT)).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            assert client.get("/").status_code == 200
            resp = simple_call(client, "", "fahrenheit", "celsius", 100)
            assert response_of(resp) == {"fahrenheit": {"children": "100 °C = 212.0 °F"}}
    finally:
        server.stop()


def test_quart_run_finds_the_app():
    server = HypercornProcess(
        command=[
            sys.executable,
            "-m",
            "quart",
            "--app",
            "examples/drop_in.py",
            "run",
            "--port",
            "{port}",
        ],
        cwd=str(ROOT),
    ).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            resp = simple_call(client, "", "fahrenheit", "celsius", 0)
            assert response_of(resp) == {"fahrenheit": {"children": "0 °C = 32.0 °F"}}
    finally:
        server.stop()


def test_app_run_serves_with_debug_tools():
    server = HypercornProcess(
        command=[sys.executable, "examples/drop_in.py"],
        cwd=str(ROOT),
        env={"PORT": "{port}"},
    ).start()
    try:
        with httpx.Client(base_url=server.url) as client:
            page = client.get("/").text
            assert '"hot_reload":{"interval":3000' in page  # debug=True: dev tools are on
            assert client.get("/_reload-hash").json()["reloadHash"] is not None
            resp = simple_call(client, "", "fahrenheit", "celsius", 10)
            assert response_of(resp) == {"fahrenheit": {"children": "10 °C = 50.0 °F"}}
            assert "Server-Timing" in resp.headers
    finally:
        server.stop()


HOT_RELOAD_APP = """
from quart_flash import Flash, html

app = Flash(__name__)
app.layout = html.Div("version 1", id="v")

if __name__ == "__main__":
    app.run(debug=True)
"""


def test_debug_run_restarts_when_the_code_changes(tmp_path):
    source = tmp_path / "hot_app.py"
    source.write_text(HOT_RELOAD_APP)
    server = HypercornProcess(
        command=[sys.executable, str(source)], cwd=str(tmp_path), env={"PORT": "{port}"}
    ).start()
    try:
        with httpx.Client(base_url=server.url, timeout=5) as client:
            assert client.get("/_dash-layout").json()["props"]["children"] == "version 1"
            source.write_text(HOT_RELOAD_APP.replace("version 1", "version 2"))

            def layout_text() -> str | None:
                try:
                    return client.get("/_dash-layout").json()["props"]["children"]
                except httpx.HTTPError:
                    return None  # restarting

            deadline = time.monotonic() + 30
            while layout_text() != "version 2":
                assert time.monotonic() < deadline, "the app was not reloaded"
                time.sleep(0.2)
    finally:
        server.stop()
