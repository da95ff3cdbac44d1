"""Dash Pages per FlashBlueprint: own registry, routing, async layouts, meta tags."""

from __future__ import annotations

import dash
import pytest
from quart import Quart

import quart_flash
from quart_flash import FlashBlueprint

from .helpers import callback_body, prop, response_of


def two_apps() -> tuple[Quart, FlashBlueprint, FlashBlueprint]:
    app = Quart(__name__)
    # alpha knows its prefix at construction, beta only at registration.
    alpha = FlashBlueprint(
        "alpha", __name__, url_prefix="/alpha", use_pages=True, pages_folder="pages_fixtures/alpha"
    )
    beta = FlashBlueprint("beta", __name__, use_pages=True, pages_folder="pages_fixtures/beta")
    app.register_blueprint(alpha, url_prefix="/alpha")
    app.register_blueprint(beta, url_prefix="/beta")
    return app, alpha, beta


@pytest.fixture(scope="module")
def apps():
    return two_apps()


@pytest.fixture
def client(serve, apps):
    return serve(apps[0])


def route(client, prefix: str, pathname: str, search: str = "") -> dict:
    body = callback_body(
        ".._pages_content.children..._pages_store.data..",
        [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        [prop("_pages_location", "pathname", pathname), prop("_pages_location", "search", search)],
        changed=["_pages_location.pathname"],
    )
    return response_of(client.post(f"{prefix}/_dash-update-component", json=body))


def heading(layout: dict) -> str:
    return next(c for c in layout["props"]["children"] if c["props"].get("id") == "heading")[
        "props"
    ]["children"]


def test_each_app_has_its_own_registry():
    _, alpha, beta = two_apps()
    assert {p["module"] for p in alpha.dash_app.page_registry.values()} == {
        "pages_fixtures.alpha.home",
        "pages_fixtures.alpha.report",
        "pages_fixtures.alpha.not_found_404",
    }
    assert {p["module"] for p in beta.dash_app.page_registry.values()} == {
        "pages_fixtures.beta.home",
        "pages_fixtures.beta.settings",
    }
    assert dash.page_registry is quart_flash.page_registry
    # Outside a request, as at module level in Dash, it is the newest app's.
    assert list(dash.page_registry) == list(beta.dash_app.page_registry)


def test_router_renders_this_apps_pages_only(client):
    home = route(client, "/alpha", "/alpha/", "?tab=1")
    content = home["_pages_content"]["children"]
    assert heading(content) == "alpha home"
    # dash.page_registry seen from a page layout is the app's own registry.
    names = next(c for c in content["props"]["children"] if c["props"].get("id") == "page-names")
    assert names["props"]["children"] == "Home, Not found 404, Report"
    assert home["_pages_store"]["data"] == {"title": "Alpha home"}

    beta_home = route(client, "/beta", "/beta/")["_pages_content"]["children"]
    assert heading(beta_home) == "beta home"
    beta_names = next(
        c for c in beta_home["props"]["children"] if c["props"].get("id") == "page-names"
    )
    assert beta_names["props"]["children"] == "Home, Settings"
    assert (
        heading(
            {
                "props": {
                    "children": [
                        route(client, "/beta", "/beta/settings")["_pages_content"]["children"]
                    ]
                }
            }
        )
        == "beta settings"
    )


def test_path_variables_async_layout_and_async_title(client):
    report = route(client, "/alpha", "/alpha/report/42")
    assert heading(report["_pages_content"]["children"]) == "report 42"
    assert report["_pages_store"]["data"] == {"title": "Report 42"}


def test_404_pages_are_per_app(client):
    alpha_missing = route(client, "/alpha", "/alpha/nowhere")["_pages_content"]["children"]
    assert alpha_missing["props"]["children"] == "alpha has no such page"
    beta_missing = route(client, "/beta", "/beta/report/1")["_pages_content"]["children"]
    assert beta_missing["props"]["children"] == "404 - Page not found"


def test_page_module_callbacks_belong_to_their_app(client):
    alpha_outputs = {d["output"] for d in client.get("/alpha/_dash-dependencies").json()}
    beta_outputs = {d["output"] for d in client.get("/beta/_dash-dependencies").json()}
    assert "report-output.children" in alpha_outputs
    assert "report-output.children" not in beta_outputs
    answer = client.post(
        "/alpha/_dash-update-component",
        json=callback_body(
            "report-output.children",
            {"id": "report-output", "property": "children"},
            [prop("report-input", "value", "hi")],
        ),
    )
    assert response_of(answer) == {"report-output": {"children": "alpha says hi"}}


def test_redirect_from_is_a_301_under_the_prefix(client):
    resp = client.get("/alpha/old-report")
    assert resp.status_code == 301
    # Dash infers the path of a templated page as "/report/none".
    assert resp.headers["location"] == "/alpha/report/none"
    assert client.get("/beta/old-report").status_code == 200  # beta has no such redirect


def test_meta_tags_for_social_previews(client):
    page = client.get("/alpha/report/7").text
    assert '<meta property="og:title" content="Report 7">' in page
    assert '<meta name="description" content="Figures of report 7">' in page
    assert '<meta property="twitter:url" content="http://' in page
    home = client.get("/beta/settings").text
    assert '<meta property="og:title" content="Beta settings">' in home


def test_relative_paths_follow_the_mount(client, apps):
    client.get("/alpha/")
    _, alpha, beta = apps
    paths = {
        p["module"].rsplit(".", 1)[1]: p["relative_path"]
        for p in alpha.dash_app.page_registry.values()
    }
    assert paths["home"] == "/alpha/"
    assert {p["relative_path"] for p in beta.dash_app.page_registry.values()} == {
        "/beta/",
        "/beta/settings",
    }


def test_register_page_inside_a_request_is_refused(serve):
    app = Quart(__name__)
    bp = FlashBlueprint("late", __name__, url_prefix="/late", suppress_callback_exceptions=True)
    bp.layout = dash.html.Div()

    @bp.callback(dash.Output("o", "children"), dash.Input("i", "value"))
    def late(v):
        dash.register_page("late_page", path="/late-page", layout=dash.html.Div())
        return "registered"

    app.register_blueprint(bp)
    client = serve(app)
    resp = client.post(
        "/late/_dash-update-component",
        json=callback_body(
            "o.children", {"id": "o", "property": "children"}, [prop("i", "value", 1)]
        ),
    )
    assert resp.status_code == 500
    assert "late_page" not in bp.dash_app.page_registry


PLAIN_DASH_SCRIPT = """
import dash
from quart_flash import FlashBlueprint

flash = FlashBlueprint(
    "alpha", "tests.test_pages", use_pages=True, pages_folder="pages_fixtures/alpha"
)
plain = dash.Dash("tests.test_pages", use_pages=True, pages_folder="pages_fixtures/beta")
print(sorted(dash.page_registry), sorted(flash.dash_app.page_registry))
"""


def test_a_plain_dash_app_in_the_same_process_keeps_dashs_registry():
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-c", PLAIN_DASH_SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout.strip()
    assert out == (
        "['pages_fixtures.beta.home', 'pages_fixtures.beta.settings'] "
        "['pages_fixtures.alpha.home', 'pages_fixtures.alpha.not_found_404', "
        "'pages_fixtures.alpha.report']"
    )


def test_routing_callback_inputs_reach_page_layouts(serve):
    app = Quart(__name__)
    bp = FlashBlueprint(
        "lang",
        __name__,
        url_prefix="/lang",
        use_pages=True,
        pages_folder="",
        routing_callback_inputs={"language": dash.State("language", "value")},
    )
    # As in a Dash app file: pages registered in code go to the newest app.
    dash.register_page(
        "greeting",
        path="/",
        layout=lambda language=None, **_: dash.html.Div(f"hi in {language}"),
    )
    bp.layout = dash.html.Div([dash.dcc.Input(id="language", value="fr"), dash.page_container])
    app.register_blueprint(bp)
    client = serve(app)
    body = callback_body(
        ".._pages_content.children..._pages_store.data..",
        [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        [prop("_pages_location", "pathname", "/lang/"), prop("_pages_location", "search", "")],
        state=[prop("language", "value", "fr")],
    )
    routed = response_of(client.post("/lang/_dash-update-component", json=body))
    assert routed["_pages_content"]["children"]["props"]["children"] == "hi in fr"
