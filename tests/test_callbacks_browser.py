"""Dash's callback behaviours in a real browser, on two apps sharing one server.

In our own words, what Dash's integration tests check for these features:
chains and prevent_initial_call, running, set_props, Patch and
allow_duplicate, pattern matching, clientside callbacks, DataTable, Graph.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from quart import Quart

from quart_flash import (
    ALL,
    MATCH,
    ClientsideFunction,
    FlashBlueprint,
    Input,
    Output,
    Patch,
    State,
    ctx,
    dash_table,
    dcc,
    html,
    set_props,
)

pytestmark = pytest.mark.browser
ASSETS = Path(__file__).resolve().parent / "assets_clientside"


def core_app(name: str) -> FlashBlueprint:
    bp = FlashBlueprint(
        name,
        __name__,
        url_prefix=f"/{name}",
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
    )
    bp.layout = html.Div(
        [
            dcc.Input(id="first", value="a"),
            html.Div(id="second"),
            html.Div(id="third"),
            html.Div(id="never", children="untouched"),
            html.Button("slow", id="slow"),
            html.Div(id="slow-out"),
            html.Div(id="side"),
            html.Button("add", id="add"),
            html.Button("clear", id="clear"),
            html.Ul(id="items"),
            html.Button("new row", id="new-row"),
            html.Div(id="rows", children=[]),
            html.Div(id="total"),
            dcc.Input(id="shout-in", value="hi"),
            html.Div(id="shout-inline"),
            html.Div(id="shout-fn"),
            dash_table.DataTable(
                id="table",
                columns=[{"name": "n", "id": "n", "editable": True}],
                data=[{"n": 1}, {"n": 2}],
            ),
            html.Div(id="table-sum"),
            dcc.Graph(id="graph", figure={"data": [{"type": "bar", "x": [1, 2], "y": [3, 4]}]}),
        ]
    )

    @bp.callback(Output("second", "children"), Input("first", "value"))
    async def second(value):
        return f"{name}:{value}"

    @bp.callback(Output("third", "children"), Input("second", "children"))
    def third(value):
        return f"{value}!"

    @bp.callback(Output("never", "children"), Input("first", "value"), prevent_initial_call=True)
    def never(value):
        return "changed"

    @bp.callback(
        Output("slow-out", "children"),
        Input("slow", "n_clicks"),
        running=[(Output("slow", "disabled"), True, False)],
        prevent_initial_call=True,
    )
    async def slow(n):
        await asyncio.sleep(1.5)  # long enough to see the button disabled on a busy machine
        set_props("side", {"children": f"side {n}"})
        return f"slow {n}"

    @bp.callback(Output("items", "children"), Input("add", "n_clicks"), prevent_initial_call=True)
    def add(n):
        patch = Patch()
        patch.append(html.Li(f"item {n}"))
        return patch

    @bp.callback(
        Output("items", "children", allow_duplicate=True),
        Input("clear", "n_clicks"),
        prevent_initial_call=True,
    )
    def clear(_):
        return []

    @bp.callback(
        Output("rows", "children"),
        Input("new-row", "n_clicks"),
        State("rows", "children"),
        prevent_initial_call=True,
    )
    def new_row(n, rows):
        return rows + [
            html.Div(
                [
                    dcc.Input(id={"type": "qty", "index": n}, value=n, type="number"),
                    html.Span(id={"type": "double", "index": n}, className="double"),
                ]
            )
        ]

    @bp.callback(
        Output({"type": "double", "index": MATCH}, "children"),
        Input({"type": "qty", "index": MATCH}, "value"),
    )
    def double(value):
        return f"{ctx.outputs_list['id']['index']}x2={int(value or 0) * 2}"

    @bp.callback(Output("total", "children"), Input({"type": "qty", "index": ALL}, "value"))
    async def total(values):
        return f"total {sum(int(v or 0) for v in values)}"

    bp.clientside_callback(
        "function(v) { return v + '!'; }",
        Output("shout-inline", "children"),
        Input("shout-in", "value"),
    )
    bp.clientside_callback(
        ClientsideFunction("shout", "upper"),
        Output("shout-fn", "children"),
        Input("shout-in", "value"),
    )

    @bp.callback(Output("table-sum", "children"), Input("table", "data"))
    def table_sum(rows):
        return f"sum {sum(float(r['n']) for r in rows)}"

    return bp


@pytest.fixture(scope="module")
def two_core_apps():
    app = Quart(__name__)
    for name in ("left", "right"):
        app.register_blueprint(core_app(name))
    return app


def test_chains_prevent_initial_call_and_same_ids_in_two_apps(flash_duo, two_core_apps):
    flash_duo.start_server(two_core_apps, "/left/")
    flash_duo.wait_for_text_to_equal("#third", "left:a!")
    assert flash_duo.text("#never") == "untouched"
    flash_duo.type_into("#first", "bc")
    flash_duo.wait_for_text_to_equal("#third", "left:bc!")
    flash_duo.wait_for_text_to_equal("#never", "changed")
    flash_duo.visit("/right/")
    flash_duo.wait_for_text_to_equal("#third", "right:a!")
    assert flash_duo.get_logs() == []


def test_running_set_props_patch_and_allow_duplicate(flash_duo, two_core_apps):
    flash_duo.start_server(two_core_apps, "/left/")
    flash_duo.click("#slow")
    flash_duo.wait_for(
        lambda: flash_duo.find_element("#slow").get_attribute("disabled"),
        "the button to be disabled while running",
    )
    flash_duo.wait_for_text_to_equal("#slow-out", "slow 1")
    flash_duo.wait_for_text_to_equal("#side", "side 1")
    assert flash_duo.find_element("#slow").get_attribute("disabled") is None
    for _ in range(3):
        flash_duo.click("#add")
    flash_duo.wait_for(lambda: len(flash_duo.find_elements("#items li")) == 3, "three items")
    assert [li.text for li in flash_duo.find_elements("#items li")] == [
        "item 1",
        "item 2",
        "item 3",
    ]
    flash_duo.click("#clear")
    flash_duo.wait_for(lambda: not flash_duo.find_elements("#items li"), "the list to clear")
    assert flash_duo.get_logs() == []


def test_pattern_matching_all_and_match(flash_duo, two_core_apps):
    flash_duo.start_server(two_core_apps, "/right/")
    flash_duo.click("#new-row")
    flash_duo.click("#new-row")
    flash_duo.wait_for(
        lambda: [e.text for e in flash_duo.find_elements(".double")] == ["1x2=2", "2x2=4"],
        "both rows doubled",
    )
    flash_duo.wait_for_text_to_equal("#total", "total 3")
    field = flash_duo.find_elements("#rows input")[1]
    field.send_keys("0")  # 2 -> 20
    flash_duo.wait_for(
        lambda: flash_duo.find_elements(".double")[1].text == "2x2=40", "the matching row to update"
    )
    flash_duo.wait_for_text_to_equal("#total", "total 21")
    assert flash_duo.find_elements(".double")[0].text == "1x2=2"
    assert flash_duo.get_logs() == []


def test_clientside_callbacks_datatable_and_graph_under_a_prefix(flash_duo, two_core_apps):
    flash_duo.start_server(two_core_apps, "/left/")
    flash_duo.wait_for_text_to_equal("#shout-inline", "hi!")
    flash_duo.wait_for_text_to_equal("#shout-fn", "HI")  # ClientsideFunction from assets
    flash_duo.type_into("#shout-in", "quart")
    flash_duo.wait_for_text_to_equal("#shout-fn", "QUART")
    flash_duo.wait_for_text_to_equal("#table-sum", "sum 3.0")
    cell = flash_duo.find_element("#table td[data-dash-column='n']")
    cell.click()
    flash_duo.driver.switch_to.active_element.send_keys("5\n")
    flash_duo.wait_for_text_to_equal("#table-sum", "sum 7.0")
    flash_duo.wait_for(
        lambda: flash_duo.find_elements("#graph .main-svg .bars path"), "plotly to draw the bars"
    )
    assert flash_duo.get_logs() == []
