"""The dispatch fast paths give exactly what Dash's own code gives.

``dispatch.build_context`` stands in for ``Dash._initialize_context`` plus
``Dash._prepare_callback``: here both are run on the same requests and the
results compared key by key, type by type.  ``executor.ThreadPool`` stands
in for ``ThreadPoolExecutor``: bounded, context-carrying, cancellable.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
from dash._utils import AttributeDict
from hypothesis import given, settings
from hypothesis import strategies as st
from quart import Quart
from werkzeug.datastructures import Headers

from quart_flash import ALL, ALLSMALLER, MATCH, FlashBlueprint, Input, Output, State, html
from quart_flash.dispatch import CallbackPlan, build_context
from quart_flash.schemas import _loads

from .helpers import out, prop


def same(a: Any, b: Any, path: str = "g") -> None:
    """Equal, of the same types all the way down, dicts in the same key order."""
    assert type(a) is type(b), (path, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), (path, list(a), list(b))
        for key in a:
            same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


def make_app() -> tuple[Quart, FlashBlueprint]:
    app = Quart(__name__)
    bp = FlashBlueprint("fast", __name__, suppress_callback_exceptions=True)
    bp.layout = html.Div()

    @bp.callback(Output("one", "children"), Input("a", "value"))
    def single(a):
        return a

    @bp.callback(
        Output("m1", "children"),
        Output("m2", "children", allow_duplicate=True),
        Input("a", "value"),
        Input("b", "n_clicks"),
        State("s", "data"),
        prevent_initial_call=True,
    )
    def multi(a, b, s):
        return a, b

    @bp.callback(
        output={"x": Output("dx", "children"), "y": Output("dy", "children")},
        inputs={"first": Input("a", "value"), "rest": (Input("b", "value"), State("s", "data"))},
    )
    def grouped(first, rest):
        return {"x": first, "y": rest}

    @bp.callback(
        Output({"type": "out", "index": MATCH}, "children"),
        Input({"type": "in", "index": MATCH}, "value"),
        State({"type": "in", "index": ALLSMALLER}, "value"),
    )
    def matched(value, smaller):
        return value

    @bp.callback(
        Output({"type": "all-out", "index": ALL}, "children"),
        Input({"type": "all-in", "index": ALL}, "value"),
        Input("plain", "value"),
    )
    def every(values, plain):
        return values

    @bp.callback(Input("fire", "n_clicks"))
    def no_output(n):
        return None

    app.register_blueprint(bp)
    return app, bp


BODIES = {
    "single": {
        "output": "one.children",
        "outputs": out("one", "children"),
        "inputs": [prop("a", "value", 1)],
        "changedPropIds": ["a.value"],
    },
    "single, legacy renderer without outputs": {
        "output": "one.children",
        "inputs": [prop("a", "value", "x")],
    },
    "single, value missing": {
        "output": "one.children",
        "outputs": out("one", "children"),
        "inputs": [{"id": "a", "property": "value"}],
        "changedPropIds": [],
    },
    "multi with state": {
        "output": "..m1.children...m2.children@",  # Dash appends a hash
        "outputs": [out("m1", "children"), out("m2", "children")],
        "inputs": [prop("a", "value", [1, {"k": 2}]), prop("b", "n_clicks", 3)],
        "state": [prop("s", "data", {"deep": [1, 2]})],
        "changedPropIds": ["b.n_clicks", "a.value"],
    },
    "dict grouping": {
        "output": "..dx.children...dy.children..",
        "outputs": [out("dx", "children"), out("dy", "children")],
        "inputs": [prop("a", "value", "A"), prop("b", "value", "B")],
        "state": [prop("s", "data", None)],
        "changedPropIds": ["a.value"],
    },
    "MATCH and ALLSMALLER": {
        "output": '{"index":["MATCH"],"type":"out"}.children',
        "outputs": out({"type": "out", "index": 2}, "children"),
        "inputs": [prop({"type": "in", "index": 2}, "value", "two")],
        "state": [
            [
                prop({"type": "in", "index": 0}, "value", "zero"),
                prop({"index": 1, "type": "in"}, "value"),
            ]
        ],
        "changedPropIds": ['{"index":2,"type":"in"}.value'],
    },
    "ALL, empty and full": {
        "output": '{"index":["ALL"],"type":"all-out"}.children',
        "outputs": [[out({"type": "all-out", "index": i}, "children") for i in range(3)]],
        "inputs": [
            [prop({"type": "all-in", "index": i}, "value", i * 10) for i in range(3)],
            prop("plain", "value", "p"),
        ],
        "changedPropIds": ['{"index":1,"type":"all-in"}.value', "plain.value"],
    },
    "ALL with nothing matched": {
        "output": '{"index":["ALL"],"type":"all-out"}.children',
        "outputs": [[]],
        "inputs": [[], prop("plain", "value", "p")],
        "changedPropIds": [],
    },
    "no output": {
        "output": None,
        "outputs": [],
        "inputs": [prop("fire", "n_clicks", 1)],
        "changedPropIds": ["fire.n_clicks"],
    },
}


def _output_key(bp: FlashBlueprint, body: dict[str, Any]) -> str:
    """The callback id: Dash hashes no-output and allow_duplicate ones."""
    callbacks = bp.dash_app.callback_map
    if body["output"] is None:
        (key,) = [k for k, cb in callbacks.items() if cb.get("no_output")]
    else:
        (key,) = [k for k in callbacks if k.startswith(body["output"])]
    body["output"] = key
    return key


HEADERS = {
    "cookie and origin": [
        ("Cookie", "a=1; b=two"),
        ("Origin", "http://example.test"),
        ("X-Y", "z"),
    ],
    "neither": [("X-Y", "z")],
    # Names as a client or a test may send them; Quart title-cases real ones.
    "lower-case and repeated": [
        ("origin", "http://first.test"),
        ("X-Y", "z"),
        ("cookie", "a=1"),
        ("X-Y", "again"),
        ("Origin", "http://second.test"),
    ],
}


@pytest.mark.parametrize("headers", list(HEADERS))
@pytest.mark.parametrize("name", list(BODIES))
def test_callback_context_is_dashs_own(name: str, headers: str) -> None:
    app, bp = make_app()
    dash_app = bp.dash_app
    body = copy.deepcopy(BODIES[name])
    key = _output_key(bp, body)
    assert key in dash_app.callback_map, sorted(dash_app.callback_map)
    callback = dash_app.callback_map[key]

    async def compare() -> None:
        async with app.test_request_context(
            "/_dash-update-component?x=1&x=2&endId=e",
            method="POST",
            headers=Headers(HEADERS[headers]),
        ):
            theirs_body = copy.deepcopy(body)
            ours_body = copy.deepcopy(body)
            theirs = dash_app._initialize_context(theirs_body)
            their_func = dash_app._prepare_callback(theirs, theirs_body)
            ours, our_func = build_context(dash_app, ours_body, CallbackPlan(callback))

            assert our_func is their_func
            assert type(ours.dash_response) is type(theirs.dash_response)
            assert ours.dash_response is not theirs.dash_response
            assert ours.args is theirs.args  # the request's own MultiDict
            theirs_plain = {k: x for k, x in theirs.items() if k not in ("dash_response", "args")}
            ours_plain = {k: x for k, x in ours.items() if k not in ("dash_response", "args")}
            assert list(ours) == list(theirs)
            same(ours_plain, theirs_plain)
            # The same sharing: the lists are the body's, the groups are copies.
            assert ours.inputs_list is ours_body.get("inputs", ours.inputs_list)
            assert theirs.inputs_list is theirs_body.get("inputs", theirs.inputs_list)
            same(ours_body, theirs_body, "body")  # neither touched the body
            same(ours_body, body, "body")
            if headers == "cookie and origin":
                assert ours.cookies == {"a": "1", "b": "two"}
                assert ours.origin == "http://example.test"
            if headers == "neither":
                assert ours.cookies == {}
                assert ours.origin is None

    asyncio.run(compare())


def test_a_replaced_callback_gets_a_new_plan() -> None:
    _, bp = make_app()
    dispatcher = bp.dispatcher
    callback = bp.dash_app.callback_map["one.children"]
    plan = dispatcher.plan_for("one.children", callback)
    assert dispatcher.plan_for("one.children", callback) is plan
    replaced = dict(callback)
    assert dispatcher.plan_for("one.children", replaced) is not plan


def test_broken_entries_fail_as_in_dash() -> None:
    """A legacy body whose output id cannot be split fails with Dash's error."""
    app, bp = make_app()
    dash_app = bp.dash_app
    callback = dash_app.callback_map["one.children"]
    body = {"output": "one.children", "inputs": [prop("a", "value", 1)]}

    async def compare() -> None:
        async with app.test_request_context("/_dash-update-component", method="POST"):
            broken = dict(callback)
            del broken["inputs_state_indices"]
            with pytest.raises(KeyError):
                CallbackPlan(broken)
            dash_app.callback_map["one.children"] = broken
            try:
                with pytest.raises(KeyError, match="Callback function not found"):
                    theirs = dash_app._initialize_context(copy.deepcopy(body))
                    dash_app._prepare_callback(theirs, copy.deepcopy(body))
            finally:
                dash_app.callback_map["one.children"] = callback

    asyncio.run(compare())


