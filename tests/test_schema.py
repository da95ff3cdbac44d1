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


def test_dash_routes_can_be_documented_and_the_document_is_valid(serve):
    from openapi_spec_validator import validate

    app = Quart(__name__)
    QuartSchema(app)
    bp = FlashBlueprint("shown", __name__, url_prefix="/shown", openapi=True)
    bp.layout = html.Div([dcc.Input(id="in"), html.Div(id="out")])
    app.register_blueprint(bp)
    hidden = FlashBlueprint("hidden", __name__, url_prefix="/hidden")
    hidden.layout = html.Div()
    app.register_blueprint(hidden)
    client = serve(app)
    document = client.get("/openapi.json").json()
    validate(document)
    paths = document["paths"]
    assert sorted(paths) == [
        "/shown/_dash-dependencies",
        "/shown/_dash-layout",
        "/shown/_dash-update-component",
        "/shown/_reload-hash",
    ]
    update = paths["/shown/_dash-update-component"]["post"]
    assert update["tags"] == ["dash:shown"]
    assert "requestBody" in update
    assert {"200", "400", "413"} <= set(update["responses"])
