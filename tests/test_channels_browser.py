"""Channels in real browsers: two Chromiums, pushes, chat, streaming, navigation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from quart import Quart

from quart_flash import Channel, FlashBlueprint, Input, Output, dcc, html
from quart_flash.testing import FlashBrowser, HypercornProcess

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def two_browsers():
    browsers = [FlashBrowser(), FlashBrowser()]
    yield browsers
    for browser in browsers:
        browser.quit()


def confirmed(browser) -> str:
    """The channels the server has confirmed to this page, comma-joined."""
    return browser.driver.execute_script(
        "return window.quartFlash ? window.quartFlash.subscribed().join() : ''"
    )


def open_both(browsers, url):
    """Open the page in each browser; return once each one's channels are live."""
    for browser in browsers:
        browser.base_url = url
        browser.visit("/")
        browser.wait_for(lambda b=browser: confirmed(b), "the server to confirm the channels")


def test_chat_example_with_two_browsers(two_browsers):
    server = HypercornProcess("examples/chat:app", cwd=str(ROOT)).start()
    try:
        alice, bob = two_browsers
        open_both(two_browsers, server.url)
        alice.type_into("#name", "alice")
        alice.type_into("#message", "hello bob\n")
        alice.click("#send")
        # The sender's own page first: if only bob's misses it, the push did.
        alice.wait_for_contains_text("#log", "alice: hello bob")
        bob.wait_for_contains_text("#log", "alice: hello bob")
        bob.wait_for_text_to_equal("#status", "1 message(s)")  # a callback fired in bob's page
        bob.type_into("#name", "bob")
        bob.type_into("#message", "hi alice\n")
        bob.click("#send")
        alice.wait_for_contains_text("#log", "bob: hi alice")
        alice.wait_for_text_to_equal("#status", "2 message(s)")
        assert alice.get_logs() == [] and bob.get_logs() == []
    finally:
        print(server.stop())  # pytest shows it when the test fails


def test_publish_reaches_both_and_streaming_keeps_order(flash_server, two_browsers):
    app = Quart(__name__)
    bp = FlashBlueprint("live", __name__, url_prefix="/live")
    bp.layout = html.Div(
        [
            Channel("news"),
            html.Div(id="headline"),
            html.Div(id="echo"),
            html.Button("count", id="go"),
            html.Div(id="count"),
        ]
    )

    @bp.callback(
        Output("echo", "children"), Input("headline", "children"), prevent_initial_call=True
    )
    def echo(headline):
        return f"echo: {headline}"

    @bp.callback(Output("count", "children"), Input("go", "n_clicks"), prevent_initial_call=True)
    async def count(_):
        for n in range(1, 6):
            yield str(n)
            await asyncio.sleep(0.15)

    @app.post("/news")
    async def news():
        await bp.publish("news", {"headline": {"children": "extra! extra!"}})
        return {"ok": True}

    app.register_blueprint(bp)
    server = flash_server(app)
    alice, bob = two_browsers
    for browser in two_browsers:
        browser.base_url = server.url + "/live"
    open_both(two_browsers, server.url + "/live")

    import httpx

    assert httpx.post(server.url + "/news").json() == {"ok": True}
    for browser in two_browsers:
        browser.wait_for_text_to_equal("#headline", "extra! extra!")
        browser.wait_for_text_to_equal("#echo", "echo: extra! extra!")  # dependents fired

    alice.driver.execute_script("""
        window.seen = [];
        new MutationObserver(function () {
            var text = document.getElementById('count').textContent;
            if (text && window.seen[window.seen.length - 1] !== text) { window.seen.push(text); }
        }).observe(document.getElementById('count'), {childList: true, subtree: true,
                                                       characterData: true});
    """)
    alice.click("#go")
    alice.wait_for_text_to_equal("#count", "5")
    assert alice.driver.execute_script("return window.seen") == ["1", "2", "3", "4", "5"]
    assert bob.text("#count") == ""  # streaming went to the caller only


def test_subscriptions_follow_page_navigation(flash_server, two_browsers):
    app = Quart(__name__)
    bp = FlashBlueprint("nav", __name__, url_prefix="/nav", suppress_callback_exceptions=True)
    pages = {"/nav/red": "red", "/nav/blue": "blue"}
    bp.layout = html.Div(
        [
            dcc.Location(id="url"),
            dcc.Link("red", href="/nav/red", id="to-red"),
            dcc.Link("blue", href="/nav/blue", id="to-blue"),
            html.Div(id="page"),
        ]
    )

    @bp.callback(Output("page", "children"), Input("url", "pathname"))
    def route(path):
        color = pages.get(path, "red")
        return html.Div(
            [Channel(color), html.Div(f"{color} page", id="title"), html.Div(id=f"{color}-news")]
        )

    @app.post("/paint/<color>")
    async def paint(color):
        await bp.publish(color, {f"{color}-news": {"children": f"{color} news"}})
        return {"ok": True}

    app.register_blueprint(bp)
    server = flash_server(app)
    browser = two_browsers[0]
    browser.base_url = server.url
    browser.visit("/nav/red")
    browser.wait_for(lambda: confirmed(browser) == "red", "the red subscription")
    browser.click("#to-blue")
    browser.wait_for_text_to_equal("#title", "blue page")
    browser.wait_for(lambda: confirmed(browser) == "blue", "the blue subscription")
    hub = app.extensions["quart_flash.hub"]
    browser.wait_for(
        lambda: (
            hub.subscriber_count(bp.channel_key("blue")) == 1
            and hub.subscriber_count(bp.channel_key("red")) == 0
        ),
        "the server to move the subscription",
    )
    import httpx

    httpx.post(server.url + "/paint/blue")
    browser.wait_for_text_to_equal("#blue-news", "blue news")


def test_script_reconnects_after_a_server_restart_and_drops_refused_channels(two_browsers):
    server = HypercornProcess("tests.apps.guarded_channels:app", cwd=str(ROOT)).start("/g/")
    browser = two_browsers[0]
    browser.base_url = server.url
    try:
        browser.visit("/g/")
        # "secret" is refused: the socket is closed with the reason, the script
        # reconnects without it and keeps "public".
        browser.wait_for(
            lambda: (
                browser.driver.execute_script("return window.quartFlash.channels().join()")
                == "public"
            ),
            "the refusal",
        )
        import httpx

        def push(text: str) -> bool:
            try:
                return httpx.post(f"{server.url}/push", json={"text": text}).status_code == 200
            except httpx.HTTPError:
                return False

        browser.wait_for(
            lambda: push("first") and browser.text("#news") == "first", "the first push"
        )
        server.stop()
        server.start("/g/")  # same port: the page's script reconnects by itself
        browser.wait_for(
            lambda: push("second") and browser.text("#news") == "second",
            "a push after the restart",
            timeout=20,
        )
        assert not browser.find_elements("._dash-error")  # nothing looks broken
    finally:
        server.stop()
