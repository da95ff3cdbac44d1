"""The renderer's CSRF header reaches callbacks, as Dash 4.4.1 sends it."""

from __future__ import annotations

import pytest
from quart import Quart, request

from quart_flash import FlashBlueprint, Input, Output, dcc, html

pytestmark = pytest.mark.browser


def test_csrf_cookie_is_echoed_as_a_header(flash_duo):
    app = Quart(__name__)
    default = FlashBlueprint("default", __name__, url_prefix="/default")
    custom = FlashBlueprint(
        "custom",
        __name__,
        url_prefix="/custom",
        csrf_token_name="csrftoken",
        csrf_header_name="X-Custom-CSRF",
    )
    for bp, header in ((default, "X-CSRFToken"), (custom, "X-Custom-CSRF")):
        bp.layout = html.Div([dcc.Input(id="in", value=""), html.Div(id="out")])

        @bp.callback(Output("out", "children"), Input("in", "value"), prevent_initial_call=True)
        def echo(value, header=header):
            return f"{header}={request.headers.get(header)}"

        app.register_blueprint(bp)

    flash_duo.start_server(app, "/default/")
    flash_duo.driver.add_cookie({"name": "_csrf_token", "value": "tok-default", "path": "/"})
    flash_duo.driver.add_cookie({"name": "csrftoken", "value": "tok-custom", "path": "/"})
    flash_duo.visit("/default/")
    flash_duo.type_into("#in", "x")
    flash_duo.wait_for_text_to_equal("#out", "X-CSRFToken=tok-default")
    flash_duo.visit("/custom/")
    flash_duo.type_into("#in", "x")
    flash_duo.wait_for_text_to_equal("#out", "X-Custom-CSRF=tok-custom")
