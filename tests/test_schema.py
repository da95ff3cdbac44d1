"""quart-schema: the callback model is declared once; Dash routes stay out of the user's docs."""

from __future__ import annotations

from dataclasses import dataclass

from quart import Quart
from quart_schema import QuartSchema, validate_request

from quart_flash import FlashBlueprint, Input, Output, dcc, html
from quart_flash.schemas import CallbackRequest

from .helpers import response_of, simple_call


@dataclass
class Order:
    item: str
    quantity: int


def test_dash_routes_are_hidden_from_the_users_openapi_document(serve):
    app = Quart(__name__)
    QuartSchema(app)

    @app.post("/orders")
    @validate_request(Order)
    async def create_order(data: Order):
        return {"item": data.item}

    bp = FlashBlueprint("docs", __name__, url_prefix="/docs-app")
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])

    @bp.callback(Output("out", "children"), Input("in", "value"))
    async def echo(v):
        return v

    app.register_blueprint(bp)
    client = serve(app)
    paths = client.get("/openapi.json").json()["paths"]
    assert list(paths) == ["/orders"]
    # The app's own quart-schema settings do not disturb Dash's request parsing.
    assert response_of(simple_call(client, "/docs-app", "out", "in", "x")) == {
        "out": {"children": "x"}
    }


def test_callback_request_model_has_a_json_schema():
    from pydantic import TypeAdapter

    schema = TypeAdapter(CallbackRequest).json_schema()
    assert set(schema["required"]) == {"output", "inputs"}
    assert {"outputs", "state", "changedPropIds"} <= set(schema["properties"])