# -- the thread pool -------------------------------------------------------------------


def test_attribute_dict_is_what_dash_reads() -> None:
    """The context is Dash's AttributeDict: ``dash.ctx`` reads it by attribute."""
    app, bp = make_app()
    body = copy.deepcopy(BODIES["single"])

    async def check() -> None:
        async with app.test_request_context("/_dash-update-component", method="POST"):
            plan = CallbackPlan(bp.dash_app.callback_map["one.children"])
            context, _ = build_context(bp.dash_app, body, plan)
            assert isinstance(context, AttributeDict)
            assert context.triggered_inputs == [{"prop_id": "a.value", "value": 1}]
            assert context.args_grouping.triggered is True  # one Input: not a list

    asyncio.run(check())


# -- request parsing -------------------------------------------------------------------


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def _decoded(raw: bytes) -> Any:
    import json

    try:
        return ("ok", repr(json.loads(raw)))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc), str(exc))


def _ours(raw: bytes) -> Any:
    try:
        return ("ok", repr(_loads(raw)))
    except (ValueError, RecursionError) as exc:
        return ("error", type(exc), str(exc))


@settings(max_examples=300, deadline=None)
@given(_json_values, st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]), st.integers(0, 40))
def test_body_decoding_is_pythons_json(value: Any, encoding: str, cut: int) -> None:
    import json

    text = json.dumps(value)  # NaN, Infinity and lone surrogates included
    raw = text.encode(encoding, "surrogatepass")
    assert _ours(raw) == _decoded(raw)
    broken = raw[: max(0, len(raw) - cut)] + b"}"  # and malformed variants
    assert _ours(broken) == _decoded(broken)


def test_deep_and_long_numbers_are_pythons_json() -> None:
    for raw in (
        b"[" * 5000 + b"]" * 5000,
        b"123456789012345678901234567890",
        b'{"a": -99999999999999999999}',
        b"\xef\xbb\xbf{}",
    ):
        assert _ours(raw) == _decoded(raw)


def test_routes_are_hidden_under_quart_schemas_attribute() -> None:
    from quart_schema.openapi import QUART_SCHEMA_HIDDEN_ATTRIBUTE

    from quart_flash import views

    assert views._HIDDEN_ATTRIBUTE == QUART_SCHEMA_HIDDEN_ATTRIBUTE
