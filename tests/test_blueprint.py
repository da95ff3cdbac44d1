"""FlashBlueprint mounting: prefixes, many apps on one server, isolation."""

from __future__ import annotations

import dash
import pytest
from quart import Blueprint, Quart, jsonify, websocket

from quart_flash import FlashBlueprint, Input, Output, PreventUpdate, dcc, get_app, html

from .helpers import app_callbacks, dash_config, response_of, simple_call


def echo_app(name: str, **kwargs: object) -> FlashBlueprint:
    """A one-callback Dash app that reports which app and prefix served it."""
    bp = FlashBlueprint(name, __name__, **kwargs)  # type: ignore[arg-type]
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def echo(value: object) -> str:
        return f"{name}:{value}:{get_app().config.requests_pathname_prefix}"

    return bp


def test_every_dash_route_is_served_under_the_prefix(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("sales", url_prefix="/sales"))
    client = serve(app)

    index = client.get("/sales/")
    assert index.status_code == 200
    assert index.headers["content-type"].startswith("text/html")
    config = dash_config(index.text)
    assert config["requests_pathname_prefix"] == "/sales/"
    assert '<script src="/sales/_dash-component-suites/dash/' in index.text

    assert client.get("/sales").status_code in (301, 308)  # strict slashes, like Dash
    assert client.get("/sales/_dash-layout").json()["type"] == "Div"
    deps = app_callbacks(client.get("/sales/_dash-dependencies").json())
    assert [d["output"] for d in deps] == ["out.children"]
    assert client.get("/sales/_favicon.ico").headers["content-type"].startswith("image/")
    assert client.get("/sales/_reload-hash").json()["reloadHash"] is None
    assert response_of(simple_call(client, "/sales", "out", "in", 1)) == {
        "out": {"children": "sales:1:/sales/"}
    }
    # Client-side routes (dcc.Location, Pages) get the index page.
    deep = client.get("/sales/reports/2026/q3")
    assert deep.status_code == 200 and 'id="_dash-config"' in deep.text
    # Nothing is served outside the prefix.
    assert client.get("/_dash-layout").status_code == 404


def test_registration_prefix_wins_over_the_constructor(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("ops", url_prefix="/ignored"), url_prefix="/ops/")
    client = serve(app)
    assert client.get("/ignored/").status_code == 404
    assert dash_config(client.get("/ops/").text)["requests_pathname_prefix"] == "/ops/"
    assert (
        response_of(simple_call(client, "/ops", "out", "in", "x"))["out"]["children"]
        == "ops:x:/ops/"
    )


def test_app_at_the_root(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("root"))
    client = serve(app)
    assert dash_config(client.get("/").text)["requests_pathname_prefix"] == "/"
    assert response_of(simple_call(client, "", "out", "in", 2))["out"]["children"] == "root:2:/"


def test_prefix_follows_root_path_behind_a_proxy(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("sales", url_prefix="/sales"))
    client = serve(app, root_path="/proxy")
    for path in ("/proxy/sales/", "/proxy/sales/deep/link"):
        page = client.get(path)
        assert dash_config(page.text)["requests_pathname_prefix"] == "/proxy/sales/"
        assert '<script src="/proxy/sales/_dash-component-suites/' in page.text
    answer = response_of(simple_call(client, "/proxy/sales", "out", "in", 3))
    assert answer["out"]["children"] == "sales:3:/proxy/sales/"


def test_explicit_requests_prefix_for_path_rewriting_proxies(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("s", url_prefix="/s", requests_pathname_prefix="/public/s/"))
    client = serve(app)
    assert dash_config(client.get("/s/").text)["requests_pathname_prefix"] == "/public/s/"


def test_fifty_apps_share_one_server_with_user_routes_and_websockets(serve):
    app = Quart(__name__)

    @app.route("/api/health")
    async def health():
        return jsonify(ok=True)

    @app.websocket("/ws")
    async def ws():
        message = await websocket.receive()
        await websocket.send(f"echo {message}")

    names = [f"app{i}" for i in range(50)]
    for name in names:
        app.register_blueprint(echo_app(name, url_prefix=f"/{name}"))
    for rule in app.url_map.iter_rules():
        assert rule.endpoint.count(".") <= 1, rule.endpoint
    client = serve(app)

    for name in names:
        assert dash_config(client.get(f"/{name}/").text)["requests_pathname_prefix"] == f"/{name}/"
        answer = response_of(simple_call(client, f"/{name}", "out", "in", name))
        assert answer["out"]["children"] == f"{name}:{name}:/{name}/"
    assert client.get("/api/health").json() == {"ok": True}

    from websockets.sync.client import connect

    with connect(str(client.base_url).replace("http", "ws") + "/ws") as conn:
        conn.send("hi")
        assert conn.recv(timeout=5) == "echo hi"


def test_one_blueprint_registered_twice_knows_which_mount_served(serve):
    app = Quart(__name__)
    bp = echo_app("twice")
    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="twice_again")
    client = serve(app)
    assert (
        response_of(simple_call(client, "/one", "out", "in", 1))["out"]["children"]
        == "twice:1:/one/"
    )
    assert (
        response_of(simple_call(client, "/two", "out", "in", 1))["out"]["children"]
        == "twice:1:/two/"
    )


