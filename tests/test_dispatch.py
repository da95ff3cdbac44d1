"""Callback dispatch over HTTP: Dash 4.4.1's semantics, async and sync."""

from __future__ import annotations

import asyncio
import threading

import pytest
from quart import Quart, current_app, request

from quart_flash import (
    ALL,
    ALLSMALLER,
    MATCH,
    FlashBlueprint,
    Input,
    Output,
    Patch,
    PreventUpdate,
    State,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)

from .helpers import callback_body, out, prop, response_of


def make_app(**kwargs: object) -> tuple[Quart, FlashBlueprint]:
    app = Quart(__name__)
    bp = FlashBlueprint(
        "cb", __name__, url_prefix="/cb", suppress_callback_exceptions=True, **kwargs
    )  # type: ignore[arg-type]
    bp.layout = html.Div(id="root")
    return app, bp


def post(client, body):
    return client.post("/cb/_dash-update-component", json=body)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_multiple_outputs_state_and_context(serve, kind):
    app, bp = make_app()
    threads: list[str] = []

    def body_of(a, b, s):
        threads.append(threading.current_thread().name)
        return (
            f"{a}+{b}+{s}",
            ctx.triggered_id,
            [
                ctx.triggered_prop_ids,
                [i["id"] for i in ctx.inputs_list],
                request.headers["X-Test"],
                current_app.name,
            ],
        )

    outputs = [Output("sum", "children"), Output("who", "children"), Output("meta", "data")]
    inputs = [Input("a", "value"), Input("b", "value"), State("s", "value")]
    if kind == "sync":
        bp.callback(*outputs, *inputs)(body_of)
    else:

        async def async_body(a, b, s):
            await asyncio.sleep(0)
            return body_of(a, b, s)

        bp.callback(*outputs, *inputs)(async_body)
    app.register_blueprint(bp)
    client = serve(app)
    resp = client.post(
        "/cb/_dash-update-component",
        headers={"X-Test": "hdr"},
        json=callback_body(
            "..sum.children...who.children...meta.data..",
            [out("sum"), out("who"), out("meta", "data")],
            [prop("a", "value", 1), prop("b", "value", 2)],
            state=[prop("s", "value", "st")],
            changed=["b.value"],
        ),
    )
    assert response_of(resp) == {
        "sum": {"children": "1+2+st"},
        "who": {"children": "b"},
        "meta": {"data": [{"b.value": "b"}, ["a", "b"], "hdr", app.name]},
    }
    if kind == "sync":
        assert threads[-1].startswith("quart-flash")
    else:
        assert not threads[-1].startswith("quart-flash")


def test_no_update_prevent_update_and_side_updates(serve):
    app, bp = make_app()

    @bp.callback(Output("o1", "children"), Output("o2", "children"), Input("i", "value"))
    def partial(v):
        if v == "stop":
            raise PreventUpdate
        if v == "none":
            return no_update, no_update
        if v == "side":
            set_props("elsewhere", {"title": "from set_props"})
            return no_update, no_update
        return no_update, f"two:{v}"

    app.register_blueprint(bp)
    client = serve(app)

    def call(value):
        return post(
            client,
            callback_body(
                "..o1.children...o2.children..",
                [out("o1"), out("o2")],
                [prop("i", "value", value)],
                changed=["i.value"],
            ),
        )

    assert response_of(call("x")) == {"o2": {"children": "two:x"}}
    stopped = call("stop")
    assert stopped.status_code == 204 and stopped.content == b""
    # Dash 3.1+: all outputs no_update answers an empty 200, not 204.
    assert response_of(call("none")) == {}
    side = call("side")
    assert side.json()["sideUpdate"] == {"elsewhere": {"title": "from set_props"}}


