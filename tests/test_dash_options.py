"""Dash constructor options and API on a mounted app."""

from __future__ import annotations

from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, callback, dcc, html

from .helpers import dash_config, response_of, simple_call


def serve_one(serve, **kwargs):
    app = Quart(__name__)
    bp = FlashBlueprint("opts", __name__, url_prefix="/opts", **kwargs)
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])
    app.register_blueprint(bp)
    return serve(app), bp


def test_index_options(serve):
    client, _ = serve_one(
        serve,
        title="Options",
        update_title="Working...",
        meta_tags=[{"name": "theme-color", "content": "#123456"}],
        external_scripts=[
            {"src": "https://cdn.example/x.js", "integrity": "sha-1", "crossorigin": "anonymous"}
        ],
        external_stylesheets=["https://cdn.example/x.css"],
        show_undo_redo=True,
    )
    page = client.get("/opts/").text
    assert "<title>Options</title>" in page
    assert '<meta name="theme-color" content="#123456">' in page
    assert (
        '<script src="https://cdn.example/x.js" integrity="sha-1" crossorigin="anonymous"></script>'
        in page
    )
    assert '<link rel="stylesheet" href="https://cdn.example/x.css">' in page
    config = dash_config(page)
    assert config["update_title"] == "Working..."
    assert config["show_undo_redo"] is True
    assert config["csrf_header_name"] == "X-CSRFToken"


def test_serve_locally_false_uses_cdn_urls(serve):
    client, _ = serve_one(serve, serve_locally=False)
    page = client.get("/opts/").text
    assert "_dash-component-suites" not in page
    assert "https://unpkg.com/" in page or "https://cdn." in page
    assert dash_config(page)["plotlyjs_url"].startswith("https://cdn.plot.ly/")


def test_assets_external_path(serve, tmp_path):
    (tmp_path / "site.css").write_text("p {}")
    client, bp = serve_one(
        serve, assets_folder=str(tmp_path), assets_external_path="https://static.example/app/"
    )
    assert "https://static.example/app/assets/site.css" in client.get("/opts/").text
    assert bp.get_asset_url("a.png") == "https://static.example/app/assets/a.png"


def test_index_string_and_health_endpoint(serve):
    template = (
        "<!DOCTYPE html><html><head>{%metas%}<title>{%title%}</title>{%css%}</head>"
        "<body><div id='brand'>ACME</div>{%app_entry%}<footer>{%config%}{%scripts%}"
        "{%renderer%}</footer></body></html>"
    )
    client, _ = serve_one(serve, index_string=template, health_endpoint="healthz")
    assert "<div id='brand'>ACME</div>" in client.get("/opts/").text
    health = client.get("/opts/healthz")
    assert health.status_code == 200 and health.text == "OK"


def test_relative_paths_under_prefix_and_root_path(serve):
    client, bp = serve_one(serve)
    assert bp.get_relative_path("/page") == "/opts/page"
    assert bp.strip_relative_path("/opts/page/") == "page"
    assert bp.get_asset_url("logo.png") == "/opts/assets/logo.png"

    app = Quart(__name__)
    proxied = FlashBlueprint(
        "proxied", __name__, url_prefix="/p", suppress_callback_exceptions=True
    )
    proxied.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @proxied.callback(Output("out", "children"), Input("in", "value"))
    def paths(value):
        return [
            proxied.get_relative_path("/x"),
            proxied.get_asset_url("a.css"),
            proxied.strip_relative_path("/root/p/deep/page"),
        ]

    app.register_blueprint(proxied)
    client = serve(app, root_path="/root")
    answer = response_of(simple_call(client, "/root/p", "out", "in", 1))
    assert answer["out"]["children"] == ["/root/p/x", "/root/p/assets/a.css", "deep/page"]


def test_api_endpoint_callbacks(serve):
    app = Quart(__name__)
    bp = FlashBlueprint("api", __name__, url_prefix="/api-app", suppress_callback_exceptions=True)
    bp.layout = html.Div()

    @callback(
        Output("total", "children"), Input("a", "value"), Input("b", "value"), api_endpoint="/add"
    )
    async def add(a, b):
        return a + b

    bp.setup_apis()
    app.register_blueprint(bp)
    client = serve(app)
    assert client.post("/api-app/add", json={"a": 2, "b": 3}).json() == 5
    bad = client.post("/api-app/add", json={"a": 2, "c": 3})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
