"""The typed request model of ``POST _dash-update-component``.

Declared once, as ``TypedDict`` classes: pydantic validates a body against them
(so a bad body gets a 400 that names the field), quart-schema documents them
(so the route can appear in the user's OpenAPI document), and the validated
body stays the plain dict that Dash's callback machinery expects.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List, Union

from pydantic import TypeAdapter, ValidationError

# pydantic needs typing_extensions' TypedDict before Python 3.12; quart-schema
# recognises only typing's from 3.12 on (its is_typeddict comes from typing).
if sys.version_info >= (3, 12):
    from typing import NotRequired, TypedDict
else:
    from typing_extensions import NotRequired, TypedDict

from .errors import ClientError

ComponentId = Union[str, Dict[str, Any]]


class PropRef(TypedDict):
    """One component property: an output, or the shape of an input."""

    id: ComponentId
    property: str


class PropValue(TypedDict):
    """An input or state property with its current value in the browser."""

    id: ComponentId
    property: str
    value: NotRequired[Any]


#: ALL and ALLSMALLER wildcards arrive as lists of concrete properties.
OutputSpec = Union[PropRef, List[Union[PropRef, List[PropRef]]]]
ValueList = List[Union[PropValue, List[PropValue]]]


class CallbackRequest(TypedDict):
    """What dash-renderer sends to run one server-side callback."""

    output: str
    outputs: NotRequired[OutputSpec]
    inputs: ValueList
    state: NotRequired[ValueList]
    changedPropIds: NotRequired[List[str]]
    parsedChangedPropsIds: NotRequired[List[Any]]


class CallbackResponse(TypedDict):
    """A callback's answer: new props per component id (``multi`` is always true)."""

    multi: bool
    response: NotRequired[Dict[str, Dict[str, Any]]]
    sideUpdate: NotRequired[Dict[str, Dict[str, Any]]]


class ErrorResponse(TypedDict):
    """The JSON body of every 4xx from a Dash route."""

    error: str
    message: str


class Component(TypedDict):
    """A serialized Dash component, as the renderer reads it."""

    type: str
    namespace: str
    props: Dict[str, Any]


class CallbackSpec(TypedDict):
    """One entry of ``_dash-dependencies``."""

    output: str
    inputs: List[Dict[str, Any]]
    state: List[Dict[str, Any]]
    clientside_function: Any
    prevent_initial_call: bool


class ReloadHash(TypedDict):
    reloadHash: Any
    hard: bool
    packages: List[str]
    files: List[Dict[str, Any]]


#: What the JSON routes answer, for the OpenAPI document (FlashBlueprint(openapi=True)).
JSON_ROUTE_RESPONSES: Dict[str, Dict[int, Any]] = {
    "dash_layout": {200: Component},
    "dash_dependencies": {200: List[CallbackSpec]},
    "dash_update_component": {200: CallbackResponse, 400: ErrorResponse, 413: ErrorResponse},
    "dash_reload_hash": {200: ReloadHash},
}

_CALLBACK_REQUEST = TypeAdapter(CallbackRequest)


def parse_callback_request(raw: bytes) -> dict[str, Any]:
    """Decode and validate a callback body, or raise a 400 that says why."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ClientError(400, "malformed_json", f"The body is not valid JSON: {exc}") from None
    try:
        _CALLBACK_REQUEST.validate_python(body)
    except ValidationError as exc:
        fields = [
            {"field": ".".join(str(part) for part in err["loc"]) or "(body)", "problem": err["msg"]}
            for err in exc.errors(include_url=False)[:20]
        ]
        names = ", ".join(f["field"] for f in fields)
        raise ClientError(
            400, "invalid_request", f"The callback request is invalid: {names}", fields=fields
        ) from None
    return body  # type: ignore[no-any-return]
