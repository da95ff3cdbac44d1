"""quart-flash's JSON encoder gives Dash's bytes: generated values, real component libraries.

The encoder replaces Dash's serialization on quart-flash's hot paths, so
anything it answers differently would reach the renderer.  These tests hold
it to byte equality with ``dash._utils.to_json`` (plotly's encoder).
"""

from __future__ import annotations

import datetime
import decimal
import math
import subprocess
import sys
from typing import Any

import dash
import dash._callback
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import dash_mantine_components as dmc
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dash_table, dcc, html
from dash._utils import to_json
from hypothesis import given, settings
from hypothesis import strategies as st

from quart_flash import encoder

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats()  # NaN and infinities too
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>/\u2028\u2029&'\""))
)
numpy_values = st.sampled_from(
    [
        np.arange(5),
        np.linspace(0, 1, 4),
        np.array([1.5, np.nan], dtype=np.float32),
        np.array(["a", "b"]),
        np.array([1, "x", None], dtype=object),
        np.array(["2024-01-02", "2024-03-04T05:06"], dtype="datetime64[m]"),
        np.arange(6).reshape(2, 3)[:, 1],  # not contiguous
        np.float32(0.1),
        np.int64(7),
        np.bool_(True),
        np.datetime64("2024-05-06"),
        np.ma.masked,
    ]
)
other_values = st.sampled_from(
    [
        datetime.datetime(2024, 1, 2, 3, 4, 5, 6),
        datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc),
        datetime.date(2024, 1, 2),
        datetime.time(1, 2, 3),
        decimal.Decimal("1.25"),
        (1, "two", None),
        pd.Timestamp("2024-01-02 03:04:05.123456789"),
        pd.Series([1, 2, 3]),
        pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"])),
        pd.NaT,
        go.Figure(go.Scatter(x=[1, 2], y=[3, 4])),
    ]
)
leaves = scalars | numpy_values | other_values
data = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)  # for props other than children: Dash refuses components there


