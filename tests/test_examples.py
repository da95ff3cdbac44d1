"""Every example boots under hypercorn and does what its docstring says."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from quart_flash.testing import HypercornProcess

from .helpers import callback_body, example_in_a_browser, prop, response_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def multi_app():
    server = HypercornProcess("examples/multi_app:app", cwd=str(ROOT)).start()
    yield server
    server.stop()


def dependency(client: httpx.Client, prefix: str, startswith: str) -> str:
    outputs = [d["output"] for d in client.get(f"{prefix}/_dash-dependencies").json()]
    return next(o for o in outputs if o.startswith(startswith))


def test_multi_app_user_routes_and_websocket(multi_app):
    with httpx.Client(base_url=multi_app.url) as client:
        home = client.get("/").text
        assert all(f'href="/{name}/"' in home for name in ("sales", "ops", "clock"))
        assert client.get("/api/status").json()["dashboards"] == ["sales", "ops", "clock"]
    with connect(multi_app.url.replace("http", "ws") + "/ws/echo") as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "echo: ping"


def test_multi_app_dashboards(multi_app):
    with httpx.Client(base_url=multi_app.url) as client:
        for name in ("sales", "ops", "clock"):
            page = client.get(f"/{name}/")
            assert f"<title>{name.title()}</title>" in page.text
            assert f'"requests_pathname_prefix":"\\u002f{name}\\u002f"' in page.text

        output = dependency(client, "/sales", "..chart")
        sales = response_of(
            client.post(
                "/sales/_dash-update-component",
                json=callback_body(
                    output,
                    [
                        {"id": "chart", "property": "figure"},
                        {"id": "summary", "property": "children"},
                    ],
                    [prop("region", "value", "south")],
                    changed=["region.value"],
                ),
            )
        )
        assert len(sales["chart"]["figure"]["data"][0]["y"]) == 12
        assert re.fullmatch(r"south: \d+ units this year", sales["summary"]["children"])

        count = dependency(client, "/ops", "done-count")
        checks = [
            prop({"type": "check", "index": i}, "value", v)
            for i, v in enumerate([["a"], [], ["c"]])
        ]
        done = response_of(
            client.post(
                "/ops/_dash-update-component",
                json=callback_body(count, {"id": "done-count", "property": "children"}, [checks]),
            )
        )
        assert done == {"done-count": {"children": "2 of 3 done"}}

        layout = client.get("/clock/_dash-layout").json()
        assert "page rendered at" in str(layout)
        uptime = response_of(
            client.post(
                "/clock/_dash-update-component",
                json=callback_body(
                    "server-uptime.children",
                    {"id": "server-uptime", "property": "children"},
                    [prop("tick", "n_intervals", 7)],
                    changed=["tick.n_intervals"],
                ),
            )
        )
        assert re.fullmatch(
            r"server up \d+ s \(tick 7, triggered by tick\)", uptime["server-uptime"]["children"]
        )


def test_async_callbacks_example_gathers():
    server = HypercornProcess("examples/async_callbacks:app", cwd=str(ROOT)).start()
    try:

        def call(output: str) -> dict:
            return callback_body(
                f"{output}.children",
                {"id": output, "property": "children"},
                [prop("run", "n_clicks", 1)],
                changed=["run.n_clicks"],
            )

        async def both() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                return await asyncio.gather(
                    client.post("/_dash-update-component", json=call("sync-result")),
                    client.post("/_dash-update-component", json=call("async-result")),
                )

        sync_resp, async_resp = asyncio.run(both())
        sync_text = response_of(sync_resp)["sync-result"]["children"]
        async_text = response_of(async_resp)["async-result"]["children"]
        sync_s = float(re.search(r"in ([\d.]+) s", sync_text).group(1))
        async_s = float(re.search(r"in ([\d.]+) s", async_text).group(1))
        assert sync_text.startswith("def callback: users, orders, stock")
        assert async_text.startswith("async def callback: users, orders, stock")
        assert sync_s >= 3.0 and async_s < sync_s  # one after another vs gathered
    finally:
        server.stop()


@pytest.mark.browser
def test_multi_app_in_the_browser(multi_app):
    from quart_flash.testing import FlashBrowser

    with FlashBrowser(multi_app.url) as browser:
        browser.visit("/ops/")
        for name in ("check logs", "rotate keys"):
            browser.type_into("#task", name)
            browser.click("#add")
        browser.wait_for_text_to_equal("#done-count", "0 of 2 done")
        browser.find_elements("#tasks input[type=checkbox]")[1].click()
        browser.wait_for_text_to_equal("#done-count", "1 of 2 done")

        browser.visit("/clock/")
        browser.wait_for_contains_text("#browser-time", "browser time: ")
        browser.wait_for_contains_text("#server-uptime", "triggered by tick")

        browser.visit("/sales/")
        browser.wait_for_contains_text("#summary", "north: ")
        browser.wait_for(lambda: browser.find_elements("#chart .main-svg"), "the plotly chart")
        assert browser.get_logs() == []


@pytest.fixture(scope="module")
def pages_app():
    server = HypercornProcess("examples/pages_app/app:app", cwd=str(ROOT)).start()
    yield server
    server.stop()


def test_pages_app_routes_async_pages(pages_app):
    with httpx.Client(base_url=pages_app.url) as client:
        page = client.get("/warehouse/2").text
        assert '<meta property="og:title" content="Warehouse 2">' in page
        assert client.get("/stores").headers["location"] == "/warehouse/none"
        body = callback_body(
            ".._pages_content.children..._pages_store.data..",
            [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            [
                prop("_pages_location", "pathname", "/warehouse/2"),
                prop("_pages_location", "search", ""),
            ],
        )
        routed = response_of(client.post("/_dash-update-component", json=body))
        assert routed["_pages_store"] == {"data": {"title": "Warehouse 2"}}
        assert "Warehouse 2" in str(routed["_pages_content"])


def test_two_apps_with_pages_keep_their_own_pages():
    server = HypercornProcess("examples/two_apps_with_pages:app", cwd=str(ROOT)).start("/north/")
    try:
        with httpx.Client(base_url=server.url) as client:
            north = str(client.get("/north/_dash-layout").json())
            south = str(client.get("/south/_dash-layout").json())
        assert "Fjords" in north and "Beaches" not in north
        assert "Beaches" in south and "Fjords" not in south
        assert "/north/fjords" in north and "/south/beaches" in south
    finally:
        server.stop()


@pytest.mark.browser
def test_pages_navigation_in_the_browser(pages_app):
    from quart_flash.testing import FlashBrowser

    with FlashBrowser(pages_app.url) as browser:
        browser.visit("/")
        browser.wait_for_text_to_equal("#heading", "Inventory")
        browser.find_elements("a[href='/warehouse/3']")[0].click()
        browser.wait_for_text_to_equal("#heading", "Warehouse 3")
        browser.wait_for(lambda: browser.driver.title == "Warehouse 3", "the page title")
        browser.wait_for_text_to_equal("#count", "103 bolts in stock")
        browser.visit("/nowhere")
        browser.wait_for_text_to_equal("#heading", "No such page")
        assert browser.get_logs() == []


@pytest.mark.browser
def test_background_progress_in_the_browser():
    with example_in_a_browser("examples/background_progress:app") as browser:
        browser.visit("/")
        browser.click("#start")
        browser.wait_for(
            lambda: 0 < int(browser.find_element("#bar").get_attribute("value")) < 10,
            "the progress bar to move",
        )
        assert browser.find_element("#start").get_attribute("disabled") == "true"
        browser.wait_for_text_to_equal("#status", "finished run 1", timeout=20)
        assert browser.find_element("#bar").get_attribute("value") == "10"

        browser.click("#start")
        browser.wait_for(
            lambda: int(browser.find_element("#bar").get_attribute("value")) < 10, "a new run"
        )
        browser.click("#cancel")
        browser.wait_for(
            lambda: browser.find_element("#start").get_attribute("disabled") is None,
            "the run to stop",
        )
        assert browser.text("#status") == "finished run 1"  # the cancelled run wrote nothing
        assert browser.get_logs() == []


@pytest.mark.browser
def test_dash_extensions_websocket_component_with_a_quart_route():
    with example_in_a_browser("examples/ws_component:app", "/dash/") as browser:
        browser.visit("/dash/")
        browser.wait_for_text_to_equal("#reply", "server says: connected")
        browser.type_into("#text", "quart and dash")
        browser.click("#send")
        browser.wait_for_text_to_equal("#reply", "server says: QUART AND DASH")
        assert browser.get_logs() == []
