"""Dev tools per app: tracebacks in the browser, Server-Timing, hot reload, no leaks."""

from __future__ import annotations

import re
import time

import diskcache
import pytest
from dash import DiskcacheManager
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, dcc, html

from .helpers import callback_body, dash_config, prop


def failing_app(name: str, **kwargs) -> FlashBlueprint:
    bp = FlashBlueprint(name, __name__, url_prefix=f"/{name}", **kwargs)
    bp.layout = html.Div([dcc.Input(id="in", value=""), html.Div(id="out")])

    @bp.callback(Output("out", "children"), Input("in", "value"))
    def maybe_fail(value):
        if value == "boom":
            raise ZeroDivisionError(f"kaboom in {name}")
        return value

    return bp


@pytest.mark.browser
def test_the_dev_tools_ui_shows_the_python_traceback(flash_duo):
    app = Quart(__name__)
    debug = failing_app("debug")
    debug.enable_dev_tools(debug=True, dev_tools_hot_reload=False)
    app.register_blueprint(debug)
    app.register_blueprint(failing_app("quiet"))
    flash_duo.start_server(app, "/debug/")
    flash_duo.type_into("#in", "boom")
    flash_duo.wait_for_text_to_equal(".test-devtools-error-count", "1")
    flash_duo.click(".test-devtools-error-toggle")
    flash_duo.wait_for(
        lambda: any(
            "kaboom in debug" in (frame.get_attribute("srcdoc") or "")
            and "ZeroDivisionError" in (frame.get_attribute("srcdoc") or "")
            for frame in flash_duo.find_elements("iframe")
        ),
        "the traceback in the error card",
    )
    # The app without dev tools shows no debug menu at all.
    flash_duo.visit("/quiet/")
    assert not flash_duo.find_elements(".dash-debug-menu__outer")


def test_three_apps_pages_background_and_dev_tools_do_not_leak(serve, tmp_path):
    app = Quart(__name__)
    pages = FlashBlueprint(
        "pages",
        __name__,
        url_prefix="/pages",
        use_pages=True,
        pages_folder="pages_fixtures/beta",
    )
    jobs = failing_app(
        "jobs", background_callback_manager=DiskcacheManager(diskcache.Cache(str(tmp_path)))
    )

    @jobs.callback(
        Output("job-out", "children"),
        Input("job-in", "value"),
        background=True,
        prevent_initial_call=True,
    )
    def job(value):
        return f"job {value}"

    jobs.config.suppress_callback_exceptions = True
    debug = failing_app("debug")
    debug.enable_dev_tools(debug=True, dev_tools_hot_reload=True, dev_tools_hot_reload_interval=0.5)
    for bp in (pages, jobs, debug):
        app.register_blueprint(bp)
    client = serve(app)

    configs = {
        name: dash_config(client.get(f"/{name}/").text) for name in ("pages", "jobs", "debug")
    }
    assert "hot_reload" in configs["debug"] and configs["debug"]["ui"] is True
    assert "hot_reload" not in configs["pages"] and "hot_reload" not in configs["jobs"]
    assert configs["pages"]["ui"] is False and configs["jobs"]["ui"] is False

    deps = {
        name: {d["output"] for d in client.get(f"/{name}/_dash-dependencies").json()}
        for name in configs
    }
    assert "job-out.children" in deps["jobs"]
    assert "job-out.children" not in deps["debug"] | deps["pages"]
    assert any("_pages_content" in o for o in deps["pages"])
    assert not any("_pages_content" in o for o in deps["jobs"] | deps["debug"])

    def fail(name):
        return client.post(
            f"/{name}/_dash-update-component",
            json=callback_body(
                "out.children", {"id": "out", "property": "children"}, [prop("in", "value", "boom")]
            ),
        )

    debug_failure, jobs_failure = fail("debug"), fail("jobs")
    assert "kaboom in debug" in debug_failure.text
    assert (
        "Server-Timing" in debug_failure.headers
        or "Server-Timing" in client.get("/debug/_dash-layout").headers
    )
    assert jobs_failure.status_code == 500 and "kaboom" not in jobs_failure.text
    assert "Server-Timing" not in client.get("/jobs/_dash-layout").headers
    assert client.get("/pages/_reload-hash").json()["reloadHash"] is None


def test_hot_reload_of_assets_is_per_app(serve, tmp_path):
    watched, other = tmp_path / "watched", tmp_path / "other"
    watched.mkdir()
    other.mkdir()
    (watched / "style.css").write_text("h1 { color: red }")
    app = Quart(__name__)
    live = FlashBlueprint("live", __name__, url_prefix="/live", assets_folder=str(watched))
    live.layout = html.H1("live")
    live.enable_dev_tools(
        debug=True, dev_tools_hot_reload=True, dev_tools_hot_reload_watch_interval=0.1
    )
    still = FlashBlueprint("still", __name__, url_prefix="/still", assets_folder=str(other))
    still.layout = html.H1("still")
    app.register_blueprint(live)
    app.register_blueprint(still)
    client = serve(app)
    client.get("/live/")
    before = client.get("/live/_reload-hash").json()["reloadHash"]
    time.sleep(0.3)
    (watched / "style.css").write_text("h1 { color: blue }")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        after = client.get("/live/_reload-hash").json()
        if after["reloadHash"] != before:
            break
        time.sleep(0.1)
    assert after["reloadHash"] != before
    assert after["files"] and after["files"][0]["is_css"] is True
    assert after["files"][0]["url"].startswith("/live/assets/style.css")
    assert client.get("/still/_reload-hash").json()["reloadHash"] is None


def debug_client(serve, **dev_tools):
    app = Quart(__name__)
    bp = failing_app("dbg")

    def broken_layout():
        raise KeyError("layout exploded")

    broken = FlashBlueprint(
        "broken", __name__, url_prefix="/broken", suppress_callback_exceptions=True
    )
    broken.layout = broken_layout
    for blueprint in (bp, broken):
        blueprint.enable_dev_tools(debug=True, dev_tools_hot_reload=False, **dev_tools)
        app.register_blueprint(blueprint)
    return serve(app)


def test_failing_layout_function_shows_its_traceback_in_debug(serve):
    client = debug_client(serve)
    resp = client.get("/broken/_dash-layout")
    assert resp.status_code == 500
    assert "layout exploded" in resp.text and "broken_layout" in resp.text


@pytest.mark.parametrize("prune", [True, False])
def test_prune_errors_hides_the_servers_own_frames(serve, prune):
    client = debug_client(serve, dev_tools_prune_errors=prune)
    resp = client.post(
        "/dbg/_dash-update-component",
        json=callback_body(
            "out.children", {"id": "out", "property": "children"}, [prop("in", "value", "boom")]
        ),
    )
    assert "kaboom in dbg" in resp.text and "maybe_fail" in resp.text
    assert ("quart_flash" in resp.text) is (not prune)


def test_debug_serves_dev_bundles_and_props_check(serve):
    client = debug_client(serve)
    page = client.get("/dbg/").text
    assert re.search(r"dash_renderer\.v\w+m\d+\.dev\.js", page)
    assert not re.search(r"dash_renderer\.v\w+m\d+\.min\.js", page)
    assert dash_config(page)["props_check"] is True