def components(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Components of several libraries, with generated props and wildcard props."""
    ids = st.text(min_size=1, max_size=5) | st.fixed_dictionaries(
        {"type": st.text(max_size=3), "index": st.integers(0, 9)}
    )
    wildcard = st.dictionaries(
        st.sampled_from(["data-a", "data-row", "aria-label"]), scalars, max_size=2
    )
    html_kinds = st.sampled_from([html.Div, html.Span, html.P, html.Button, html.A])
    return st.one_of(
        st.builds(
            lambda kind, child, id_, extra, style: kind(child, id=id_, style=style, **extra),
            html_kinds,
            children,
            ids,
            wildcard,
            st.none() | st.dictionaries(st.sampled_from(["color", "width"]), data, max_size=2),
        ),
        st.builds(lambda child: html.Div(child), children),
        st.builds(lambda v: dcc.Input(value=v, type="text"), data),
        st.builds(lambda v: dcc.Dropdown(options=[{"label": "x", "value": v}], value=v), scalars),
        st.builds(lambda value: dcc.Store(id="store", data=value), data),
        st.builds(lambda fig: dcc.Graph(figure=fig), st.just(go.Figure(go.Bar(y=[1, 2])))),
        st.builds(lambda child: dbc.Card(child, body=True), children),
        st.builds(lambda child: dmc.Paper(child), children),
        st.builds(
            lambda rows: dash_table.DataTable(data=rows, columns=[{"id": "a", "name": "A"}]),
            st.lists(st.fixed_dictionaries({"a": data}), max_size=3),
        ),
        st.builds(
            lambda rows: dag.AgGrid(rowData=rows, columnDefs=[{"field": "a"}]),
            st.lists(st.fixed_dictionaries({"a": data}), max_size=3),
        ),
    )


values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.integers(-3, 3), children, max_size=4)
        | components(children)
    ),
    max_leaves=25,
)


def dash_answer(value: Any) -> tuple[str, str | None]:
    try:
        return "ok", to_json(value)
    except TypeError as exc:
        return "TypeError", type(exc).__name__


def flash_answer(value: Any) -> tuple[str, str | None]:
    try:
        return "ok", encoder.dumps(value)
    except TypeError as exc:
        return "TypeError", type(exc).__name__


@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")
@settings(max_examples=1500, deadline=None)
@given(values)
def test_same_bytes_as_dash_for_generated_values(value):
    assert flash_answer(value) == dash_answer(value)


@pytest.mark.parametrize(
    "value",
    [
        [html.Div(f"row {i}", id=f"row-{i}", className="row") for i in range(200)],
        {"multi": True, "response": {"out": {"children": html.Div([html.B("</script>")])}}},
        html.Div(**{"data-x": 1, "aria-hidden": "true"}),
        {"s": {1, 2}},  # not serializable: both refuse
        [object()],
        {"nan": math.nan, "component": html.Div(math.inf)},
        {datetime.date(2024, 1, 1): html.Div(), 3: "int key"},
    ],
    ids=["divs", "escaped", "wildcards", "set", "object", "nan", "keys"],
)
@pytest.mark.filterwarnings("ignore:Discarding nonzero nanoseconds")
def test_same_bytes_as_dash_for_known_shapes(value):
    assert flash_answer(value) == dash_answer(value)


def test_components_that_build_their_own_json_keep_it():
    class Custom(html.Div):
        def to_plotly_json(self) -> dict[str, Any]:
            return {"custom": True}

    assert encoder.dumps([Custom("x")]) == '[{"custom":true}]'


def test_dash_callbacks_use_it_only_inside_quart_flash_apps():
    """A plain Dash app in the same process keeps Dash's own function."""
    from quart_flash.dash_app import current_mount

    assert dash._callback.to_json is encoder.dash_to_json
    calls: list[Any] = []

    def spy(value: Any) -> str:
        calls.append(value)
        return "ours"

    original = encoder.dumps
    encoder.dumps = spy  # type: ignore[assignment]
    try:
        assert encoder.dash_to_json([1]) == "[1]"  # no app serving: Dash's
        token = current_mount.set(object())  # type: ignore[arg-type]
        try:
            assert encoder.dash_to_json([1]) == "ours"
        finally:
            current_mount.reset(token)
    finally:
        encoder.dumps = original  # type: ignore[assignment]
    assert calls == [[1]]


def _install_rich_callback(app: Any) -> None:
    app.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @app.callback(dash.Output("out", "children"), dash.Input("in", "value"))
    def rich(value: Any) -> Any:
        return [
            html.Div(f"row {i} {value}</b>", id={"type": "row", "index": i}, **{"data-i": i})
            for i in range(50)
        ] + [
            dcc.Graph(figure=go.Figure(go.Scatter(x=np.arange(3), y=np.array([1.5, 2, 3])))),
            dash_table.DataTable(data=[{"a": datetime.date(2024, 1, 1)}]),
            dag.AgGrid(rowData=[{"n": np.int64(4)}], columnDefs=[{"field": "n"}]),
        ]


def test_callback_answer_is_byte_identical_to_dash_on_flask(serve):
    from quart import Quart

    from quart_flash import FlashBlueprint

    from .helpers import simple_call

    stock = dash.Dash(__name__)
    _install_rich_callback(stock)
    quart_app = Quart(__name__)
    blueprint = FlashBlueprint("rich", __name__, url_prefix="/rich")
    _install_rich_callback(blueprint)
    quart_app.register_blueprint(blueprint)
    client = serve(quart_app)

    ours = simple_call(client, "/rich", "out", "in", "v")
    flask_client = stock.server.test_client()
    flask_client.get("/")  # Dash sets itself up on the first request
    body = ours.request.read()
    theirs = flask_client.post(
        "/_dash-update-component", data=body, content_type="application/json"
    )
    assert ours.status_code == theirs.status_code == 200
    assert ours.content == theirs.data


def test_components_are_encoded_without_importing_numpy():
    """orjson's numpy option would import numpy (~60 ms) in the first request."""
    code = (
        "import sys\n"
        "from dash import html\n"
        "from quart_flash.encoder import dumps\n"
        "text = dumps({'a': [html.Div([html.B('x')], id='d')], 'b': 1.5})\n"
        "assert 'numpy' not in sys.modules, 'encoding imported numpy'\n"
        "from dash._utils import to_json\n"
        "assert text == to_json({'a': [html.Div([html.B('x')], id='d')], 'b': 1.5})\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
