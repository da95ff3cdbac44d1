"""Third-party component libraries load from the suites and drive callbacks.

All four libraries are mounted as separate apps on one Quart app, so each
one's bundles are served under its own prefix.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import dash_mantine_components as dmc
import pytest
from dash_extensions import EventListener
from quart import Quart

from quart_flash import FlashBlueprint, Input, Output, html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def libraries_app():
    app = Quart(__name__)

    grid = FlashBlueprint("grid", __name__, url_prefix="/grid")
    grid.layout = html.Div(
        [
            dag.AgGrid(
                id="table",
                rowData=[{"city": "Oslo", "people": 709}, {"city": "Lima", "people": 10092}],
                columnDefs=[{"field": "city"}, {"field": "people"}],
            ),
            html.Div(id="picked"),
        ]
    )

    @grid.callback(
        Output("picked", "children"), Input("table", "cellClicked"), prevent_initial_call=True
    )
    async def picked(cell):
        return f"clicked {cell['value']}"

    mantine = FlashBlueprint("mantine", __name__, url_prefix="/mantine")
    mantine.layout = dmc.MantineProvider(
        html.Div(
            [
                dmc.Button("Greet", id="greet"),
                dmc.Text(id="greeting"),
            ]
        )
    )

    @mantine.callback(
        Output("greeting", "children"), Input("greet", "n_clicks"), prevent_initial_call=True
    )
    def greet(n):
        return f"hello from mantine ({n})"

    bootstrap = FlashBlueprint("bootstrap", __name__, url_prefix="/bootstrap")
    bootstrap.layout = dbc.Container(
        [
            dbc.Button("Alert me", id="alert-btn", color="primary"),
            dbc.Alert("hidden", id="alert", is_open=False, color="info"),
        ]
    )

    @bootstrap.callback(
        Output("alert", "is_open"),
        Output("alert", "children"),
        Input("alert-btn", "n_clicks"),
        prevent_initial_call=True,
    )
    async def open_alert(n):
        return True, f"bootstrap alert {n}"

    extensions = FlashBlueprint("extensions", __name__, url_prefix="/extensions")
    extensions.layout = html.Div(
        [
            EventListener(
                html.Div("click me", id="target"),
                id="listener",
                events=[{"event": "click", "props": ["type"]}],
            ),
            html.Div(id="events"),
        ]
    )

    @extensions.callback(
        Output("events", "children"),
        Input("listener", "n_events"),
        Input("listener", "event"),
        prevent_initial_call=True,
    )
    def count(n_events, event):
        return f"{n_events} {event['type']} event(s)"

    for bp in (grid, mantine, bootstrap, extensions):
        app.register_blueprint(bp)
    return app


def test_dash_ag_grid(flash_duo, libraries_app):
    flash_duo.start_server(libraries_app, "/grid/")
    cell = flash_duo.find_element(".ag-cell[col-id='city']")
    flash_duo.wait_for(lambda: cell.text == "Oslo", "the grid to show its rows")
    cell.click()
    flash_duo.wait_for_text_to_equal("#picked", "clicked Oslo")
    assert flash_duo.get_logs() == []


def test_dash_mantine_components(flash_duo, libraries_app):
    flash_duo.start_server(libraries_app, "/mantine/")
    flash_duo.click("#greet")
    flash_duo.wait_for_text_to_equal("#greeting", "hello from mantine (1)")
    assert flash_duo.get_logs() == []


def test_dash_bootstrap_components(flash_duo, libraries_app):
    flash_duo.start_server(libraries_app, "/bootstrap/")
    assert not flash_duo.find_elements("#alert")
    flash_duo.click("#alert-btn")
    flash_duo.wait_for_text_to_equal("#alert", "bootstrap alert 1")
    assert "alert" in flash_duo.find_element("#alert").get_attribute("class")
    assert flash_duo.get_logs() == []


def test_dash_extensions(flash_duo, libraries_app):
    flash_duo.start_server(libraries_app, "/extensions/")
    flash_duo.click("#target")
    flash_duo.wait_for_text_to_equal("#events", "1 click event(s)")
    flash_duo.click("#target")
    flash_duo.wait_for_text_to_equal("#events", "2 click event(s)")
    assert flash_duo.get_logs() == []