def test_nested_under_a_user_blueprint(serve):
    app = Quart(__name__)
    parent = Blueprint("portal", __name__, url_prefix="/portal")
    parent.register_blueprint(echo_app("inner", url_prefix="/dash"))
    app.register_blueprint(parent)
    client = serve(app)
    assert (
        dash_config(client.get("/portal/dash/").text)["requests_pathname_prefix"] == "/portal/dash/"
    )
    answer = response_of(simple_call(client, "/portal/dash", "out", "in", 1))
    assert answer["out"]["children"] == "inner:1:/portal/dash/"


def test_handlers_and_hooks_do_not_leak_into_user_routes(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("iso", url_prefix="/iso"))

    @app.route("/plain")
    async def plain():
        raise PreventUpdate

    @app.route("/mine")
    async def mine():
        return "mine"

    client = serve(app)
    # Dash's PreventUpdate -> 204 rule applies to Dash routes only.
    assert client.get("/plain").status_code == 500
    assert "application/json" not in client.get("/plain").headers.get("content-type", "")
    # A user 404 keeps Quart's own page, not quart-flash's JSON errors.
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert client.get("/mine").text == "mine"
    assert "Server-Timing" not in client.get("/mine").headers
    # Every hook quart-flash adds is scoped to its blueprint.
    assert app.before_request_funcs.get(None, []) == []
    assert app.after_request_funcs.get(None, []) == []
    assert not any(app.error_handler_spec.get(None, {}).values())


def test_same_component_ids_in_two_apps_do_not_interfere(serve):
    app = Quart(__name__)
    app.register_blueprint(echo_app("left", url_prefix="/left"))
    app.register_blueprint(echo_app("right", url_prefix="/right"))
    client = serve(app)
    assert (
        response_of(simple_call(client, "/left", "out", "in", 1))["out"]["children"]
        == "left:1:/left/"
    )
    assert (
        response_of(simple_call(client, "/right", "out", "in", 1))["out"]["children"]
        == "right:1:/right/"
    )


def test_layout_function_sees_its_own_app(serve):
    app = Quart(__name__)
    seen: list[tuple[str, str]] = []
    for name in ("x", "y"):
        bp = FlashBlueprint(
            name, __name__, url_prefix=f"/{name}", suppress_callback_exceptions=True
        )

        def layout(name: str = name) -> html.Div:
            seen.append((name, get_app().config.requests_pathname_prefix))
            return html.Div(name, id="who")

        bp.layout = layout
        app.register_blueprint(bp)
    client = serve(app)
    assert client.get("/x/_dash-layout").json()["props"]["children"] == "x"
    assert client.get("/y/_dash-layout").json()["props"]["children"] == "y"
    assert seen and all(prefix == f"/{name}/" for name, prefix in seen)


MODULE_LEVEL_SCRIPT = """
import dash
from quart import Quart
from quart_flash import FlashBlueprint, Input, Output, html

@dash.callback(Output("early_out", "children"), Input("early_in", "children"))
def before_any(v):
    return v

first = FlashBlueprint("first", "__main__")

@dash.callback(Output("first_out", "children"), Input("first_in", "children"))
def after_first(v):
    return v

second = FlashBlueprint("second", "__main__")

@dash.callback(Output("second_out", "children"), Input("second_in", "children"))
def after_second(v):
    return v

app = Quart(__name__)
app.register_blueprint(first, url_prefix="/first")
app.register_blueprint(second, url_prefix="/second")
print(sorted(first.dash_app.callback_map), sorted(second.dash_app.callback_map))
"""


def test_module_level_callbacks_go_to_the_app_being_set_up():
    """The documented rule, in a fresh process (no FlashBlueprint exists yet)."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", MODULE_LEVEL_SCRIPT], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ("['early_out.children', 'first_out.children'] ['second_out.children']")


def test_module_level_callbacks_are_dispatched_by_their_app(serve):
    app = Quart(__name__)
    bp = FlashBlueprint("modlevel", __name__, url_prefix="/m", suppress_callback_exceptions=True)
    bp.layout = html.Div([dcc.Input(id="m_in"), html.Div(id="m_out")])

    @dash.callback(Output("m_out", "children"), Input("m_in", "value"))
    def module_level(v):
        return f"{get_app().config.requests_pathname_prefix}{v}"

    other = FlashBlueprint("other", __name__, url_prefix="/o", suppress_callback_exceptions=True)
    other.layout = html.Div()
    app.register_blueprint(bp)
    app.register_blueprint(other)
    client = serve(app)
    assert response_of(simple_call(client, "/m", "m_out", "m_in", 5)) == {
        "m_out": {"children": "/m/5"}
    }
    assert app_callbacks(client.get("/o/_dash-dependencies").json()) == []


def test_server_keyword_arguments_are_refused():
    with pytest.raises(TypeError, match="url_prefix"):
        FlashBlueprint("bad", __name__, url_base_pathname="/x/")