def test_patch_and_allow_duplicate(serve):
    app, bp = make_app()

    @bp.callback(Output("list", "children"), Input("add", "n_clicks"), prevent_initial_call=True)
    async def append(n):
        patch = Patch()
        patch.append(f"item {n}")
        return patch

    @bp.callback(
        Output("list", "children", allow_duplicate=True),
        Input("clear", "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(_):
        return []

    app.register_blueprint(bp)
    client = serve(app)
    deps = {d["output"]: d for d in client.get("/cb/_dash-dependencies").json()}
    duplicate_id = next(k for k in deps if k.startswith("list.children@"))
    assert deps["list.children"]["prevent_initial_call"] is True

    patched = response_of(
        post(
            client,
            callback_body(
                "list.children", out("list"), [prop("add", "n_clicks", 3)], changed=["add.n_clicks"]
            ),
        )
    )
    assert patched["list"]["children"]["__dash_patch_update"] == "__dash_patch_update"
    assert patched["list"]["children"]["operations"] == [
        {"operation": "Append", "location": [], "params": {"value": "item 3"}}
    ]
    cleared = response_of(
        post(
            client,
            callback_body(
                duplicate_id,
                {"id": "list", "property": duplicate_id.split(".", 1)[1]},
                [prop("clear", "n_clicks", 1)],
                changed=["clear.n_clicks"],
            ),
        )
    )
    assert cleared == {"list": {"children": []}}


def test_pattern_matching_all_match_allsmaller(serve):
    app, bp = make_app()

    @bp.callback(Output("total", "children"), Input({"type": "num", "index": ALL}, "value"))
    def total(values):
        return sum(v or 0 for v in values)

    @bp.callback(
        Output({"type": "echo", "index": MATCH}, "children"),
        Input({"type": "num", "index": MATCH}, "value"),
    )
    async def echo(value):
        return f"{ctx.triggered_id['index']}={value}"

    @bp.callback(
        Output({"type": "running", "index": MATCH}, "children"),
        Input({"type": "num", "index": MATCH}, "value"),
        Input({"type": "num", "index": ALLSMALLER}, "value"),
    )
    def running(value, smaller):
        return value + sum(smaller)

    app.register_blueprint(bp)
    client = serve(app)
    deps = [d["output"] for d in client.get("/cb/_dash-dependencies").json()]
    nums = [prop({"type": "num", "index": i}, "value", i * 10) for i in range(3)]

    assert response_of(
        post(
            client,
            callback_body(
                deps[0], out("total"), [nums], changed=['{"index":1,"type":"num"}.value']
            ),
        )
    )["total"] == {"children": 30}
    echoed = response_of(
        post(
            client,
            callback_body(
                deps[1],
                out({"type": "echo", "index": 2}),
                [nums[2]],
                changed=['{"index":2,"type":"num"}.value'],
            ),
        )
    )
    assert echoed == {'{"index":2,"type":"echo"}': {"children": "2=20"}}
    ran = response_of(
        post(
            client,
            callback_body(
                deps[2],
                out({"type": "running", "index": 2}),
                [nums[2], nums[:2]],
                changed=['{"index":2,"type":"num"}.value'],
            ),
        )
    )
    assert ran == {'{"index":2,"type":"running"}': {"children": 30}}


def test_wildcard_outputs_with_all(serve):
    app, bp = make_app()

    @bp.callback(Output({"type": "cell", "index": ALL}, "children"), Input("go", "n_clicks"))
    def fill(n):
        return [f"cell {i.get('id')['index']}" for i in ctx.outputs_list]

    app.register_blueprint(bp)
    client = serve(app)
    dep = client.get("/cb/_dash-dependencies").json()[0]["output"]
    cells = [out({"type": "cell", "index": i}) for i in range(2)]
    answer = response_of(post(client, callback_body(dep, cells, [prop("go", "n_clicks", 1)])))
    assert answer == {
        '{"index":0,"type":"cell"}': {"children": "cell 0"},
        '{"index":1,"type":"cell"}': {"children": "cell 1"},
    }


def test_dict_grouping_signature(serve):
    app, bp = make_app()

    @bp.callback(
        output={"text": Output("t", "children"), "size": Output("s", "children")},
        inputs={"words": Input("w", "value"), "extra": State("x", "value")},
    )
    async def grouped(words, extra):
        return {"text": f"{words}{extra}", "size": len(words)}

    app.register_blueprint(bp)
    client = serve(app)
    dep = client.get("/cb/_dash-dependencies").json()[0]["output"]
    answer = response_of(
        post(
            client,
            callback_body(
                dep,
                [out("t"), out("s")],
                [prop("w", "value", "abc")],
                state=[prop("x", "value", "!")],
            ),
        )
    )
    assert answer == {"t": {"children": "abc!"}, "s": {"children": 3}}


def test_on_error_callback_level_and_app_level(serve):
    seen: list[str] = []

    def app_handler(err):
        seen.append(f"app:{err}")
        return "handled by app"

    app, bp = make_app(on_error=app_handler)

    @bp.callback(Output("a", "children"), Input("i", "value"))
    def fails_app(v):
        raise ValueError("boom-a")

    @bp.callback(
        Output("b", "children"), Input("i", "value"), on_error=lambda err: seen.append(f"cb:{err}")
    )
    async def fails_callback(v):
        raise ValueError("boom-b")

    app.register_blueprint(bp)
    client = serve(app)
    assert response_of(
        post(client, callback_body("a.children", out("a"), [prop("i", "value", 1)]))
    ) == {"a": {"children": "handled by app"}}
    # A handler returning None leaves the outputs alone.
    assert (
        response_of(post(client, callback_body("b.children", out("b"), [prop("i", "value", 1)])))
        == {}
    )
    assert seen == ["app:boom-a", "cb:boom-b"]


def test_response_cookies_and_headers_from_callbacks(serve):
    app, bp = make_app()

    @bp.callback(Output("o", "children"), Input("i", "value"))
    def sets(v):
        ctx.response.set_cookie("flavour", str(v))
        ctx.response.set_header("X-From-Callback", "yes")
        return v

    app.register_blueprint(bp)
    client = serve(app)
    resp = post(client, callback_body("o.children", out("o"), [prop("i", "value", "mint")]))
    assert resp.headers["X-From-Callback"] == "yes"
    assert resp.cookies["flavour"] == "mint"


def test_layouts_component_sync_function_and_async_function(serve):
    app = Quart(__name__)
    calls = {"sync": 0, "async": 0}
    static = FlashBlueprint("static", __name__, url_prefix="/static-app")
    static.layout = html.Div("fixed", id="fixed")
    sync = FlashBlueprint("sync", __name__, url_prefix="/sync")

    def sync_layout():
        calls["sync"] += 1
        return html.Div(f"sync {calls['sync']} {threading.current_thread().name}", id="s")

    sync.layout = sync_layout
    asynchronous = FlashBlueprint("asynchronous", __name__, url_prefix="/async")

    async def async_layout():
        await asyncio.sleep(0.01)
        calls["async"] += 1
        return html.Div([dcc.Input(id="q"), html.Div(f"async {calls['async']}", id="a")])

    asynchronous.layout = async_layout
    for bp in (static, sync, asynchronous):
        app.register_blueprint(bp)
    client = serve(app)
    assert client.get("/static-app/_dash-layout").json()["props"]["children"] == "fixed"
    first = client.get("/sync/_dash-layout").json()["props"]["children"]
    second = client.get("/sync/_dash-layout").json()["props"]["children"]
    assert first != second and "quart-flash" in second  # called per request, in the pool
    one = client.get("/async/_dash-layout").json()["props"]["children"][1]["props"]["children"]
    two = client.get("/async/_dash-layout").json()["props"]["children"][1]["props"]["children"]
    assert one != two and two.startswith("async ")
    # An async layout's first result becomes the validation layout the renderer gets.
    assert '"id":"q"' in client.get("/async/").text.replace(" ", "")


def test_failing_callback_is_a_500_that_reveals_nothing(serve, caplog):
    app, bp = make_app()

    @bp.callback(Output("o", "children"), Input("i", "value"))
    def broken(v):
        raise RuntimeError("secret database password")

    app.register_blueprint(bp)
    client = serve(app)
    resp = post(client, callback_body("o.children", out("o"), [prop("i", "value", 1)]))
    assert resp.status_code == 500
    assert "secret" not in resp.text and "Traceback" not in resp.text
    (record,) = [r for r in caplog.records if "o.children" in r.getMessage()]
    assert "'cb'" in record.getMessage()  # the app
    assert "cb.dash_update_component" in record.getMessage()  # the endpoint
    assert record.name == bp.logger.name and record.exc_info is not None
    # The server keeps serving.
    assert client.get("/cb/_dash-layout").status_code == 200


def test_debug_mode_shows_the_traceback_to_dev_tools(serve):
    app, bp = make_app()

    @bp.callback(Output("o", "children"), Input("i", "value"))
    def broken(v):
        raise RuntimeError("visible in debug")

    bp.enable_dev_tools(debug=True, dev_tools_hot_reload=False)
    app.register_blueprint(bp)
    client = serve(app)
    resp = post(client, callback_body("o.children", out("o"), [prop("i", "value", 1)]))
    assert resp.status_code == 500
    assert resp.headers["content-type"].startswith("text/html")
    assert "visible in debug" in resp.text
    timing = client.get("/cb/_dash-layout").headers.get("Server-Timing", "")
    assert timing.startswith("__dash_server;dur=")


def test_invalid_return_value_is_reported_like_dash(serve):
    app, bp = make_app()

    @bp.callback(Output("o", "children"), Input("i", "value"))
    def unserialisable(v):
        return object()

    bp.enable_dev_tools(debug=True, dev_tools_hot_reload=False)
    app.register_blueprint(bp)
    client = serve(app)
    resp = post(client, callback_body("o.children", out("o"), [prop("i", "value", 1)]))
    assert resp.status_code == 500
    assert "InvalidCallbackReturnValue" in resp.text


def test_static_layout_is_served_from_cache_until_reassigned(serve):
    app, bp = make_app()
    bp.layout = html.Div("first", id="v")
    app.register_blueprint(bp)
    client = serve(app)
    assert client.get("/cb/_dash-layout").json()["props"]["children"] == "first"
    bp.layout = html.Div("second", id="v")
    assert client.get("/cb/_dash-layout").json()["props"]["children"] == "second"
    before = client.get("/cb/_dash-dependencies").json()

    @bp.callback(Output("late", "children"), Input("v", "children"))
    def late(v):
        return v

    after = client.get("/cb/_dash-dependencies").json()
    assert len(after) == len(before) + 1
